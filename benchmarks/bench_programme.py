"""Programme dashboard for 50 sites x 20 measures x 5 years of weekly data, warm caches,
beside a programme of 5 sites.

Targets, through gunicorn over HTTP with debug off (benchmarks.served): 50 sites median under
100 ms and p95 under 200 ms; the same number of SQL queries for 5 sites as for 50. Uses a scratch PostgreSQL database (BENCH_DATABASE_URL, default thrive_bench_programme).
Chart states are built by the real rebuild service, as the worker would after an upload.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import time

from benchmarks import served

BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/thrive_bench_programme"
)
SITES, MEASURES, WEEKS = 50, 20, 260
RUNS = 30


def main() -> None:
    served.scratch_database(BENCH_DATABASE_URL)
    served.prepare_environment(BENCH_DATABASE_URL)
    import django

    django.setup()
    import numpy as np
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    import pandas as pd
    from django.db import transaction

    from measures import store
    from measures.charts.services import chart_rebuild
    from measures.models import Frequency, Measure, Upload
    from projects.models import Programme, ProgrammeLead, Project, Site

    measures = list(Measure.objects.order_by("order")[:MEASURES])
    for n in range(len(measures), MEASURES):
        measures.append(Measure.objects.create(code=f"bench_measure_{n}", name=f"Bench {n}"))
    rng = np.random.default_rng(7)
    today = dt.date.today()
    monday = today - dt.timedelta(days=today.weekday())
    weeks = [monday - dt.timedelta(weeks=WEEKS - i) for i in range(WEEKS)]

    def programme_of(n_sites: int, prefix: str):
        """A programme of n_sites sites with MEASURES measures of WEEKS weeks each, its chart
        states built as the worker would; returns its lead."""
        started = time.perf_counter()
        programme = Programme.objects.create(name=f"Bench {n_sites}", slug=f"bench-{n_sites}")
        lead = get_user_model().objects.create_user(f"bench-lead-{n_sites}", password="x")
        ProgrammeLead.objects.create(user=lead, programme=programme)
        sites = []
        for s in range(n_sites):
            site = Site.objects.create(
                programme=programme, code=f"{prefix}{s:03d}", name=f"Bench site {prefix}{s}"
            )
            Project.objects.create(
                site=site, title="Bench project", thrive_focus="getting_help", start_date=weeks[0]
            )
            sites.append(site)
            upload = Upload.objects.create(
                site=site, original_name="bench.csv", status=Upload.Status.DONE, file="bench.csv"
            )
            frames = []
            for m in measures:
                values = rng.poisson(40, WEEKS).astype(float)
                values[-8:] -= 12  # a recent shift, so signals exist
                frames.append(
                    pd.DataFrame(
                        {
                            "site_id": site.pk,
                            "measure_id": m.pk,
                            "period": pd.to_datetime(weeks),
                            "value": np.maximum(values, 0.0),
                        }
                    )
                )
            with transaction.atomic():
                store.points_store(
                    upload=upload, frame=pd.concat(frames), frequency=Frequency.WEEKLY
                )
        data_s = time.perf_counter() - started
        started = time.perf_counter()
        for site in sites:
            for m in measures:
                chart_rebuild(site_id=site.pk, measure_id=m.pk)
        print(
            f"{n_sites} sites: {n_sites * MEASURES * WEEKS:,} weekly values in {data_s:.1f} s, "
            f"{n_sites * MEASURES} chart states in {time.perf_counter() - started:.1f} s"
        )
        return lead

    leads = {SITES: programme_of(SITES, "B"), 5: programme_of(5, "F")}

    queries = {}
    for n, lead in leads.items():
        client = Client()
        client.force_login(lead)
        assert client.get("/programme/").status_code == 200  # warm
        t0 = time.perf_counter()
        client.get("/programme/")
        in_process = (time.perf_counter() - t0) * 1000
        with CaptureQueriesContext(connection) as captured:
            client.get("/programme/")
        queries[n] = len(captured)
        print(f"in-process (test client, no HTTP), {n} sites: {in_process:.1f} ms")
        if n == SITES:
            served.profile_if_asked(functools.partial(client.get, "/programme/"), runs=5)
    same = queries[SITES] == queries[5]
    print(
        f"queries: {queries[5]} for 5 sites, {queries[SITES]} for {SITES} "
        f"{'(the same) OK' if same else '(NOT THE SAME) MISSED'}"
    )
    cookies = {n: served.signed_in_cookie(lead) for n, lead in leads.items()}
    connection.close()
    figures = {}
    with served.served() as base:
        for n, cookie in cookies.items():
            figures[n] = served.summary(
                served.timed_gets(base, "/programme/", cookie=cookie, runs=RUNS)
            )
    print(f"through gunicorn, debug off, {RUNS} requests each:")
    print(f"  5 sites: median {figures[5][0]:.1f} ms, p95 {figures[5][1]:.1f} ms")
    met = [
        same,
        served.verdict(f"  {SITES} sites, median", figures[SITES][0], 100),
        served.verdict(f"  {SITES} sites, p95", figures[SITES][1], 200),
    ]
    if not all(met):
        sys.exit(1)
