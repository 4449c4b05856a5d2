"""A project manager opens a chart, reads what it shows in words, downloads it as a PNG and its
data as CSV; the chart, settings and comparison pages pass axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

CHART = "/sites/NGT/measures/median_wait_days/"


def test_a_manager_reads_a_chart_and_downloads_it(page, demo, login, axe):
    login(page, "demo-pm-ngt")
    page.goto(CHART)
    expect(page.locator("h1")).to_have_text("Median wait to first contact (days)")
    summary = page.locator("#chart-summary")
    expect(summary).to_contain_text("Median wait to first contact (days): latest value")
    expect(summary).to_contain_text("Variation:")
    expect(summary).to_contain_text("target of 28 days")
    icons = page.locator(".thrive-mdc-icons img")
    expect(icons.first).to_have_attribute("alt", re.compile(r"^(Common|Special) cause"))
    # plotly drew the figure and revealed the download buttons.
    expect(page.locator(".thrive-chart .main-svg").first).to_be_visible()
    png = page.get_by_role("button", name="Download chart (PNG)")
    expect(png).to_be_visible()
    expect(page.locator("#annotations + ul")).to_contain_text("PDSA")
    axe(page)

    with page.expect_download() as info:
        png.click()
    download = info.value
    assert download.suggested_filename.endswith(".png")
    assert download.path().stat().st_size > 1000

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the chart data").click()
    assert info.value.suggested_filename.endswith(".csv")

    page.get_by_text("The data as a table").click()
    expect(page.locator("details table")).to_contain_text("Week commencing")
    axe(page)

    page.get_by_role("link", name="Chart settings").click()
    expect(page.locator("h1")).to_have_text("Chart settings")
    axe(page)

    page.goto(CHART + "compare/")
    expect(page.locator("h1")).to_contain_text("across sites")
    axe(page)
