"""Implementation stories (under a project) and the learning library (any signed-in user).

Stories share the improvement tools' list, create, edit, delete and history pages; the library
shows every site's shared learning, and a reader's own sites' learning, shared or not.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from projects.exports import table_response
from projects.http import AuthenticatedRequest, SiteRequest
from projects.permissions import Capability, login_view_required, site_view
from toolkit.improvement.views import Tool, _base, _item
from toolkit.models import Story

from . import forms, selectors, services

STORY = Tool(
    "story", "Implementation story", "Implementation stories", Story, forms.StoryForm,
    "story_id", "story", services.story_create, services.story_update, services.story_delete,
    "What happened when the site put THRIVE into practice, told for other sites. Mark good "
    "THRIVE-like practice to celebrate it, and share stories with the community of practice.",
)  # fmt: skip


def _story_context(request: SiteRequest, story: Story) -> dict[str, Any]:
    return _base(
        request,
        story.project,
        tool=STORY,
        item=story,
        story=story,
        principles=list(story.principles.all()),
    )


@site_view(Capability.VIEW)
@require_GET
def story_detail(request: SiteRequest, project_id: int, story_id: int) -> HttpResponse:
    story = _item(Story, request, project_id, story_id)
    return render(request, "toolkit/story_detail.html", _story_context(request, story))


@site_view(Capability.VIEW)
@require_GET
def story_print(request: SiteRequest, project_id: int, story_id: int) -> HttpResponse:
    story = _item(Story, request, project_id, story_id)
    return render(request, "toolkit/story_print.html", _story_context(request, story))


EXPORT_LIMIT = 10_000  # results in one download


@login_view_required
@require_GET
@vary_on_headers("HX-Request")
def library(request: AuthenticatedRequest) -> HttpResponse:
    """Finished PDSA cycles, reflections and stories: searchable and filterable. The reader's
    own sites' items, and what the programme's other sites shared, never anything else."""
    scope = selectors.library_scope(user=request.user)
    sites = selectors.library_sites(scope=scope)
    form = forms.LibraryFilterForm(
        request.GET or None, programme_ids=scope.programme_ids, sites=sites
    )
    filters = form.filters() if request.GET else {}
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        _page, entries = selectors.library_page(
            scope=scope, filters=filters, page_size=EXPORT_LIMIT
        )
        return table_response(
            fmt=fmt,
            name="learning library",
            header=["kind", "site", "project", "title", "outcome", "principles", "shared"],
            rows=(
                [
                    entry.kind_label,
                    entry.item.project.site.code,
                    entry.item.project.title,
                    entry.item.title,
                    entry.item.get_outcome_display() if entry.kind == "cycle" else "",
                    "; ".join(entry.principles),
                    entry.shared,
                ]
                for entry in entries
            ),
        )
    page, entries = selectors.library_page(
        scope=scope, filters=filters, page_number=request.GET.get("page", 1)
    )
    query = request.GET.copy()
    query.pop("page", None)
    template = "toolkit/library.html"
    if request.htmx:
        template += "#results"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "entries": entries,
            "query": query.urlencode(),
            "filtered": any(filters.values()),
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
            "has_programme": bool(scope.programme_ids),
        },
    )
