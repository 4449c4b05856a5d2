"""Site-wide response headers that Django 5.2 does not set itself.

Django 6.0 adds `SECURE_CSP` and `django.middleware.csp.ContentSecurityPolicyMiddleware`;
the setting below has the same shape, so moving to 6.0 means deleting this class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def csp_header_value(policy: Mapping[str, Sequence[str] | bool]) -> str:
    """`{"default-src": ["'self'"], "upgrade-insecure-requests": True}` ->
    "default-src 'self'; upgrade-insecure-requests"."""
    parts = []
    for directive, sources in policy.items():
        if sources is True:
            parts.append(directive)
        elif sources:
            parts.append(" ".join([directive, *sources]))
    return "; ".join(parts)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response.

    A header a view has already set is left alone, so one view may relax the policy for
    itself in the open. Django's own debug pages (404 and 500 with DEBUG on) carry inline
    scripts and styles, so they are left without a policy.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = csp_header_value(settings.SECURE_CSP)
        self.csp_report_only = csp_header_value(getattr(settings, "SECURE_CSP_REPORT_ONLY", {}))
        self.permissions = ", ".join(
            f"{feature}=({' '.join(allow)})"
            for feature, allow in settings.SECURE_PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        if self.csp:
            response.headers.setdefault("Content-Security-Policy", self.csp)
        if self.csp_report_only:
            response.headers.setdefault("Content-Security-Policy-Report-Only", self.csp_report_only)
        if self.permissions:
            response.headers.setdefault("Permissions-Policy", self.permissions)
        return response
