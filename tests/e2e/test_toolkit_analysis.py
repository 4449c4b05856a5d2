"""A project manager builds a fishbone with two causes and opens a Five Whys from one of them;
every analysis page passes axe-core; a stakeholder reads without edit controls."""

from __future__ import annotations

import re

from toolkit.models.analysis import Fishbone, FiveWhys, PriorityMatrix, ProcessMap, Swot


def test_build_a_fishbone_then_ask_five_whys_about_a_cause(page, demo, login, axe):
    project = demo.projects["NGT"]
    base = f"/sites/NGT/projects/{project.pk}/toolkit/"
    login(page, "demo-pm-ngt")
    page.goto(base)
    axe(page)
    page.goto(base + "fishbone/")
    axe(page)
    page.get_by_role("link", name="New fishbone").click()
    axe(page)
    page.get_by_label("Title").fill("Why families disengage after triage")
    page.get_by_label("Problem statement").fill(
        "A quarter of families do not attend the first appointment offered after triage."
    )
    page.get_by_label("Who (optional)").fill("Families of 11-16 year olds")
    page.get_by_label("People, Methods, Equipment, Environment").check()
    page.get_by_role("button", name="Create fishbone").click()
    page.wait_for_url(re.compile(r"/toolkit/fishbone/\d+/$"))
    axe(page)

    # Two causes, added in place by htmx: the picture redraws without a page load.
    page.evaluate("window.__same_page = true")
    for category, text in (
        ("Methods", "Appointment letters use clinical jargon"),
        ("Environment", "Clinic is two buses away"),
    ):
        page.get_by_label("Category", exact=True).select_option(label=category)
        page.get_by_label("Cause", exact=True).fill(text)
        page.get_by_role("button", name="Add cause").click()
        page.locator(".thrive-parts li", has_text=text).first.wait_for()
        drawn = " ".join(page.locator("svg.thrive-figure text").all_text_contents())
        assert text.split()[-1] in drawn
    assert page.evaluate("window.__same_page") is True
    axe(page)
    fishbone = Fishbone.objects.get(title="Why families disengage after triage")
    assert fishbone.categories.get(name="Methods").causes.count() == 1

    page.get_by_role("button", name="Ask five whys about: Clinic is two buses away").click()
    page.wait_for_url(re.compile(r"/toolkit/five-whys/\d+/$"))
    axe(page)
    chain = FiveWhys.objects.get(source_cause__category__fishbone=fishbone)
    assert chain.problem == "Clinic is two buses away"
    assert page.get_by_role("link", name=fishbone.title).is_visible()
    page.get_by_role("textbox", name="Why?").fill("Why is the clinic hard to reach?")
    page.get_by_role("textbox", name="Because").fill("Only one clinic base serves the whole county")
    page.get_by_role("button", name="Add why").click()
    page.locator("svg.thrive-figure text", has_text="Only one clinic base").first.wait_for()
    axe(page)

    page.goto(fishbone.get_absolute_url() + "history/?version=2")
    axe(page)
    page.goto(fishbone.get_absolute_url() + "print/")
    axe(page)


def test_each_demo_analysis_page_passes_axe_for_a_stakeholder(page, demo, login, axe):
    project = demo.projects["NGT"]
    login(page, "demo-stakeholder-ngt")
    for model in (Fishbone, FiveWhys, ProcessMap, Swot, PriorityMatrix):
        for item in model.objects.filter(project=project):
            page.goto(item.get_absolute_url())
            assert page.locator("svg.thrive-figure[role=img] title").count() == 1
            assert page.get_by_role("link", name="Edit details").count() == 0
            assert page.locator("form[hx-post]").count() == 0
            page.get_by_text(re.compile("^Text description of the")).click()
            axe(page)


def test_each_demo_analysis_page_with_its_edit_forms_passes_axe(page, demo, login, axe):
    project = demo.projects["RVS"]
    login(page, "demo-pm-rvs")
    for model in (ProcessMap, Swot, PriorityMatrix):
        item = model.objects.filter(project=project).first()
        for suffix in ("", "edit/", "history/"):
            page.goto(item.get_absolute_url() + suffix)
            axe(page)
    # The body swapped in by htmx stays accessible.
    matrix = PriorityMatrix.objects.filter(project=project, method="impact_effort").first()
    page.goto(matrix.get_absolute_url())
    page.get_by_role("textbox", name="Option", exact=True).fill("Text reminders")
    page.get_by_role("button", name="Add option").click()
    page.locator(".thrive-parts, table", has_text="Text reminders").first.wait_for()
    axe(page)
