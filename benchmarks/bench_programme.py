"""Programme dashboard for 50 sites x 20 measures x 5 years of weekly data, warm caches.

Target: server time median under 150 ms, and the same number of SQL queries for 5 sites as for
50. Uses a scratch PostgreSQL database (BENCH_DATABASE_URL, default thrive_bench_programme).
Chart states are built by the real rebuild service, as the worker would after an upload.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/thrive_bench_programme"
)
SITES, MEASURES, WEEKS = 50, 20, 260


def _scratch_database() -> None:
    import psycopg

    name = BENCH_DATABASE_URL.rsplit("/", 1)[1]
    server = BENCH_DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    os.environ["DATABASE_URL"] = BENCH_DATABASE_URL
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ.pop("CELERY_BROKER_URL", None)
    _scratch_database()
    import django

    django.setup()
    import numpy as np
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from measures.charts.services import chart_rebuild
    from measures.models import DataPoint, Frequency, Measure, Upload
    from projects.models import Programme, ProgrammeLead, Project, Site

    started = time.perf_counter()
    programme = Programme.objects.create(name="Bench programme", slug="bench")
    lead = get_user_model().objects.create_user("bench-lead", password="x")
    ProgrammeLead.objects.create(user=lead, programme=programme)
    measures = list(Measure.objects.order_by("order")[:MEASURES])
    for n in range(len(measures), MEASURES):
        measures.append(Measure.objects.create(code=f"bench_measure_{n}", name=f"Bench {n}"))
    rng = np.random.default_rng(7)
    today = dt.date.today()
    monday = today - dt.timedelta(days=today.weekday())
    weeks = [monday - dt.timedelta(weeks=WEEKS - i) for i in range(WEEKS)]
    sites = []
    for s in range(SITES):
        site = Site.objects.create(programme=programme, code=f"B{s:03d}", name=f"Bench site {s}")
        Project.objects.create(
            site=site, title="Bench project", thrive_focus="getting_help", start_date=weeks[0]
        )
        sites.append(site)
        upload = Upload.objects.create(
            site=site, original_name="bench.csv", status=Upload.Status.DONE, file="bench.csv"
        )
        rows = []
        for m in measures:
            values = rng.poisson(40, WEEKS).astype(float)
            values[-8:] -= 12  # a recent shift, so signals exist
            rows += [
                DataPoint(
                    site=site,
                    measure=m,
                    frequency=Frequency.WEEKLY,
                    period=w,
                    value=max(0.0, float(v)),
                    upload=upload,
                )
                for w, v in zip(weeks, values, strict=True)
            ]
        DataPoint.objects.bulk_create(rows, batch_size=5000)
    print(
        f"data: {SITES * MEASURES * WEEKS:,} weekly values in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    for site in sites:
        for m in measures:
            chart_rebuild(site_id=site.pk, measure_id=m.pk)
    print(f"chart states: {SITES * MEASURES} built in {time.perf_counter() - started:.1f} s")

    client = Client()
    client.force_login(lead)
    assert client.get("/programme/").status_code == 200  # warm
    timings = []
    for _ in range(30):
        t0 = time.perf_counter()
        response = client.get("/programme/")
        timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get("/programme/")
    print(
        f"programme dashboard, {SITES} sites: median {statistics.median(timings):.1f} ms "
        f"(min {min(timings):.1f} ms, 30 requests), {len(queries)} queries"
    )
