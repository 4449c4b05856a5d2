"""JSON API for automated weekly pushes: the same services and role checks as the pages.

Authentication is a Bearer token (projects.middleware.ApiTokenMiddleware) or the session (then
POSTs need the CSRF token as usual). `api_view` turns the permission layer's redirects and
exceptions into JSON 401/403/404, so scripts never receive a login page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.http import Http404, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from projects.http import AuthenticatedRequest, HttpRequest, SiteRequest
from projects.permissions import (
    Capability,
    get_site_or_404,
    login_view_required,
    public_view,
    site_view,
    visible_sites,
)

from . import entry, selectors, services
from .ingest.groups import GROUPINGS
from .models import Measure, Upload
from .openapi import openapi_document


def _error(status: int, detail: str, **extra: Any) -> JsonResponse:
    response = JsonResponse({"detail": detail, **extra}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="thrive"'
    return response


def api_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """JSON errors for an API view wrapped in one of the projects.permissions decorators."""

    @wraps(view)  # keeps the permission mark the inner decorator set
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return _error(404, "Not found.")
        except PermissionDenied as denied:
            return _error(403, str(denied) or "Your role does not allow this.")
        except RequestDataTooBig:
            return _error(413, "The request is larger than this server accepts.")
        except (BadRequest, MultiPartParserError, SuspiciousOperation) as bad:
            # Django would answer these with the HTML 400 page; a script needs JSON.
            return _error(400, f"The request could not be read: {bad}")
        if response.status_code == 302 and not request.user.is_authenticated:
            return _error(401, "Authentication required: send 'Authorization: Bearer <token>'.")
        if response.status_code == 405:
            return _error(405, "Method not allowed.", allow=response.get("Allow", ""))
        return response

    return wrapper


def upload_json(upload: Upload, request: HttpRequest) -> dict[str, Any]:
    """The upload as the requesting user may see it: other sites' rows are left out and
    counted under `withheld` (see selectors.upload_report)."""
    report = selectors.upload_report(upload=upload, user=request.user)
    return {
        "id": upload.pk,
        "url": request.build_absolute_uri(reverse("measures-api:upload", args=[upload.pk])),
        "page": request.build_absolute_uri(upload.get_absolute_url()) if upload.site else None,
        "site": upload.site.code if upload.site else None,
        "file": upload.original_name,
        "sha256": upload.sha256,
        "source": upload.source,
        "status": upload.status,
        "progress": upload.progress,
        "notice": (
            "Received; it will be read as soon as the worker queue is back."
            if upload.is_waiting_for_queue
            else None
        ),
        "layout": upload.layout or None,
        "frequency": upload.frequency or None,
        "counts": upload.counts if report.whole_file else {"values": report.values_shown},
        "problems": [p["message"] for p in report.problems],
        "problem_details": report.problems,
        "read_by_site": report.per_site,
        "changes": report.changes,
        "withheld": {
            "sites": report.withheld_sites,
            "values": report.withheld_values,
            "changes": report.withheld_changes,
            "problems": report.withheld_problems,
        },
        "preview": report.preview,
        "confirm_url": (
            request.build_absolute_uri(reverse("measures-api:upload-confirm", args=[upload.pk]))
            if upload.status == Upload.Status.NEEDS_CONFIRMATION
            else None
        ),
        "unmapped": [u["label"] for u in upload.report.get("unmapped", [])],
        "nothing_new": upload.report.get("nothing_new"),
        "created_at": upload.created_at.isoformat(),
        "finished_at": upload.finished_at.isoformat() if upload.finished_at else None,
        "undone_at": upload.undone_at.isoformat() if upload.undone_at else None,
    }


@api_view
@login_view_required
@require_POST
def upload_create(request: AuthenticatedRequest) -> HttpResponse:
    file = request.FILES.get("file")
    code = (request.POST.get("site") or "").strip().upper()
    if not code:
        return _error(400, "Send the site code in the 'site' field.")
    site = get_site_or_404(request.user, code, Capability.UPLOAD)
    if file is None:
        return _error(400, "Send the extract in the 'file' field (multipart/form-data).")
    replace = (request.POST.get("replace") or "").strip().lower()
    if replace not in ("", "true", "false", "1", "0"):
        return _error(400, "Send 'replace' as true or false.")
    try:
        upload = services.upload_create(
            user=request.user,
            site=site,
            file=file,
            source=Upload.Source.API,
            replace=replace in ("true", "1"),
        )
    except ValidationError as error:
        status = 413 if error.code == "too_large" else 400
        return _error(status, " ".join(error.messages))
    upload.refresh_from_db()
    body = upload_json(upload, request)
    return JsonResponse(body, status=202, headers={"Location": body["url"]})


@api_view
@login_view_required
@require_GET
def upload_detail(request: AuthenticatedRequest, upload_id: int) -> HttpResponse:
    return JsonResponse(upload_json(_visible_upload(request, upload_id), request))


def _visible_upload(request: HttpRequest, upload_id: int) -> Upload:
    return get_object_or_404(
        Upload.objects.select_related("site"),
        pk=upload_id,
        site__in=visible_sites(request.user),
    )


def _decide(request: HttpRequest, upload_id: int, decide: Callable[..., Upload]) -> HttpResponse:
    upload = _visible_upload(request, upload_id)
    try:
        upload = decide(upload=upload, user=request.user)
    except services.DecisionRefused as refused:
        return _error(409, str(refused), upload_status=upload.status)
    return JsonResponse(upload_json(upload, request), status=202)


@api_view
@login_view_required
@require_POST
def upload_confirm(request: AuthenticatedRequest, upload_id: int) -> HttpResponse:
    """Replace the stored figures the upload's preview listed: it is read again and stored."""
    return _decide(request, upload_id, services.upload_confirm)


@api_view
@login_view_required
@require_POST
def upload_cancel(request: AuthenticatedRequest, upload_id: int) -> HttpResponse:
    return _decide(request, upload_id, services.upload_cancel)


VALUES_SHAPE = 'Send JSON: {"values": [{"week": "YYYY-MM-DD", "value": 12}, ...]}.'


@api_view
@site_view(Capability.ENTER_DATA)
@require_POST
def values_create(request: SiteRequest, measure_code: str) -> HttpResponse:
    """Weekly figures typed in by hand, sent by a script: all stored, or none (400)."""
    site = request.site
    measure = get_object_or_404(Measure, code=measure_code)
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _error(400, f"The body is not JSON. {VALUES_SHAPE}")
    values = body.get("values") if isinstance(body, dict) else None
    if not isinstance(values, list):
        return _error(400, VALUES_SHAPE)
    try:
        result = entry.values_enter(user=request.user, site=site, measure=measure, values=values)
    except entry.EntryRefused as refused:
        n = len(refused.problems)
        return _error(
            400,
            f"{n} problem{'s' if n != 1 else ''}: nothing was stored.",
            problems=[p.as_dict() for p in refused.problems],
        )
    upload = result.upload
    return JsonResponse(
        {
            "site": site.code,
            "measure": measure.code,
            "upload": upload_json(upload, request) if upload else None,
            "stored": result.stored,
            "unchanged": result.unchanged,
        },
        status=201 if upload else 200,
    )


@api_view
@site_view(Capability.VIEW)
@require_GET
def series(request: SiteRequest, measure_code: str) -> HttpResponse:
    site = request.site
    measure = get_object_or_404(Measure, code=measure_code)
    frequency = request.GET.get("frequency", "weekly")
    if frequency not in ("weekly", "monthly"):
        return _error(400, "frequency must be 'weekly' or 'monthly'.")
    key = "week" if frequency == "weekly" else "month"
    by = request.GET.get("by")
    if by is not None:
        return _grouped_series(request, site, measure, by, frequency)
    points = [
        {key: period.isoformat(), "value": value}
        for period, value in selectors.series(site=site, measure=measure, frequency=frequency)
    ]
    return JsonResponse(
        {
            "site": site.code,
            "measure": measure.code,
            "name": measure.name,
            "unit": measure.unit,
            "frequency": frequency,
            "points": points,
        }
    )


def _grouped_series(
    request: SiteRequest, site: Any, measure: Measure, by: str, frequency: str
) -> HttpResponse:
    if by not in GROUPINGS:
        return _error(400, f"by must be one of: {', '.join(GROUPINGS)}.")
    if frequency != "weekly":
        return _error(400, "Figures per group are weekly: leave out frequency or send weekly.")
    threshold = site.programme.small_count_threshold
    may_see = Capability.SEE_SMALL_COUNTS in request.site_caps
    groups = selectors.grouped_series(
        site=site, measure=measure, by=by, threshold=None if may_see else threshold
    )
    return JsonResponse(
        {
            "site": site.code,
            "measure": measure.code,
            "name": measure.name,
            "unit": measure.unit,
            "frequency": frequency,
            "by": by,
            "groups": {
                group: {
                    "points": [
                        {"week": p.period.isoformat(), "value": p.value}
                        if p.fewer_than is None
                        else {
                            "week": p.period.isoformat(),
                            "value": None,
                            "suppressed": f"fewer than {p.fewer_than}",
                        }
                        for p in points
                    ]
                }
                for group, points in groups.items()
            },
        }
    )


@api_view
@public_view
@require_GET
def openapi(request: HttpRequest) -> HttpResponse:
    return JsonResponse(openapi_document(server=request.build_absolute_uri("/api/v1")))


@public_view
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under /api/v1/ (an id that is not a whole number, a mistyped path):
    a JSON 404 as the description promises, not the HTML page of the site."""
    return _error(404, "Not found: no such address in this API; see /api/v1/openapi.json.")
