"""A stakeholder sees the PDSA cycles in flight on their site dashboard, opens the learning
library, searches it and filters by outcome: the abandoned cycle of another site is there as
learning. Results are swapped in place and the address follows; every page passes axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_stakeholder_searches_the_library_and_filters_by_outcome(page, demo, login, axe):
    login(page, "demo-stakeholder-ngt")
    page.goto("/sites/NGT/")
    panel = page.locator("section[aria-labelledby='panel-pdsa']")
    expect(panel).to_contain_text("Referral guide: pilot with two GP practices")
    expect(panel).to_contain_text("Due for study")
    axe(page)

    panel.get_by_role("link", name=re.compile("^Learning library")).click()
    expect(page.locator("h1")).to_have_text("Learning library")
    expect(page.locator("#results h2")).to_contain_text("results")
    axe(page)

    page.evaluate("window.__stillHere = true")
    page.get_by_role("textbox", name=re.compile("^Search")).fill("drop-in")
    page.get_by_role("button", name="Show results").click()
    results = page.locator("#results")
    expect(results).to_contain_text("Lunchtime drop-in run by teachers")  # Eastbrook, shared
    expect(results).to_contain_text("Saturday drop-in")  # Westfield, shared
    expect(page).to_have_url(re.compile(r"q=drop-in"))
    axe(page)

    page.get_by_role("combobox", name=re.compile("^Outcome")).select_option(
        label="Abandoned (failed fast)"
    )
    page.get_by_role("button", name="Show results").click()
    expect(results.locator("h2")).to_have_text("1 result")
    expect(results).to_contain_text("Failed fast: abandoned")
    expect(results).to_contain_text("Eastbrook Schools MHST")
    expect(results).to_contain_text("Pupils would not be seen asking for help")
    expect(page).to_have_url(re.compile(r"outcome=abandon"))
    assert page.evaluate("window.__stillHere") is True  # swapped in place, never reloaded
    axe(page)

    # The address is a real page: opened afresh (no JavaScript swap) it shows the same.
    page.reload()
    expect(page.locator("#results h2")).to_have_text("1 result")
    expect(page.get_by_role("combobox", name=re.compile("^Outcome"))).to_have_value("abandon")
    # Eastbrook's story was not shared, and Northgate's reader cannot see it.
    page.goto("/library/?q=school+library")
    expect(page.locator("#results")).not_to_contain_text("Guided self-help in the school library")
    axe(page)
