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
