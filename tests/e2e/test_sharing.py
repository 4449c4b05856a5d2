"""Sharing and comparing: a dashboard opened from a shared link without an account, withdrawn
and expired links showing nothing, and the programme lead comparing sites (axe-core on each)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from projects.models import SharedLink


def test_shared_link_opens_without_logging_in_until_withdrawn(page, new_page, demo, login, axe):
    login(page, "demo-pm-ngt")
    page.goto("/sites/NGT/")
    page.get_by_role("link", name="Share this dashboard").click()
    axe(page)
    page.get_by_label("Who the link is for").fill("Children's partnership board")
    page.get_by_role("button", name="Create link").click()
    url = page.locator("#shared-url").inner_text()

    visitor = new_page()
    visitor.goto(url)
    expect(visitor.locator("h1")).to_have_text("Northgate CAMHS")
    expect(visitor.get_by_text("Counts below 5 are hidden")).to_be_visible()
    expect(visitor.get_by_role("heading", name="Measures", exact=True)).to_be_visible()
    expect(visitor.get_by_role("link", name="Log out")).to_have_count(0)
    axe(visitor)

    page.get_by_role("button", name="Withdraw the link for").first.click()
    expect(page.get_by_text("no longer works")).to_be_visible()
    response = visitor.goto(url)
    assert response.status == 404
    expect(visitor.locator("h1")).to_have_text("This link is not available")
    expect(visitor.get_by_text("Northgate CAMHS")).to_have_count(0)
    axe(visitor)


def test_expired_link_shows_nothing(page, demo):
    from projects import services

    link, token = services.shared_link_create(
        site=demo.sites["RVS"], user=demo.users["demo-pm-rvs"], label="Old", days=1
    )
    SharedLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    response = page.goto(f"/shared/{token}/")
    assert response.status == 404
    expect(page.get_by_text("Riverside Early Help")).to_have_count(0)


def test_programme_lead_compares_sites(page, demo, login, axe):
    login(page, "demo-lead")
    expect(page.get_by_role("heading", name="Northshire i-THRIVE Programme")).to_be_visible()
    table = page.locator("table.thrive-compare")
    for name in (
        "Northgate CAMHS",
        "Riverside Early Help",
        "Eastbrook Schools MHST",
        "Westfield Youth Wellbeing",
    ):
        expect(table.get_by_role("link", name=name, exact=True)).to_be_visible()
    axe(page)
    page.goto("/programme/measures/referrals_received/")
    expect(page.locator("h1")).to_contain_text("Referrals received")
    axe(page)
    page.goto("/programme/")
    table.get_by_role("link", name="Eastbrook Schools MHST", exact=True).click()
    expect(page.locator("h1")).to_have_text("Eastbrook Schools MHST")
    axe(page)
