"""The site dashboard's implementation panels in the browser: what a project manager, a
stakeholder and a shared link each see, and the check-in frequency on the project page.
axe-core checks every page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PANEL_HEADINGS = ["Next meeting", "Overdue steps and open actions", "THRIVE assessment"]


def test_project_manager_and_stakeholder_read_the_implementation_panels(page, demo, login, axe):
    login(page, "demo-pm-ngt")
    page.goto("/sites/NGT/")
    for heading in PANEL_HEADINGS:
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Update steps").first).to_be_visible()
    axe(page)
    page.context.clear_cookies()
    login(page, "demo-stakeholder-ngt")
    page.goto("/sites/NGT/")
    expect(page.get_by_role("heading", name="Next meeting", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Update steps")).to_have_count(0)
    expect(page.get_by_role("link", name="Record a meeting")).to_have_count(0)
    axe(page)


def test_a_shared_link_shows_the_panels_without_names(page, demo, axe):
    from projects import services

    site = demo.sites["NGT"]
    _link, token = services.shared_link_create(
        site=site, user=demo.users["demo-pm-ngt"], label="Board", days=7
    )
    page.goto(reverse("shared-dashboard", args=[token]))
    for heading in PANEL_HEADINGS:
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_text("Add to your calendar")).to_have_count(0)
    axe(page)


def test_project_manager_sets_monthly_check_ins(page, demo, login, axe):
    project = demo.projects["NGT"]
    login(page, "demo-pm-ngt")
    page.goto(project.get_absolute_url())
    page.get_by_label("How often to check in after Phase 4").select_option("monthly")
    page.get_by_role("button", name="Save check-in frequency").click()
    expect(page.get_by_text("Sustainability check-ins: Monthly.")).to_be_visible()
    axe(page)
    project.refresh_from_db()
    assert project.sustainability_checkin == "monthly"
