"""A stakeholder reads what a chart shows in ten seconds; a project manager downloads it as a PNG
and its data as CSV; the chart, settings and comparison pages pass axe-core."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

CHART = "/sites/NGT/measures/median_wait_days/"


def _marker_boxes(page):
    """The bounding boxes of the lettered markers plotly drew above the chart."""
    page.wait_for_function(
        "() => document.querySelectorAll('.thrive-chart .annotation').length >= 5"
    )
    return [
        box
        for box in (m.bounding_box() for m in page.locator(".thrive-chart .annotation").all())
        if box is not None
    ]


def _overlap(a, b) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _crowd_the_chart() -> None:
    """Two notes in the weeks PDSA 3 began: three markers within a fortnight."""
    from django.contrib.auth import get_user_model

    from measures.charts import services as chart_services
    from measures.models import Measure
    from projects.models import Site

    site = Site.objects.get(code="NGT")
    wait = Measure.objects.get(code="median_wait_days")
    pm = get_user_model().objects.get(username="demo-pm-ngt")
    # The demo is dated from today: crowd the notes around PDSA 3's start, wherever it falls.
    from toolkit.models import PdsaCycle

    third = PdsaCycle.objects.get(project__site=site, number=3)
    began = third.actual_start or third.planned_start
    assert began is not None
    notes = ((began, "Duty rota starts"), (began + dt.timedelta(days=9), "Two off"))
    for day, text in notes:
        chart_services.point_note_add(site=site, measure=wait, user=pm, period=day, text=text)
    chart_services.chart_rebuild(site_id=site.pk, measure_id=wait.pk, force=True)


def test_a_stakeholder_reads_the_headline_and_the_chart_fits_the_data(page, demo, login, axe):
    _crowd_the_chart()
    login(page, "demo-stakeholder-ngt")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(CHART)
        headline = page.locator("#chart-headline")
        expect(headline).to_contain_text("Median wait to first contact has been lower than usual")
        expect(headline).to_contain_text("an improvement")
        # The adopted cycle that may explain it, by name.
        expect(headline).to_contain_text("PDSA 3 \u2018Triage call: whole duty team")
        expect(headline).to_contain_text("was adopted")
        icon = page.locator(".thrive-mdc-icons img").first
        expect(icon).to_have_attribute("alt", re.compile("improvement, with lower values"))
        # The headline is read before the chart.
        order = page.evaluate(
            "() => document.getElementById('chart-headline').compareDocumentPosition("
            "document.querySelector('.thrive-chart'))"
        )
        assert order & 4  # DOCUMENT_POSITION_FOLLOWING

        # The x axis ends within the last week, whatever is marked on the chart.
        expect(page.locator(".thrive-chart .main-svg").first).to_be_visible()
        axis_end, last_x = page.evaluate(
            """() => {
                const el = document.querySelector('.thrive-chart');
                const value = el.data.find((t) => t.name === 'Value');
                return [el._fullLayout.xaxis.range[1], value.x[value.x.length - 1]];
            }"""
        )
        end = dt.datetime.fromisoformat(str(axis_end)[:16])
        last = dt.datetime.fromisoformat(last_x)
        assert dt.timedelta(0) < end - last < dt.timedelta(days=7), (axis_end, last_x)

        # No marker overlaps another, and each is in the key under the chart with its title.
        boxes = _marker_boxes(page)
        assert len(boxes) == 5
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not _overlap(a, b), (width, a, b)
        key = page.locator("#chart-key")
        expect(key).to_contain_text("PDSA 3: Triage call: whole duty team, five days a week")
        expect(key).to_contain_text("Note: Two off")
        expect(key.locator(".thrive-chart-key__marker")).to_have_text(["A", "B", "C", "D", "E"])
        page.locator(".thrive-chart .annotation").first.hover()
        expect(page.locator(".hoverlayer")).to_contain_text(
            re.compile(r"A: \d{1,2} \w{3} to \d{1,2} \w{3} \d{4}: PDSA 1")
        )
        axe(page)


def test_a_manager_reads_a_chart_and_downloads_it(page, demo, login, axe):
    login(page, "demo-pm-ngt")
    page.goto(CHART)
    expect(page.locator("h1")).to_have_text("Median wait to first contact (days)")
    expect(page.locator("#chart-headline")).to_contain_text("target of 28 days")
    summary = page.locator("#chart-summary")
    expect(summary).to_contain_text("Latest week: ")
    expect(summary).to_contain_text("shift: 7 or more points in a row below the mean")
    icons = page.locator(".thrive-mdc-icons img")
    expect(icons.first).to_have_attribute("alt", re.compile(r"^(Common|Special) cause"))
    # plotly drew the figure and revealed the download buttons.
    expect(page.locator(".thrive-chart .main-svg").first).to_be_visible()
    png = page.get_by_role("button", name="Download chart (PNG)")
    expect(png).to_be_visible()
    axe(page)

    with page.expect_download() as info:
        png.click()
    download = info.value
    assert download.suggested_filename.endswith(".png")
    assert download.path().stat().st_size > 1000

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the chart data").click()
    assert info.value.suggested_filename.endswith(".csv")
    header = info.value.path().read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("week,value,centre,lower,upper,lower_drawn,upper_drawn")

    page.get_by_text("The data as a table").click()
    expect(page.locator("details table")).to_contain_text("Week commencing")
    axe(page)

    page.get_by_role("link", name="Chart settings").click()
    expect(page.locator("h1")).to_have_text("Chart settings")
    axe(page)

    page.goto(CHART + "compare/")
    expect(page.locator("h1")).to_contain_text("across sites")
    expect(page.locator(".thrive-chart-legend")).to_contain_text("Special cause: concern")
    expect(page.locator(".thrive-chart--small .main-svg").first).to_be_visible()
    axe(page)
