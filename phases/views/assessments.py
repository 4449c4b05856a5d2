"""THRIVE assessments: baseline and follow-ups, and the chart that compares them; how often
the project checks in on sustainability after Phase 4."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phases import selectors, services
from phases.charts import assessment_chart
from phases.forms import AssessmentForm, CheckInForm
from phases.models import Assessment
from projects.http import SiteRequest
from projects.models import Project
from projects.permissions import Capability, site_view
from projects.view_helpers import add_service_errors, can_edit, site_project

from ._common import crumbs, project_url


@site_view(Capability.VIEW)
@require_GET
def assessment_list(request: SiteRequest, project_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    assessments = selectors.project_assessments(project=project)
    principles = selectors.active_principles()
    return render(
        request,
        "phases/assessment_list.html",
        {
            "site": project.site,
            "project": project,
            "assessments": assessments,
            "chart": assessment_chart(assessments=assessments, principles=principles),
            "can_edit": can_edit(request),
            "crumbs": crumbs(project),
        },
    )


@site_view(Capability.VIEW)
@require_GET
def assessment_detail(request: SiteRequest, project_id: int, assessment_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    assessment = selectors.assessment_for_project_or_404(
        project=project, assessment_id=assessment_id
    )
    return render(
        request,
        "phases/assessment_detail.html",
        {
            "site": project.site,
            "project": project,
            "assessment": assessment,
            "can_edit": can_edit(request),
            "crumbs": crumbs(project, ("THRIVE assessment", project_url(project, "assessments"))),
        },
    )


def _assessment_form(
    request: SiteRequest, project: Project, assessment: Assessment | None
) -> HttpResponse:
    principles = selectors.active_principles()
    initial = {}
    if assessment is not None:
        initial = {"assessed_on": assessment.assessed_on, "notes": assessment.notes}
        for score in assessment.scores.all():
            initial[f"score_{score.principle_id}"] = score.score
            initial[f"evidence_{score.principle_id}"] = score.evidence
    elif not project.assessments.exists():
        initial = {"kind": Assessment.Kind.BASELINE}
    else:
        initial = {"kind": Assessment.Kind.FOLLOW_UP}
    form = AssessmentForm(
        request.POST or None,
        principles=principles,
        editing=assessment is not None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if assessment is None:
                assessment = services.assessment_create(
                    project=project,
                    user=request.user,
                    kind=data["kind"],
                    assessed_on=data["assessed_on"],
                    notes=data["notes"],
                    scores=form.scores(),
                )
            else:
                services.assessment_update(
                    assessment=assessment,
                    assessed_on=data["assessed_on"],
                    notes=data["notes"],
                    scores=form.scores(),
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Assessment saved.")
            return redirect(project_url(project, "assessment-detail", assessment_id=assessment.pk))
    return render(
        request,
        "phases/assessment_form.html",
        {
            "site": project.site,
            "project": project,
            "assessment": assessment,
            "form": form,
            "crumbs": crumbs(project, ("THRIVE assessment", project_url(project, "assessments"))),
        },
        status=400 if form.errors else 200,
    )


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def assessment_create(request: SiteRequest, project_id: int) -> HttpResponse:
    return _assessment_form(request, site_project(request, project_id), None)


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def assessment_edit(request: SiteRequest, project_id: int, assessment_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    assessment = selectors.assessment_for_project_or_404(
        project=project, assessment_id=assessment_id
    )
    return _assessment_form(request, project, assessment)


@site_view(Capability.EDIT)
@require_POST
def checkin_update(request: SiteRequest, project_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose how often to check in.", status=400)
    services.project_checkin_set(
        project=project, frequency=form.cleaned_data["sustainability_checkin"]
    )
    messages.success(
        request, f"Sustainability check-ins: {project.get_sustainability_checkin_display()}."
    )
    return redirect(project.get_absolute_url() + "#sustainability-heading")
