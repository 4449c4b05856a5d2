"""The project's sustainability check-in frequency (after Phase 4)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from phases import services
from phases.forms import CheckInForm
from projects.http import SiteRequest
from projects.permissions import Capability, site_view
from projects.view_helpers import site_project


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
