"""A project manager takes a new project through Phase 1 in the browser: statuses, owners,
evidence, a stakeholder register, two meetings with invites and a baseline THRIVE assessment.
axe-core checks every page. Then the site's stakeholder sees it read-only and another site's
project manager sees none of it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PHASE_ONE = ["P1.1", "P1.2", "P1.3", "P1.4", "P1.5", "P1.6"]


def card(page, code):
    return page.locator("article.thrive-step").filter(
        has=page.get_by_role("heading", name=re.compile(rf"^{re.escape(code)} "))
    )


def test_project_manager_completes_phase_one_in_the_browser(page, demo, login, axe):
    today = dt.date.today()
    iso = lambda days: (today + dt.timedelta(days=days)).isoformat()  # noqa: E731

    login(page, "demo-pm-wfd")
    page.goto("/sites/WFD/projects/new/")
    axe(page)
    page.get_by_label("Title", exact=True).fill("Drop-in wellbeing cafés")
    page.get_by_label("Thrive focus").select_option("thriving")
    page.get_by_label("Start date").fill(iso(-30))
    page.get_by_role("button", name="Save project").click()
    expect(page.locator("h1")).to_have_text("Drop-in wellbeing cafés")
    project_url = page.url.split("#")[0]
    expect(page.get_by_role("heading", name="Implementation phases")).to_be_visible()
    axe(page)

    # Stakeholder register: two people, one of them young people's representatives.
    for name, org, sector, email, youth in [
        (
            "Rachel Green",
            "Westfield Youth Wellbeing Collective",
            "voluntary",
            "rachel@wfd.example.org",
            False,
        ),
        ("Café Youth Panel", "Westfield Young Researchers", "young_people_families", "", True),
    ]:
        page.goto(project_url + "stakeholders/new/")
        axe(page)
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_label("Organisation").fill(org)
        page.get_by_label("Sector").select_option(sector)
        page.get_by_label("Email").fill(email)
        page.get_by_role("group", name="Interest").get_by_label("High").check()
        page.get_by_role("group", name="Influence").get_by_label("Low" if youth else "High").check()
        if youth:
            page.get_by_label("Represents young people or families").check()
        page.get_by_role("button", name="Save stakeholder").click()
        expect(page.locator("h1")).to_have_text("Stakeholder register")
    expect(page.locator("#quadrant-high-influence-high-interest")).to_contain_text("Rachel Green")
    expect(page.locator("#quadrant-low-influence-high-interest")).to_contain_text(
        "Café Youth Panel"
    )
    axe(page)

    # The project team, with a deputy.
    page.goto(project_url + "team/")
    axe(page)
    page.get_by_label("Person").select_option(label="Project Manager (WFD)")
    page.get_by_label("Role in the project").fill("Project lead")
    page.get_by_label("Deputy").select_option(label="Informatics Analyst (WFD)")
    page.get_by_role("button", name="Add to the team").click()
    expect(page.get_by_role("cell", name="Project lead")).to_be_visible()

    # Phase 1 steps change in place with htmx: the page is never reloaded.
    page.goto(project_url)
    page.evaluate("window.__stillHere = true")
    for code in PHASE_ONE:
        step = card(page, code)
        step.get_by_label("Status").select_option("done")
        step.get_by_label("Owner").select_option(label="Project Manager (WFD)")
        step.get_by_label("Target date").fill(iso(20))
        step.get_by_label("Review again on").fill(iso(90))
        step.get_by_role("button", name=re.compile("^Save")).click()
        expect(card(page, code).locator(".nhsuk-tag").first).to_have_text("Done")
    assert page.evaluate("window.__stillHere") is True
    expect(page.locator("#phase-1-progress")).to_contain_text("6 of 6 steps closed")
    expect(card(page, "P1.1")).to_contain_text("Recent changes")
    axe(page)

    # Evidence: a file upload on P1.1, downloaded again through the permission-checked view.
    card(page, "P1.1").get_by_role("link", name=re.compile("Set up and governance")).click()
    axe(page)
    page.get_by_label("Title").fill("Terms of reference")
    page.get_by_label("Or upload a file").set_input_files(
        {"name": "terms.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% terms\n"}
    )
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_role("link", name="Terms of reference")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Terms of reference").click()
    assert download.value.suggested_filename == "terms.pdf"
    # An executable is refused next to the field.
    page.get_by_label("Or upload a file").set_input_files(
        {"name": "tool.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" + b"\x00" * 64}
    )
    page.get_by_role("button", name="Add evidence").click()
    expect(page.locator(".nhsuk-error-message").first).to_contain_text("Windows program")
    axe(page)

    # Two meetings, each booking the next; the invite downloads as an .ics file.
    for title, held, next_date in [("Launch", -20, -5), ("Steering group", -5, 14)]:
        page.goto(project_url + "meetings/new/")
        axe(page)
        page.get_by_label("Title", exact=True).fill(title)
        page.get_by_label("Date", exact=True).fill(iso(held))
        page.get_by_label("Rachel Green").check()
        page.get_by_label("Café Youth Panel").check()
        page.get_by_label("Decisions").fill("Agreed a shared plan.")
        page.get_by_label("This meeting is complete").check()
        page.get_by_role("button", name="Save the meeting").click()
        # Completing without the next date is refused, next to the field.
        expect(page.locator("#id_next_date-error")).to_contain_text("Schedule the next meeting")
        axe(page)
        page.get_by_label("Date of the next meeting").fill(iso(next_date))
        page.get_by_label("Start time").fill("14:00")
        page.get_by_role("button", name="Save the meeting").click()
        expect(page.locator("h1")).to_have_text(title)
        axe(page)
    page.get_by_label("Action", exact=True).fill("Send the notes to the youth panel")
    page.get_by_label("Owner").select_option(label="Project Manager (WFD)")
    page.get_by_label("Due date").fill(iso(3))
    page.get_by_role("button", name="Add the action").click()
    with page.expect_download() as invite:
        page.get_by_role("link", name=re.compile("Download the calendar invite")).click()
    body = Path(invite.value.path()).read_bytes()
    assert body.startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"METHOD:REQUEST" in body
    assert b"mailto:rachel@wfd.example.org" in body

    # Baseline THRIVE assessment.
    page.goto(project_url + "assessments/new/")
    axe(page)
    page.get_by_label("Date of the assessment").fill(iso(-10))
    for fieldset in page.locator("fieldset").all():
        fieldset.get_by_label("2: some improvement needed").check()
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.locator("h1")).to_contain_text("Baseline")
    axe(page)
    page.goto(project_url + "assessments/")
    expect(page.locator("svg.thrive-chart")).to_be_visible()
    axe(page)

    page.goto(project_url)
    expect(page.get_by_role("cell", name="Send the notes to the youth panel")).to_be_visible()
    expect(page.locator("#meetings-heading + .nhsuk-inset-text")).to_contain_text("Next meeting")
    axe(page)

    # The site's stakeholder sees all of it, read-only.
    page.context.clear_cookies()
    login(page, "demo-stakeholder-wfd")
    page.goto(project_url)
    expect(page.locator("#phase-1-progress")).to_contain_text("6 of 6 steps closed")
    expect(page.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)
    axe(page)
    for path in ("stakeholders/", "meetings/", "team/", "assessments/"):
        page.goto(project_url + path)
        axe(page)

    # A project manager of another site sees none of it.
    page.context.clear_cookies()
    login(page, "demo-pm-ngt")
    assert page.goto(project_url).status == 404
    assert page.goto(project_url + "stakeholders/").status == 404


def test_programme_lead_sees_every_sites_progress(page, demo, login, axe):
    login(page, "demo-lead")
    axe(page)
    expect(page.get_by_role("columnheader", name="Implementation phases")).to_be_visible()
    page.get_by_role("link", name=re.compile("Every project, phase by phase")).first.click()
    expect(page.locator("h1")).to_have_text("Implementation across sites")
    expect(page.get_by_role("row")).to_have_count(5)
    axe(page)
    page.goto("/programme/steps/new/")
    axe(page)
