"""A project's checklist: the step cards (changed in place with htmx, or by a plain form), the
step page with notes, evidence and full history."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from phases import selectors, services
from phases.forms import EvidenceForm, StepNotesForm, StepProgressForm, person_name
from phases.models import Evidence, ProjectStep
from phases.selectors import StepCard
from phases.step_work import step_work
from projects.http import SiteRequest
from projects.models import Project
from projects.permissions import Capability, site_view
from projects.view_helpers import add_service_errors, can_edit, site_project

from ._common import crumbs, project_url, today


def stale_message(current: ProjectStep) -> str:
    """What someone else saved, so the person whose save was refused sees the newer values."""
    who = person_name(current.updated_by) if current.updated_by else "Someone"
    when = current.updated_at.strftime("%H:%M on %-d %b") if current.updated_at else ""
    parts = [f"status {current.get_status_display()}"]
    parts.append(f"owner {person_name(current.owner)}" if current.owner else "no owner")
    if current.target_date:
        parts.append(f"target date {current.target_date:%-d %b %Y}")
    return (
        f"{who} changed this step{' at ' + when if when else ''} while you were editing; it now "
        f"reads: {', '.join(parts)}. Your change was not saved: check the values and save again."
    )


def _step_page(
    request: SiteRequest,
    project: Project,
    card: StepCard,
    *,
    notes_form: StepNotesForm | None = None,
    evidence_form: EvidenceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    history = selectors.step_card(project=project, step=card.step, today=today(), full_history=True)
    editable = can_edit(request)
    if editable and notes_form is None:
        notes_form = StepNotesForm(
            prefix="notes",
            initial={"notes": card.state.notes, "version": card.state.version},
        )
    return render(
        request,
        "phases/projectstep_detail.html",
        {
            "site": project.site,
            "project": project,
            "card": card,
            "history": history.recent_changes,
            "owners": selectors.site_members(site=project.site),
            "can_edit": editable,
            "work": step_work(project=project, step=card.step, can_edit=editable),
            "notes_form": notes_form,
            "evidence_form": evidence_form
            or (EvidenceForm(prefix="evidence") if editable else None),
            "crumbs": crumbs(project),
        },
        status=status,
    )


@site_view(Capability.VIEW)
@require_GET
def step_detail(request: SiteRequest, project_id: int, step_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    step = selectors.step_for_project_or_404(project=project, step_id=step_id)
    return _step_page(
        request, project, selectors.step_card(project=project, step=step, today=today())
    )


@site_view(Capability.EDIT)
@require_POST
@vary_on_headers("HX-Request")
def step_progress_update(request: SiteRequest, project_id: int, step_id: int) -> HttpResponse:
    """The card's form: status, owner, target date and (Phase 1) review date. htmx swaps the
    card in place; without JavaScript the browser is sent back to the project page."""
    project = site_project(request, project_id)
    step = selectors.step_for_project_or_404(project=project, step_id=step_id)
    owners = selectors.site_members(site=request.site)
    form = StepProgressForm(
        request.POST, owners=owners, phase_number=step.phase.number, prefix=f"s{step.pk}"
    )
    stale = ""
    if form.is_valid():
        try:
            services.project_step_update(
                project=project,
                step=step,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except services.StaleStepError as error:
            stale = stale_message(error.current)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, f"{step.code} {step.title} saved.")
                return redirect(f"{project.get_absolute_url()}#step-{step.pk}")
    return _card_response(request, project, step, form=form, stale=stale, owners=owners)


def _card_response(request, project, step, *, form, stale, owners) -> HttpResponse:
    card = selectors.step_card(project=project, step=step, today=today())
    if form.errors:
        card.form = form
    card.stale_message = stale
    refused = bool(form.errors or stale)
    if request.htmx:
        column = selectors.phase_column(project=project, phase=step.phase, today=today())
        # htmx swaps only 2xx responses by default: the refusal is told inside the fragment.
        return render(
            request,
            "phases/_board.html#step-card-response",
            {
                "site": project.site,
                "project": project,
                "card": card,
                "column": column,
                "owners": owners,
                "can_edit": True,
            },
        )
    return _step_page(request, project, card, status=(409 if stale else 400) if refused else 200)


@site_view(Capability.EDIT)
@require_POST
def step_notes_update(request: SiteRequest, project_id: int, step_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    step = selectors.step_for_project_or_404(project=project, step_id=step_id)
    form = StepNotesForm(request.POST, prefix="notes")
    if form.is_valid():
        try:
            services.project_step_update(
                project=project,
                step=step,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                notes=form.cleaned_data["notes"],
            )
        except services.StaleStepError as error:
            card = selectors.step_card(project=project, step=step, today=today())
            form.add_error(
                "notes",
                f"Someone else saved this step while you were editing. The notes now read: "
                f"“{error.current.notes or '(empty)'}”. Your text is kept below; save again to "
                "replace them.",
            )
            data = request.POST.copy()
            data["notes-version"] = str(error.current.version)
            form.data = data
            return _step_page(request, project, card, notes_form=form, status=409)
        else:
            messages.success(request, "Notes saved.")
            return redirect(project_url(project, "step-detail", step_id=step.pk))
    card = selectors.step_card(project=project, step=step, today=today())
    return _step_page(request, project, card, notes_form=form, status=400)


@site_view(Capability.EDIT)
@require_POST
def evidence_add(request: SiteRequest, project_id: int, step_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    step = selectors.step_for_project_or_404(project=project, step_id=step_id)
    form = EvidenceForm(request.POST, request.FILES, prefix="evidence")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["file"]:
                services.evidence_add_file(
                    project=project,
                    step=step,
                    user=request.user,
                    title=data["title"],
                    upload=data["file"],
                )
            else:
                services.evidence_add_link(
                    project=project,
                    step=step,
                    user=request.user,
                    title=data["title"],
                    url=data["url"],
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Evidence added.")
            return redirect(project_url(project, "step-detail", step_id=step.pk))
    card = selectors.step_card(project=project, step=step, today=today())
    return _step_page(request, project, card, evidence_form=form, status=400)


def _evidence(request: SiteRequest, project_id: int, evidence_id: int) -> Evidence:
    project = site_project(request, project_id)
    return get_object_or_404(
        Evidence.objects.select_related("project_step__step", "project_step__project__site"),
        pk=evidence_id,
        project_step__project=project,
    )


@site_view(Capability.VIEW)
@require_GET
def evidence_download(request: SiteRequest, project_id: int, evidence_id: int) -> FileResponse:
    """Files are never served from MEDIA_URL: only here, after the site check, as a download."""
    evidence = _evidence(request, project_id, evidence_id)
    if not evidence.is_file:
        raise Http404("This evidence is a link.")
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name or evidence.file.name.rsplit("/", 1)[-1],
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@site_view(Capability.EDIT)
@require_POST
def evidence_remove(request: SiteRequest, project_id: int, evidence_id: int) -> HttpResponse:
    evidence = _evidence(request, project_id, evidence_id)
    project, step = evidence.project_step.project, evidence.project_step.step
    services.evidence_remove(evidence=evidence, user=request.user)
    messages.success(request, f"Evidence '{evidence.title}' removed.")
    return redirect(project_url(project, "step-detail", step_id=step.pk))
