"""The learning library (any signed-in user): every site's shared learning, and a reader's own
sites' learning, shared or not. (Stories' pages are toolkit.views'.)"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from projects.exports import table_response
from projects.http import AuthenticatedRequest
from projects.permissions import login_view_required

from . import forms, selectors

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
