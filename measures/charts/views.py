"""Chart pages of a measure: the chart, its data download, notes, settings and comparisons.

Pages only read the ChartState the worker built (measures.charts.services.chart_rebuild); a
missing or stale state is shown as "Updating…" (polled with htmx) and a rebuild is enqueued."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from measures import selectors as measure_selectors
from measures.annotations import cycle_choices
from measures.ingest.groups import GROUPINGS
from measures.models import ChartAdjustment, ChartState, Frequency, Measure
from measures.selectors import measures_with_differing_definitions
from projects.exports import table_response
from projects.http import HttpRequest, ProgrammeRequest, SiteRequest
from projects.models import Site
from projects.permissions import (
    Capability,
    programme_view,
    public_view,
    site_ids_for,
    site_view,
)
from projects.services import shared_link_resolve

from . import equity, selectors, services, style
from .forms import AdjustmentForm, ChartSettingsForm, PointNoteForm, ShareForm

# A stale state whose rebuild was requested longer ago than this is enqueued again (a lost task).
REQUEUE_AFTER = dt.timedelta(minutes=2)
POLL_SECONDS = 3


def _measure(measure_code: str) -> Measure:
    return get_object_or_404(Measure, code=measure_code)


def _can_edit_settings(request: SiteRequest) -> bool:
    caps = request.site_caps
    return Capability.EDIT in caps or Capability.ADMIN in caps


def _can_note(request: SiteRequest) -> bool:
    caps = request.site_caps
    return bool({Capability.EDIT, Capability.UPLOAD, Capability.ADMIN} & caps)


def _crumbs(site: Site, measure: Measure | None = None) -> list[tuple[str, str]]:
    crumbs = [
        (site.name, site.get_absolute_url()),
        ("Data", reverse("measures:site-data", kwargs={"site_code": site.code})),
    ]
    if measure is not None:
        crumbs.append((measure.name, _chart_url(site, measure)))
    return crumbs


def _chart_url(site: Site, measure: Measure) -> str:
    return reverse("measures:chart", kwargs={"site_code": site.code, "measure_code": measure.code})


def _ensure_fresh(state: ChartState | None, site: Site, measure: Measure) -> bool:
    """Enqueue a rebuild when the state is missing, or stale for too long. True if updating."""
    if state is not None and not state.is_stale:
        return False
    requested = state.requested_at if state is not None else None
    if state is None or requested is None or timezone.now() - requested > REQUEUE_AFTER:
        services.chart_rebuild_request(site_id=site.pk, measure_id=measure.pk)
    return True


def _number(cell: Any) -> float | None:
    return None if cell in ("", None) else cell


_NUMERIC = '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">'


def _figure(value: float | None) -> str:
    """A value as the table shows it: two decimals where it has any, none where it is whole."""
    if value is None:
        return ""
    rounded = round(float(value), 2)
    return f"{rounded:.0f}" if rounded == int(rounded) else f"{rounded:.2f}"


def _table_rows(table: list[dict[str, Any]]) -> SafeString:
    """The data table's rows, built in Python: a template loop over 260 rows of five filtered
    cells was most of the chart page's time (issue 16). Dates and numbers are formatted here;
    the signal's words and the note are escaped."""
    rows = []
    for row in table:
        words = f"{row['label']} ({row['note']})" if row["note"] else row["label"]
        rows.append(
            '<tr class="nhsuk-table__row"><td class="nhsuk-table__cell thrive-nowrap">'
            f"{row['week'].day} {row['week']:%b %Y}</td>"
            f"{_NUMERIC}{_figure(row['value'])}</td>{_NUMERIC}{_figure(row['centre'])}</td>"
            f"{_NUMERIC}{_figure(row['lower'])}</td>{_NUMERIC}{_figure(row['upper'])}</td>"
            f'<td class="nhsuk-table__cell">{escape(words)}</td></tr>'
        )
    return mark_safe("".join(rows))  # built above from escaped parts


def _table(state: ChartState) -> list[dict[str, Any]]:
    labels = state.labels or []
    return [
        {
            "week": dt.date.fromisoformat(row["week"]),
            "value": _number(row.get("value")),
            "centre": _number(row.get("centre")),
            "lower": _number(row.get("lower")),
            "upper": _number(row.get("upper")),
            "part": row.get("part"),
            "excluded": row.get("excluded") == "yes",
            "label": labels[i] if i < len(labels) else "",
            "note": row.get("note", ""),
        }
        for i, row in enumerate(selectors.chart_table(state))
    ]


def _annotations(state: ChartState | None) -> list[dict[str, Any]]:
    if state is None:
        return []
    return [
        {
            **a,
            "date": dt.date.fromisoformat(a["date"]),
            "end": dt.date.fromisoformat(a["end"]) if a.get("end") else None,
        }
        for a in state.summary.get("annotations", [])
    ]


def _rebase_offer(request: SiteRequest, state: ChartState | None) -> dict[str, Any] | None:
    """The chart's offer to recalculate its limits after a sustained shift that followed an
    adopted PDSA cycle, for those who may change its settings."""
    offer = state.summary.get("rebase_offer") if state is not None else None
    if not offer or not offer.get("cycle_id") or not _can_edit_settings(request):
        return None
    return {**offer, "period": dt.date.fromisoformat(offer["period"])}


def _frequency(request: HttpRequest) -> str:
    value = request.GET.get("frequency", Frequency.WEEKLY)
    return value if value in Frequency.values else Frequency.WEEKLY


@site_view(Capability.VIEW)
@require_GET
@vary_on_headers("HX-Request")
def chart_page(request: SiteRequest, measure_code: str) -> HttpResponse:
    site = request.site
    measure = _measure(measure_code)
    frequency = _frequency(request)
    state = selectors.chart_state(site=site, measure=measure, frequency=frequency)
    updating = _ensure_fresh(state, site, measure)
    context = {
        "site": site,
        "measure": measure,
        "state": state,
        "updating": updating,
        "poll_seconds": POLL_SECONDS,
        "frequency": frequency,
        "table_rows": _table_rows(_table(state)) if state else "",
        "annotations": _annotations(state),
        "can_note": _can_note(request),
        "can_edit": _can_edit_settings(request),
        "can_enter": Capability.ENTER_DATA in request.site_caps and not measure.is_ratio,
        "rebase_offer": _rebase_offer(request, state),
        "note_form": PointNoteForm(),
        "chart_url": _chart_url(site, measure),
        "site_crumbs": _crumbs(site),
    }
    if request.htmx:
        return render(request, "measures/chart_page.html#chart-body", context)
    return render(request, "measures/chart_page.html", context)


@site_view(Capability.VIEW)
@require_GET
def chart_download(request: SiteRequest, measure_code: str) -> HttpResponse:
    """The chart's data with the computed centre, limits and signals (CSV; ?format=xlsx)."""
    site = request.site
    measure = _measure(measure_code)
    frequency = _frequency(request)
    state = get_object_or_404(ChartState, site=site, measure=measure, frequency=frequency)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    header = selectors.chart_columns(state)
    if frequency == Frequency.MONTHLY:
        header[0] = "month"
    return table_response(
        fmt=fmt, name=f"{site.code}-{measure.code}-{frequency}", header=header, rows=state.rows
    )


@site_view(Capability.VIEW)
@require_POST
def note_create(request: SiteRequest, measure_code: str) -> HttpResponse:
    site = request.site
    if not _can_note(request):
        raise PermissionDenied("Your role on this site cannot add notes.")
    measure = _measure(measure_code)
    form = PointNoteForm(request.POST)
    if form.is_valid():
        try:
            services.point_note_add(
                site=site, measure=measure, user=request.user, **form.cleaned_data
            )
        except ValidationError as err:
            form.add_error(None, err)
        else:
            messages.success(request, "Note added. The chart shows it once it has been redrawn.")
            return redirect(_chart_url(site, measure) + "#notes")
    state = selectors.chart_state(site=site, measure=measure)
    return render(
        request,
        "measures/chart_page.html",
        {
            "site": site,
            "measure": measure,
            "state": state,
            "updating": state is None or state.is_stale,
            "poll_seconds": POLL_SECONDS,
            "frequency": Frequency.WEEKLY,
            "table_rows": _table_rows(_table(state)) if state else "",
            "annotations": _annotations(state),
            "can_note": True,
            "can_edit": _can_edit_settings(request),
            "note_form": form,
            "chart_url": _chart_url(site, measure),
            "site_crumbs": _crumbs(site),
        },
        status=400,
    )


def _settings_context(
    request: HttpRequest, site: Site, measure: Measure, **forms: Any
) -> dict[str, Any]:
    current = selectors.chart_settings(site=site, measure=measure)
    cycles = cycle_choices(site=site, measure=measure)
    shared = selectors.is_shared(site=site, measure=measure)
    return {
        "site": site,
        "measure": measure,
        "current": current,
        "settings_form": forms.get("settings_form")
        or ChartSettingsForm(initial=ChartSettingsForm.initial_for(current)),
        "adjustment_form": forms.get("adjustment_form") or AdjustmentForm(cycles=cycles),
        "share_form": ShareForm(initial={"shared": shared}),
        "shared": shared,
        "adjustments": selectors.chart_adjustments(site=site, measure=measure),
        "history": selectors.chart_history(site=site, measure=measure),
        "defaults": {
            "chart_type": measure.get_chart_type_display(),
            "rules": measure.get_rules_display(),
            "improvement": measure.get_improvement_display(),
            "screen_outliers": "Yes" if measure.screen_outliers else "No",
        },
        "chart_url": _chart_url(site, measure),
        "site_crumbs": _crumbs(site, measure),
    }


def _settings_guard(request: SiteRequest) -> None:
    if not _can_edit_settings(request):
        raise PermissionDenied("Only project managers and programme leads change chart settings.")


@site_view(Capability.VIEW)
@require_http_methods(["GET", "POST"])
def chart_settings(request: SiteRequest, measure_code: str) -> HttpResponse:
    site = request.site
    _settings_guard(request)
    measure = _measure(measure_code)
    if request.method == "POST":
        form = ChartSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.chart_settings_update(
                    site=site,
                    measure=measure,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    **form.settings(),
                )
            except ValidationError as err:
                form.add_error(None, err)
            else:
                messages.success(request, "Chart settings saved; the chart is being redrawn.")
                return redirect("measures:chart-settings", site.code, measure.code)
        context = _settings_context(request, site, measure, settings_form=form)
        return render(request, "measures/chart_settings.html", context, status=400)
    return render(
        request, "measures/chart_settings.html", _settings_context(request, site, measure)
    )


@site_view(Capability.VIEW)
@require_POST
def adjustment_create(request: SiteRequest, measure_code: str) -> HttpResponse:
    site = request.site
    _settings_guard(request)
    measure = _measure(measure_code)
    form = AdjustmentForm(request.POST, cycles=cycle_choices(site=site, measure=measure))
    if form.is_valid():
        try:
            services.chart_adjustment_add(
                site=site, measure=measure, user=request.user, **form.cleaned_data
            )
        except ValidationError as err:
            form.add_error(None, err)
        else:
            messages.success(request, "Saved; the chart is being redrawn.")
            if request.POST.get("return_to") == "chart":
                return redirect(_chart_url(site, measure))
            return redirect("measures:chart-settings", site.code, measure.code)
    context = _settings_context(request, site, measure, adjustment_form=form)
    return render(request, "measures/chart_settings.html", context, status=400)


@site_view(Capability.VIEW)
@require_POST
def adjustment_remove(request: SiteRequest, measure_code: str, adjustment_id: int) -> HttpResponse:
    site = request.site
    _settings_guard(request)
    measure = _measure(measure_code)
    adjustment = get_object_or_404(ChartAdjustment, pk=adjustment_id, site=site, measure=measure)
    services.chart_adjustment_remove(adjustment=adjustment, user=request.user)
    messages.success(request, "Removed; the chart is being redrawn.")
    return redirect("measures:chart-settings", site.code, measure.code)


@site_view(Capability.VIEW)
@require_POST
def share_set(request: SiteRequest, measure_code: str) -> HttpResponse:
    site = request.site
    _settings_guard(request)
    measure = _measure(measure_code)
    form = ShareForm(request.POST)
    form.is_valid()
    shared = services.measure_share_set(
        site=site, measure=measure, user=request.user, shared=form.cleaned_data.get("shared", False)
    )
    messages.success(
        request,
        "Other sites of the programme can now see this chart."
        if shared
        else "This chart is now seen only by your site and the programme leads.",
    )
    return redirect("measures:chart-settings", site.code, measure.code)


def _small_multiples(
    request: HttpRequest, measure: Measure, sites: list[Site], **extra: Any
) -> HttpResponse:
    states = selectors.chart_states(
        site_ids=[s.pk for s in sites], measure_ids=[measure.pk], with_figures=True
    )
    differ = measure.pk in measures_with_differing_definitions(sites=sites)
    panels = [
        {"site": s, "state": states.get((s.pk, measure.pk)), "id": f"chart-{s.code.lower()}"}
        for s in sites
    ]
    return render(
        request,
        "measures/chart_compare.html",
        {"measure": measure, "panels": panels, "differ": differ, "legend": style.legend(), **extra},
    )


@site_view(Capability.VIEW)
@require_GET
def chart_compare(request: SiteRequest, measure_code: str) -> HttpResponse:
    """The site's chart beside those of the programme's other sites: a site's chart is shown
    to another site only once shared (programme leads, who may view every site, see all)."""
    site = request.site
    measure = _measure(measure_code)
    others = Site.objects.filter(programme_id=site.programme_id).exclude(pk=site.pk)
    visible = set(site_ids_for(request.user))
    shared = selectors.shared_site_ids(
        measure=measure, site_ids=others.values_list("pk", flat=True)
    )
    sites = [site] + [s for s in others.order_by("code") if s.pk in visible or s.pk in shared]
    return _small_multiples(
        request,
        measure,
        sites,
        site=site,
        site_crumbs=_crumbs(site, measure),
        hidden=(others.count() - (len(sites) - 1)),
    )


@programme_view
@require_GET
def programme_chart_compare(request: ProgrammeRequest, measure_code: str) -> HttpResponse:
    """Programme leads: the measure at every site of their programmes, each with its limits."""
    measure = _measure(measure_code)
    sites = list(
        Site.objects.filter(programme__in=request.programmes).order_by("programme_id", "code")
    )
    return _small_multiples(request, measure, sites, site=None, hidden=0)


def _equity_request(
    request: SiteRequest, measure_code: str
) -> tuple[Site, Measure, str, int | None]:
    """The site, measure and grouping (?by=, deprivation by default) an equity page asks for,
    and the count below which its reader sees "fewer than N" (None: every figure)."""
    by = request.GET.get("by") or "imd_quintile"
    if by not in GROUPINGS:
        by = "imd_quintile"
    may_see = Capability.SEE_SMALL_COUNTS in request.site_caps
    hide_below = None if may_see else request.site.programme.small_count_threshold
    return request.site, _measure(measure_code), by, hide_below


@site_view(Capability.VIEW)
@require_GET
def chart_equity(request: SiteRequest, measure_code: str) -> HttpResponse:
    """The measure per group (ethnic group, deprivation, ...) and the gap between two groups
    on an SPC chart. Small numbers are hidden from readers who may not see them."""
    site, measure, by, hide_below = _equity_request(request, measure_code)
    threshold = site.programme.small_count_threshold
    view = equity.equity_view(
        site=site, measure=measure, by=by, group=request.GET.get("group"), threshold=hide_below
    )
    return render(
        request,
        "measures/chart_equity.html",
        {
            "site": site,
            "measure": measure,
            "view": view,
            "groupings": [(g.by, g.title) for g in GROUPINGS.values()],
            "threshold": threshold,
            "hides_small": hide_below is not None,
            "is_lead": Capability.ADMIN in request.site_caps,
            "legend": style.legend(),
            "site_crumbs": _crumbs(site, measure),
        },
    )


@site_view(Capability.VIEW)
@require_GET
def chart_equity_download(request: SiteRequest, measure_code: str) -> HttpResponse:
    """The figures per group (CSV; ?format=xlsx), hidden as "fewer than N" where the reader
    may not see small numbers, as on the page and in the API."""
    site, measure, by, hide_below = _equity_request(request, measure_code)
    rows = _equity_rows(site, measure, by, hide_below)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return table_response(
        fmt=fmt,
        name=f"{site.code}-{measure.code}-by-{by}",
        header=["week", by, measure.code],
        rows=rows,
    )


def _equity_rows(
    site: Site, measure: Measure, by: str, hide_below: int | None
) -> list[tuple[Any, str, Any]]:
    """(week, group, figure) rows of a download, "fewer than N" where the reader may not see
    the figure."""
    groups = measure_selectors.grouped_series(
        site=site, measure=measure, by=by, threshold=hide_below
    )
    return [
        (
            point.period,
            group,
            point.value if point.fewer_than is None else f"fewer than {point.fewer_than}",
        )
        for group, points in groups.items()
        for point in points
    ]


@programme_view
@require_GET
def programme_equity_compare(request: ProgrammeRequest, measure_code: str) -> HttpResponse:
    """Programme leads: one gap between groups (e.g. waits of the most against the least
    deprived) at every site of their programmes that sends figures by group."""
    measure = _measure(measure_code)
    by = request.GET.get("by") or "imd_quintile"
    if by not in GROUPINGS:
        by = "imd_quintile"
    sites = Site.objects.filter(programme__in=request.programmes).order_by("programme_id", "code")
    panels = []
    for site in sites:
        view = equity.equity_view(
            site=site,
            measure=measure,
            by=by,
            group=request.GET.get("group"),
            with_figures=False,
            with_gap_figure=True,
        )
        if view.groups:
            panels.append({"site": site, "view": view, "id": f"gap-{site.code.lower()}"})
    return render(
        request,
        "measures/programme_equity.html",
        {
            "measure": measure,
            "by": by,
            "title": GROUPINGS[by].title,
            "groupings": [(g.by, g.title) for g in GROUPINGS.values()],
            "panels": panels,
            "legend": style.legend(),
        },
    )


def _shared_site(token: str) -> Site:
    """The site of a live shared link to a site's dashboard; 404 for any other token (a
    programme's link shows the programme board only)."""
    link = shared_link_resolve(token=token)
    if link is None or link.site is None:
        raise Http404("This link does not work.")
    return link.site


def _shared_response(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _equity_by(request: HttpRequest) -> str:
    by = request.GET.get("by") or "imd_quintile"
    return by if by in GROUPINGS else "imd_quintile"


@public_view
@require_GET
def shared_equity(request: HttpRequest, token: str, measure_code: str) -> HttpResponse:
    """The equity view opened from a site's shared dashboard link: read-only, small numbers
    always shown as "fewer than N" (the programme's threshold), as for stakeholders."""
    site = _shared_site(token)
    measure = _measure(measure_code)
    by = _equity_by(request)
    threshold = site.programme.small_count_threshold
    view = equity.equity_view(
        site=site,
        measure=measure,
        by=by,
        group=request.GET.get("group"),
        threshold=threshold,
        shared=True,
    )
    return _shared_response(
        render(
            request,
            "measures/chart_equity.html",
            {
                "site": site,
                "measure": measure,
                "view": view,
                "groupings": [(g.by, g.title) for g in GROUPINGS.values()],
                "threshold": threshold,
                "hides_small": True,
                "legend": style.legend(),
                "shared_token": token,
                "site_crumbs": [
                    (f"{site.name} (shared)", reverse("shared-dashboard", args=[token]))
                ],
            },
        )
    )


@public_view
@require_GET
def shared_equity_download(request: HttpRequest, token: str, measure_code: str) -> HttpResponse:
    """The figures per group behind the shared equity view (CSV), small numbers as on it."""
    site = _shared_site(token)
    measure = _measure(measure_code)
    by = _equity_by(request)
    rows = _equity_rows(site, measure, by, site.programme.small_count_threshold)
    name = f"{site.code}-{measure.code}-by-{by}"
    header = ["week", by, measure.code]
    return _shared_response(table_response(fmt="csv", name=name, header=header, rows=rows))
