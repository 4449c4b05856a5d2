"""A measure's chart page with 5 years of weekly data, served from the built ChartState.

Targets, through gunicorn over HTTP with debug off (benchmarks.served): median under 50 ms,
p95 under 100 ms, with the state built by the worker; and a fixed number of queries (the same
for 1 year as for 5). The in-process figure (Django's test client) is printed beside it. Uses a scratch PostgreSQL
database (BENCH_DATABASE_URL, default thrive_bench_charts on the local server); with
BENCH_DATABASE_URL=sqlite it runs on a temporary SQLite file instead.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import served

BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/thrive_bench_charts"
)
RUNS = 50
WEEKS = 260


def _scratch_database(tmp: str) -> str:
    if BENCH_DATABASE_URL == "sqlite":
        return f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
    served.scratch_database(BENCH_DATABASE_URL)
    return BENCH_DATABASE_URL


def _series(n: int) -> list[float]:
    import random

    rng = random.Random(6)
    out = []
    for i in range(n):
        level = 40 if i < n - 30 else 30  # a shift down in the last 30 weeks
        out.append(round(level + rng.gauss(0, 4), 1))
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        served.prepare_environment(_scratch_database(tmp))
        os.environ["DJANGO_MEDIA_ROOT"] = str(Path(tmp) / "media")
        import django

        django.setup()
        import pandas as pd
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection, transaction
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, setup_test_environment

        from measures import store
        from measures.charts import services as chart_services
        from measures.models import Frequency, Measure, Upload
        from projects.models import Membership, Programme, Project, Site
        from toolkit.models import PdsaCycle

        setup_test_environment()
        settings.ALLOWED_HOSTS = ["*"]
        settings.MEDIA_ROOT = Path(tmp) / "media"
        call_command("migrate", verbosity=0)
        from django.contrib.auth import get_user_model

        programme = Programme.objects.create(name="Bench", slug="bench")
        measure = Measure.objects.get(code="median_wait_days")
        user = get_user_model().objects.create_user("bench-pm", password="x")
        start = dt.date(2021, 1, 4)
        paths = {}
        for code, weeks in (("ONE", 52), ("FIVE", WEEKS)):
            site = Site.objects.create(programme=programme, code=code, name=f"Site {code}")
            project = Project.objects.create(site=site, title="Waits", start_date=start)
            Membership.objects.create(user=user, site=site, role="project_manager")
            upload = Upload.objects.create(
                site=site, original_name="bench.csv", sha256=code, status="done"
            )
            values = _series(weeks)
            with transaction.atomic():
                store.points_store(
                    upload=upload,
                    frame=pd.DataFrame(
                        {
                            "site_id": site.pk,
                            "measure_id": measure.pk,
                            "period": pd.date_range(start, periods=len(values), freq="7D"),
                            "value": [float(v) for v in values],
                        }
                    ),
                    frequency=Frequency.WEEKLY,
                )
            for n in range(3):  # three PDSA cycles marked on the chart
                cycle = PdsaCycle.objects.create(
                    project=project,
                    title=f"Cycle {n + 1}",
                    objective="Shorter waits",
                    number=n + 1,
                    planned_start=start + dt.timedelta(weeks=weeks - 40 + 10 * n),
                )
                cycle.measures.add(measure)
            for i in (weeks - 20, weeks - 10):
                chart_services.point_note_add(
                    site=site,
                    measure=measure,
                    user=user,
                    period=start + dt.timedelta(weeks=i),
                    text="Staff away",
                )
            chart_services.chart_settings_update(
                site=site, measure=measure, user=user, target=35.0, reason="bench"
            )
            started = time.perf_counter()
            chart_services.chart_rebuild(site_id=site.pk, measure_id=measure.pk, force=True)
            build_ms = (time.perf_counter() - started) * 1000
            paths[code] = (f"/sites/{code}/measures/{measure.code}/", build_ms)

        client = Client()
        client.force_login(user)
        counts = {}
        for code, (path, _) in paths.items():
            client.get(path)  # warm: templates compiled, connection open
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
            assert response.status_code == 200, response.status_code
            assert b"Updating" not in response.content, "the state should be fresh"
            counts[code] = len(ctx.captured_queries)

        path, build_ms = paths["FIVE"]
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        median = statistics.median(times)
        served.profile_if_asked(lambda: client.get(path))
        print(f"database: {connection.vendor}")
        print(f"chart rebuild, {WEEKS} weekly points (worker): {build_ms:.1f} ms")
        print(
            f"chart page in-process (test client, no HTTP): median {median:.1f} ms over {RUNS} runs"
        )
        print(f"page size: {len(response.content) / 1024:.0f} KiB")
        fixed = counts["FIVE"] == counts["ONE"]
        print(
            f"queries: {counts['FIVE']} for 5 years, {counts['ONE']} for 1 year "
            f"{'(fixed) OK' if fixed else '(NOT FIXED) MISSED'}"
        )
        cookie = served.signed_in_cookie(user)
        connection.close()
        with served.served() as base:
            http_times = served.timed_gets(base, path, cookie=cookie, runs=RUNS)
            health = served.timed_gets(base, "/healthz", cookie="", runs=RUNS)
        median, p95 = served.summary(http_times)
        print(
            f"through gunicorn, debug off, {RUNS} requests (/healthz median "
            f"{served.summary(health)[0]:.1f} ms):"
        )
        met = [
            fixed,
            served.verdict("  chart page, 5 years, median", median, 50),
            served.verdict("  chart page, 5 years, p95", p95, 100),
        ]
    if BENCH_DATABASE_URL != "sqlite":
        served.scratch_database(BENCH_DATABASE_URL, drop=True)
    if not all(met):
        sys.exit(1)
