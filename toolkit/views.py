"""The pages every toolkit tool shares, generic over its spec (toolkit.tools): the toolkit page,
and each tool's list, new, detail, edit, delete, print and history pages and the add, edit,
remove and move actions of its parts.

The URL names the tool (`tool=`) and, for a part, which part (`part=`): see toolkit/urls.py.
Reads need VIEW on the site and every write EDIT; every object is fetched through a project of
`request.site`. Part actions are plain forms that htmx enhances: an htmx request gets the
changed fragment of the item's page back instead of a redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from projects.http import HttpRequest, SiteRequest
from projects.models import Project
from projects.permissions import Capability, site_view
from projects.view_helpers import add_service_errors, can_edit, site_project

from .history import item_versions
from .models import ToolkitItem
from .step_work import step_initial
from .tools import Part, Tool, tools


def shorten(text: object, limit: int = 80) -> str:
    return Truncator(" ".join(str(text).split())).chars(limit)


# Lookups the tools' own views share ----------------------------------------------------------


def item_or_404(tool: Tool, request: HttpRequest, project_id: int, pk: int) -> Any:
    """The tool's item `pk` of project `project_id`, if the project is of `request.site`."""
    return get_object_or_404(_items(tool, request, project_id), pk=pk)


def _items(tool: Tool, request: HttpRequest, project_id: int) -> Any:
    return tool.queryset(project_id=project_id, project__site=request.site)


def _part(part: Part, item: ToolkitItem, ids: dict[str, int]) -> Any:
    return get_object_or_404(part.model, pk=ids[part.kwarg], **{part.item_lookup: item})


def _part_target(
    request: SiteRequest, project_id: int, tool: str, part: str, ids: dict[str, int]
) -> tuple[Tool, Part, Any]:
    """The tool and part named by the URL, and the item, of a project of `request.site`."""
    spec = tools()[tool]
    return spec, spec.part(part), item_or_404(spec, request, project_id, ids[spec.kwarg])


def base_context(
    request: SiteRequest, tool: Tool, project: Project, **extra: Any
) -> dict[str, Any]:
    return {
        "site": project.site,
        "project": project,
        "tool": tool,
        "can_edit": can_edit(request),
        **extra,
    }


def detail_context(
    request: SiteRequest,
    tool: Tool,
    item: ToolkitItem,
    bound: dict[str, BaseForm] | None = None,
    status_message: str = "",
) -> dict[str, Any]:
    context = base_context(request, tool, item.project, item=item, status_message=status_message)
    context.update(tool.context(request, item, bound or {}))
    return context


def render_detail(
    request: SiteRequest,
    tool: Tool,
    item: ToolkitItem,
    *,
    bound: dict[str, BaseForm] | None = None,
    status_message: str = "",
    fragment: str = "",
) -> HttpResponse:
    """The item's page; for htmx, its `fragment` (by default the tool's)."""
    template = tool.detail_template
    fragment = fragment or tool.fragment
    if request.htmx and fragment:
        template += f"#{fragment}"
    return render(request, template, detail_context(request, tool, item, bound, status_message))


def after_change(
    request: SiteRequest, tool: Tool, item: ToolkitItem, message: str, *, part: Part | None = None
) -> HttpResponse:
    """htmx: the changed fragment of the item's page, read afresh; otherwise back to the page,
    at the part that changed, with the message."""
    if request.htmx:
        fresh = item_or_404(tool, request, item.project_id, item.pk)
        fragment = (part.fragment if part else "") or tool.fragment
        return render_detail(request, tool, fresh, status_message=message, fragment=fragment)
    messages.success(request, message)
    anchor = (part.anchor or part.slug) if part else ""
    return redirect(item.get_absolute_url() + (f"#{anchor}" if anchor else ""))


# The toolkit page ----------------------------------------------------------------------------


@site_view(Capability.VIEW)
@require_GET
def toolkit_index(request: SiteRequest, project_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    sections = [
        {"tool": tool, "items": list(tool.queryset(project=project).order_by("-updated_at"))}
        for tool in tools().values()
    ]
    return render(
        request,
        "toolkit/toolkit_index.html",
        {
            "site": request.site,
            "project": project,
            "sections": sections,
            "can_edit": can_edit(request),
        },
    )


@site_view(Capability.VIEW)
@require_GET
def moved(request: SiteRequest, project_id: int, slug: str, rest: str = "") -> HttpResponse:
    """Until December 2026 the improvement tools and stories were at `.../projects/<id>/<tool>/`:
    links to them (in sent emails, bookmarks) are sent on, for good."""
    project = site_project(request, project_id)
    url = reverse(tools()[slug].url("list"), args=[request.site.code, project.pk]) + rest
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


# Items ---------------------------------------------------------------------------------------


@site_view(Capability.VIEW)
@require_GET
def item_list(request: SiteRequest, project_id: int, *, tool: str) -> HttpResponse:
    spec = tools()[tool]
    project = site_project(request, project_id)
    items = spec.queryset(project=project).order_by("-updated_at")
    rows = [
        {"item": item, "tags": spec.list_tags(item) if spec.list_tags else []} for item in items
    ]
    return render(
        request, "toolkit/item_list.html", base_context(request, spec, project, rows=rows)
    )


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def item_create(request: SiteRequest, project_id: int, *, tool: str) -> HttpResponse:
    spec = tools()[tool]
    project = site_project(request, project_id)
    initial = (spec.create_initial or (lambda request, project: {}))(request, project)
    initial = {**step_initial(request, project), **initial}
    form = (spec.create_form or spec.form)(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = spec.create(project=project, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{spec.name} '{item.title}' created.")
            return redirect(item)
    return render(request, spec.form_template, base_context(request, spec, project, form=form))


@site_view(Capability.VIEW)
@require_GET
@vary_on_headers("HX-Request")
def item_detail(request: SiteRequest, project_id: int, *, tool: str, **ids: int) -> HttpResponse:
    spec = tools()[tool]
    return render_detail(request, spec, item_or_404(spec, request, project_id, ids[spec.kwarg]))


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def item_edit(request: SiteRequest, project_id: int, *, tool: str, **ids: int) -> HttpResponse:
    spec = tools()[tool]
    item = item_or_404(spec, request, project_id, ids[spec.kwarg])
    form = spec.form(request.POST or None, instance=item, project=item.project)
    if request.method == "POST" and form.is_valid():
        # The form has written its values onto `item`; the service gets the stored row.
        stored = item_or_404(spec, request, project_id, item.pk)
        try:
            spec.update(item=stored, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{spec.name} saved.")
            return redirect(stored)
    return render(
        request, spec.form_template, base_context(request, spec, item.project, form=form, item=item)
    )


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def item_delete(request: SiteRequest, project_id: int, *, tool: str, **ids: int) -> HttpResponse:
    spec = tools()[tool]
    item = item_or_404(spec, request, project_id, ids[spec.kwarg])
    if request.method == "POST":
        title = item.title
        spec.delete(item=item, user=request.user)
        messages.success(request, f"{spec.name} '{title}' deleted.")
        return redirect(spec.url("list"), site_code=request.site.code, project_id=project_id)
    return render(
        request, "toolkit/item_delete.html", base_context(request, spec, item.project, item=item)
    )


@site_view(Capability.VIEW)
@require_GET
def item_print(request: SiteRequest, project_id: int, *, tool: str, **ids: int) -> HttpResponse:
    spec = tools()[tool]
    item = item_or_404(spec, request, project_id, ids[spec.kwarg])
    return render(request, spec.print_template, detail_context(request, spec, item))


@site_view(Capability.VIEW)
@require_GET
def item_history(request: SiteRequest, project_id: int, *, tool: str, **ids: int) -> HttpResponse:
    """Every stored version, newest first; `?version=N` shows version N (the latest if none)
    as its picture, for a tool that draws one, or as its saved state."""
    spec = tools()[tool]
    item = item_or_404(spec, request, project_id, ids[spec.kwarg])
    versions = list(item_versions(item=item))
    number = request.GET.get("version", "")
    chosen = next(
        (v for v in versions if str(v.number) == number), versions[0] if versions else None
    )
    figure = (
        spec.figure(chosen.snapshot, f"version-{chosen.number}") if chosen and spec.figure else None
    )
    return render(
        request,
        "toolkit/item_history.html",
        base_context(
            request, spec, item.project, item=item, versions=versions, chosen=chosen, figure=figure
        ),
    )


# Parts ---------------------------------------------------------------------------------------


@site_view(Capability.EDIT)
@require_POST
def part_add(
    request: SiteRequest, project_id: int, *, tool: str, part: str, **ids: int
) -> HttpResponse:
    spec, part_spec, item = _part_target(request, project_id, tool, part, ids)
    form = part_spec.form(request.POST, item=item)
    if form.is_valid():
        try:
            created = part_spec.add(item=item, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            noun = part_spec.noun_for(created)
            message = f"Added the {noun.lower()} '{shorten(part_spec.describe(created))}'."
            return after_change(request, spec, item, message, part=part_spec)
    return render_detail(
        request, spec, item, bound={part_spec.slug: form}, fragment=part_spec.fragment
    )


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def part_edit(
    request: SiteRequest, project_id: int, *, tool: str, part: str, **ids: int
) -> HttpResponse:
    spec, part_spec, item = _part_target(request, project_id, tool, part, ids)
    obj = _part(part_spec, item, ids)
    if part_spec.update is None:
        return HttpResponseBadRequest(f"A {part_spec.noun} is removed and added, not edited.")
    form = part_spec.get_edit_form()(request.POST or None, item=item, instance=obj)
    noun = part_spec.noun_for(obj)
    if request.method == "POST" and form.is_valid():
        try:
            # The form may have written its values onto `obj`; the service gets the stored row.
            part_spec.update(
                item=item, part=_part(part_spec, item, ids), user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved the {noun.lower()}.")
            return redirect(item.get_absolute_url() + f"#{part_spec.anchor or part_spec.slug}")
    return render(
        request,
        "toolkit/part_form.html",
        base_context(request, spec, item.project, item=item, part=part_spec, noun=noun, form=form),
    )


@site_view(Capability.EDIT)
@require_POST
def part_delete(
    request: SiteRequest, project_id: int, *, tool: str, part: str, **ids: int
) -> HttpResponse:
    spec, part_spec, item = _part_target(request, project_id, tool, part, ids)
    obj = _part(part_spec, item, ids)
    message = f"Removed the {part_spec.noun_for(obj).lower()} '{shorten(part_spec.describe(obj))}'."
    try:
        part_spec.delete(item=item, part=obj, user=request.user)
    except ValidationError as error:
        refusal = " ".join(error.messages)
        if request.htmx:
            return render_detail(
                request, spec, item, status_message=refusal, fragment=part_spec.fragment
            )
        messages.error(request, refusal)
        return redirect(item)
    return after_change(request, spec, item, message, part=part_spec)


@site_view(Capability.EDIT)
@require_POST
def part_move(
    request: SiteRequest, project_id: int, *, tool: str, part: str, **ids: int
) -> HttpResponse:
    spec, part_spec, item = _part_target(request, project_id, tool, part, ids)
    obj = _part(part_spec, item, ids)
    direction = request.POST.get("direction", "")
    if part_spec.move is None or direction not in ("up", "down"):
        return HttpResponseBadRequest("Move up or down.")
    part_spec.move(item=item, part=obj, user=request.user, direction=direction)
    noun = part_spec.noun_for(obj).lower()
    message = f"Moved the {noun} '{shorten(part_spec.describe(obj))}' {direction}."
    return after_change(request, spec, item, message, part=part_spec)
