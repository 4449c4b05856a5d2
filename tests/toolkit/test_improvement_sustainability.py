"""Sustainability plans: the NHS Sustainability Model as data, dated assessments and scores."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse

from toolkit.history import item_versions
from toolkit.improvement import selectors, services
from toolkit.models import (
    SustainabilityAssessment,
    SustainabilityFactor,
    SustainabilityLevel,
    SustainabilityPlan,
)

from .factories_improvement import SustainabilityPlanFactory


def codes():
    return list(SustainabilityFactor.objects.values_list("code", flat=True))


def all_at(level, **overrides):
    return {code: (overrides.get(code, level), "") for code in codes()}


def form_data(level="b", date="2025-06-01", **overrides):
    data = {"assessed_on": date, "notes": ""}
    for code in codes():
        data[f"level_{code}"] = overrides.get(code, level)
        data[f"action_{code}"] = ""
    return data


def add_url(plan):
    return reverse(
        "toolkit:sustainability-assessment-add",
        args=[plan.project.site.code, plan.project_id, plan.pk],
    )


@pytest.mark.django_db
def test_the_model_has_ten_factors_in_three_domains_with_four_levels_each():
    factors = selectors.sustainability_factors()
    assert len(factors) == 10
    domains = [f.domain for f in factors]
    assert (domains.count("process"), domains.count("staff"), domains.count("organisation")) == (
        4,
        4,
        2,
    )
    assert all(sorted(lv.level for lv in f.levels.all()) == ["a", "b", "c", "d"] for f in factors)
    assert selectors.max_total() == Decimal(100)


def test_total_is_the_sum_of_the_chosen_levels_weights(world):
    plan = SustainabilityPlanFactory(project=world.a.project)
    services.sustainability_assessment_save(
        plan=plan, user=None, assessed_on=dt.date(2025, 6, 1), ratings=all_at("a")
    )
    services.sustainability_assessment_save(
        plan=plan,
        user=None,
        assessed_on=dt.date(2025, 9, 1),
        ratings=all_at("d", senior_leadership="a", clinical_leadership="b"),
    )
    first, second = selectors.assessment_scores(plan=plan)
    assert first.total == Decimal(100)
    assert second.total == Decimal("15.0") + Decimal("9.8")
    assert len(second.weak_rows) == 8


def test_an_assessment_missing_a_factor_is_refused_and_nothing_is_saved(world, client_as):
    plan = SustainabilityPlanFactory(project=world.a.project)
    data = form_data()
    del data["level_infrastructure"]
    response = client_as(world.a.pm).post(add_url(plan), data)
    assert (
        "Infrastructure for sustainability: choose level a, b, c or d." in response.content.decode()
    )
    assert not SustainabilityAssessment.objects.exists()


def test_a_level_out_of_range_is_refused(world, client_as):
    plan = SustainabilityPlanFactory(project=world.a.project)
    response = client_as(world.a.pm).post(add_url(plan), form_data(adaptability="e"))
    assert "Adaptability of the improved process: choose level a, b, c or d." in (
        response.content.decode()
    )
    assert not SustainabilityAssessment.objects.exists()
    with pytest.raises(ValidationError, match="choose level a, b, c or d"):
        services.sustainability_assessment_save(
            plan=plan, user=None, assessed_on=dt.date(2025, 1, 1), ratings=all_at("z")
        )
    assert not SustainabilityAssessment.objects.exists()


def test_two_assessments_on_one_date_are_refused(world):
    plan = SustainabilityPlanFactory(project=world.a.project)
    services.sustainability_assessment_save(
        plan=plan, user=None, assessed_on=dt.date(2025, 6, 1), ratings=all_at("b")
    )
    with pytest.raises(ValidationError, match="already has an assessment on that date"):
        services.sustainability_assessment_save(
            plan=plan, user=None, assessed_on=dt.date(2025, 6, 1), ratings=all_at("a")
        )
    assert plan.assessments.count() == 1


def test_project_manager_adds_an_assessment_with_actions_for_weak_factors(world, client_as):
    plan = SustainabilityPlanFactory(project=world.a.project)
    data = form_data(level="a", infrastructure="d")
    data["action_infrastructure"] = "Bid for recurrent funding"
    client = client_as(world.a.pm)
    response = client.post(add_url(plan), data)
    assert response.status_code == 302
    html = client.get(plan.get_absolute_url()).content.decode()
    assert "Infrastructure for sustainability (level d)" in html
    assert "Bid for recurrent funding" in html
    assert "90.5" in html
    assert item_versions(item=plan).first().summary == "Added the assessment of 01 June 2025"


def test_the_score_chart_is_drawn_from_the_assessments_and_changes_with_them(world, client_as):
    plan = SustainabilityPlanFactory(project=world.a.project)
    client = client_as(world.a.stakeholder)
    assert "No assessments yet." in client.get(plan.get_absolute_url()).content.decode()
    services.sustainability_assessment_save(
        plan=plan, user=None, assessed_on=dt.date(2025, 6, 1), ratings=all_at("c")
    )
    html = client.get(plan.get_absolute_url()).content.decode()
    assert 'aria-labelledby="sustainability-trend-title' in html
    assert "01 Jun 2025: 36.6" in html
    services.sustainability_assessment_save(
        plan=plan, user=None, assessed_on=dt.date(2025, 9, 1), ratings=all_at("a")
    )
    html = client.get(plan.get_absolute_url()).content.decode()
    assert "01 Jun 2025: 36.6; 01 Sep 2025: 100" in html


def test_removing_an_assessment_in_place_returns_the_assessments_fragment(world, client_as):
    plan = SustainabilityPlanFactory(project=world.a.project)
    assessment = services.sustainability_assessment_save(
        plan=plan, user=None, assessed_on=dt.date(2025, 6, 1), ratings=all_at("b")
    )
    response = client_as(world.a.pm).post(
        reverse(
            "toolkit:sustainability-assessment-delete",
            args=[world.a.site.code, world.a.project.pk, plan.pk, assessment.pk],
        ),
        HTTP_HX_REQUEST="true",
    )
    assert response.content.decode().lstrip().startswith('<div id="assessments"')
    assert not plan.assessments.exists()


def test_editing_an_assessment_replaces_its_ratings(world, client_as):
    plan = SustainabilityPlanFactory(project=world.a.project)
    assessment = services.sustainability_assessment_save(
        plan=plan, user=None, assessed_on=dt.date(2025, 6, 1), ratings=all_at("b")
    )
    client_as(world.a.pm).post(
        reverse(
            "toolkit:sustainability-assessment-edit",
            args=[world.a.site.code, world.a.project.pk, plan.pk, assessment.pk],
        ),
        form_data(level="a"),
    )
    (score,) = selectors.assessment_scores(plan=plan)
    assert score.total == Decimal(100)


def test_programme_lead_corrects_a_weight_and_past_totals_follow(world, client_as):
    plan = SustainabilityPlanFactory(project=world.a.project)
    services.sustainability_assessment_save(
        plan=plan, user=None, assessed_on=dt.date(2025, 6, 1), ratings=all_at("d", adaptability="c")
    )
    factor = SustainabilityFactor.objects.get(code="adaptability")
    data = {"name": factor.name, "question": factor.question}
    for level in factor.levels.all():
        data[f"description_{level.level}"] = level.description
        data[f"weight_{level.level}"] = str(level.weight)
    data["weight_c"] = "4.0"
    client = client_as(world.lead)
    assert client.get(reverse("toolkit:sustainability-model")).status_code == 200
    response = client.post(reverse("toolkit:sustainability-factor-edit", args=[factor.pk]), data)
    assert response.status_code == 302
    (score,) = selectors.assessment_scores(plan=plan)
    assert score.total == Decimal("4.0")


def test_weights_over_the_model_total_or_out_of_range_are_refused(world, client_as):
    factor = SustainabilityFactor.objects.get(code="adaptability")
    data = {"name": factor.name, "question": factor.question}
    for level in factor.levels.all():
        data[f"description_{level.level}"] = level.description
        data[f"weight_{level.level}"] = str(level.weight)
    client = client_as(world.lead)
    url = reverse("toolkit:sustainability-factor-edit", args=[factor.pk])
    response = client.post(url, {**data, "weight_a": "9.0"})
    assert "over 100: lower another factor first" in response.content.decode()
    response = client.post(url, {**data, "weight_d": "-1"})
    assert "Level d: enter a weight from 0 to 100." in response.content.decode()
    assert SustainabilityLevel.objects.get(factor=factor, level="a").weight == Decimal("7.0")


def test_site_roles_cannot_correct_the_model(world, client_as):
    factor = SustainabilityFactor.objects.first()
    for user in (world.a.pm, world.a.stakeholder):
        client = client_as(user)
        assert client.get(reverse("toolkit:sustainability-model")).status_code == 403
        assert (
            client.post(
                reverse("toolkit:sustainability-factor-edit", args=[factor.pk]), {}
            ).status_code
            == 403
        )


def test_factors_and_levels_can_be_corrected_in_the_admin_too():
    assert admin.site.is_registered(SustainabilityFactor)
    assert admin.site.is_registered(SustainabilityPlan)
