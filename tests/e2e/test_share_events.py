"""The programme lead shares the programme dashboard with people who have no account, and a
project manager schedules a local community of practice event and downloads its invite
(issue 14, items 3 and 4). axe-core on each page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect


def test_lead_shares_the_programme_dashboard(page, new_page, demo, login, axe):
    login(page, "demo-lead")
    page.goto("/programme/")
    page.get_by_role("link", name="Share this dashboard").click()
    expect(page.locator("h1")).to_have_text("Share the programme dashboard")
    axe(page)
    page.get_by_label("Who the link is for").fill("Integrated care board")
    page.get_by_role("button", name="Create link").click()
    url = page.locator("#shared-url").inner_text()
    axe(page)

    visitor = new_page()  # a new browser context: signed out
    visitor.goto(url)
    expect(visitor.locator("h1")).to_have_text("Northshire i-THRIVE Programme")
    expect(visitor.get_by_text("Counts below 5 are hidden")).to_be_visible()
    table = visitor.locator("table.thrive-compare")
    expect(table).to_contain_text("Northgate CAMHS")
    expect(table.get_by_role("link", name="Northgate CAMHS")).to_have_count(0)
    expect(visitor.get_by_role("link", name="Log out")).to_have_count(0)
    expect(visitor.locator("header.nhsuk-header")).to_be_visible()
    axe(visitor)

    page.get_by_role("button", name="Withdraw the link for").first.click()
    expect(page.get_by_text("no longer works")).to_be_visible()
    response = visitor.goto(url)
    assert response.status == 404
    expect(visitor.locator("h1")).to_have_text("This link is not available")


def test_lead_opens_sharing_of_another_site(page, demo, login, axe):
    login(page, "demo-lead")
    page.goto("/sites/NGT/sharing/")
    expect(page.locator("h1")).to_have_text("Share the dashboard")
    axe(page)


def test_project_manager_schedules_a_local_event_and_downloads_the_invite(page, demo, login, axe):
    login(page, "demo-pm-ngt")
    page.goto("/sites/NGT/")
    page.get_by_role("link", name="Schedule a local community of practice event").click()
    axe(page)
    page.get_by_role("button", name="Save event").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    expect(page.get_by_role("link", name="Enter the event's title.")).to_be_visible()
    axe(page)

    start = (timezone.localtime() + dt.timedelta(days=12)).replace(hour=15, minute=0)
    page.get_by_label("Northgate CAMHS: a local event").check()
    page.get_by_label("Title").fill("Northgate PDSA huddle")
    page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Where").fill("Northgate clinic, room 3")
    page.get_by_label("Riverside Early Help").check()
    page.get_by_role("button", name="Save event").click()
    expect(page.locator("h1")).to_have_text("Northgate PDSA huddle")
    expect(page.get_by_text("Riverside Early Help")).to_be_visible()
    axe(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the calendar invite (.ics)").click()
    content = Path(info.value.path()).read_text(encoding="utf-8")
    assert "BEGIN:VCALENDAR" in content
    assert "SUMMARY:Northgate PDSA huddle" in content

    page.goto("/sites/NGT/")
    expect(page.get_by_role("link", name="Northgate PDSA huddle")).to_be_visible()
