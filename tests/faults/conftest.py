"""Fault tests: a Celery worker, beat and gunicorn as real processes on the test database, with a
Redis of their own that a test may stop, and a worker that a test may kill outright.

They run in the PostgreSQL run only (CELERY_BROKER_URL set, as in CI), and need redis-server on
the PATH. Their Redis is their own, on a free port, so stopping it disturbs nothing else.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.e2e.conftest import _run_seeds

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
QUEUE = f"thrive-faults-{os.getpid()}"


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        if "tests/faults/" not in str(item.fspath).replace(os.sep, "/"):
            continue
        item.add_marker(pytest.mark.faults)
        # Real processes read what the test writes, so it must be committed.
        item.add_marker(pytest.mark.django_db(transaction=True))
        if not os.environ.get("CELERY_BROKER_URL"):
            item.add_marker(pytest.mark.skip(reason="fault tests run with a broker (CI's run)"))
        elif not shutil.which("redis-server"):
            item.add_marker(pytest.mark.skip(reason="no redis-server on the PATH"))


@pytest.fixture(autouse=True)
def _seed_data(transactional_db: Any) -> None:
    """Each test starts with the seeds (standard measures, steps): the flush that ends every
    transactional test empties their tables too."""
    _run_seeds()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout} s")


class Stack:
    """The processes of one test; each start_* may be called again after a stop or kill."""

    def __init__(self, logs: Path, database_url: str) -> None:
        self.logs = logs
        self.redis_port = free_port()
        self.web_port = free_port()
        self.broker_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.url = f"http://127.0.0.1:{self.web_port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "1",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CELERY_BROKER_URL": self.broker_url,
            "CACHE_URL": f"redis://127.0.0.1:{self.redis_port}/1",
            "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
            "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "UPLOAD_SWEEP_EVERY_SECONDS": "2",
        }
        self.processes: dict[str, subprocess.Popen] = {}
        self.starts: dict[str, int] = {}

    def _start(self, name: str, args: list[str], **env: str) -> subprocess.Popen:
        self.starts[name] = self.starts.get(name, 0) + 1
        log = self.logs / f"{name}-{self.starts[name]}.log"
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**self.env, **env},
            stdout=open(log, "w"),  # noqa: SIM115 - lives as long as the process
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill takes its children too
        )
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}-{self.starts[name]}.log").read_text()

    def start_redis(self) -> None:
        self._start(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--save", "", "--appendonly", "no"],
        )
        wait_until(lambda: "Ready to accept connections" in self.log("redis"), 20, "redis")

    def start_worker(self, name: str = "worker", **env: str) -> None:
        self._start(
            name,
            [
                str(BIN / "celery"),
                "-A",
                "thrive_site",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "-Q",
                QUEUE,
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            **env,
        )
        wait_until(lambda: " ready." in self.log(name), 60, f"{name} ready")

    def start_beat(self) -> None:
        self._start(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "thrive_site",
                "beat",
                "--loglevel=INFO",
                "--schedule",
                str(self.logs / "beat-schedule"),
            ],
        )

    def start_web(self) -> None:
        """gunicorn on a port chosen now: one chosen when the stack was made can be taken by
        the time the worker is up (a client's ephemeral port; gunicorn then gives up with
        "Connection in use", a CI failure), so a taken port is given up for another."""
        for _attempt in range(3):
            self.web_port = free_port()
            self.url = f"http://127.0.0.1:{self.web_port}"
            process = self._start(
                "web",
                [
                    str(BIN / "gunicorn"),
                    "thrive_site.wsgi",
                    "-b",
                    f"127.0.0.1:{self.web_port}",
                    "-w",
                    "1",
                    "--timeout",
                    "60",
                ],
            )

            def up(process: subprocess.Popen = process) -> bool | None:
                if process.poll() is not None:
                    return None  # gone: see its log
                try:
                    with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                        return response.status == 200
                except OSError:
                    return False

            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                state = up()
                if state or state is None:
                    break
                time.sleep(0.05)
            if state:
                return
            if state is None and "in use" in self.log("web"):
                continue
            raise AssertionError(f"web: not up within 60 s; its log:\n{self.log('web')[-2000:]}")
        raise AssertionError("web: no free port in three tries")

    def kill(self, name: str) -> None:
        """kill -9 of the process and all its children, as the kernel's OOM killer or a lost
        machine would."""
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self, name: str) -> None:
        process = self.processes[name]
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in [*sorted(set(self.processes) - {"redis"}), "redis"]:
            if name in self.processes:
                with contextlib.suppress(ProcessLookupError):
                    self.stop(name)

    def enqueue(self, task: Any, *args: Any, **options: Any) -> None:
        """Send a task to this stack's worker, through this stack's Redis (options as for
        apply_async)."""
        from thrive_site.celery import app

        with app.connection_for_write(self.broker_url) as connection:
            task.apply_async(args=args, queue=QUEUE, connection=connection, **options)


@pytest.fixture
def stack(transactional_db: Any, tmp_path: Path, settings: Any) -> Iterator[Stack]:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("fault tests need PostgreSQL")
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    settings.MEDIA_ROOT = tmp_path / "media"
    logs = tmp_path / "logs"
    logs.mkdir()
    running = Stack(logs, database_url)
    running.start_redis()
    try:
        yield running
    finally:
        running.stop_all()
