"""A checklist step's page lists the toolkit work attached to it and starts what it suggests."""

from __future__ import annotations

import pytest
from django.urls import reverse

from phases.models import Step
from tests.factories import ProgrammeFactory
from tests.phases.factories import standard_step
from toolkit.models.analysis import Fishbone
from toolkit.tools import tool_for_word, tools

from .factories_analysis import FishboneFactory, ProcessMapFactory
from .factories_improvement import PdsaCycleFactory

pytestmark = pytest.mark.django_db


def step_url(sw, step):
    kwargs = {"site_code": sw.site.code, "project_id": sw.project.pk, "step_id": step.pk}
    return reverse("phases:step-detail", kwargs=kwargs)


def fishbone_new(sw, step=None):
    url = reverse(
        "toolkit:fishbone-create", kwargs={"site_code": sw.site.code, "project_id": sw.project.pk}
    )
    return f"{url}?step={step.pk}" if step else url


def test_every_suggestion_of_the_standard_steps_is_a_tool_or_named_as_other_work(db):
    found = {
        word: tool_for_word(word).slug if tool_for_word(word) else None
        for step in Step.objects.filter(programme__isnull=True)
        for word in step.tool_list
    }
    assert found["fishbone"] == "fishbone"
    assert found["process map"] == "process-map"
    assert found["SWOT"] == "swot"
    assert found["priority setting matrix"] == "priority-matrix"
    assert found["PDSA plan"] == found["PDSA"] == "pdsa"
    assert found["Five Whys"] == "five-whys"
    assert found["sustainability plan"] == "sustainability"
    assert found["run charts"] is None  # not a toolkit item: named, not started
    assert set(tools()) >= {slug for slug in found.values() if slug}


def test_the_step_lists_its_items_and_cycles_and_not_another_projects(world, client_as):
    p13, p31 = standard_step("P1.3"), standard_step("P3.1")
    FishboneFactory(project=world.a.project, step=p13, title="What keeps waits long")
    ProcessMapFactory(project=world.a.project, step=p13, title="Referral path today")
    FishboneFactory(project=world.a.project, step=p31, title="Another step's fishbone")
    FishboneFactory(project=world.b.project, step=p13, title="Site B's fishbone")
    PdsaCycleFactory(project=world.a.project, step=p13, title="Daily triage test")
    html = client_as(world.a.stakeholder).get(step_url(world.a, p13)).content.decode()
    assert "Work for this step" in html
    for title in ("What keeps waits long", "Referral path today", "Daily triage test"):
        assert title in html
    assert "(PDSA cycle, updated" in html
    assert "Another step&#x27;s fishbone" not in html
    assert "Site B" not in html
    # A stakeholder reads; only those who may edit are offered to start something.
    assert "Start a fishbone for this step" not in html
    assert "Also useful here: run charts." in html


def test_a_project_manager_starts_a_fishbone_attached_to_the_step(world, client_as):
    p13 = standard_step("P1.3")
    client = client_as(world.a.pm)
    html = client.get(step_url(world.a, p13)).content.decode()
    assert "Start a fishbone for this step" in html
    assert "Start a process map for this step" in html
    assert "Start a SWOT analysis for this step" in html
    start = fishbone_new(world.a, p13)
    assert start.replace("&", "&amp;") in html or start in html
    form = client.get(start).content.decode()
    assert f'<option value="{p13.pk}" selected>' in form
    response = client.post(
        fishbone_new(world.a, p13),
        {"title": "Why families wait", "step": p13.pk, "problem": "Long waits", "preset": "custom"},
    )
    assert response.status_code == 302
    assert Fishbone.objects.get(title="Why families wait").step == p13
    assert "Why families wait" in client.get(step_url(world.a, p13)).content.decode()


def test_a_step_of_another_programme_is_not_preselected_or_accepted(world, client_as):
    from phases.models import Phase

    other = Step.objects.create(
        phase=Phase.objects.get(number=1),
        code="P1.9",
        title="Elsewhere",
        prompt="Another programme's own step",
        programme=ProgrammeFactory(),
    )
    client = client_as(world.a.pm)
    form = client.get(fishbone_new(world.a, other)).content.decode()
    assert f'value="{other.pk}" selected' not in form
    response = client.post(
        fishbone_new(world.a),
        {"title": "Sneaky", "step": other.pk, "problem": "x", "preset": "custom"},
    )
    assert response.status_code == 200
    assert "Choose a checklist step of this programme." in response.content.decode()
    assert not Fishbone.objects.filter(title="Sneaky").exists()
