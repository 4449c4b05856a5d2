"""A project manager builds a driver diagram from empty, adds its parts in place, and tests a
change idea with a ramp of two PDSA cycles; a stakeholder then reads it. Every page visited,
and every fragment swapped in, passes axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PRIMARY = "Families get an early conversation"
SECONDARY = "Duty team has time for calls"
IDEA = "Evening triage calls twice a week"


def test_manager_builds_a_driver_diagram_and_a_ramp_of_two_pdsa_cycles(page, demo, login, axe):
    project = demo.projects["NGT"]
    login(page, "demo-pm-ngt")
    page.goto(f"/sites/NGT/projects/{project.pk}/toolkit/")
    axe(page)
    page.get_by_role("link", name="Driver diagram").click()
    axe(page)
    page.get_by_role("link", name="New driver diagram").click()
    axe(page)

    # Refused first: an empty aim changes nothing and says why.
    page.get_by_label("Title").fill("Evening access")
    page.get_by_role("button", name="Create driver diagram").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the aim: what will improve.")
    axe(page)
    page.get_by_label("What will improve").fill("Cut the wait to a first conversation")
    page.get_by_label("How much").fill("from 45 to 28 days")
    page.get_by_label("By when").fill("2027-03-31")
    page.get_by_label("Outcome measure").select_option(label="Median wait to first contact (days)")
    page.get_by_role("button", name="Create driver diagram").click()
    expect(page.locator("h1")).to_have_text("Evening access")
    axe(page)

    # Parts are added in place: the page is never reloaded.
    page.evaluate("window.__stillHere = true")
    page.get_by_label("Primary driver", exact=True).fill(PRIMARY)
    page.get_by_label("Median wait to first contact (days)").check()
    page.get_by_role("button", name="Add primary driver").click()
    expect(page.locator("#diagram-body .thrive-tree").first).to_contain_text(PRIMARY)
    page.get_by_label("Under primary driver").select_option(label=PRIMARY)
    page.get_by_label("Secondary driver", exact=True).fill(SECONDARY)
    page.get_by_role("button", name="Add secondary driver").click()
    expect(page.locator("#diagram-body .thrive-tree").first).to_contain_text(SECONDARY)
    page.get_by_label("Under secondary driver").select_option(label=SECONDARY)
    page.get_by_label("Change idea", exact=True).fill(IDEA)
    page.get_by_role("button", name="Add change idea").click()
    expect(page.locator("#diagram-body .thrive-tree").first).to_contain_text(IDEA)
    assert page.evaluate("window.__stillHere") is True
    expect(page.locator("svg.thrive-picture")).to_contain_text("Evening triage calls")
    axe(page)

    # The first cycle, planned from the change idea.
    page.get_by_role("link", name=f"Plan a PDSA cycle for {IDEA}").click()
    axe(page)
    expect(page.get_by_label("Cycle number")).to_have_value("1")
    page.get_by_label("Objective", exact=True).fill("Test whether evening calls reach families")
    page.get_by_label("Predictions").fill("Two thirds of families reached")
    page.get_by_label("Referrals signposted").check()
    page.get_by_role("button", name="Save cycle").click()
    expect(page.locator("h1")).to_have_text(f"Cycle 1: {IDEA}")
    axe(page)

    page.evaluate("window.__stillHere = true")
    page.get_by_label("Who").fill("Duty worker")
    page.get_by_label("What", exact=True).fill("Phone new referrals after 5pm")
    page.get_by_role("button", name="Add task").click()
    expect(page.locator("#tasks table")).to_contain_text("Phone new referrals after 5pm")
    assert page.evaluate("window.__stillHere") is True
    axe(page)

    # Plan -> Do -> Study; Act is refused until the Study is written.
    page.get_by_role("button", name="Move to Do").click()
    page.get_by_role("button", name="Move to Study").click()
    page.get_by_role("button", name="Move to Act").click()
    expect(page.get_by_role("alert")).to_contain_text("Record the Study")
    axe(page)
    page.get_by_role("link", name=re.compile(r"^Edit")).first.click()
    page.get_by_label("What was learned").fill("Evening calls reach working parents")
    page.get_by_role("button", name="Save cycle").click()
    page.get_by_role("button", name="Move to Act").click()
    axe(page)
    page.get_by_label("Adapt").check()
    page.get_by_role("button", name="Save decision").click()

    # Adapt opens cycle 2 with the plan carried over.
    expect(page.locator("h1")).to_have_text(f"Cycle 2: {IDEA}")
    expect(page.locator("main")).to_contain_text("Two thirds of families reached")
    expect(page.locator("#tasks")).to_contain_text("Phone new referrals after 5pm")
    axe(page)
    page.get_by_role("link", name="Version history").click()
    axe(page)
    page.go_back()
    page.get_by_role("link", name="Print view").click()
    axe(page)

    diagram_url = f"/sites/NGT/projects/{project.pk}/toolkit/driver-diagram/"
    page.goto(diagram_url)
    page.get_by_role("link", name="Evening access").click()
    expect(page.locator("svg.thrive-picture")).to_contain_text("PDSA: 1 adapt, 2 plan")
    axe(page)


def test_stakeholder_reads_the_demo_items_without_edit_controls(page, demo, login, axe):
    project = demo.projects["NGT"]
    login(page, "demo-stakeholder-ngt")
    for slug in ("driver-diagram", "pdsa", "reflection", "sustainability"):
        page.goto(f"/sites/NGT/projects/{project.pk}/toolkit/{slug}/")
        axe(page)
        page.locator("table a").first.click()
        expect(page.locator("svg.thrive-picture").first).to_be_visible()
        assert page.get_by_role("button", name=re.compile("^(Remove|Move)")).count() == 0
        axe(page)


def test_manager_plans_a_message_in_place_on_the_communication_plan(page, demo, login, axe):
    project = demo.projects["NGT"]
    login(page, "demo-pm-ngt")
    page.goto(f"/sites/NGT/projects/{project.pk}/toolkit/communication-plan/")
    page.locator("table a").first.click()
    axe(page)
    # Refused in place: the form says what is missing, nothing is added.
    page.get_by_label("What they need to know").fill("Referrals now start with a phone call.")
    page.get_by_role("button", name="Add message").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter who the message is for.")
    axe(page)
    page.get_by_label("Audience").fill("Parent carers' forum")
    page.get_by_label("How they will hear it").fill("Forum newsletter")
    page.get_by_label("When", exact=True).fill("From April")
    page.get_by_label("Who sends it").fill("Participation lead")
    page.get_by_role("button", name="Add message").click()
    expect(page.get_by_role("status")).to_contain_text("Added the message 'Parent carers")
    expect(page.locator("#messages table")).to_contain_text("Forum newsletter")
    axe(page)
    page.get_by_role("button", name=re.compile(r"^Move up\s*: Parent carers")).click()
    expect(page.get_by_role("status")).to_contain_text("Moved the message")
    axe(page)
