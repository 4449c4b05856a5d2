"""Reflections: barriers and facilitators tagged by THRIVE principle, drawn by principle."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from phases.models import Principle
from toolkit.history import item_versions
from toolkit.improvement import services
from toolkit.improvement.forms import ReflectionFactorForm
from toolkit.models import Reflection, ReflectionFactor

from .factories_improvement import ReflectionFactorFactory, ReflectionFactory


def url(name, reflection, **extra):
    kwargs = {"site_code": reflection.project.site.code, "project_id": reflection.project_id}
    return reverse(f"toolkit:{name}", kwargs={**kwargs, "reflection_id": reflection.pk, **extra})


def principle(code):
    return Principle.objects.get(code=code)


def test_tags_are_the_active_thrive_principles_kept_as_data(world):
    Principle.objects.filter(code="reducing-stigma").update(active=False)
    choices = [label for _value, label in ReflectionFactorForm().fields["principle"].choices]
    assert "Shared Decision Making" in choices
    assert "Reducing Stigma" not in choices
    assert len(choices) == 1 + 7  # "Choose…" and the seven active principles
    reflection = ReflectionFactory(project=world.a.project)
    with pytest.raises(ValidationError, match="Choose one of the THRIVE principles"):
        services.reflection_factor_add(
            reflection=reflection,
            user=None,
            kind="barrier",
            principle=principle("reducing-stigma"),
            text="Stigma",
        )


def test_project_manager_writes_a_reflection_shared_with_the_community(world, client_as):
    response = client_as(world.a.pm).post(
        reverse("toolkit:reflection-create", args=[world.a.site.code, world.a.project.pk]),
        {
            "title": "Year one",
            "what_worked": "Huddles",
            "what_did_not": "Long forms",
            "what_adapted": "Evening sessions",
            "lessons": "Book the next meeting",
            "share_with_community": "on",
        },
    )
    reflection = Reflection.objects.get()
    assert response.status_code == 302
    assert reflection.share_with_community is True
    assert reflection.lessons == "Book the next meeting"


def test_a_reflection_without_what_worked_is_refused(world, client_as):
    response = client_as(world.a.pm).post(
        reverse("toolkit:reflection-create", args=[world.a.site.code, world.a.project.pk]),
        {"title": "Year one", "what_worked": ""},
    )
    assert "Enter what worked." in response.content.decode()
    assert not Reflection.objects.exists()


def test_an_unknown_principle_is_refused(world, client_as):
    reflection = ReflectionFactory(project=world.a.project)
    response = client_as(world.a.pm).post(
        url("reflection-factor-add", reflection),
        {"factor-kind": "barrier", "factor-principle": "999999", "factor-text": "x"},
        HTTP_HX_REQUEST="true",
    )
    assert "Choose one of the THRIVE principles." in response.content.decode()
    assert not ReflectionFactor.objects.exists()
    with pytest.raises(ValidationError, match="THRIVE principles"):
        services.reflection_factor_add(
            reflection=reflection, user=None, kind="barrier", principle="equality", text="x"
        )


def test_barriers_and_facilitators_are_added_in_place_and_drawn_by_principle(world, client_as):
    reflection = ReflectionFactory(project=world.a.project)
    client = client_as(world.a.pm)
    response = client.post(
        url("reflection-factor-add", reflection),
        {
            "factor-kind": "barrier",
            "factor-principle": principle("accessibility").pk,
            "factor-text": "School hours",
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="factors"')
    assert "1 barrier</tspan>" in html
    assert "Accessibility" in html
    client.post(
        url("reflection-factor-add", reflection),
        {
            "factor-kind": "barrier",
            "factor-principle": principle("accessibility").pk,
            "factor-text": "Bus routes",
        },
        HTTP_HX_REQUEST="true",
    )
    html = client.get(reflection.get_absolute_url()).content.decode()
    assert "2 barriers</tspan>" in html
    assert item_versions(item=reflection).first().snapshot["factors"][1]["text"] == "Bus routes"


def test_moving_a_barrier_up_passes_over_barriers_only(world, client_as):
    reflection = ReflectionFactory(project=world.a.project)
    first = ReflectionFactorFactory(reflection=reflection, kind="barrier", text="B1")
    ReflectionFactorFactory(reflection=reflection, kind="facilitator", text="F1")
    second = ReflectionFactorFactory(reflection=reflection, kind="barrier", text="B2")
    client_as(world.a.pm).post(
        url("reflection-factor-move", reflection, reflection_factor_id=second.pk),
        {"direction": "up"},
    )
    barriers = reflection.factors.filter(kind="barrier").order_by("order", "pk")
    assert [f.text for f in barriers] == ["B2", "B1"]
    assert first.pk in [f.pk for f in barriers]


def test_removing_a_factor_updates_the_picture(world, client_as):
    reflection = ReflectionFactory(project=world.a.project)
    factor = ReflectionFactorFactory(reflection=reflection, principle=principle("needs-led"))
    client = client_as(world.a.pm)
    assert "Needs-Led" in client.get(reflection.get_absolute_url()).content.decode()
    client.post(
        url("reflection-factor-delete", reflection, reflection_factor_id=factor.pk),
        HTTP_HX_REQUEST="true",
    )
    assert (
        "No barriers or facilitators yet."
        in client.get(reflection.get_absolute_url()).content.decode()
    )
