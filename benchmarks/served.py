"""Pages timed where the user waits: over HTTP from gunicorn with debug off, as production runs.

`prepare_environment(database_url)` sets production settings and collects the static files;
`served()` starts gunicorn (2 workers, production
settings but plain HTTP) on a free port against the benchmark's database and yields its address;
`signed_in_cookie(user)` makes a session for a user in that database, and `timed_gets` asks for a
page over one kept-alive connection. The benchmark process must call `prepare_environment()`
before `django.setup()`, so that it signs sessions with the server's secret key.
"""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def scratch_database(url: str, *, drop: bool = False) -> None:
    """An empty PostgreSQL database at `url`, made afresh (with `drop`, only removed)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop:
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare_environment(database_url: str) -> dict[str, str]:
    """Production settings for this process and the server it will start."""
    values = {
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_HTTPS": "0",  # TLS ends at a proxy in production; gunicorn itself is plain HTTP
    }
    os.environ.update(values)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["BENCH_SECRET_KEY"] = values["DJANGO_SECRET_KEY"]
    # Debug off serves hashed, compressed static files from the manifest collectstatic writes.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=os.environ,
        check=True,
    )
    return values


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(*, workers: int = 2) -> Iterator[str]:
    """gunicorn on this process's settings (see prepare_environment); yields its base URL."""
    env = {**os.environ}
    bin_dir = Path(sys.executable).parent
    port = _free_port()
    log = open(ROOT / "var" / "bench-gunicorn.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "thrive_site.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "gunicorn did not start; see var/bench-gunicorn.log"
                    ) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def signed_in_cookie(user: Any) -> str:
    """A session cookie for `user`, as if they had signed in."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def timed_gets(base: str, path: str, *, cookie: str, runs: int, warm: int = 3) -> list[float]:
    """Milliseconds for each of `runs` GETs of `path` (after `warm` untimed ones), from sending
    the request to reading the whole body, over one kept-alive connection."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    headers = {"Cookie": cookie, "Host": "127.0.0.1"}
    times = []
    for i in range(warm + runs):
        started = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}: {body[:300]!r}")
        if i >= warm:
            times.append(elapsed)
    conn.close()
    return times


def summary(times: list[float]) -> tuple[float, float]:
    """Median and 95th percentile."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def verdict(label: str, figure: float, target: float, unit: str = "ms") -> bool:
    """Print the figure beside its target; True when met."""
    met = figure < target
    print(f"{label}: {figure:.1f} {unit} (target < {target:g} {unit}) {'OK' if met else 'MISSED'}")
    return met


def profile_if_asked(request: Callable[[], object], runs: int = 20) -> None:
    """With BENCH_PROFILE=1: where an in-process page spends its time (cProfile, `runs` calls,
    the 40 costliest functions by their own time; BENCH_PROFILE=cumulative: with callees; BENCH_PROFILE=sql: its slowest queries)."""
    if not os.environ.get("BENCH_PROFILE"):
        return
    if os.environ["BENCH_PROFILE"] == "sql":
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            request()
        for query in sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:15]:
            print(f"{float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")
        return
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(runs):
        request()
    profile.disable()
    order = "cumulative" if os.environ["BENCH_PROFILE"] == "cumulative" else "tottime"
    pstats.Stats(profile).sort_stats(order).print_stats(40)
