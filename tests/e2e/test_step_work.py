"""A project manager opens step P1.3, sees the fishbone and process map attached to it, starts
a fishbone from the step, and finds it listed there."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_a_project_manager_starts_a_fishbone_from_its_step(page, demo, login, axe):
    from phases.models import Step
    from projects.models import Project

    project = Project.objects.filter(site__code="NGT").order_by("pk").first()
    step = Step.objects.get(code="P1.3")
    login(page, "demo-pm-ngt")
    page.goto(f"/sites/NGT/projects/{project.pk}/steps/{step.pk}/")
    work = page.locator("h2:has-text('Work for this step') + ul")
    assert "(Fishbone" in work.inner_text()
    assert "(Process map" in work.inner_text()
    axe(page)
    page.get_by_role("link", name="Start a fishbone for this step").click()
    page.get_by_label("Title").fill("Why do referrals wait for triage?")
    page.get_by_label("Problem statement").fill("Referrals wait a week for triage.")
    page.get_by_label("Custom: I will name my own categories").check()
    page.get_by_role("button", name="Create fishbone").click()
    page.wait_for_url(lambda url: "/fishbone/" in url and "/new/" not in url)
    page.goto(f"/sites/NGT/projects/{project.pk}/steps/{step.pk}/")
    assert "Why do referrals wait for triage?" in work.inner_text()
    axe(page)
