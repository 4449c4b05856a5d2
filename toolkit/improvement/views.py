"""The improvement tools' own pages and actions: a PDSA cycle's stage and decision, a
sustainability plan's assessments, and the Sustainability Model itself (programme leads).
Their item and part pages are toolkit.views'."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects.http import HttpRequest, ProgrammeRequest, SiteRequest
from projects.permissions import Capability, programme_view, site_view
from projects.view_helpers import add_service_errors
from toolkit.models import (
    PdsaCycle,
    SustainabilityAssessment,
    SustainabilityFactor,
    SustainabilityPlan,
)
from toolkit.tools import tools
from toolkit.views import base_context, detail_context, item_or_404

from . import forms, selectors, services

# PDSA cycles -------------------------------------------------------------------------------


def _cycle(request: HttpRequest, project_id: int, cycle_id: int) -> PdsaCycle:
    return item_or_404(tools()["pdsa"], request, project_id, cycle_id)


def _cycle_page(
    request: SiteRequest,
    cycle: PdsaCycle,
    errors: list[str],
    bound: dict[str, BaseForm] | None = None,
) -> HttpResponse:
    context = detail_context(request, tools()["pdsa"], cycle, bound)
    return render(request, "toolkit/pdsacycle_detail.html", {**context, "move_errors": errors})


@site_view(Capability.EDIT)
@require_POST
def pdsa_move(request: SiteRequest, project_id: int, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, project_id, cycle_id)
    form = forms.PdsaMoveForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            cycle = services.pdsa_move(
                cycle=cycle,
                user=request.user,
                to_stage=form.cleaned_data["to_stage"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, f"The cycle is now at {cycle.get_stage_display()}.")
            return redirect(cycle.get_absolute_url() + "#stage")
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    return _cycle_page(request, cycle, errors)


@site_view(Capability.EDIT)
@require_POST
def pdsa_decide(request: SiteRequest, project_id: int, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, project_id, cycle_id)
    form = forms.PdsaDecideForm(request.POST)
    if form.is_valid():
        try:
            cycle, successor = services.pdsa_decide(
                cycle=cycle, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if successor is not None:
                messages.success(
                    request,
                    f"Adapted: cycle {successor.number} starts with this plan carried over.",
                )
                return redirect(successor)
            messages.success(request, f"Decision saved: {cycle.get_outcome_display()}.")
            return redirect(cycle.get_absolute_url() + "#stage")
    errors = (
        []
        if cycle.stage == PdsaCycle.Stage.ACT
        else [str(e) for v in form.errors.values() for e in v]
    )
    return _cycle_page(request, cycle, errors, {"decide": form})


# Sustainability plans ---------------------------------------------------------------------


def _assessment_form_page(
    request: SiteRequest,
    plan: SustainabilityPlan,
    assessment: SustainabilityAssessment | None,
) -> HttpResponse:
    factors = selectors.sustainability_factors()
    form = forms.SustainabilityAssessmentForm(
        request.POST or None, factors=factors, assessment=assessment
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.sustainability_assessment_save(
                plan=plan,
                user=request.user,
                assessed_on=form.cleaned_data["assessed_on"],
                notes=form.cleaned_data["notes"],
                ratings=form.ratings(),
                assessment=assessment,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Assessment saved.")
            return redirect(plan.get_absolute_url() + "#assessments")
    return render(
        request,
        "toolkit/sustainabilityassessment_form.html",
        base_context(
            request,
            tools()["sustainability"],
            plan.project,
            item=plan,
            plan=plan,
            form=form,
            assessment=assessment,
        ),
    )


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def sustainability_assessment_add(
    request: SiteRequest, project_id: int, plan_id: int
) -> HttpResponse:
    plan: SustainabilityPlan = item_or_404(tools()["sustainability"], request, project_id, plan_id)
    return _assessment_form_page(request, plan, None)


def _assessment(
    request: HttpRequest, project_id: int, plan_id: int, assessment_id: int
) -> SustainabilityAssessment:
    plan: SustainabilityPlan = item_or_404(tools()["sustainability"], request, project_id, plan_id)
    return get_object_or_404(
        SustainabilityAssessment.objects.select_related("plan__project__site"),
        pk=assessment_id,
        plan=plan,
    )


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def sustainability_assessment_edit(
    request: SiteRequest, project_id: int, plan_id: int, assessment_id: int
) -> HttpResponse:
    assessment = _assessment(request, project_id, plan_id, assessment_id)
    return _assessment_form_page(request, assessment.plan, assessment)


@site_view(Capability.EDIT)
@require_POST
def sustainability_assessment_delete(
    request: SiteRequest, project_id: int, plan_id: int, assessment_id: int
) -> HttpResponse:
    assessment = _assessment(request, project_id, plan_id, assessment_id)
    plan = assessment.plan
    services.sustainability_assessment_delete(assessment=assessment, user=request.user)
    if not request.htmx:
        messages.success(request, "Assessment removed.")
        return redirect(plan.get_absolute_url() + "#assessments")
    context = detail_context(request, tools()["sustainability"], plan)
    return render(request, "toolkit/sustainabilityplan_detail.html#assessments", context)


# The Sustainability Model itself (programme leads) -----------------------------------------


@programme_view
@require_GET
def sustainability_model(request: ProgrammeRequest) -> HttpResponse:
    factors = selectors.sustainability_factors()
    return render(
        request,
        "toolkit/sustainabilityfactor_list.html",
        {"factors": factors, "max_total": selectors.max_total()},
    )


@programme_view
@require_http_methods(["GET", "POST"])
def sustainability_factor_edit(request: ProgrammeRequest, sm_factor_id: int) -> HttpResponse:
    factor = get_object_or_404(
        SustainabilityFactor.objects.prefetch_related("levels"), pk=sm_factor_id
    )
    form = forms.SustainabilityFactorForm(request.POST or None, factor=factor)
    if request.method == "POST" and form.is_valid():
        try:
            services.sustainability_factor_update(
                factor=factor,
                name=form.cleaned_data["name"],
                question=form.cleaned_data["question"],
                levels=form.levels(),
            )
        except ValidationError as error:
            factor.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, f"'{factor.name}' saved.")
            return redirect("toolkit:sustainability-model")
    return render(
        request, "toolkit/sustainabilityfactor_form.html", {"factor": factor, "form": form}
    )
