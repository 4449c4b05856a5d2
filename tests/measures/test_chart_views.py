"""The chart pages: what they show, who may change what, and that they never analyse."""

from __future__ import annotations

import csv
import io
from unittest import mock

import pytest
from django.urls import reverse

from measures import spc
from measures.charts import services as chart_services
from measures.models import (
    ChartAdjustment,
    ChartSettings,
    ChartState,
    LocalDefinition,
    Measure,
    MeasureShare,
    PointNote,
)

from .charting import JUMP, STEADY, put_series, weeks

pytestmark = pytest.mark.django_db


@pytest.fixture
def wait():
    return Measure.objects.get(code="median_wait_days")


def build(site, measure):
    chart_services.chart_rebuild(site_id=site.pk, measure_id=measure.pk, force=True)


def chart_url(site, name="chart", code="median_wait_days", **kw):
    return reverse(f"measures:{name}", kwargs={"site_code": site.code, "measure_code": code, **kw})


@pytest.fixture
def charted(world, wait):
    put_series(world.a.site, "median_wait_days", JUMP)
    build(world.a.site, wait)
    return world


def test_the_chart_page_shows_icons_summary_figure_and_table(charted, client_as):
    response = client_as(charted.a.stakeholder).get(chart_url(charted.a.site))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'alt="Special cause variation: concern, with higher values"' in html
    assert (
        "Median wait to first contact has been higher than usual for 8 weeks, since May 2024:"
        " a concern." in html
    )
    # The headline comes before the chart, the key and details after it.
    assert (
        html.index('id="chart-headline"')
        < html.index("data-chart=")
        < html.index('id="chart-summary"')
    )
    assert 'data-chart="fig-json-AAA-median_wait_days"' in html
    assert 'id="fig-json-AAA-median_wait_days" type="application/json"' in html
    assert "vendor/plotly/plotly-basic.min.js" in html
    assert "<details" in html
    assert "Part of a shift" in html or "Outside the limits" in html
    assert html.count('<tr class="nhsuk-table__row"><td') == 28
    assert 'data-chart-download="png"' in html
    assert "Updating" not in html


def test_a_fresh_chart_page_does_not_analyse(charted, client_as):
    with mock.patch.object(spc, "analyse", side_effect=AssertionError("analysed on a page view")):
        response = client_as(charted.a.pm).get(chart_url(charted.a.site))
    assert response.status_code == 200


def test_a_missing_chart_says_updating_and_is_enqueued(
    world, wait, client_as, django_capture_on_commit_callbacks
):
    put_series(world.a.site, "median_wait_days", STEADY)
    with (
        mock.patch("measures.tasks.rebuild_chart.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client_as(world.a.pm).get(chart_url(world.a.site))
    assert "Updating…" in response.content.decode()
    assert 'hx-trigger="every 3s"' in response.content.decode()
    delay.assert_called_once_with(world.a.site.pk, wait.pk)


def test_a_stale_chart_shows_the_last_state_while_updating(charted, wait, client_as):
    with mock.patch("measures.tasks.rebuild_chart.delay"):
        chart_services.chart_rebuild_request(site_id=charted.a.site.pk, measure_id=wait.pk)
    with mock.patch.object(spc, "analyse", side_effect=AssertionError("analysed")):
        response = client_as(charted.a.pm).get(chart_url(charted.a.site), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Updating…" in html
    assert "a concern." in html
    assert "<h1" not in html  # the htmx poll gets the fragment only


def _queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_chart_page_makes_as_many_queries_for_5_years_as_for_1(
    world, wait, client_as, django_assert_max_num_queries
):
    put_series(world.a.site, "median_wait_days", (STEADY * 3)[:52])
    put_series(world.b.site, "median_wait_days", (STEADY * 14)[:260])
    build(world.a.site, wait)
    build(world.b.site, wait)
    one = _queries(client_as(world.a.pm), chart_url(world.a.site), None)
    five = _queries(client_as(world.b.pm), chart_url(world.b.site), None)
    assert one == five
    assert five <= 10


def test_the_csv_has_centre_limits_signals_and_safe_cells(charted, wait, client_as):
    chart_services.point_note_add(
        site=charted.a.site,
        measure=wait,
        user=charted.a.pm,
        period=weeks(28)[25],
        text='=HYPERLINK("http://x")',
    )
    build(charted.a.site, wait)
    response = client_as(charted.a.stakeholder).get(chart_url(charted.a.site, "chart-download"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:7] == [
        "week",
        "value",
        "centre",
        "lower",
        "upper",
        "lower_drawn",
        "upper_drawn",
    ]
    assert len(rows) == 29
    table = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    result = spc.analyse(JUMP, chart="xmr", rules="mdc", improvement="decrease")
    assert float(table[0]["centre"]) == pytest.approx(result.points[0].centre)
    assert float(table[0]["upper"]) == pytest.approx(result.points[0].upper)
    assert table[-1]["signals"] == ";".join(result.points[-1].signals)
    assert not table[25]["note"].startswith("=")
    assert all(not cell.startswith("=") for row in rows for cell in row)


def test_a_formula_at_the_start_of_a_cell_is_neutralised(charted, wait, client_as):
    state = ChartState.objects.get(site=charted.a.site, measure=wait)
    note = state.summary["columns"].index("note")
    state.rows[0][note] = "=1+1"
    state.save()
    response = client_as(charted.a.pm).get(chart_url(charted.a.site, "chart-download"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][note] == "'=1+1"


def test_project_managers_and_informatics_add_notes_stakeholders_cannot(
    charted, wait, client_as, django_capture_on_commit_callbacks
):
    url = chart_url(charted.a.site, "chart-note-create")
    data = {"period": weeks(28)[22].isoformat(), "text": "New duty rota"}
    assert client_as(charted.a.stakeholder).post(url, data).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(charted.a.info).post(url, data)
    assert response.status_code == 302
    assert PointNote.objects.get().author == charted.a.info
    page = client_as(charted.a.stakeholder).get(chart_url(charted.a.site)).content.decode()
    assert "New duty rota" in page
    assert 'action="' + url not in page  # no form for a reader


def test_a_note_on_a_week_without_data_is_refused_with_the_reason(charted, client_as):
    url = chart_url(charted.a.site, "chart-note-create")
    response = client_as(charted.a.pm).post(url, {"period": "2030-01-07", "text": "Why"})
    assert response.status_code == 400
    assert "There is no figure for that week." in response.content.decode()


def test_stakeholders_and_informatics_cannot_open_or_change_settings(charted, client_as):
    url = chart_url(charted.a.site, "chart-settings")
    for user in (charted.a.stakeholder, charted.a.info):
        client = client_as(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"target": "3", "reason": "x"}).status_code == 403
    assert not ChartSettings.objects.exists()


def test_another_sites_chart_is_not_found(charted, client_as):
    for name in ("chart", "chart-download", "chart-settings", "chart-compare"):
        assert client_as(charted.b.pm).get(chart_url(charted.a.site, name)).status_code == 404


def test_a_project_manager_saves_settings_and_sees_the_history(
    charted, wait, client_as, django_capture_on_commit_callbacks
):
    client = client_as(charted.a.pm)
    url = chart_url(charted.a.site, "chart-settings")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "target": "28",
                "rules": "",
                "chart_type": "",
                "improvement": "",
                "screen_outliers": "no",
                "reason": "Agreed with commissioners",
            },
        )
    assert response.status_code == 302
    settings = ChartSettings.objects.get()
    assert settings.target == 28
    assert settings.screen_outliers is False
    page = client.get(url).content.decode()
    assert "Agreed with commissioners" in page
    state = ChartState.objects.get(site=charted.a.site, measure=wait)
    assert state.summary["target"] == 28


def test_a_settings_change_needs_a_reason(charted, client_as):
    response = client_as(charted.a.pm).post(
        chart_url(charted.a.site, "chart-settings"), {"target": "28"}
    )
    assert response.status_code == 400
    assert not ChartSettings.objects.exists()


def test_a_programme_lead_may_change_settings_too(charted, client_as):
    assert (
        client_as(charted.lead).get(chart_url(charted.a.site, "chart-settings")).status_code == 200
    )


def test_adjustments_are_added_and_removed_from_the_settings_page(
    charted, client_as, django_capture_on_commit_callbacks
):
    client = client_as(charted.a.pm)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            chart_url(charted.a.site, "chart-adjustment-create"),
            {"kind": "rebase", "period": weeks(28)[20].isoformat(), "reason": "New pathway"},
        )
    assert response.status_code == 302
    adj = ChartAdjustment.objects.get()
    refused = client.post(
        chart_url(charted.a.site, "chart-adjustment-create"),
        {"kind": "exclude", "period": weeks(28)[3].isoformat(), "reason": ""},
    )
    assert refused.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        client.post(chart_url(charted.a.site, "chart-adjustment-remove", adjustment_id=adj.pk))
    assert not ChartAdjustment.objects.exists()


def test_a_stakeholder_cannot_add_an_adjustment(charted, client_as):
    response = client_as(charted.a.stakeholder).post(
        chart_url(charted.a.site, "chart-adjustment-create"),
        {"kind": "rebase", "period": weeks(28)[20].isoformat(), "reason": "x"},
    )
    assert response.status_code == 403


def test_the_compare_page_shows_other_sites_only_once_shared(charted, wait, client_as):
    put_series(charted.b.site, "median_wait_days", STEADY)
    build(charted.b.site, wait)
    client = client_as(charted.a.pm)
    html = client.get(chart_url(charted.a.site, "chart-compare")).content.decode()
    assert "Site AAA" in html
    assert 'id="chart-bbb"' not in html
    assert "1 other site of the programme has not shared" in html
    client_as(charted.b.pm).post(chart_url(charted.b.site, "chart-share"), {"shared": "on"})
    assert MeasureShare.objects.filter(site=charted.b.site).exists()
    html = client.get(chart_url(charted.a.site, "chart-compare")).content.decode()
    assert 'id="chart-bbb"' in html
    assert 'id="chart-bbb-json"' in html


def test_programme_leads_compare_every_site(charted, wait, client_as):
    put_series(charted.b.site, "median_wait_days", STEADY)
    build(charted.b.site, wait)
    url = reverse("measures:programme-chart-compare", kwargs={"measure_code": wait.code})
    html = client_as(charted.lead).get(url).content.decode()
    assert 'id="chart-aaa"' in html
    assert 'id="chart-bbb"' in html
    assert client_as(charted.a.pm).get(url).status_code == 403


def test_the_compare_page_warns_when_definitions_differ(charted, wait, client_as):
    url = reverse("measures:programme-chart-compare", kwargs={"measure_code": wait.code})
    LocalDefinition.objects.create(
        site=charted.a.site, measure=wait, local_term="Wait", definition="Days to first contact."
    )
    html = client_as(charted.lead).get(url).content.decode()
    assert "Definitions differ" in html
    assert reverse("measures:measure-list") in html
    LocalDefinition.objects.create(
        site=charted.b.site, measure=wait, local_term="Wait", definition="days to first  contact."
    )
    assert "Definitions differ" not in client_as(charted.lead).get(url).content.decode()


def test_a_manager_is_offered_new_limits_after_a_sustained_shift_that_followed_an_adopted_cycle(
    world, wait, client_as, monkeypatch, django_capture_on_commit_callbacks
):
    from measures import annotations
    from measures.charts.figures import Annotation
    from measures.models import ChartAdjustment

    values = STEADY + [5] * 14
    dates = put_series(world.a.site, "median_wait_days", values)
    cycle = Annotation(dates[18], "Call back", "pdsa", label="PDSA 1", outcome="adopt", ref=7)
    monkeypatch.setattr(annotations, "_annotation_providers", [lambda site, measure: [cycle]])
    monkeypatch.setattr(
        annotations,
        "_cycle_providers",
        [lambda site, measure: [annotations.CycleChoice(id=7, title="PDSA 1: Call back")]],
    )
    build(world.a.site, wait)
    assert (
        "Recalculate the limits"
        not in client_as(world.a.stakeholder).get(chart_url(world.a.site)).content.decode()
    )
    html = client_as(world.a.pm).get(chart_url(world.a.site)).content.decode()
    assert "Recalculate the limits from 20 May 2024" in html
    data = {
        "kind": "rebase",
        "period": "2024-05-20",
        "pdsa_cycle_id": "7",
        "return_to": "chart",
        "reason": "Sustained shift since 20 May 2024 that PDSA 1: Call back (adopted) may explain.",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(world.a.pm).post(
            chart_url(world.a.site, "chart-adjustment-create"), data
        )
    assert response.status_code == 302
    assert response["Location"] == chart_url(world.a.site)
    adjustment = ChartAdjustment.objects.get()
    assert (adjustment.kind, adjustment.pdsa_cycle_id) == ("rebase", 7)
    state = ChartState.objects.get(site=world.a.site, measure=wait)
    assert state.summary["rebase_offer"] is None
    assert (
        "Recalculate the limits"
        not in client_as(world.a.pm).get(chart_url(world.a.site)).content.decode()
    )


def test_chart_settings_lists_an_adjustment_whose_author_was_deleted(world, client_as):
    """A removed user leaves their adjustments behind with no author: the page still opens."""
    import datetime as dt

    from measures.models import ChartAdjustment, Measure

    ChartAdjustment.objects.create(
        site=world.a.site,
        measure=Measure.objects.get(code="median_wait_days"),
        kind=ChartAdjustment.Kind.REBASE,
        period=dt.date(2025, 6, 2),
        reason="New triage process",
        created_by=None,
    )
    response = client_as(world.a.pm).get(
        f"/sites/{world.a.site.code}/measures/median_wait_days/settings/"
    )
    assert response.status_code == 200
    assert b"New triage process" in response.content


def test_the_data_table_formats_each_week_and_escapes_the_notes(charted, wait, client_as):
    """The table rows are built in Python (issue 16): the same text a template would give."""
    site = charted.a.site
    _first, second = weeks(2)
    chart_services.point_note_add(
        site=site, measure=wait, user=charted.a.pm, period=second, text="<b>Staff</b> & cover"
    )
    build(site, wait)
    html = client_as(charted.a.stakeholder).get(chart_url(site)).content.decode()
    table = html[html.index("<tbody", html.index("The data as a table")) :]
    row = table[table.index(f"{second.day} {second:%b %Y}") :].split("</tr>", 1)[0]
    cells = [c.split(">", 1)[1] for c in row.split("</td>")[1:-1]]
    value = dict(zip(weeks(len(JUMP)), JUMP, strict=True))[second]
    assert cells[0] == (f"{value:.0f}" if value == int(value) else f"{value:.2f}")
    assert "&lt;b&gt;Staff&lt;/b&gt; &amp; cover" in row
    assert "<b>Staff" not in html
    # The figure is embedded as JSON that cannot close its script element.
    script = html[html.index('type="application/json">') :].split("</script>", 1)[0]
    assert "<" not in script[len('type="application/json">') :]
