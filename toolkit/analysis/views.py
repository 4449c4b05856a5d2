"""The analysis tools' own actions; their item and part pages are toolkit.views'."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from projects.http import SiteRequest
from projects.permissions import Capability, site_view
from projects.view_helpers import add_service_errors
from toolkit.models.analysis import FishboneCause, PriorityOption
from toolkit.tools import tools
from toolkit.views import base_context, item_or_404

from . import services
from .forms import PriorityScoresForm


@site_view(Capability.EDIT)
@require_POST
def cause_five_whys(
    request: SiteRequest, project_id: int, fishbone_id: int, cause_id: int
) -> HttpResponse:
    """Open a Five Whys chain with this fishbone cause as its problem."""
    fishbone = item_or_404(tools()["fishbone"], request, project_id, fishbone_id)
    cause = get_object_or_404(FishboneCause, pk=cause_id, category__fishbone=fishbone)
    chain = services.five_whys_from_cause(item=fishbone, cause=cause, user=request.user)
    messages.success(request, f"Five Whys opened on '{cause.text}'. Ask the first why.")
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = chain.get_absolute_url()
        return response
    return redirect(chain)


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def option_scores(
    request: SiteRequest, project_id: int, priority_matrix_id: int, option_id: int
) -> HttpResponse:
    """Score one option on every criterion of its matrix."""
    spec = tools()["priority-matrix"]
    matrix = item_or_404(spec, request, project_id, priority_matrix_id)
    option = get_object_or_404(PriorityOption, pk=option_id, matrix=matrix)
    form = PriorityScoresForm(request.POST or None, option=option)
    if request.method == "POST" and form.is_valid():
        try:
            services.priority_scores_set(
                item=matrix, option=option, user=request.user, scores=form.scores()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved the scores of '{option.name}'.")
            return redirect(matrix.get_absolute_url() + "#ranking")
    return render(
        request,
        "toolkit/priority_matrix_scores.html",
        base_context(request, spec, matrix.project, item=matrix, option=option, form=form),
    )
