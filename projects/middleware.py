"""Request-wide security: token authentication for the API and deny-by-default for views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse

from . import services
from .permissions import ACCESS_ATTR

# Views that carry their own checks: the admin (staff only) and static files in development.
EXEMPT_MODULE_PREFIXES = (
    "django.contrib.admin.",
    "django.views.static",
    "django.contrib.staticfiles.",
)


class ApiTokenMiddleware:
    """`Authorization: Bearer <token>` on /api/ authenticates as the token's user.

    A token request carries no cookies to forge, so CSRF does not apply to it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if request.path.startswith("/api/") and header.startswith("Bearer "):
            user = services.api_token_authenticate(key=header.removeprefix("Bearer ").strip())
            if user is None:
                return JsonResponse({"detail": "Invalid or revoked token."}, status=401)
            request.user = user
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return self.get_response(request)


class DenyByDefaultMiddleware:
    """Refuse any view that has not declared who may use it (see projects.permissions)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if getattr(view_func, ACCESS_ATTR, None):
            return None
        module = getattr(view_func, "__module__", "") or ""
        if module.startswith(EXEMPT_MODULE_PREFIXES):
            return None
        raise PermissionDenied("This page has not declared who may see it.")
