"""Each demo role signs in and lands on the right page; every page passes axe-core."""

import re

import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize(
    ("username", "landing", "heading"),
    [
        ("demo-lead", r"/programme/$", "Northshire i-THRIVE Programme"),
        ("demo-pm-ngt", r"/sites/NGT/", "Northgate CAMHS"),
        ("demo-info-rvs", r"/sites/RVS/", "Riverside Early Help"),
        ("demo-stakeholder-ebk", r"/sites/EBK/", "Eastbrook Schools MHST"),
    ],
)
def test_demo_role_lands_on_its_page(page, demo, login, axe, username, landing, heading):
    login(page, username)
    assert re.search(landing, page.url), page.url
    assert heading in page.locator("h1").first.inner_text()
    axe(page)


def test_stakeholder_cannot_open_another_sites_page(page, demo, login):
    login(page, "demo-stakeholder-ebk")
    response = page.goto("/sites/NGT/")
    assert response.status == 404


def test_wrong_password_is_refused_with_an_accessible_message(page, demo, login, axe):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("demo-pm-ngt")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username")
    assert "/accounts/login/" in page.url
    axe(page)
