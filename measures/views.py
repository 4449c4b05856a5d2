"""Pages for measures, the data dictionary, a site's data and its uploads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from projects.exports import table_response
from projects.http import AuthenticatedRequest, HttpRequest, ProgrammeRequest, SiteRequest
from projects.models import Site
from projects.permissions import (
    Capability,
    is_programme_lead,
    login_view_required,
    programme_view,
    site_view,
    visible_sites,
)

from . import entry, selectors, services
from .forms import LocalDefinitionForm, MappingForm, MeasureForm, UploadForm, WeekValuesForm
from .models import LocalDefinition, Measure, Upload


def _crumbs(site: Site, *, data: bool = True) -> list[tuple[str, str]]:
    crumbs = [(site.name, site.get_absolute_url())]
    if data:
        crumbs.append(("Data", reverse("measures:site-data", kwargs={"site_code": site.code})))
    return crumbs


@login_view_required
@require_GET
def measure_list(request: AuthenticatedRequest) -> HttpResponse:
    """The standard measures, and how each site the reader can see defines them."""
    sites = list(visible_sites(request.user).order_by("code"))
    differ = selectors.measures_with_differing_definitions(sites=sites)
    definitions: dict[int, dict[int, LocalDefinition]] = {}
    for d in LocalDefinition.objects.filter(site__in=sites):
        definitions.setdefault(d.measure_id, {})[d.site_id] = d
    rows = [
        {
            "measure": m,
            "differ": m.pk in differ,
            "definitions": [(s, definitions.get(m.pk, {}).get(s.pk)) for s in sites],
        }
        for m in selectors.measure_list()
    ]
    return render(
        request,
        "measures/measure_list.html",
        {"rows": rows, "sites": sites, "can_admin": is_programme_lead(request.user)},
    )


@programme_view
@require_http_methods(["GET", "POST"])
def measure_edit(request: ProgrammeRequest, measure_id: int) -> HttpResponse:
    measure = get_object_or_404(Measure, pk=measure_id)
    form = MeasureForm(request.POST or None, instance=measure)
    if request.method == "POST" and form.is_valid():
        services.measure_update(measure=measure, **form.cleaned_data)
        messages.success(request, f"Measure '{measure.name}' saved.")
        return redirect("measures:measure-list")
    return render(request, "measures/measure_form.html", {"form": form, "measure": measure})


@site_view(Capability.VIEW)
@require_GET
def site_data(request: SiteRequest) -> HttpResponse:
    site = request.site
    caps = request.site_caps
    return render(
        request,
        "measures/site_data.html",
        {
            "site": site,
            "freshness": selectors.site_freshness(site=site, today=timezone.localdate()),
            "latest": selectors.site_latest_values(site=site),
            "uploads": selectors.site_uploads(site=site),
            "can_upload": Capability.UPLOAD in caps,
            "can_enter": Capability.ENTER_DATA in caps,
            "site_crumbs": _crumbs(site, data=False),
        },
    )


EXPORT_FORMATS = ("csv", "xlsx")


@site_view(Capability.VIEW)
@require_GET
def site_data_export(request: SiteRequest, fmt: str) -> HttpResponse:
    """Every figure the site holds, as CSV or .xlsx (formula-safe cells)."""
    site = request.site
    if fmt not in EXPORT_FORMATS:
        raise Http404("Choose csv or xlsx.")
    return table_response(
        fmt=fmt,
        name=f"{site.code} data",
        header=selectors.SITE_EXPORT_HEADER,
        rows=selectors.site_export_rows(site=site),
    )


@site_view(Capability.UPLOAD)
@require_http_methods(["GET", "POST"])
def upload_create(request: SiteRequest) -> HttpResponse:
    site = request.site
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = services.upload_create(
            user=request.user, site=site, file=form.cleaned_data["file"], source=Upload.Source.WEB
        )
        return redirect(upload)
    return render(
        request,
        "measures/upload_form.html",
        {
            "site": site,
            "form": form,
            "uploads": selectors.site_uploads(site=site, limit=5),
            "freshness": selectors.site_freshness(site=site, today=timezone.localdate()),
            "max_mb": services.upload_max_bytes() // 1_048_576,
            "site_crumbs": _crumbs(site),
        },
    )


def _site_upload(request: SiteRequest, upload_id: int) -> Upload:
    return get_object_or_404(
        Upload.objects.select_related("site", "uploaded_by"),
        pk=upload_id,
        site=request.site,
    )


@site_view(Capability.VIEW)
@require_GET
@vary_on_headers("HX-Request")
def upload_detail(request: SiteRequest, upload_id: int) -> HttpResponse:
    """The upload's progress, then its report. htmx polls the status fragment until done."""
    upload = _site_upload(request, upload_id)
    caps = request.site_caps
    can_upload = Capability.UPLOAD in caps
    form = None
    if upload.status == Upload.Status.NEEDS_MAPPING and can_upload:
        form = MappingForm(unmapped=upload.report.get("unmapped", []))
    template = "measures/upload_detail.html"
    if request.htmx:
        template += "#upload-status"
    site = request.site
    return render(
        request,
        template,
        {
            "site": site,
            "upload": upload,
            "report": selectors.upload_report(upload=upload, user=request.user),
            "form": form,
            "can_upload": can_upload,
            "can_undo": services.undo_capability(upload) in caps,
            "can_decide": upload.status == Upload.Status.NEEDS_CONFIRMATION
            and services.upload_may_decide(upload=upload, user=request.user),
            "site_crumbs": _crumbs(site),
        },
    )


def _decide(request: SiteRequest, upload_id: int, decide: Any, done: str) -> HttpResponse:
    """Confirm or cancel an upload waiting at its preview (the service checks who may)."""
    upload = _site_upload(request, upload_id)
    try:
        decide(upload=upload, user=request.user)
    except services.DecisionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done)
    return redirect(upload)


@site_view(Capability.VIEW)
@require_POST
def upload_confirm(request: SiteRequest, upload_id: int) -> HttpResponse:
    return _decide(
        request,
        upload_id,
        services.upload_confirm,
        "Confirmed: the file is being read again and stored.",
    )


@site_view(Capability.VIEW)
@require_POST
def upload_cancel(request: SiteRequest, upload_id: int) -> HttpResponse:
    return _decide(
        request, upload_id, services.upload_cancel, "Cancelled: nothing from this file was stored."
    )


@site_view(Capability.UPLOAD)
@require_POST
def upload_mapping(request: SiteRequest, upload_id: int) -> HttpResponse:
    upload = _site_upload(request, upload_id)
    if upload.status != Upload.Status.NEEDS_MAPPING:
        messages.info(request, "This upload is not waiting for its columns to be mapped.")
        return redirect(upload)
    form = MappingForm(request.POST, unmapped=upload.report.get("unmapped", []))
    if not form.is_valid():
        return render(
            request,
            "measures/upload_detail.html",
            {
                "site": request.site,
                "upload": upload,
                "report": selectors.upload_report(upload=upload, user=request.user),
                "form": form,
                "can_upload": True,
                "site_crumbs": _crumbs(request.site),
            },
            status=400,
        )
    services.column_mappings_save(upload=upload, user=request.user, choices=form.choices())
    messages.success(request, "Columns remembered for next time. Reading the file again.")
    return redirect(upload)


@site_view(Capability.VIEW)
@require_POST
def upload_undo(request: SiteRequest, upload_id: int) -> HttpResponse:
    upload = _site_upload(request, upload_id)
    if services.undo_capability(upload) not in request.site_caps:
        raise PermissionDenied("Your role does not allow undoing this upload.")
    try:
        affected = services.upload_undo(upload=upload, user=request.user)
    except services.UndoRefused as refused:
        messages.error(request, str(refused))
    except PermissionDenied as denied:
        messages.error(request, str(denied))
    else:
        messages.success(
            request, f"Upload undone: {affected:,} values put back to what they were before."
        )
    return redirect(upload)


@site_view(Capability.VIEW)
@require_GET
def definition_list(request: SiteRequest) -> HttpResponse:
    site = request.site
    rows = selectors.site_definitions(site=site)
    fmt = request.GET.get("format")
    if fmt in EXPORT_FORMATS:
        return table_response(
            fmt=fmt,
            name=f"{site.code} data dictionary",
            header=[
                "measure",
                "standard name",
                "standard definition",
                "local term",
                "local definition",
                "source system",
                "caveats",
                "date agreed",
            ],
            rows=(
                [
                    measure.code,
                    measure.name,
                    measure.description,
                    d.local_term if d else "",
                    d.definition if d else "",
                    d.source_system if d else "",
                    d.caveats if d else "",
                    d.date_agreed if d else None,
                ]
                for measure, d in rows
            ),
        )
    return render(
        request,
        "measures/localdefinition_list.html",
        {
            "site": site,
            "rows": rows,
            "can_edit": Capability.UPLOAD in request.site_caps,
            "site_crumbs": _crumbs(site),
        },
    )


@site_view(Capability.UPLOAD)
@require_http_methods(["GET", "POST"])
def definition_edit(request: SiteRequest, measure_code: str) -> HttpResponse:
    site = request.site
    measure = get_object_or_404(Measure, code=measure_code)
    instance = LocalDefinition.objects.filter(site=site, measure=measure).first()
    form = LocalDefinitionForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.local_definition_save(site=site, measure=measure, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Definition of '{measure.name}' saved.")
            return redirect("measures:definition-list", site_code=site.code)
    return render(
        request,
        "measures/localdefinition_form.html",
        {"site": site, "measure": measure, "form": form, "site_crumbs": _crumbs(site)},
    )


WEEKS_SHOWN = 8


@site_view(Capability.ENTER_DATA)
@require_GET
def entry_index(request: SiteRequest) -> HttpResponse:
    """The measures a person can type in, with the latest week each holds."""
    site = request.site
    return render(
        request,
        "measures/entry_index.html",
        {
            "site": site,
            "rows": selectors.entry_rows(site=site, measures=entry.entry_measures()),
            "last_complete_week": entry.monday(timezone.localdate()) - dt.timedelta(weeks=1),
            "site_crumbs": _crumbs(site),
        },
    )


def _weeks_to(request: HttpRequest, this_week: dt.date) -> dt.date:
    """The newest week shown: ?to=YYYY-MM-DD (any day of it), never after this week."""
    try:
        to = dt.date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        return this_week
    return min(entry.monday(to), this_week)


@site_view(Capability.ENTER_DATA)
@require_http_methods(["GET", "POST"])
def entry_weeks(request: SiteRequest, measure_code: str) -> HttpResponse:
    """A box per week for one measure: this week and the seven before, or earlier ones."""
    site = request.site
    measure = get_object_or_404(entry.entry_measures(), code=measure_code)
    this_week = entry.monday(timezone.localdate())
    to = _weeks_to(request, this_week)
    weeks = [to - dt.timedelta(weeks=i) for i in range(WEEKS_SHOWN)]
    form = WeekValuesForm(request.POST or None, weeks=weeks)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = entry.values_enter(
                user=request.user, site=site, measure=measure, values=form.values()
            )
        except entry.EntryRefused as refused:
            form.add_problems(refused.problems)
            status = 400
        else:
            if result.upload is None:
                messages.info(request, "Nothing changed: those figures were already stored.")
            else:
                n = len(result.stored)
                messages.success(
                    request,
                    f"Saved {n} week{'s' if n != 1 else ''} of {measure.name.lower()}. "
                    "The chart is redrawn with them.",
                )
            return redirect(f"{request.path}?to={to.isoformat()}")
    elif request.method == "POST":
        status = 400
    current = entry.current_values(site=site, measure=measure, weeks=weeks)
    return render(
        request,
        "measures/entry_weeks.html",
        {
            "site": site,
            "measure": measure,
            "form": form,
            "rows": [
                (form[WeekValuesForm.field_name(week)], week, current.get(week)) for week in weeks
            ],
            "definition": LocalDefinition.objects.filter(site=site, measure=measure).first(),
            "earlier": weeks[-1] - dt.timedelta(weeks=1),
            "later": to + dt.timedelta(weeks=WEEKS_SHOWN) if to < this_week else None,
            "site_crumbs": [
                *_crumbs(site),
                ("Enter figures", reverse("measures:entry-index", kwargs={"site_code": site.code})),
            ],
        },
        status=status,
    )
