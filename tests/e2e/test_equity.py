"""The equity view: a project manager reads the gap in waits between the most and least
deprived, and its summary; a stakeholder, and a shared link's reader, see small groups only as
"fewer than 5"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

EQUITY = "/sites/NGT/measures/median_wait_days/equity/"


def test_a_manager_reads_the_gap_chart_and_its_summary(page, demo, login, axe):
    login(page, "demo-pm-ngt")
    page.goto("/sites/NGT/measures/median_wait_days/")
    page.get_by_role("link", name="By group: who waits longer?").click()
    expect(page.locator("h1")).to_contain_text("by deprivation")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(EQUITY)
        expect(page.locator("#gap-title")).to_contain_text(
            "between quintile 1 (most deprived) and quintile 5 (least deprived)"
        )
        summary = page.locator("#gap-summary")
        expect(summary).to_contain_text("an improvement")
        expect(summary).to_contain_text("PDSA 3")
        expect(page.locator("#chart-gap .main-svg").first).to_be_visible()
        expect(page.locator(".thrive-small-multiples .thrive-chart")).to_have_count(5)
        expect(page.locator(".thrive-small-multiples .main-svg").last).to_be_visible()
        # Managers see every figure: nothing is hidden from them.
        expect(page.get_by_text("not plotted")).to_have_count(0)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        axe(page)


def test_a_stakeholder_sees_small_groups_as_fewer_than_five(page, demo, login, axe):
    login(page, "demo-stakeholder-ngt")
    page.goto(EQUITY + "?by=ethnic_group")
    expect(page.locator("h1")).to_contain_text("by ethnic group")
    expect(page.locator(".nhsuk-inset-text")).to_contain_text('shown as "fewer than 5"')
    mixed = page.locator("section", has=page.get_by_role("heading", name="Mixed"))
    expect(mixed).to_contain_text("with fewer than 5, not plotted")
    expect(page.locator(".thrive-small-multiples .main-svg").first).to_be_visible()
    axe(page)


def test_a_shared_link_reader_opens_the_equity_view_with_small_groups_hidden(page, demo, axe):
    from projects import services

    _link, token = services.shared_link_create(
        site=demo.sites["NGT"], user=demo.users["demo-pm-ngt"], label="Board", days=5
    )
    page.goto(f"/shared/{token}/")
    page.get_by_role("link", name="Median wait to first contact (days) by group").click()
    expect(page.locator(".nhsuk-caption-l")).to_contain_text("Shared read-only view")
    expect(page.locator("#gap-title")).to_contain_text("quintile 1 (most deprived)")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/shared/{token}/equity/median_wait_days/?by=ethnic_group")
        mixed = page.locator("section", has=page.get_by_role("heading", name="Mixed"))
        expect(mixed).to_contain_text("with fewer than 5, not plotted")
        expect(page.locator(".thrive-small-multiples .main-svg").first).to_be_visible()
        expect(page.locator('a[href^="/sites/"]')).to_have_count(0)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        axe(page)
