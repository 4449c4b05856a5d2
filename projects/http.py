"""Typed requests for views, as in django-htmx's example project: what our middleware and
permission decorators add to a request, declared once so views need no `# type: ignore`.

A view annotates `request` with the class its decorator guarantees (projects.permissions):
`HttpRequest` for public views, `AuthenticatedRequest` under `login_view_required`,
`SiteRequest` under `site_view`, `ProgrammeRequest` under `programme_view`. These classes are
never instantiated: Django's request object carries the attributes at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import http
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from typing import TypeAlias

    from django.contrib.auth.models import AnonymousUser, User
    from django.db.models import QuerySet

    from .models import Programme, Site
    from .permissions import Capability

    # Whoever made a request: permission checks and selectors take either.
    AnyUser: TypeAlias = User | AnonymousUser


class HttpRequest(http.HttpRequest):
    """Any request that passed django_htmx.middleware.HtmxMiddleware."""

    htmx: HtmxDetails


class AuthenticatedRequest(HttpRequest):
    """A signed-in user (the decorators redirect anyone else to the login page)."""

    user: User


class SiteRequest(AuthenticatedRequest):
    """A site-scoped view: the site named in the URL and the user's capabilities on it."""

    # Django's stubs declare `site` as django.contrib.sites' Site (set by its
    # CurrentSiteMiddleware, which this project does not use); ours is an i-THRIVE site.
    site: Site  # type: ignore[assignment]
    site_caps: frozenset[Capability]


class ProgrammeRequest(AuthenticatedRequest):
    """A programme lead's page: the programmes the user leads (never empty)."""

    programmes: QuerySet[Programme]
