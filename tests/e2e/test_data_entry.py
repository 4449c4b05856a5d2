"""A project manager types three weeks in and sees them on the chart; an informatics user
uploads a file that would change stored figures, reads the preview, cancels (nothing changes),
then uploads it again and confirms."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.utils import timezone

pytestmark = pytest.mark.e2e

CHART = "/sites/NGT/measures/referrals_received/"


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _stored(week: dt.date) -> float | None:
    from measures.models import DataPoint

    point = DataPoint.objects.filter(
        site__code="NGT", measure__code="referrals_received", frequency="weekly", period=week
    ).first()
    return None if point is None else point.value


def _table_value(page, week: dt.date) -> str:
    """The value the chart's data table (inside a closed <details>) gives for `week`."""
    label = f"{week.day} {week:%b %Y}"
    for row in page.locator("table tbody tr").all():
        cells = [(c.text_content() or "").strip() for c in row.locator("td").all()]
        if cells and cells[0] == label:
            return cells[1]
    return ""


def test_a_project_manager_enters_three_weeks_and_sees_them_on_the_chart(page, demo, login, axe):
    login(page, "demo-pm-ngt")
    page.goto("/sites/NGT/data/")
    page.get_by_role("link", name="Enter figures by hand").click()
    axe(page)
    page.get_by_role("link", name=re.compile(r"^Referrals received\W")).click()
    page.get_by_role("heading", name="Referrals received").wait_for()
    axe(page)
    this_week = _monday(timezone.localdate())
    weeks = [this_week - dt.timedelta(weeks=n) for n in (1, 2, 3)]
    typed = {week: str(70 + n) for n, week in enumerate(weeks, start=1)}
    # A mistake first: the page says what is wrong at the week, and stores nothing.
    page.get_by_label(f"Week commencing {weeks[0].day} {weeks[0]:%B %Y}").fill("-4")
    page.get_by_role("button", name="Save figures").click()
    page.get_by_text("There is a problem").wait_for()
    assert "cannot be negative" in page.locator(".nhsuk-error-summary").inner_text()
    axe(page)
    assert _stored(weeks[0]) != -4
    for week, value in typed.items():
        page.get_by_label(f"Week commencing {week.day} {week:%B %Y}").fill(value)
    page.get_by_role("button", name="Save figures").click()
    page.get_by_text("Saved 3 weeks of referrals received").wait_for()
    assert page.get_by_text("entered by hand by").count() >= 3
    axe(page)

    # The chart is rebuilt after the commit (by the worker, on the broker run).
    deadline = time.monotonic() + 60
    while True:
        page.goto(CHART)
        shown = {week: _table_value(page, week) for week in weeks}
        if shown == typed or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert shown == typed
    axe(page)


def test_an_upload_that_changes_figures_waits_for_confirmation(page, demo, login, axe, tmp_path):
    week = _monday(timezone.localdate()) - dt.timedelta(weeks=4)
    before = _stored(week)
    assert before is not None, "the demo holds Northgate's referrals for recent weeks"
    extract = tmp_path / "corrected.csv"
    extract.write_text(
        "site_code,week_commencing,measure,value\n"
        f"NGT,{week.isoformat()},referrals_received,{int(before) + 500}\n"
    )

    def upload() -> None:
        page.goto("/sites/NGT/data/upload/")
        page.get_by_label("Extract file").set_input_files(str(extract))
        page.get_by_role("button", name="Upload", exact=True).click()
        page.wait_for_url(re.compile(r"/data/uploads/\d+/$"))
        page.get_by_role("heading", name="Check before anything changes").wait_for(timeout=60_000)

    login(page, "demo-info-ngt")
    upload()
    status = page.locator("#upload-status").inner_text()
    assert "1 stored value would change" in status
    assert f"{int(before) + 500}" in status
    axe(page)
    page.get_by_role("button", name="Cancel: keep what is stored").click()
    page.get_by_text("Cancelled: nothing from this file was stored.").wait_for()
    axe(page)
    assert _stored(week) == before

    upload()
    page.get_by_role("button", name="Replace 1 stored value").click()
    page.get_by_role("heading", name="Report").wait_for(timeout=60_000)
    assert "1 value replaced" in page.locator("#upload-status").inner_text()
    axe(page)
    assert _stored(week) == before + 500
