"""Programme pages: every site's implementation progress, and the programme's own steps."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from phases import selectors, services
from phases.forms import CustomStepForm
from phases.models import Step
from projects.http import ProgrammeRequest
from projects.permissions import programme_view
from projects.view_helpers import add_service_errors

from ._common import today


@programme_view
@require_GET
def programme_progress(request: ProgrammeRequest) -> HttpResponse:
    rows = selectors.programme_progress(programmes=request.programmes, today=today())
    return render(
        request,
        "phases/programme_progress.html",
        {
            "rows": rows,
            "phase_numbers": [number for number, _c, _t in rows[0].phases] if rows else [],
        },
    )


@programme_view
@require_GET
def custom_step_list(request: ProgrammeRequest) -> HttpResponse:
    programmes = request.programmes
    return render(
        request,
        "phases/step_list.html",
        {
            "standard_steps": Step.objects.filter(programme__isnull=True).select_related("phase"),
            "custom_steps": selectors.programme_custom_steps(programmes=programmes),
        },
    )


def _step_form(request: ProgrammeRequest, step: Step | None) -> HttpResponse:
    programmes = request.programmes
    form = CustomStepForm(request.POST or None, instance=step, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if step is None:
                step = services.custom_step_create(**data)
            else:
                services.custom_step_update(step=step, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Step {step.code} saved.")
            return redirect("phases:custom-steps")
    return render(
        request,
        "phases/step_form.html",
        {"form": form, "step": step},
        status=400 if form.errors else 200,
    )


@programme_view
@require_http_methods(["GET", "POST"])
def custom_step_create(request: ProgrammeRequest) -> HttpResponse:
    return _step_form(request, None)


@programme_view
@require_http_methods(["GET", "POST"])
def custom_step_edit(request: ProgrammeRequest, step_id: int) -> HttpResponse:
    step = get_object_or_404(Step, pk=step_id, programme__in=request.programmes)
    return _step_form(request, step)
