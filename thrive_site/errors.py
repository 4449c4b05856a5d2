"""What a request gets when the server fails, wherever it failed (a view, or a middleware such as
the session or API token lookup): Django calls `server_error` for any uncaught exception.

- The database cannot be reached: 503 with Retry-After, a page that needs no database, and the
  app recovers by itself (each request opens its connection again, see conn_health_checks).
- Under /api/: JSON, never a page, for scripts that parse it.
"""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

from .transient import DATABASE_UNAVAILABLE

RETRY_AFTER_SECONDS = 30


def database_unavailable(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": "The database cannot be reached just now; try again shortly."}, status=503
        )
    else:
        # Rendered without the request: its context processors would ask the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: called inside Django's `except` block, so sys.exc_info() is the error."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE):
        return database_unavailable(request)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "Something went wrong on the server. It has been logged; try again later."},
            status=500,
        )
    return defaults.server_error(request, template_name=template_name)
