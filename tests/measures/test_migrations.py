"""Migrations that move data keep it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("measures", "0004_charts")]
AFTER = [("measures", "0005_datapoint_natural_key")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_points_keep_their_values_when_the_table_gets_its_natural_key():
    try:
        old = _migrate(BEFORE)
        programme = old.get_model("projects", "Programme").objects.create(name="P", slug="p")
        site = old.get_model("projects", "Site").objects.create(
            programme=programme, code="MIG", name="Migrated"
        )
        upload = old.get_model("measures", "Upload").objects.create(
            original_name="x.csv", sha256="0" * 64
        )
        measure = old.get_model("measures", "Measure").objects.create(
            code="migrated", name="Migrated", order=100
        )
        old.get_model("measures", "DataPoint").objects.create(
            site=site,
            measure=measure,
            frequency="weekly",
            period=dt.date(2025, 1, 6),
            value=3.5,
            upload=upload,
        )

        new = _migrate(AFTER)
        point = new.get_model("measures", "DataPoint").objects.get()
        assert point.pk == (site.pk, measure.pk, dt.date(2025, 1, 6), "weekly")
        assert (point.value, point.upload_id) == (3.5, upload.pk)

        old = _migrate(BEFORE)
        point = old.get_model("measures", "DataPoint").objects.get()
        assert (point.site_id, point.period, point.value) == (site.pk, dt.date(2025, 1, 6), 3.5)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _site_and_two_uploads(apps):
    programme = apps.get_model("projects", "Programme").objects.create(name="P", slug="p")
    site = apps.get_model("projects", "Site").objects.create(
        programme=programme, code="MIG", name="Migrated"
    )
    uploads = apps.get_model("measures", "Upload")
    first, second = (
        uploads.objects.create(original_name=f"{n}.csv", sha256=str(n) * 64) for n in (1, 2)
    )
    return site, first, second


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_figures_per_group_keep_their_values_when_each_series_becomes_one_row():
    before, after = (
        [("measures", "0012_chart_glances_hold_gaps")],
        [("measures", "0013_grouped_series")],
    )
    try:
        old = _migrate(before)
        site, first, second = _site_and_two_uploads(old)
        measure = old.get_model("measures", "Measure").objects.create(
            code="migrated", name="Migrated", order=100
        )
        point = old.get_model("measures", "GroupedDataPoint")
        figures = [
            ("sex", "Male", dt.date(2026, 1, 12), 2.0, 2, second),
            ("sex", "Male", dt.date(2026, 1, 5), 1.5, 3, first),
            ("sex", "Female", dt.date(2026, 1, 5), 0.0, 0, first),
            ("imd_quintile", "1", dt.date(2026, 1, 5), 4.0, 4, first),
        ]
        point.objects.bulk_create(
            point(
                site=site,
                measure=measure,
                by=by,
                group=group,
                frequency="weekly",
                period=period,
                value=value,
                records=n,
                upload=upload,
            )
            for by, group, period, value, n, upload in figures
        )

        new = _migrate(after)
        rows = {
            (s.by, s.group): (s.periods, s.values, s.records, s.uploads)
            for s in new.get_model("measures", "GroupedSeries").objects.all()
        }
        male = new.get_model("measures", "GroupedSeries").objects.get(group="Male")
        assert (male.first, male.last) == (dt.date(2026, 1, 5), dt.date(2026, 1, 12))
        assert rows == {
            ("sex", "Male"): (
                ["2026-01-05", "2026-01-12"],
                [1.5, 2.0],
                [3, 2],
                [first.pk, second.pk],
            ),
            ("sex", "Female"): (["2026-01-05"], [0.0], [0], [first.pk]),
            ("imd_quintile", "1"): (["2026-01-05"], [4.0], [4], [first.pk]),
        }

        old = _migrate(before)
        back = {
            (p.by, p.group, p.period, p.value, p.records, p.upload_id)
            for p in old.get_model("measures", "GroupedDataPoint").objects.all()
        }
        assert back == {(b, g, p, v, n, u.pk) for b, g, p, v, n, u in figures}
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_figures_keep_their_values_when_each_series_becomes_one_row_and_read_back_as_rows():
    before, after = (
        [("measures", "0013_grouped_series")],
        [("measures", "0014_figure_series")],
    )
    try:
        old = _migrate(before)
        site, first, second = _site_and_two_uploads(old)
        dnas, seen = (
            old.get_model("measures", "Measure").objects.create(code=c, name=c, order=100)
            for c in ("migrated_dnas", "migrated_seen")
        )
        figures = [
            (dnas, "weekly", dt.date(2026, 1, 12), 2.0, second),
            (dnas, "weekly", dt.date(2026, 1, 5), 1.5, first),
            (dnas, "monthly", dt.date(2026, 1, 1), 0.1, first),
            (seen, "weekly", dt.date(2026, 1, 5), -0.0, first),
        ]
        point = old.get_model("measures", "DataPoint")
        point.objects.bulk_create(
            point(site=site, measure=m, frequency=f, period=p, value=v, upload=u)
            for m, f, p, v, u in figures
        )

        new = _migrate(after)
        series = new.get_model("measures", "FigureSeries")
        rows = {
            (s.measure_id, s.frequency): (s.first, s.last, s.periods, s.values, s.uploads)
            for s in series.objects.all()
        }
        jan5, jan12 = dt.date(2026, 1, 5), dt.date(2026, 1, 12)
        assert rows == {
            (dnas.pk, "weekly"): (
                jan5,
                jan12,
                ["2026-01-05", "2026-01-12"],
                [1.5, 2.0],
                [first.pk, second.pk],
            ),
            (dnas.pk, "monthly"): (
                dt.date(2026, 1, 1),
                dt.date(2026, 1, 1),
                ["2026-01-01"],
                [0.1],
                [first.pk],
            ),
            (seen.pk, "weekly"): (jan5, jan5, ["2026-01-05"], [-0.0], [first.pk]),
        }
        # The view gives the same figures back as rows, typed as the table's were.
        as_rows = {
            (p.measure_id, p.frequency, p.period, p.value, p.upload_id)
            for p in new.get_model("measures", "DataPoint").objects.all()
        }
        assert as_rows == {(m.pk, f, p, v, u.pk) for m, f, p, v, u in figures}
        assert (
            new.get_model("measures", "DataPoint")
            .objects.filter(period__gte=jan12, value__gt=1)
            .count()
            == 1
        )

        old = _migrate(before)
        back = {
            (p.measure_id, p.frequency, p.period, p.value, p.upload_id)
            for p in old.get_model("measures", "DataPoint").objects.all()
        }
        assert back == {(m.pk, f, p, v, u.pk) for m, f, p, v, u in figures}
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
