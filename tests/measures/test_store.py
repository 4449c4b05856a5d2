"""Both write paths (COPY on PostgreSQL, bulk upsert elsewhere) mean the same thing."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from measures import store
from measures.models import DataPoint, DataPointHistory, FigureSeries, GroupedSeries, Measure

from .factories import UploadFactory

pytestmark = pytest.mark.django_db

METHODS = store.store_methods()


def frame(site, measure, values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site_id": [site.pk] * len(values),
            "measure_id": [measure.pk] * len(values),
            "period": pd.to_datetime(list(values)),
            "value": list(values.values()),
        }
    )


@pytest.mark.parametrize("method", METHODS)
def test_store_counts_new_changed_unchanged_and_keeps_history(world, method):
    site, dnas = world.a.site, Measure.objects.get(code="dnas")
    first, second = UploadFactory(site=site), UploadFactory(site=site)
    with transaction.atomic():
        counts = store.points_store(
            upload=first,
            frame=frame(site, dnas, {"2025-01-06": 1.0, "2025-01-13": 2.5}),
            frequency="weekly",
            method=method,
        )
    assert counts == store.StoreCounts(new=2, changed=0, unchanged=0)
    with transaction.atomic():
        counts = store.points_store(
            upload=second,
            frame=frame(site, dnas, {"2025-01-06": 1.0, "2025-01-13": 3.0, "2025-01-20": 4.0}),
            frequency="weekly",
            method=method,
        )
    assert counts == store.StoreCounts(new=1, changed=1, unchanged=1)
    stored = {p.period: (p.value, p.upload_id) for p in DataPoint.objects.all()}
    assert stored == {
        dt.date(2025, 1, 6): (1.0, first.pk),
        dt.date(2025, 1, 13): (3.0, second.pk),
        dt.date(2025, 1, 20): (4.0, second.pk),
    }
    history = DataPointHistory.objects.get()
    assert (history.period, history.value, history.upload_id, history.replaced_by_id) == (
        dt.date(2025, 1, 13),
        2.5,
        first.pk,
        second.pk,
    )


@pytest.mark.parametrize("method", METHODS)
def test_store_of_the_same_values_writes_nothing(world, method):
    site, dnas = world.a.site, Measure.objects.get(code="dnas")
    values = {"2025-01-06": 0.1 + 0.2, "2025-01-13": 1e-17}
    store.points_store(
        upload=UploadFactory(site=site), frame=frame(site, dnas, values), frequency="weekly"
    )
    before = list(DataPoint.objects.values_list("pk", "value", "upload_id"))
    counts = store.points_store(
        upload=UploadFactory(site=site),
        frame=frame(site, dnas, values),
        frequency="weekly",
        method=method,
    )
    assert counts == store.StoreCounts(new=0, changed=0, unchanged=2)
    assert list(DataPoint.objects.values_list("pk", "value", "upload_id")) == before
    assert not DataPointHistory.objects.exists()


@pytest.mark.parametrize("method", METHODS)
def test_weekly_and_monthly_points_are_kept_apart(world, method):
    site, dnas = world.a.site, Measure.objects.get(code="dnas")
    upload = UploadFactory(site=site)
    store.points_store(
        upload=upload,
        frame=frame(site, dnas, {"2025-01-06": 1.0}),
        frequency="weekly",
        method=method,
    )
    counts = store.points_store(
        upload=upload,
        frame=frame(site, dnas, {"2025-01-06": 9.0}),
        frequency="monthly",
        method=method,
    )
    assert counts.new == 1
    assert DataPoint.objects.count() == 2


def test_empty_frame_writes_nothing(world):
    empty = frame(world.a.site, Measure.objects.get(code="dnas"), {})
    counts = store.points_store(upload=UploadFactory(), frame=empty, frequency="weekly")
    assert counts == store.StoreCounts(0, 0, 0)


@pytest.mark.parametrize("method", METHODS)
def test_store_leaves_values_it_was_not_sent_and_reads_back_every_bit(world, method):
    """Two sites, rows in no particular order, a second upload covering part of the range:
    only the values sent are new or changed, and floats come back exactly as written."""
    a, b = world.a.site, world.b.site
    dnas, wait = Measure.objects.get(code="dnas"), Measure.objects.get(code="median_wait_days")
    values = [0.1 + 0.2, 1e-300, -0.0, 123456789.123456789, 2.5e15, 7.0]
    weeks = pd.date_range("2024-01-01", periods=len(values), freq="7D")
    parts = [
        pd.DataFrame({"site_id": s.pk, "measure_id": m.pk, "period": weeks, "value": values}).iloc[
            ::-1
        ]
        for s in (b, a)
        for m in (wait, dnas)
    ]
    first = UploadFactory(site=a)
    with transaction.atomic():
        counts = store.points_store(
            upload=first, frame=pd.concat(parts), frequency="weekly", method=method
        )
    assert counts == store.StoreCounts(new=24, changed=0, unchanged=0)
    stored = {
        (p.site_id, p.measure_id, p.period): p.value for p in DataPoint.objects.filter(measure=dnas)
    }
    assert stored[(a.pk, dnas.pk, dt.date(2024, 1, 1))] == 0.1 + 0.2
    assert stored[(b.pk, dnas.pk, dt.date(2024, 1, 8))] == 1e-300
    assert stored[(a.pk, dnas.pk, dt.date(2024, 1, 22))] == 123456789.123456789

    second = UploadFactory(site=a)
    update = pd.DataFrame(
        {
            "site_id": [a.pk, a.pk, b.pk],
            "measure_id": [dnas.pk, dnas.pk, wait.pk],
            "period": pd.to_datetime(["2024-01-15", "2024-01-08", "2024-02-26"]),
            "value": [-0.0, 2e-300, 8.0],
        }
    )
    with transaction.atomic():
        counts = store.points_store(upload=second, frame=update, frequency="weekly", method=method)
    assert counts == store.StoreCounts(new=1, changed=1, unchanged=1)
    by_upload = {
        (p.site_id, p.measure_id, p.period): (p.value, p.upload_id)
        for p in DataPoint.objects.filter(upload=second)
    }
    assert by_upload == {
        (a.pk, dnas.pk, dt.date(2024, 1, 8)): (2e-300, second.pk),
        (b.pk, wait.pk, dt.date(2024, 2, 26)): (8.0, second.pk),
    }
    assert DataPoint.objects.count() == 25
    history = DataPointHistory.objects.get()
    assert (history.site_id, history.period, history.value, history.upload_id) == (
        a.pk,
        dt.date(2024, 1, 8),
        1e-300,
        first.pk,
    )


@pytest.mark.parametrize("method", METHODS)
def test_each_series_is_one_row_in_period_order_and_a_resend_rewrites_none(world, method):
    """Figures sent out of order, in two uploads, land in one row per site, measure and
    frequency, in period order with their spans; an unchanged re-send writes nothing at all."""
    a, b = world.a.site, world.b.site
    dnas, wait = Measure.objects.get(code="dnas"), Measure.objects.get(code="median_wait_days")
    first, second = UploadFactory(site=a), UploadFactory(site=a)
    with transaction.atomic():
        store.points_store(
            upload=first,
            frame=pd.concat(
                [
                    frame(a, dnas, {"2025-01-20": 3.0, "2025-01-06": 1.0}),
                    frame(b, dnas, {"2025-01-06": 5.0}),
                ]
            ),
            frequency="weekly",
            method=method,
        )
    later = {"2025-01-13": 2.0, "2024-12-30": 0.5, "2025-01-20": 3.0}
    with transaction.atomic():
        store.points_store(
            upload=second, frame=frame(a, dnas, later), frequency="weekly", method=method
        )
    rows = {(r.site_id, r.frequency): r for r in FigureSeries.objects.filter(measure=dnas)}
    assert set(rows) == {(a.pk, "weekly"), (b.pk, "weekly")}
    mine = rows[(a.pk, "weekly")]
    assert mine.periods == ["2024-12-30", "2025-01-06", "2025-01-13", "2025-01-20"]
    assert mine.values == [0.5, 1.0, 2.0, 3.0]
    # the week sent again unchanged keeps the upload it came from
    assert mine.uploads == [second.pk, first.pk, second.pk, first.pk]
    assert (mine.first, mine.last) == (dt.date(2024, 12, 30), dt.date(2025, 1, 20))
    assert rows[(b.pk, "weekly")].values == [5.0]
    assert not FigureSeries.objects.filter(measure=wait).exists()

    again = UploadFactory(site=a)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        counts = store.points_store(
            upload=again,
            frame=frame(a, dnas, later),
            frequency="weekly",
            method=method,
        )
    assert counts == store.StoreCounts(new=0, changed=0, unchanged=3)
    writes = [
        q["sql"]
        for q in queries
        if not q["sql"].lstrip().upper().startswith(("SELECT", "LOCK", "SAVEPOINT", "RELEASE"))
    ]
    assert writes == []


def test_missing_values_are_refused_before_anything_is_written(world):
    site, dnas = world.a.site, Measure.objects.get(code="dnas")
    with pytest.raises(ValueError, match="missing"):
        store.points_store(
            upload=UploadFactory(site=site),
            frame=frame(site, dnas, {"2025-01-06": float("nan")}),
            frequency="weekly",
        )
    assert not DataPoint.objects.exists()


def grouped_frame(site, measure, by: str, figures: dict[tuple[str, str], float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site_id": [site.pk] * len(figures),
            "measure_id": [measure.pk] * len(figures),
            "by": [by] * len(figures),
            "group": [group for group, _ in figures],
            "period": pd.to_datetime([week for _, week in figures]),
            "value": list(figures.values()),
            "records": [int(v) if v == v else 0 for v in figures.values()],
        }
    )


def store_sex(upload, site, measure, figures: dict[tuple[str, str], float]) -> int:
    """Store `upload`'s weekly figures by sex, in a transaction as an upload does."""
    with transaction.atomic():
        return store.groups_store(
            upload=upload, frame=grouped_frame(site, measure, "sex", figures), frequency="weekly"
        )


def series(site, measure, by: str) -> dict[str, list[tuple[str, float, int]]]:
    return {
        row.group: list(zip(row.periods, row.values, row.uploads, strict=True))
        for row in GroupedSeries.objects.filter(site=site, measure=measure, by=by)
    }


def test_figures_per_group_replace_the_weeks_an_upload_covers_and_undo_removes_its_own(world):
    """A record-level extract states every group of every week it covers: within its span a
    group it does not name had no referrals, outside it what is stored stays; a grouping or
    measure it does not send is left alone; undoing it removes what it wrote."""
    site, other_site = world.a.site, world.b.site
    received, dnas = (
        Measure.objects.get(code="referrals_received"),
        Measure.objects.get(code="dnas"),
    )
    first, second = UploadFactory(site=site), UploadFactory(site=site)
    w1, w2, w3, w4 = "2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26"
    with transaction.atomic():
        for s in (site, other_site):
            store.groups_store(
                upload=first,
                frame=pd.concat(
                    [
                        grouped_frame(
                            s,
                            received,
                            "sex",
                            # written out of week order: stored in week order
                            {("Male", w3): 3, ("Male", w1): 1, ("Male", w2): 2}
                            | {("Female", w1): 4, ("Female", w2): 5, ("Female", w3): 6}
                            | {("Not known", w2): 7},
                        ),
                        grouped_frame(s, received, "age_band", {("0-4", w2): 8}),
                        grouped_frame(s, dnas, "sex", {("Male", w2): 9}),
                    ]
                ),
                frequency="weekly",
            )
    assert series(site, received, "sex") == {
        "Female": [(w1, 4.0, first.pk), (w2, 5.0, first.pk), (w3, 6.0, first.pk)],
        "Male": [(w1, 1.0, first.pk), (w2, 2.0, first.pk), (w3, 3.0, first.pk)],
        "Not known": [(w2, 7.0, first.pk)],
    }
    written = store_sex(second, site, received, {("Male", w2): 20, ("Male", w4): 40})
    second.sites.set([site])
    assert written == 2
    after_second = {
        "Female": [(w1, 4.0, first.pk)],
        "Male": [(w1, 1.0, first.pk), (w2, 20.0, second.pk), (w4, 40.0, second.pk)],
    }
    assert series(site, received, "sex") == after_second
    assert series(site, received, "age_band") == {"0-4": [(w2, 8.0, first.pk)]}
    assert series(site, dnas, "sex") == {"Male": [(w2, 9.0, first.pk)]}
    assert series(other_site, received, "sex")["Male"][1] == (w2, 2.0, first.pk)
    got = next(iter(GroupedSeries.objects.filter(site=site, by="sex", group="Male")))
    assert list(got.points())[1] == (dt.date(2026, 1, 12), 20.0, 20)
    assert (got.first, got.last) == (dt.date(2026, 1, 5), dt.date(2026, 1, 26))
    # a series wholly inside the next upload's weeks is replaced, one reaching beyond kept
    third = UploadFactory(site=site)
    store_sex(third, site, received, {("Male", w1): 10, ("Male", w2): 11})
    assert series(site, received, "sex") == {
        "Male": [(w1, 10.0, third.pk), (w2, 11.0, third.pk), (w4, 40.0, second.pk)],
    }
    store_sex(third, site, received, {("Female", w1): 3, ("Female", w4): 4})
    assert series(site, received, "sex") == {
        "Female": [(w1, 3.0, third.pk), (w4, 4.0, third.pk)],
    }
    female = GroupedSeries.objects.get(site=site, by="sex", group="Female")
    assert (female.first, female.last) == (dt.date(2026, 1, 5), dt.date(2026, 1, 26))
    third.sites.set([site])
    store.groups_remove(upload=third)
    assert not GroupedSeries.objects.filter(site=site, measure=received, by="sex").exists()
    # back to where the undo test below starts
    store_sex(second, site, received, {("Male", w2): 20, ("Male", w4): 40})
    store_sex(first, site, received, {("Male", w1): 1, ("Female", w1): 4})

    assert store.groups_remove(upload=second) == store.GroupsRemoved(2, {site.pk: {received.pk}})
    assert series(site, received, "sex") == {
        "Female": [(w1, 4.0, first.pk)],
        "Male": [(w1, 1.0, first.pk)],
    }
    first.sites.set([site, other_site])
    # what is left at each site
    assert store.groups_remove(upload=first) == store.GroupsRemoved(
        4 + 9, {site.pk: {received.pk, dnas.pk}, other_site.pk: {received.pk, dnas.pk}}
    )
    assert not GroupedSeries.objects.exists()


def test_a_missing_figure_per_group_is_refused_before_anything_is_written(world):
    site, received = world.a.site, Measure.objects.get(code="referrals_received")
    with pytest.raises(ValueError, match="missing"):
        store.groups_store(
            upload=UploadFactory(site=site),
            frame=grouped_frame(site, received, "sex", {("Male", "2026-01-05"): float("nan")}),
            frequency="weekly",
        )
    assert not GroupedSeries.objects.exists()
