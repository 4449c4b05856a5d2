"""`make load`: the service under load as production runs it, on loopback.

gunicorn (production settings, debug off), a real Celery worker on Redis and PostgreSQL, all
started here as plain processes on a scratch database (LOAD_DATABASE_URL, default thrive_load)
holding the demo. For LOAD_SECONDS (default 300), 50 signed-in readers (the programme lead, and
each demo site's project manager, informatics officer and stakeholder) open dashboards, chart
pages and measure lists, a second or two apart, while 5 informatics users (one per site) send
an extract of weekly figures to the API every few seconds, each waiting for the last one to be
read before sending the next, as a scheduled script would. It stops by itself after the time
or MAX_REQUESTS requests.

Then it checks and prints, beside their targets: no failed request; the 95th percentile page
time under 500 ms; every upload read exactly once (done, one start); and the database holding
exactly the figures sent, the last sent winning for each site, measure and week. Exit 1 when
one is missed.

    .venv/bin/python scripts/load.py        (LOAD_SECONDS=60 for a shorter run)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import served  # noqa: E402

DATABASE_URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/thrive_load")
BROKER_URL = os.environ.get("LOAD_BROKER_URL", "redis://127.0.0.1:6379/10")
QUEUE = "thrive-load"
SECONDS = float(os.environ.get("LOAD_SECONDS", "300"))
READERS, UPLOADERS = 50, 5
MAX_REQUESTS = 200_000
P95_TARGET_MS = 500.0
THINK = (0.5, 2.0)  # seconds a reader spends on a page
UPLOAD_EVERY = (2.0, 5.0)  # seconds between an uploader's extracts
EXTRA_SITE = "LDT"  # a fifth site, for the fifth uploader


@dataclass
class Figures:
    """What the readers and uploaders saw, shared between threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    page_ms: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)
    uploads: list[int] = field(default_factory=list)
    upload_s: list[float] = field(default_factory=list)
    sent: dict[tuple[str, str, str], float] = field(default_factory=dict)
    requests: int = 0

    def page(self, kind: str, ms: float) -> None:
        with self.lock:
            self.page_ms.append(ms)
            self.by_kind[kind].append(ms)
            self.requests += 1

    def failed(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)
            self.requests += 1


def _seed() -> None:
    """Migrations and the demo, in a process of its own: the demo needs debug on, and builds
    its charts in the process rather than through the broker."""
    env = {**os.environ, "DJANGO_DEBUG": "1"}
    for name in ("CELERY_BROKER_URL", "CELERY_TASK_DEFAULT_QUEUE"):
        env.pop(name, None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "load_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def _readers_paths() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(username, session cookie, [(kind, path)]) for every reader."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from measures.models import ChartState
    from projects.models import Membership, Programme

    charts: dict[str, list[str]] = defaultdict(list)
    measures = set()
    for code, measure in ChartState.objects.filter(frequency="weekly").values_list(
        "site__code", "measure__code"
    ):
        charts[code].append(reverse("measures:chart", args=[code, measure]))
        measures.add(measure)
    programme = Programme.objects.get()
    lead = get_user_model().objects.get(username="demo-lead")
    lead_pages = [
        ("programme", reverse("projects:programme")),
        ("measures", reverse("measures:measure-list")),
        *(("compare", reverse("measures:programme-chart-compare", args=[m])) for m in measures),
        *(("chart", p) for paths in charts.values() for p in paths[:3]),
    ]
    people = [(lead.username, served.signed_in_cookie(lead), lead_pages)]
    for membership in Membership.objects.filter(site__programme=programme).select_related(
        "user", "site"
    ):
        code = membership.site.code
        pages = [
            ("site", membership.site.get_absolute_url()),
            ("data", reverse("measures:site-data", args=[code])),
            *(("chart", p) for p in charts[code]),
        ]
        people.append((membership.user.username, served.signed_in_cookie(membership.user), pages))
    readers: list[tuple[str, str, list[tuple[str, str]]]] = []
    while len(readers) < READERS:
        readers.extend(people)
    return readers[:READERS]


def _uploaders() -> list[tuple[str, str, list[str]]]:
    """(site code, API key, measure codes) for each uploader: an informatics user per site."""
    from django.contrib.auth import get_user_model

    from measures.models import Measure
    from projects.models import Membership, Programme, Site
    from projects.services import api_token_create

    programme = Programme.objects.get()
    extra = Site.objects.create(programme=programme, code=EXTRA_SITE, name="Load test site")
    user = get_user_model().objects.create_user("load-info-ldt")
    Membership.objects.create(user=user, site=extra, role=Membership.Role.INFORMATICS)
    measures = list(
        Measure.objects.filter(numerator__isnull=True, denominator__isnull=True)
        .order_by("order")
        .values_list("code", flat=True)
    )
    out = []
    for membership in (
        Membership.objects.filter(site__programme=programme, role=Membership.Role.INFORMATICS)
        .select_related("user", "site")
        .order_by("site__code")[:UPLOADERS]
    ):
        _, key = api_token_create(user=membership.user, name="load test")
        out.append((membership.site.code, key, measures))
    return out


def _get(base: str, path: str, cookie: str) -> tuple[int, float]:
    started = time.perf_counter()
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, (time.perf_counter() - started) * 1000


def _reader(
    base: str, cookie: str, pages: list[tuple[str, str]], until: float, figures: Figures, seed: int
) -> None:
    rng = random.Random(seed)
    while time.monotonic() < until and figures.requests < MAX_REQUESTS:
        kind, path = rng.choice(pages)
        try:
            status, ms = _get(base, path, cookie)
        except OSError as error:
            figures.failed(f"GET {path}: {error}")
        else:
            if status == 200:
                figures.page(kind, ms)
            else:
                figures.failed(f"GET {path}: {status}")
        time.sleep(rng.uniform(*THINK))


def _api(
    method: str, url: str, key: str, body: bytes | None = None, content_type: str = ""
) -> dict:
    headers = {"Authorization": f"Bearer {key}"}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def _uploader(
    base: str, site: str, key: str, measures: list[str], until: float, figures: Figures, seed: int
) -> None:
    """Every few seconds an extract of a few recent weeks (some already sent, so figures
    change and the upload asks to replace them: sent with replace=true), waiting for each."""
    rng = random.Random(seed)
    monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
    weeks = [monday - dt.timedelta(weeks=n) for n in range(1, 9)]
    while time.monotonic() < until and figures.requests < MAX_REQUESTS:
        rows = {
            (site, m, w.isoformat()): float(rng.randint(0, 60))
            for w in rng.sample(weeks, 3)
            for m in rng.sample(measures, 4)
        }
        lines = ["site_code,week_commencing,measure,value"] + [
            f"{s},{w},{m},{v:g}" for (s, m, w), v in rows.items()
        ]
        boundary = uuid.uuid4().hex
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="site"\r\n\r\n{site}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="replace"\r\n\r\ntrue\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="week.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n" + "\n".join(lines) + f"\n\r\n--{boundary}--\r\n"
        ).encode()
        started = time.perf_counter()
        try:
            upload = _api(
                "POST",
                f"{base}/api/v1/uploads",
                key,
                body,
                f"multipart/form-data; boundary={boundary}",
            )
            while upload["status"] not in ("done", "failed", "needs_confirmation", "cancelled"):
                time.sleep(0.1)
                upload = _api("GET", upload["url"], key)
        except (OSError, KeyError, ValueError) as error:
            figures.failed(f"upload for {site}: {error}")
            return
        with figures.lock:
            figures.requests += 1
            figures.uploads.append(upload["id"])
            figures.upload_s.append(time.perf_counter() - started)
            if upload["status"] == "done":
                figures.sent.update(rows)
            else:
                figures.failures.append(
                    f"upload {upload['id']} for {site}: {upload['status']} {upload['problems'][:2]}"
                )
        time.sleep(rng.uniform(*UPLOAD_EVERY))


def _check(figures: Figures) -> list[tuple[str, bool]]:
    from measures.models import DataPoint, Upload

    uploads = Upload.objects.filter(pk__in=figures.uploads)
    not_once = [u.pk for u in uploads if u.status != Upload.Status.DONE or u.attempts != 1]
    stored = {
        (s, m, p.isoformat()): v
        for s, m, p, v in DataPoint.objects.filter(frequency="weekly").values_list(
            "site__code", "measure__code", "period", "value"
        )
    }
    wrong = [(k, v, stored.get(k)) for k, v in figures.sent.items() if stored.get(k) != v]
    median, p95 = served.summary(figures.page_ms) if figures.page_ms else (0.0, 0.0)
    print(
        f"\n{figures.requests:,} requests in all; pages: {len(figures.page_ms):,}, median {median:.0f} ms"
    )
    for kind, times in sorted(figures.by_kind.items()):
        m, p = served.summary(times)
        print(f"  {kind:10s} {len(times):6,} pages, median {m:5.0f} ms, p95 {p:5.0f} ms")
    if figures.upload_s:
        print(
            f"uploads: {len(figures.uploads)} sent and read, median {statistics.median(figures.upload_s):.2f} s "
            f"from sending to read, slowest {max(figures.upload_s):.2f} s"
        )
    for failure in figures.failures[:10]:
        print(f"  failed: {failure}")
    print(
        f"figures checked: {len(figures.sent):,} site-measure-weeks sent; {len(wrong)} differ in the database"
    )
    for key, want, got in wrong[:5]:
        print(f"  {key}: sent {want}, stored {got}")
    return [
        (f"failed requests: {len(figures.failures)} (target 0)", not figures.failures),
        (f"p95 page time: {p95:.0f} ms (target < {P95_TARGET_MS:.0f} ms)", p95 < P95_TARGET_MS),
        (
            f"uploads read exactly once: {len(figures.uploads) - len(not_once)} of {len(figures.uploads)}",
            bool(figures.uploads) and not not_once,
        ),
        (
            f"database holds the figures sent: {len(figures.sent) - len(wrong):,} of {len(figures.sent):,}",
            bool(figures.sent) and not wrong,
        ),
    ]


def main() -> int:
    load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    served.scratch_database(DATABASE_URL)
    served.prepare_environment(DATABASE_URL)
    os.environ.update(
        CELERY_BROKER_URL=BROKER_URL,
        CELERY_TASK_DEFAULT_QUEUE=QUEUE,
        DJANGO_SETTINGS_MODULE="thrive_site.settings",
    )
    started = time.perf_counter()
    _seed()
    import django

    django.setup()
    import redis

    redis.Redis.from_url(BROKER_URL).delete(QUEUE)
    readers = _readers_paths()
    uploaders = _uploaders()
    from django.db import connection

    connection.close()
    print(f"demo loaded in {time.perf_counter() - started:.0f} s; load average {load_before}")
    figures = Figures()
    logs = ROOT / "var"
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "thrive_site",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "-Q",
            QUEUE,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env={**os.environ},
        stdout=open(logs / "load-worker.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    try:
        with served.served(workers=3) as base:
            until = time.monotonic() + SECONDS
            threads = [
                threading.Thread(target=_reader, args=(base, cookie, pages, until, figures, n))
                for n, (_user, cookie, pages) in enumerate(readers)
            ] + [
                threading.Thread(
                    target=_uploader, args=(base, site, key, measures, until, figures, 1000 + n)
                )
                for n, (site, key, measures) in enumerate(uploaders)
            ]
            print(
                f"{len(readers)} readers and {len(uploaders)} uploaders for {SECONDS:.0f} s ...",
                flush=True,
            )
            for thread in threads:
                thread.start()
                time.sleep(0.02)
            for thread in threads:
                thread.join()
            time.sleep(1)  # the last rebuilds; the figures themselves are already stored
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    results = _check(figures)
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for line, met in results:
        print(f"{line} {'OK' if met else 'MISSED'}")
    return 0 if all(met for _, met in results) else 1


if __name__ == "__main__":
    sys.exit(main())
