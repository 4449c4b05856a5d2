"""Pages of the analysis tools. Each URL names its tool (`tool=` comes from the URL pattern, see
`toolkit/urls_analysis.py`) and, for a part, which part (`part=`). Reads need VIEW on the site,
every write EDIT; every object is fetched through the project of `request.site`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from projects.http import SiteRequest
from projects.models import Project
from projects.permissions import Capability, site_view
from projects.view_helpers import add_service_errors, can_edit, site_project
from toolkit.history import item_versions
from toolkit.models.analysis import AnalysisItem, FishboneCause, PriorityOption
from toolkit.registry import TOOLKIT
from toolkit.step_work import step_initial

from . import selectors, services, svg
from .forms import PriorityScoresForm
from .tools import TOOLS, PartSpec, ToolSpec


def _item(tool: ToolSpec, project: Project, ids: dict[str, int]) -> Any:
    return get_object_or_404(tool.queryset(project), pk=ids[tool.kwarg])


def _part(spec: PartSpec, item: AnalysisItem, ids: dict[str, int]) -> Any:
    return get_object_or_404(spec.model, pk=ids[spec.kwarg], **{spec.item_lookup: item})


def _template(tool: ToolSpec, role: str) -> str:
    return f"toolkit/{tool.slug.replace('-', '_')}_{role}.html"


def _outline_template(tool: ToolSpec) -> str:
    return f"toolkit/_{tool.slug.replace('-', '_')}_outline.html"


def figure(tool: ToolSpec, snapshot: dict[str, Any], ident: str) -> dict[str, Any]:
    """The picture and the text alternative of a snapshot (current or from the history)."""
    return {
        "svg": mark_safe(svg.draw(tool.slug, snapshot, ident=ident)),  # escaped by svg.Canvas
        "outline": svg.outline(tool.slug, snapshot),
        "ident": ident,
    }


def _detail_context(
    request: SiteRequest,
    tool: ToolSpec,
    project: Project,
    item: AnalysisItem,
    bound: dict[str, BaseForm] | None = None,
    status_message: str = "",
) -> dict[str, Any]:
    snapshot = item.snapshot()
    editable = can_edit(request)
    forms: dict[str, BaseForm] = (
        {p.slug: p.form(item=item, prefix=p.slug) for p in tool.parts} if editable else {}
    )
    forms.update(bound or {})
    context = {
        "site": request.site,
        "project": project,
        "item": item,
        "tool": tool,
        "forms": forms,
        "figure": figure(tool, snapshot, f"{tool.slug}-{item.pk}"),
        "snapshot": snapshot,
        "can_edit": editable,
        "status_message": status_message,
        "outline_template": _outline_template(tool),
    }
    if tool.extra_context:
        context.update(tool.extra_context(item, snapshot))
    return context


def _render_detail(
    request: SiteRequest,
    tool: ToolSpec,
    project: Project,
    item: AnalysisItem,
    bound: dict[str, BaseForm] | None = None,
    status_message: str = "",
) -> HttpResponse:
    template = _template(tool, "detail")
    if request.htmx:
        template += "#body"
    context = _detail_context(request, tool, project, item, bound, status_message)
    return render(request, template, context)


def _after_change(
    request: SiteRequest,
    tool: ToolSpec,
    project: Project,
    item: AnalysisItem,
    message: str,
    anchor: str = "",
) -> HttpResponse:
    """htmx: the item's body again (picture and parts); otherwise back to the item's page."""
    if request.htmx:
        fresh = _item(tool, project, {tool.kwarg: item.pk})
        return _render_detail(request, tool, project, fresh, status_message=message)
    messages.success(request, message)
    return redirect(item.get_absolute_url() + (f"#{anchor}" if anchor else ""))


# --- Project toolkit index and tool lists ----------------------------------------------------


@site_view(Capability.VIEW)
@require_GET
def toolkit_index(request: SiteRequest, project_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    tools = [{"entry": entry, "items": list(entry.queryset(project))} for entry in TOOLKIT]
    return render(
        request,
        "toolkit/toolkit_index.html",
        {"site": request.site, "project": project, "tools": tools, "can_edit": can_edit(request)},
    )


@site_view(Capability.VIEW)
@require_GET
def item_list(request: SiteRequest, project_id: int, *, tool: str) -> HttpResponse:
    spec = TOOLS[tool]
    project = site_project(request, project_id)
    return render(
        request,
        "toolkit/analysis_item_list.html",
        {
            "site": request.site,
            "project": project,
            "tool": spec,
            "items": spec.queryset(project).order_by("-updated_at"),
            "can_edit": can_edit(request),
        },
    )


# --- Items -----------------------------------------------------------------------------------


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def item_create(request: SiteRequest, project_id: int, *, tool: str) -> HttpResponse:
    spec = TOOLS[tool]
    project = site_project(request, project_id)
    form_class = spec.create_form or spec.form
    form = form_class(request.POST or None, project=project, initial=step_initial(request, project))
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(
                model=spec.model, project=project, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{spec.name} '{item.title}' created.")
            return redirect(item)
    return render(
        request,
        "toolkit/analysis_item_form.html",
        {"site": request.site, "project": project, "tool": spec, "form": form},
    )


@site_view(Capability.VIEW)
@require_GET
@vary_on_headers("HX-Request")
def item_detail(request: SiteRequest, project_id: int, *, tool: str, **ids: int) -> HttpResponse:
    spec = TOOLS[tool]
    project = site_project(request, project_id)
    return _render_detail(request, spec, project, _item(spec, project, ids))


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def item_edit(request: SiteRequest, project_id: int, *, tool: str, **ids: int) -> HttpResponse:
    spec = TOOLS[tool]
    project = site_project(request, project_id)
    item = _item(spec, project, ids)
    form = spec.form(request.POST or None, instance=item, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(
                item=_item(spec, project, ids), user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect(item)
    return render(
        request,
        "toolkit/analysis_item_form.html",
        {"site": request.site, "project": project, "tool": spec, "form": form, "item": item},
    )


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def item_delete(request: SiteRequest, project_id: int, *, tool: str, **ids: int) -> HttpResponse:
    spec = TOOLS[tool]
    project = site_project(request, project_id)
    item = _item(spec, project, ids)
    if request.method == "POST":
        title = item.title
        services.item_delete(item=item, user=request.user)
        messages.success(request, f"{spec.name} '{title}' deleted.")
        return redirect("toolkit:index", site_code=project.site.code, project_id=project.pk)
    return render(
        request,
        "toolkit/analysis_item_confirm_delete.html",
        {"site": request.site, "project": project, "tool": spec, "item": item},
    )


@site_view(Capability.VIEW)
@require_GET
def item_print(request: SiteRequest, project_id: int, *, tool: str, **ids: int) -> HttpResponse:
    spec = TOOLS[tool]
    project = site_project(request, project_id)
    item = _item(spec, project, ids)
    snapshot = item.snapshot()
    return render(
        request,
        "toolkit/analysis_item_print.html",
        {
            "site": request.site,
            "project": project,
            "tool": spec,
            "item": item,
            "snapshot": snapshot,
            "figure": figure(spec, snapshot, f"{spec.slug}-{item.pk}"),
            "outline_template": _outline_template(spec),
        },
    )


@site_view(Capability.VIEW)
@require_GET
def item_history(request: SiteRequest, project_id: int, *, tool: str, **ids: int) -> HttpResponse:
    spec = TOOLS[tool]
    project = site_project(request, project_id)
    item = _item(spec, project, ids)
    number = request.GET.get("version", "")
    chosen = selectors.item_version(item=item, number=int(number) if number.isdigit() else None)
    return render(
        request,
        "toolkit/analysis_item_history.html",
        {
            "site": request.site,
            "project": project,
            "tool": spec,
            "item": item,
            "versions": item_versions(item=item),
            "chosen": chosen,
            "figure": figure(spec, chosen.snapshot, f"version-{chosen.number}") if chosen else None,
            "snapshot": chosen.snapshot if chosen else None,
            "outline_template": _outline_template(spec),
        },
    )


# --- Parts -----------------------------------------------------------------------------------


@site_view(Capability.EDIT)
@require_POST
def part_add(
    request: SiteRequest, project_id: int, *, tool: str, part: str, **ids: int
) -> HttpResponse:
    spec = TOOLS[tool]
    part_spec = spec.part(part)
    project = site_project(request, project_id)
    item = _item(spec, project, ids)
    form = part_spec.form(request.POST, item=item, prefix=part_spec.slug)
    if form.is_valid():
        try:
            created = part_spec.create(item=item, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = (
                f"Added the {part_spec.noun} '{svg.shorten(part_spec.describe(created), 80)}'."
            )
            return _after_change(request, spec, project, item, message, anchor=part_spec.slug)
    return _render_detail(request, spec, project, item, bound={part_spec.slug: form})


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def part_edit(
    request: SiteRequest, project_id: int, *, tool: str, part: str, **ids: int
) -> HttpResponse:
    spec = TOOLS[tool]
    part_spec = spec.part(part)
    project = site_project(request, project_id)
    item = _item(spec, project, ids)
    obj = _part(part_spec, item, ids)
    form = part_spec.get_edit_form()(request.POST or None, item=item, instance=obj)
    if request.method == "POST" and form.is_valid():
        try:
            # The form has already written its values onto `obj`; the service gets the stored row.
            part_spec.update(
                item=item,
                part=_part(part_spec, item, ids),
                user=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved the {part_spec.noun}.")
            return redirect(item.get_absolute_url() + f"#{part_spec.slug}")
    return render(
        request,
        "toolkit/analysis_part_form.html",
        {
            "site": request.site,
            "project": project,
            "tool": spec,
            "item": item,
            "part_spec": part_spec,
            "form": form,
        },
    )


@site_view(Capability.EDIT)
@require_POST
def part_delete(
    request: SiteRequest, project_id: int, *, tool: str, part: str, **ids: int
) -> HttpResponse:
    spec = TOOLS[tool]
    part_spec = spec.part(part)
    project = site_project(request, project_id)
    item = _item(spec, project, ids)
    obj = _part(part_spec, item, ids)
    description = part_spec.describe(obj)
    try:
        services.part_delete(
            item=item,
            part=obj,
            user=request.user,
            summary=f"Removed the {part_spec.noun} '{description}'",
        )
    except ValidationError as error:
        return _refused(request, spec, project, item, " ".join(error.messages))
    return _after_change(
        request,
        spec,
        project,
        item,
        f"Removed the {part_spec.noun} '{description}'.",
        anchor=part_spec.slug,
    )


@site_view(Capability.EDIT)
@require_POST
def part_move(
    request: SiteRequest, project_id: int, *, tool: str, part: str, **ids: int
) -> HttpResponse:
    spec = TOOLS[tool]
    part_spec = spec.part(part)
    project = site_project(request, project_id)
    item = _item(spec, project, ids)
    obj = _part(part_spec, item, ids)
    direction = request.POST.get("direction", "")
    if part_spec.siblings is None or direction not in ("up", "down"):
        return _refused(request, spec, project, item, "Move a part up or down.", status=400)
    description = part_spec.describe(obj)
    services.part_move(
        item=item,
        part=obj,
        siblings=part_spec.siblings(obj),
        direction=direction,
        user=request.user,
        summary=f"Moved the {part_spec.noun} '{description}' {direction}",
    )
    return _after_change(
        request,
        spec,
        project,
        item,
        f"Moved the {part_spec.noun} '{description}' {direction}.",
        anchor=part_spec.slug,
    )


def _refused(
    request: SiteRequest,
    tool: ToolSpec,
    project: Project,
    item: AnalysisItem,
    message: str,
    status: int = 200,
) -> HttpResponse:
    if request.htmx and status == 200:
        return _render_detail(request, tool, project, item, status_message=message)
    if status != 200:
        return HttpResponse(message, status=status, content_type="text/plain")
    messages.error(request, message)
    return redirect(item)


# --- Tool-specific actions -------------------------------------------------------------------


@site_view(Capability.EDIT)
@require_POST
def cause_five_whys(
    request: SiteRequest, project_id: int, fishbone_id: int, cause_id: int
) -> HttpResponse:
    """Open a Five Whys chain with this fishbone cause as its problem."""
    spec = TOOLS["fishbone"]
    project = site_project(request, project_id)
    fishbone = _item(spec, project, {"fishbone_id": fishbone_id})
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
    spec = TOOLS["priority-matrix"]
    project = site_project(request, project_id)
    matrix = _item(spec, project, {"priority_matrix_id": priority_matrix_id})
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
        {
            "site": request.site,
            "project": project,
            "tool": spec,
            "item": matrix,
            "option": option,
            "form": form,
            "cancel": reverse(
                "toolkit:priority-matrix-detail",
                kwargs={
                    "site_code": project.site.code,
                    "project_id": project.pk,
                    "priority_matrix_id": matrix.pk,
                },
            ),
        },
    )
