"""Phones: no main page of any role is wider than a 390 px window; what is wider (tables,
pictures) scrolls inside its own box, which says so."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import QuerySet
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def _first(queryset: QuerySet[Any]) -> Any:
    found = queryset.first()
    assert found is not None, queryset.model
    return found


def main_pages(demo: Any) -> dict[str, list[str]]:
    from measures.models import Measure
    from projects.models import CommunityEvent
    from toolkit.models import PdsaCycle
    from toolkit.models.analysis import ProcessMap

    project = demo.projects["NGT"]
    site = project.site
    chart = reverse("measures:chart", args=[site.code, Measure.objects.order_by("order")[0].code])
    reader = [
        site.get_absolute_url(),
        project.get_absolute_url(),
        reverse("phases:meetings", args=[site.code, project.pk]),
        reverse("phases:stakeholders", args=[site.code, project.pk]),
        reverse("toolkit:index", args=[site.code, project.pk]),
        reverse("measures:site-data", args=[site.code]),
        reverse("measures:measure-list"),
        chart,
    ]
    pictures = [
        _first(ProcessMap.objects.filter(project=project)).get_absolute_url(),
        _first(PdsaCycle.objects.filter(project=project)).get_absolute_url(),
    ]
    return {
        "demo-stakeholder-ngt": reader + pictures,
        "demo-pm-ngt": [
            *reader,
            *pictures,
            reverse("event-list"),
            reverse("event-create"),
            reverse("event-detail", args=[_first(CommunityEvent.objects.filter(site=site)).pk]),
        ],
        "demo-info-ngt": reader,
        "demo-lead": [
            reverse("projects:programme"),
            reverse("projects:programme-sharing"),
            reverse("phases:programme-progress"),
            reverse("measures:measure-list"),
            site.get_absolute_url(),
        ],
    }


def test_no_main_page_is_wider_than_a_phone(page, demo, login):
    page.set_viewport_size(PHONE)
    wide = []
    for username, paths in main_pages(demo).items():
        page.context.clear_cookies()
        login(page, username)
        for path in paths:
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                wide.append(f"{username} {path}: {width} px")
    assert wide == []


def test_a_table_wider_than_a_phone_scrolls_in_a_labelled_box_that_says_so(page, demo, login):
    login(page, "demo-pm-ngt")
    page.set_viewport_size(PHONE)
    page.goto(demo.sites["NGT"].get_absolute_url())
    region = page.get_by_role("region", name="Steps closed in each phase")
    expect(region).to_have_attribute("tabindex", "0")
    assert region.evaluate("box => box.scrollWidth > box.clientWidth")
    expect(page.locator(".thrive-scroll__hint").first).to_have_text("Scroll sideways to see all")
    # On a wide screen the same table fits, and the words go away.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(region.locator("xpath=preceding-sibling::p[1]")).to_be_hidden()
