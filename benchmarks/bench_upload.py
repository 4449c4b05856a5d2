"""An upload as an informatics user waits for it: from sending the file to the API until the
site's charts are rebuilt, through gunicorn (production settings) and a real Celery worker
process on Redis, against a scratch PostgreSQL database (BENCH_DATABASE_URL, default
thrive_bench_upload).

Targets: a site's five-year back-load (every measure a site sends, 260 weeks) answered, stored
and charted in under 10 s; a weekly extract (every measure, one new week) in under 2 s, median
of 5. The charts include those worked out from the figures sent (rates).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from benchmarks import served

BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/thrive_bench_upload"
)
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")
QUEUE = "thrive-bench-upload"
MEASURES, YEARS, WEEKLY_ROUNDS = 20, 5, 5
TARGET_BACKLOAD_S, TARGET_WEEKLY_S = 10.0, 2.0


def _post_file(base: str, key: str, site: str, name: str, content: bytes) -> dict:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="site"\r\n\r\n{site}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{base}/api/v1/uploads",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def _get(url: str, key: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def main() -> None:
    served.scratch_database(BENCH_DATABASE_URL)
    served.prepare_environment(BENCH_DATABASE_URL)
    os.environ.update(CELERY_BROKER_URL=BROKER_URL, CELERY_TASK_DEFAULT_QUEUE=QUEUE)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from measures.models import ChartState, Frequency, Measure
    from projects.models import Membership, Programme, Site
    from projects.services import api_token_create

    call_command("migrate", verbosity=0)
    programme = Programme.objects.create(name="Bench upload", slug="bench-upload")
    site = Site.objects.create(programme=programme, code="UPL", name="Upload bench site")
    user = get_user_model().objects.create_user("bench-informatics", password="x")
    Membership.objects.create(user=user, site=site, role="informatics")
    _, key = api_token_create(user=user, name="bench")
    measures = list(
        Measure.objects.filter(numerator__isnull=True, denominator__isnull=True).order_by("order")[
            :MEASURES
        ]
    )
    today = dt.date.today()
    this_monday = today - dt.timedelta(days=today.weekday())
    weeks = [this_monday - dt.timedelta(weeks=n) for n in range(YEARS * 52 + WEEKLY_ROUNDS, 0, -1)]
    backload, recent = weeks[: YEARS * 52], weeks[YEARS * 52 :]

    def extract(for_weeks: list[dt.date], seed: int) -> bytes:
        lines = ["site_code,week_commencing,measure,value"]
        lines += [
            f"UPL,{w.isoformat()},{m.code},{(seed + i * 7 + j * 3) % 50 + 5}"
            for i, w in enumerate(for_weeks)
            for j, m in enumerate(measures)
        ]
        return ("\n".join(lines) + "\n").encode()

    def charts_fresh() -> bool:
        states = ChartState.objects.filter(site=site, frequency=Frequency.WEEKLY)
        built = [s.built_version >= s.requested_version for s in states]
        return len(built) >= len(measures) and all(built)

    def round_trip(base: str, name: str, content: bytes) -> tuple[float, float]:
        started = time.perf_counter()
        upload = _post_file(base, key, "UPL", name, content)
        while upload["status"] not in ("done", "failed", "needs_confirmation"):
            time.sleep(0.02)
            upload = _get(upload["url"], key)
        stored = time.perf_counter() - started
        assert upload["status"] == "done", upload["problems"][:3] or upload["status"]
        while not charts_fresh():
            time.sleep(0.02)
        return stored, time.perf_counter() - started

    env = {**os.environ}
    logs = served.ROOT / "var"
    logs.mkdir(exist_ok=True)
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "thrive_site",
            "worker",
            "--pool=solo",
            "-Q",
            QUEUE,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=served.ROOT,
        env=env,
        stdout=open(logs / "bench-worker.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    try:
        with served.served() as base:
            stored, charted = round_trip(base, "backload.csv", extract(backload, 1))
            print(
                f"back-load, {len(measures)} measures x {len(backload)} weeks: stored "
                f"{stored:.2f} s, charts rebuilt {charted:.2f} s after sending"
            )
            weekly = [
                round_trip(base, f"week-{n}.csv", extract([week], n))
                for n, week in enumerate(recent)
            ]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    weekly_stored = statistics.median(s for s, _ in weekly)
    weekly_charted = statistics.median(c for _, c in weekly)
    print(
        f"weekly extract, {len(measures)} measures x 1 week, median of {len(weekly)}: stored "
        f"{weekly_stored:.2f} s, charts rebuilt {weekly_charted:.2f} s after sending"
    )
    met = [
        served.verdict("back-load, sent to charts rebuilt", charted, TARGET_BACKLOAD_S, "s"),
        served.verdict("weekly, sent to charts rebuilt", weekly_charted, TARGET_WEEKLY_S, "s"),
    ]
    if not all(met):
        sys.exit(1)
