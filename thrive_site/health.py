"""/healthz: can this web process serve? The database is required (503 without it); the broker
is reported but not required, because uploads are kept while it is down (measures.recovery)
and restarting the web process would not bring it back."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from projects.http import HttpRequest
from projects.permissions import public_view

logger = logging.getLogger(__name__)


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check: the database cannot be reached", exc_info=True)
        return "unavailable"
    return "ok"


def broker_status() -> str:
    """ "ok", "unavailable", or "in-process" when no broker is configured (tasks run eagerly)."""
    if not settings.CELERY_BROKER_URL:
        return "in-process"
    from thrive_site.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)
    except Exception:  # any failure to connect, whatever the transport raises
        logger.warning("Health check: the broker cannot be reached", exc_info=True)
        return "unavailable"
    return "ok"


@public_view
@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    checks = {"database": database_status(), "broker": broker_status()}
    failed = [name for name, status in checks.items() if status == "unavailable"]
    status = "ok" if not failed else ("unavailable" if "database" in failed else "degraded")
    return JsonResponse(
        {"status": status, **checks, "failed": failed},
        status=503 if checks["database"] == "unavailable" else 200,
    )
