"""Measures on the site and programme dashboards, in the digest and in the meeting pack."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from measures import panels
from measures.charts.services import chart_rebuild, glance_of
from measures.models import ChartState, Frequency, LocalDefinition, Measure, PointNote
from projects.panels import PanelContext
from tests.conftest import make_site_world

from .charting import put_figures
from .factories import UploadFactory

TODAY = dt.date(2026, 11, 26)  # a Thursday
THIS_WEEK = dt.date(2026, 11, 23)


def state(
    site,
    code,
    *,
    icon="common_cause",
    last_value=40.0,
    weeks_ago=1,
    signal=None,
    signal_weeks_ago=None,
    assurance=None,
):
    measure = Measure.objects.get(code=code)
    last = THIS_WEEK - dt.timedelta(weeks=weeks_ago)
    periods = (
        []
        if signal_weeks_ago is None
        else [(THIS_WEEK - dt.timedelta(weeks=signal_weeks_ago)).isoformat()]
    )
    summary = {
        "variation_icon": icon,
        "assurance_icon": assurance,
        "last_value": last_value,
        "last_date": last.isoformat(),
        "latest_signal": signal,
        "signal_periods": periods,
        "latest_signal_periods": periods,
        "sentences": ["Latest value 40."],
        "annotations": [],
    }
    return ChartState.objects.create(
        site=site,
        measure=measure,
        frequency=Frequency.WEEKLY,
        summary=summary,
        glance=glance_of(summary, [last - dt.timedelta(weeks=i) for i in range(13)]),
        rows=[
            [
                (last - dt.timedelta(weeks=i)).isoformat(),
                40.0 + i,
                41.0,
                30.0,
                52.0,
                34.0,
                48.0,
                1,
                "no",
                "",
                "common_cause",
                "",
            ]
            for i in range(12, -1, -1)
        ],
        built_version=1,
    )


def points(site, code, weeks):
    measure = Measure.objects.get(code=code)
    put_figures(site, measure, dict.fromkeys(weeks, 10), UploadFactory(site=site))
    chart_rebuild(site_id=site.pk, measure_id=measure.pk)


def build(sites, shared=False):
    return panels.build_site_measures(
        PanelContext(sites=sites, today=TODAY, shared=shared, small_count_threshold=5)
    )


def test_site_panel_shows_each_reported_measures_state(world):
    state(
        world.a.site,
        "median_wait_days",
        icon="special_cause_improvement_low",
        signal="7 points below the mean since 5 Oct 2026 (shift): special cause, improvement",
        signal_weeks_ago=3,
        assurance="assurance_pass",
        last_value=28.0,
    )
    data = build([world.a.site])[world.a.site.pk]
    assert [r.measure.code for r in data.rows] == ["median_wait_days"]
    row = data.rows[0]
    assert row.last_value == "28 days"
    assert row.variation_label.lower().startswith("special cause")
    assert row.assurance_file.endswith(".svg")
    assert row.special == "improvement"
    assert row.needs_note is True


def test_summary_keys_that_are_null_read_as_nothing(world, client_as):
    """Keys are read as text: a JSON null must not come back as the word 'null' (SQLite)."""
    state(world.a.site, "median_wait_days", last_value=None, signal=None, assurance=None)
    row = build([world.a.site])[world.a.site.pk].rows[0]
    assert (row.latest_signal, row.assurance_icon, row.assurance_file) == (None, None, None)
    assert row.last_value in ("", None, "–") or "null" not in str(row.last_value)
    page = client_as(world.a.pm).get(f"/sites/{world.a.site.code}/")
    assert page.status_code == 200
    assert "null" not in page.content.decode().lower().replace("nullable", "")


def test_a_note_on_the_signal_stops_the_dashboard_asking_for_one(world):
    state(
        world.a.site,
        "median_wait_days",
        icon="special_cause_concern_high",
        signal="a shift",
        signal_weeks_ago=2,
    )
    PointNote.objects.create(
        site=world.a.site,
        measure=Measure.objects.get(code="median_wait_days"),
        period=THIS_WEEK - dt.timedelta(weeks=2),
        text="Staff sickness",
        author=world.a.pm,
    )
    assert build([world.a.site])[world.a.site.pk].rows[0].needs_note is False


def test_shared_views_hide_small_counts_and_say_so(world):
    state(world.a.site, "referrals_rejected", last_value=3.0)
    state(world.a.site, "median_wait_days", last_value=3.0)
    rows = {r.measure.code: r for r in build([world.a.site], shared=True)[world.a.site.pk].rows}
    assert rows["referrals_rejected"].last_value == "fewer than 5"
    assert rows["median_wait_days"].last_value == "3 days"  # not a count
    signed_in = {r.measure.code: r for r in build([world.a.site])[world.a.site.pk].rows}
    assert signed_in["referrals_rejected"].last_value == "3"


def test_missing_recent_weeks_are_listed(world):
    weeks = [THIS_WEEK - dt.timedelta(weeks=n) for n in (1, 2, 4)]
    points(world.a.site, "referrals_received", weeks)
    data = build([world.a.site])[world.a.site.pk]
    assert THIS_WEEK - dt.timedelta(weeks=3) in data.missing_weeks
    assert THIS_WEEK - dt.timedelta(weeks=1) not in data.missing_weeks
    assert THIS_WEEK not in data.missing_weeks  # the current week is not over


def test_site_without_recent_data_counts_as_not_sending(world):
    state(world.a.site, "referrals_received", weeks_ago=6)
    state(world.b.site, "referrals_received", weeks_ago=1)
    data = build([world.a.site, world.b.site])
    assert data[world.a.site.pk].stale is True
    assert data[world.b.site.pk].stale is False


def test_programme_signals_leave_out_measures_whose_definitions_differ(world):
    for sw in (world.a, world.b):
        state(
            sw.site, "closures", icon="special_cause_concern_high", signal="x", signal_weeks_ago=1
        )
        state(
            sw.site,
            "median_wait_days",
            icon="special_cause_improvement_low",
            signal="y",
            signal_weeks_ago=1,
        )
        for code, text in (
            ("closures", f"{sw.site.code} closes differently"),
            ("median_wait_days", "Days from referral to first contact"),
        ):
            LocalDefinition.objects.create(
                site=sw.site,
                measure=Measure.objects.get(code=code),
                local_term=code,
                definition=text,
            )
    data = build([world.a.site, world.b.site])[world.a.site.pk]
    assert [r.measure.code for r in data.compared_improvement] == ["median_wait_days"]
    assert data.compared_concern == []
    assert [r.measure.code for r in data.not_compared] == ["closures"]


@pytest.mark.parametrize("shared", [False, True])
def test_the_programme_reads_what_it_shows_as_the_site_dashboard_does(world, shared):
    """The programme dashboard reads only the glance keys it shows, extracted by the
    database: each one must come back as a site's own dashboard reads it (nulls included)."""
    state(
        world.a.site,
        "median_wait_days",
        icon="special_cause_improvement_low",
        signal="a shift",
        signal_weeks_ago=2,
        assurance="assurance_pass",
        last_value=28.5,
    )
    state(world.a.site, "referrals_received", last_value=3.0, weeks_ago=5)
    state(world.b.site, "closures", icon="common_cause", last_value=None, assurance=None)
    sites = [world.a.site, world.b.site]
    context = PanelContext(sites=sites, today=TODAY, shared=shared, small_count_threshold=5)
    detail = panels.build_site_measures(context)
    programme = panels.build_programme_measures(context)

    def shown(data):
        return (
            data.last_week,
            data.weeks_since_data,
            data.stale,
            [
                (
                    r.measure.code,
                    r.chart_url,
                    r.last_date,
                    r.last_value,
                    r.variation_icon,
                    r.variation_label,
                    r.variation_file,
                    r.assurance_icon,
                    r.assurance_label,
                    r.assurance_file,
                    r.special,
                )
                for r in data.rows
            ],
        )

    for site in sites:
        assert shown(programme[site.pk]) == shown(detail[site.pk])
    rows = {r.measure.code: r for r in programme[world.a.site.pk].rows}
    assert rows["median_wait_days"].last_value == "28.5 days"
    assert rows["referrals_received"].last_value == ("fewer than 5" if shared else "3")
    assert programme[world.b.site.pk].rows[0].assurance_icon is None
    # What only a site's own page shows is left out.
    wait = {r.measure.code: r for r in detail[world.a.site.pk].rows}["median_wait_days"]
    assert (wait.latest_signal, wait.needs_note) == ("a shift", True)
    assert (rows["median_wait_days"].latest_signal, rows["median_wait_days"].needs_note) == (
        None,
        False,
    )


def _queries(sites) -> int:
    with CaptureQueriesContext(connection) as queries:
        build(sites)
    return len(queries)


def test_the_panel_costs_the_same_queries_for_few_and_many_sites(world):
    few = [world.a.site, world.b.site]
    for site in few:
        state(site, "referrals_received")
    many = few + [make_site_world(world.programme, c).site for c in ("CCC", "DDD", "EEE", "FFF")]
    for site in many[2:]:
        state(site, "referrals_received")
        state(site, "median_wait_days")
    assert _queries(few) == _queries(many)


def test_dashboard_page_shows_the_measures_panel(world, client_as):
    state(world.a.site, "median_wait_days", last_value=31.0)
    response = client_as(world.a.stakeholder).get(f"/sites/{world.a.site.code}/")
    assert b"Median wait to first contact" in response.content
    assert b"31 days" in response.content


def test_digest_tells_site_members_about_new_signals_only(world, mailoutbox):
    state(
        world.a.site,
        "median_wait_days",
        icon="special_cause_improvement_low",
        signal="7 points below the mean",
        signal_weeks_ago=0,
    )
    state(
        world.b.site,
        "median_wait_days",
        icon="special_cause_concern_high",
        signal="an old shift",
        signal_weeks_ago=10,
    )
    lines = panels._digest_signals(world.a.pm, [world.a.site], TODAY)
    assert lines == [
        f"{world.a.site.code} Median wait to first contact (days): 7 points below the mean"
    ]
    assert panels._digest_signals(world.b.pm, [world.b.site], TODAY) == []


def test_digest_tells_senders_about_missing_weeks(world):
    points(world.a.site, "referrals_received", [THIS_WEEK - dt.timedelta(weeks=1)])
    assert panels._digest_missing(world.a.info, [world.a.site], TODAY)[0].startswith(
        f"{world.a.site.code}: no figures for w/c"
    )
    assert panels._digest_missing(world.a.stakeholder, [world.a.site], TODAY) == []


def test_meeting_pack_has_signals_a_table_and_charts(world):
    state(
        world.a.site,
        "median_wait_days",
        icon="special_cause_improvement_low",
        signal="7 points below the mean",
        signal_weeks_ago=1,
    )
    data = build([world.a.site])[world.a.site.pk]
    sections = panels.measures_pack(data, world.a.site)
    headings = [s.heading for s in sections]
    assert headings == ["New signals to discuss", "Measures at a glance", "Charts"]
    assert "7 points below the mean" in sections[0].bullets[0]
    chart = sections[2].charts[0]
    assert len(chart.dates) == len(chart.values) == 13
    assert chart.summary == ["Latest value 40."]


def test_meeting_pack_pdf_draws_the_measure_charts(world):
    from projects.pack import meeting_pack_pdf

    state(
        world.a.site,
        "median_wait_days",
        icon="special_cause_improvement_low",
        signal="7 points below the mean",
        signal_weeks_ago=1,
    )
    pdf = meeting_pack_pdf(site=world.a.site, today=timezone.localdate(), user=world.a.pm)
    assert pdf.startswith(b"%PDF")


def test_site_data_exports_as_csv_and_xlsx_with_formula_safe_cells(world, client_as):
    import io

    from openpyxl import load_workbook

    points(world.a.site, "referrals_received", [THIS_WEEK - dt.timedelta(weeks=1)])
    client = client_as(world.a.stakeholder)
    csv_response = client.get(f"/sites/{world.a.site.code}/data/export.csv")
    text = csv_response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "site,period,frequency,measure,measure_name,value,upload"
    assert f'"{world.a.site.code}","2026-11-16","weekly","referrals_received"' in text
    xlsx = client.get(f"/sites/{world.a.site.code}/data/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["D2"].value == "referrals_received"
    assert client.get(f"/sites/{world.a.site.code}/data/export.pdf").status_code == 404
    assert (
        client_as(world.b.pm).get(f"/sites/{world.a.site.code}/data/export.csv").status_code == 404
    )


def test_data_dictionary_downloads_with_each_standard_measure(world, client_as):
    LocalDefinition.objects.create(
        site=world.a.site,
        measure=Measure.objects.get(code="closures"),
        local_term="Discharges",
        definition="@closed after three attempts",
    )
    client = client_as(world.a.stakeholder)
    text = client.get(f"/sites/{world.a.site.code}/data/dictionary/?format=csv").content.decode(
        "utf-8-sig"
    )
    lines = text.splitlines()
    assert lines[0].startswith("measure,standard name,standard definition,local term")
    assert len(lines) == 1 + Measure.objects.count()
    assert '"Discharges","\'@closed after three attempts"' in text


def test_a_built_chart_keeps_what_dashboards_show_in_its_glance(world):
    """Dashboards read ChartState.glance, not the whole summary: the rebuild writes it, with
    the latest 16 weeks in which the site sent figures."""
    weeks = [THIS_WEEK - dt.timedelta(weeks=n) for n in range(1, 21)]
    points(world.a.site, "referrals_received", weeks)
    state = ChartState.objects.get(site=world.a.site, measure__code="referrals_received")
    assert state.glance["last_date"] == state.summary["last_date"] == weeks[0].isoformat()
    assert state.glance["variation_icon"] == state.summary["variation_icon"]
    assert state.glance["recent_periods"] == sorted(w.isoformat() for w in weeks[:16])
    assert "sentences" not in state.glance


def test_the_programme_grid_escapes_every_name_and_label(world):
    world.a.site.name = '<b>North & "South"</b>'
    world.a.site.save()
    measure = Measure.objects.get(code="median_wait_days")
    measure.name = "Wait <days>"
    measure.save()
    state(world.a.site, "median_wait_days", icon="special_cause_concern_high")
    sites = [world.a.site, world.b.site]
    context = PanelContext(sites=sites, today=TODAY, small_count_threshold=5)
    grid = panels.programme_grid(sites, panels.build_programme_measures(context))
    body = grid.body_html()
    assert "<b>" not in body
    assert "<days>" not in body
    assert "&lt;b&gt;North &amp; &quot;South&quot;&lt;/b&gt;</a></th>" in body
    assert 'title="Wait &lt;days&gt; at &lt;b&gt;North &amp; &quot;South&quot;&lt;/b&gt;: ' in body
