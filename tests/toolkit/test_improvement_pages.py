"""Every page of the improvement tools opens for the site's people, read-only for stakeholders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from toolkit.improvement import services
from toolkit.models import SustainabilityFactor

from .factories_improvement import (
    DriverDiagramFactory,
    PdsaCycleFactory,
    PdsaTaskFactory,
    ReflectionFactorFactory,
    ReflectionFactory,
    SustainabilityPlanFactory,
    change_idea_for,
)


def _full_world(sw):
    diagram = DriverDiagramFactory(project=sw.project)
    idea = change_idea_for(diagram)
    cycle = PdsaCycleFactory(project=sw.project, change_idea=idea)
    PdsaTaskFactory(cycle=cycle)
    reflection = ReflectionFactory(project=sw.project)
    ReflectionFactorFactory(reflection=reflection)
    plan = SustainabilityPlanFactory(project=sw.project)
    assessment = services.sustainability_assessment_save(
        plan=plan,
        user=sw.pm,
        assessed_on=dt.date(2025, 6, 1),
        ratings={f.code: ("b", "") for f in SustainabilityFactor.objects.all()},
    )
    base = {"site_code": sw.site.code, "project_id": sw.project.pk}
    pages = [reverse("toolkit:index", kwargs=base)]
    for slug, pk_name, item in (
        ("driver-diagram", "diagram_id", diagram),
        ("pdsa", "cycle_id", cycle),
        ("reflection", "reflection_id", reflection),
        ("sustainability", "plan_id", plan),
    ):
        pages.append(reverse(f"toolkit:{slug}-list", kwargs=base))
        for role in ("detail", "print", "history"):
            pages.append(reverse(f"toolkit:{slug}-{role}", kwargs={**base, pk_name: item.pk}))
    edit_pages = [
        reverse("toolkit:driver-diagram-create", kwargs=base),
        reverse("toolkit:pdsa-create", kwargs=base) + f"?change_idea={idea.pk}",
        reverse("toolkit:reflection-create", kwargs=base),
        reverse("toolkit:sustainability-create", kwargs=base),
        reverse("toolkit:driver-diagram-edit", kwargs={**base, "diagram_id": diagram.pk}),
        reverse("toolkit:driver-diagram-delete", kwargs={**base, "diagram_id": diagram.pk}),
        reverse("toolkit:pdsa-edit", kwargs={**base, "cycle_id": cycle.pk}),
        reverse("toolkit:reflection-edit", kwargs={**base, "reflection_id": reflection.pk}),
        reverse("toolkit:sustainability-edit", kwargs={**base, "plan_id": plan.pk}),
        reverse(
            "toolkit:driver-node-edit",
            kwargs={**base, "diagram_id": diagram.pk, "node_id": idea.pk},
        ),
        reverse("toolkit:sustainability-assessment-add", kwargs={**base, "plan_id": plan.pk}),
        reverse(
            "toolkit:sustainability-assessment-edit",
            kwargs={**base, "plan_id": plan.pk, "assessment_id": assessment.pk},
        ),
    ]
    return pages, edit_pages


def test_project_manager_opens_every_page_and_form(world, client_as):
    pages, edit_pages = _full_world(world.a)
    client = client_as(world.a.pm)
    for url in pages + edit_pages:
        response = client.get(url)
        assert response.status_code == 200, url


def test_stakeholder_reads_every_page_without_edit_controls(world, client_as):
    pages, edit_pages = _full_world(world.a)
    client = client_as(world.a.stakeholder)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Move up" not in html, url
        assert ">Remove<" not in html, url
        assert "/edit/" not in html, url
    for url in edit_pages:
        assert client.get(url).status_code == 403, url


def test_toolkit_index_lists_every_registered_tool_with_its_count(world, client_as):
    DriverDiagramFactory(project=world.a.project)
    DriverDiagramFactory(project=world.a.project)
    response = client_as(world.a.stakeholder).get(
        reverse("toolkit:index", args=[world.a.site.code, world.a.project.pk])
    )
    html = response.content.decode()
    for name in ("Driver diagrams", "PDSA cycles", "Reflections on implementing THRIVE"):
        assert name in html
    assert (
        'Sustainability plans</a> <span class="nhsuk-caption-m thrive-inline-caption">(0)' in html
    )
    assert 'Driver diagrams</a> <span class="nhsuk-caption-m thrive-inline-caption">(2)' in html


@pytest.mark.parametrize(
    "slug", ["driver-diagram", "pdsa", "reflection", "sustainability", "story"]
)
def test_each_tool_lives_under_a_url_naming_it(world, slug):
    url = reverse(f"toolkit:{slug}-list", args=[world.a.site.code, world.a.project.pk])
    assert url == f"/sites/{world.a.site.code}/projects/{world.a.project.pk}/toolkit/{slug}/"


def test_a_link_to_where_an_improvement_tool_used_to_be_is_sent_on(world, client_as):
    cycle = PdsaCycleFactory(project=world.a.project)
    old = f"/sites/{world.a.site.code}/projects/{world.a.project.pk}/pdsa/{cycle.pk}/?x=1"
    response = client_as(world.a.stakeholder).get(old)
    assert response.status_code == 301
    assert response["Location"] == cycle.get_absolute_url() + "?x=1"
    assert client_as(world.a.stakeholder).get(response["Location"]).status_code == 200
