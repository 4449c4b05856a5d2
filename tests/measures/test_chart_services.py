"""Chart settings, adjustments and notes: validation, history, and the rebuild they cause."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from measures import annotations as chart_annotations
from measures import spc
from measures.charts import services as chart_services
from measures.charts.figures import Annotation
from measures.charts.selectors import chart_states, chart_table
from measures.charts.words import chart_summary
from measures.models import (
    ChartAdjustment,
    ChartSettingsChange,
    ChartState,
    Measure,
    MeasureShare,
)

from .charting import JUMP, STEADY, put_figures, put_series, weeks
from .factories import UploadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _commits(monkeypatch, django_capture_on_commit_callbacks):
    """Run each service's on-commit work (the rebuild) as if its transaction had committed."""
    for name in (
        "chart_settings_update",
        "chart_adjustment_add",
        "chart_adjustment_remove",
        "point_note_add",
        "measure_share_set",
    ):
        service = getattr(chart_services, name)

        def committed(*args, _service=service, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return _service(*args, **kwargs)

        monkeypatch.setattr(chart_services, name, committed)


@pytest.fixture
def wait():
    return Measure.objects.get(code="median_wait_days")


def state_of(site, measure) -> ChartState:
    return ChartState.objects.get(site=site, measure=measure, frequency="weekly")


def build(site, measure) -> ChartState:
    chart_services.chart_rebuild(site_id=site.pk, measure_id=measure.pk, force=True)
    return state_of(site, measure)


def test_rebuild_stores_the_summary_spc_gives_for_the_series(world, wait):
    put_series(world.a.site, "median_wait_days", JUMP)
    state = build(world.a.site, wait)
    result = spc.analyse(JUMP, chart="xmr", rules="mdc", improvement="decrease")
    expected = chart_summary(
        result=result,
        dates=weeks(28),
        improvement="decrease",
        measure_name="Median wait to first contact (days)",
        unit_label="days",
    )
    assert state.summary["headline"] == expected.headline
    assert state.summary["details"] == expected.details
    assert state.summary["sentences"] == expected.sentences
    assert state.summary["variation_icon"] == "special_cause_concern_high"
    assert state.summary["last_value"] == 20
    assert state.summary["signal_periods"][-1] == weeks(28)[-1].isoformat()
    assert len(state.rows) == 28
    assert chart_table(state)[0]["centre"] == pytest.approx(result.points[0].centre)
    assert state.figure["data"]
    assert not state.is_stale


def test_missing_weeks_are_gaps_not_joins(world, wait):
    values = [*STEADY[:5], None, None, *STEADY[5:]]
    put_series(world.a.site, "median_wait_days", values)
    state = build(world.a.site, wait)
    assert len(state.rows) == len(values)
    assert state.rows[5][1] == ""
    assert "no data" in state.rows[5][-1]


def test_settings_change_is_kept_in_history_and_rebuilds(world, wait):
    put_series(world.a.site, "median_wait_days", JUMP)
    build(world.a.site, wait)
    chart_services.chart_settings_update(
        site=world.a.site,
        measure=wait,
        user=world.a.pm,
        reason="Agreed at board",
        target=28.0,
        rules="anhoej",
    )
    changes = {c.field: c for c in ChartSettingsChange.objects.filter(site=world.a.site)}
    assert changes["target"].after == "28.0"
    assert changes["target"].before == ""
    assert changes["rules"].after == "anhoej"
    assert changes["rules"].user == world.a.pm
    assert changes["target"].reason == "Agreed at board"
    state = state_of(world.a.site, wait)
    assert state.summary["rules"] == "anhoej"
    assert state.summary["target"] == 28.0
    assert any("target of 28" in s for s in state.summary["sentences"])


def test_unchanged_settings_record_nothing(world, wait):
    chart_services.chart_settings_update(site=world.a.site, measure=wait, user=world.a.pm)
    chart_services.chart_settings_update(
        site=world.a.site, measure=wait, user=world.a.pm, chart_type=""
    )
    assert not ChartSettingsChange.objects.exists()


def test_p_chart_needs_a_ratio_measure(world, wait):
    with pytest.raises(ValidationError):
        chart_services.chart_settings_update(
            site=world.a.site, measure=wait, user=world.a.pm, chart_type="p"
        )


def test_a_p_chart_divides_numerator_by_denominator(world):
    rate = Measure.objects.get(code="dna_rate")
    put_series(world.a.site, "dnas", [5, 6, 4, 5, 7, 5, 6, 5, 4, 6, 5, 5])
    put_series(world.a.site, "appointments", [100] * 12)
    state = build(world.a.site, rate)
    assert state.summary["chart_type"] == "p"
    assert state.rows[0][1] == pytest.approx(5.0)  # 5 / 100 x 100 %
    assert state.rows[0][3] != ""  # p chart limits


def test_a_rebase_needs_a_reason(world, wait):
    put_series(world.a.site, "median_wait_days", JUMP)
    with pytest.raises(ValidationError) as err:
        chart_services.chart_adjustment_add(
            site=world.a.site,
            measure=wait,
            user=world.a.pm,
            kind="rebase",
            period=weeks(28)[20],
            reason="  ",
        )
    assert "reason" in err.value.message_dict


def test_a_rebase_must_fall_within_the_data(world, wait):
    put_series(world.a.site, "median_wait_days", JUMP)
    for period in (weeks(28)[0], weeks(40)[-1]):
        with pytest.raises(ValidationError):
            chart_services.chart_adjustment_add(
                site=world.a.site,
                measure=wait,
                user=world.a.pm,
                kind="rebase",
                period=period,
                reason="New pathway",
            )


def test_a_rebase_starts_a_new_part_and_is_annotated(world, wait):
    put_series(world.a.site, "median_wait_days", JUMP)
    build(world.a.site, wait)
    # A Wednesday: the rebase starts at that week's Monday.
    chart_services.chart_adjustment_add(
        site=world.a.site,
        measure=wait,
        user=world.a.pm,
        kind="rebase",
        period=weeks(28)[20] + dt.timedelta(days=2),
        reason="New pathway",
    )
    assert ChartAdjustment.objects.get().period == weeks(28)[20]
    state = state_of(world.a.site, wait)
    table = chart_table(state)
    assert table[20]["part"] == 2
    assert table[19]["part"] == 1
    assert table[21]["centre"] == pytest.approx(20.0)
    kinds = [(a["kind"], a["title"]) for a in state.summary["annotations"]]
    assert ("rebase", "Limits recalculated: New pathway") in kinds
    assert ChartSettingsChange.objects.get().field == "rebase"


def test_excluding_needs_an_existing_point(world, wait):
    put_series(world.a.site, "median_wait_days", [*STEADY[:5], None, *STEADY[5:]])
    with pytest.raises(ValidationError):
        chart_services.chart_adjustment_add(
            site=world.a.site,
            measure=wait,
            user=world.a.pm,
            kind="exclude",
            period=weeks(6)[5],
            reason="Data error",
        )


def test_an_excluded_point_is_left_out_of_the_centre(world, wait):
    values = [*STEADY[:19], 100]
    put_series(world.a.site, "median_wait_days", values)
    chart_services.chart_adjustment_add(
        site=world.a.site,
        measure=wait,
        user=world.a.pm,
        kind="exclude",
        period=weeks(20)[19],
        reason="Data entry error",
    )
    state = state_of(world.a.site, wait)
    table = chart_table(state)
    assert table[19]["excluded"] == "yes"
    assert table[0]["centre"] == pytest.approx(sum(STEADY[:19]) / 19)


def test_removing_an_adjustment_is_kept_in_history(world, wait):
    put_series(world.a.site, "median_wait_days", JUMP)
    adj = chart_services.chart_adjustment_add(
        site=world.a.site,
        measure=wait,
        user=world.a.pm,
        kind="exclude",
        period=weeks(28)[3],
        reason="Typo",
    )
    chart_services.chart_adjustment_remove(adjustment=adj, user=world.a.pm, reason="Fixed")
    assert not ChartAdjustment.objects.exists()
    assert [c.reason for c in ChartSettingsChange.objects.all()] == ["Fixed", "Typo"]
    assert chart_table(state_of(world.a.site, wait))[3]["excluded"] == "no"


def test_a_rebase_can_cite_an_adopted_cycle_from_the_registry(world, wait, monkeypatch):
    put_series(world.a.site, "median_wait_days", JUMP)
    monkeypatch.setattr(
        chart_annotations,
        "_cycle_providers",
        [lambda site, measure: [chart_annotations.CycleChoice(id=7, title="PDSA 3: Call back")]],
    )
    adj = chart_services.chart_adjustment_add(
        site=world.a.site,
        measure=wait,
        user=world.a.pm,
        kind="rebase",
        period=weeks(28)[20],
        reason="Adopted",
        pdsa_cycle_id=7,
    )
    assert adj.pdsa_title == "PDSA 3: Call back"
    with pytest.raises(ValidationError):
        chart_services.chart_adjustment_add(
            site=world.a.site,
            measure=wait,
            user=world.a.pm,
            kind="rebase",
            period=weeks(28)[22],
            reason="Adopted",
            pdsa_cycle_id=8,
        )


def test_a_note_on_a_point_appears_on_the_chart(world, wait):
    put_series(world.a.site, "median_wait_days", JUMP)
    chart_services.point_note_add(
        site=world.a.site,
        measure=wait,
        user=world.a.pm,
        period=weeks(28)[21],
        text="Two staff off sick",
    )
    state = state_of(world.a.site, wait)
    assert {"kind": "note", "text": "Two staff off sick"}.items() <= state.summary["annotations"][
        0
    ].items()
    assert "Note: Two staff off sick" in state.rows[21][-1]


def test_a_note_needs_text_and_a_point(world, wait):
    put_series(world.a.site, "median_wait_days", STEADY)
    with pytest.raises(ValidationError):
        chart_services.point_note_add(
            site=world.a.site, measure=wait, user=world.a.pm, period=weeks(3)[1], text=""
        )
    with pytest.raises(ValidationError):
        chart_services.point_note_add(
            site=world.a.site, measure=wait, user=world.a.pm, period=weeks(30)[-1], text="x"
        )


def test_a_new_signal_asks_for_a_note_until_one_is_written(world, wait):
    from measures.panels import build_site_measures
    from projects.panels import PanelContext

    put_series(world.a.site, "median_wait_days", JUMP)
    build(world.a.site, wait)
    context = PanelContext(sites=[world.a.site], today=weeks(29)[-1])

    def asking() -> list[str]:
        rows = build_site_measures(context)[world.a.site.pk].rows
        return [row.measure.code for row in rows if row.needs_note]

    assert asking() == ["median_wait_days"]
    chart_services.point_note_add(
        site=world.a.site, measure=wait, user=world.a.pm, period=weeks(28)[-1], text="Why"
    )
    assert asking() == []


def test_providers_annotate_the_chart(world, wait, monkeypatch):
    put_series(world.a.site, "median_wait_days", JUMP)
    monkeypatch.setattr(
        chart_annotations,
        "_annotation_providers",
        [lambda site, measure: [(Annotation(weeks(28)[10], "PDSA 1: Calls", "pdsa"), "/x/")]],
    )
    state = build(world.a.site, wait)
    assert state.summary["annotations"][0]["url"] == "/x/"
    assert state.summary["annotations"][0]["kind"] == "pdsa"


def test_a_fresh_state_is_not_rebuilt_again(world, wait):
    put_series(world.a.site, "median_wait_days", JUMP)
    build(world.a.site, wait)
    with mock.patch.object(spc, "analyse", side_effect=AssertionError("analysed")):
        assert chart_services.chart_rebuild(site_id=world.a.site.pk, measure_id=wait.pk) == []


def test_chart_states_reads_every_pair_in_one_query(world, wait, django_assert_num_queries):
    put_series(world.a.site, "median_wait_days", JUMP)
    put_series(world.b.site, "median_wait_days", STEADY)
    build(world.a.site, wait)
    build(world.b.site, wait)
    with django_assert_num_queries(1):
        states = chart_states(site_ids=[world.a.site.pk, world.b.site.pk])
        assert states[(world.b.site.pk, wait.pk)].summary["last_value"] == 10
    assert set(states) == {(world.a.site.pk, wait.pk), (world.b.site.pk, wait.pk)}


def test_sharing_is_kept_in_history(world, wait):
    chart_services.measure_share_set(site=world.a.site, measure=wait, user=world.a.pm, shared=True)
    chart_services.measure_share_set(site=world.a.site, measure=wait, user=world.a.pm, shared=True)
    assert MeasureShare.objects.count() == 1
    chart_services.measure_share_set(site=world.a.site, measure=wait, user=world.a.pm, shared=False)
    assert not MeasureShare.objects.exists()
    assert ChartSettingsChange.objects.filter(field="shared").count() == 2


def test_a_week_uploaded_before_it_ended_is_provisional_until_the_next_upload(world, wait):
    from measures.models import Upload

    dates = put_series(world.a.site, "median_wait_days", [*STEADY, 30])
    first = Upload.objects.get()
    # Uploaded on the Wednesday of the last week.
    Upload.objects.filter(pk=first.pk).update(
        created_at=dt.datetime.combine(dates[-1] + dt.timedelta(days=2), dt.time(9), dt.UTC)
    )
    state = build(world.a.site, wait)
    assert state.summary["provisional"] == [dates[-1].isoformat()]
    assert state.summary["last_date"] == dates[-2].isoformat()
    assert "is provisional (30 days so far)" in state.summary["latest"]
    row = chart_table(state)[-1]
    assert (row["provisional"], row["value"], row["signals"]) == ("yes", 30, "")
    names = [t["name"] for t in state.figure["data"]]
    assert "Provisional (not a whole week yet)" in names
    # The week comes again in a later upload: it is firm, and judged.
    later = UploadFactory(site=world.a.site)
    put_figures(world.a.site, wait, {dates[-1]: 31}, later)
    state = build(world.a.site, wait)
    assert state.summary["provisional"] == []
    assert chart_table(state)[-1]["provisional"] == "no"
    assert "outside_limits" in chart_table(state)[-1]["signals"]
