"""The one permission layer: what a user may do on a site. Deny by default.

Every view is marked with one of the decorators below; `DenyByDefaultMiddleware` refuses any
view that is not. Site-scoped views receive `site_code` in their URL and get `request.site`;
querysets of site data are filtered with `visible_sites(user)`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from .models import Membership, Programme, Site

if TYPE_CHECKING:
    from projects.http import AnyUser

    from .http import ProgrammeRequest, SiteRequest


class Capability(enum.StrEnum):
    VIEW = "view"  # read the site's dashboards and records
    EDIT = "edit"  # change the site's implementation work and toolkit
    UPLOAD = "upload"  # send the site's data extracts
    ENTER_DATA = "enter_data"  # type in the site's weekly figures by hand
    ADMIN = "admin"  # administer the programme (measures, steps, factors)
    SHARE = "share"  # create and withdraw read-only links to the site's dashboard
    # see figures below the programme's small-count threshold (others see "fewer than N")
    SEE_SMALL_COUNTS = "see_small_counts"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Membership.Role.PROJECT_MANAGER: frozenset(
        {
            Capability.VIEW,
            Capability.EDIT,
            Capability.ENTER_DATA,
            Capability.SHARE,
            Capability.SEE_SMALL_COUNTS,
        }
    ),
    Membership.Role.INFORMATICS: frozenset(
        {Capability.VIEW, Capability.UPLOAD, Capability.ENTER_DATA, Capability.SEE_SMALL_COUNTS}
    ),
    Membership.Role.STAKEHOLDER: frozenset({Capability.VIEW}),
}
LEAD_CAPABILITIES = frozenset(
    {
        Capability.VIEW,
        Capability.UPLOAD,
        Capability.ENTER_DATA,
        Capability.ADMIN,
        Capability.SHARE,
        Capability.SEE_SMALL_COUNTS,
    }
)
NONE: frozenset[Capability] = frozenset()

ACCESS_ATTR = "thrive_access"


def _cache(user: AnyUser) -> dict[int, frozenset[Capability]]:
    """Capabilities per site id, computed once per user object (that is, once per request)."""
    cached = getattr(user, "_thrive_site_caps", None)
    if cached is None:
        cached = {}
        if user.is_authenticated and user.is_active:
            for site_id, role in Membership.objects.filter(user=user).values_list(
                "site_id", "role"
            ):
                cached[site_id] = cached.get(site_id, NONE) | ROLE_CAPABILITIES[role]
            for site_id in Site.objects.filter(programme__leads__user=user).values_list(
                "id", flat=True
            ):
                cached[site_id] = cached.get(site_id, NONE) | LEAD_CAPABILITIES
        user._thrive_site_caps = cached  # type: ignore[union-attr]  # once per request
    return cached


def site_capabilities(user: AnyUser, site: Site | int) -> frozenset[Capability]:
    site_id = site if isinstance(site, int) else site.pk
    return _cache(user).get(site_id, NONE)


def can(user: AnyUser, capability: Capability, site: Site | int) -> bool:
    return capability in site_capabilities(user, site)


def site_ids_for(user: AnyUser, capability: Capability = Capability.VIEW) -> list[int]:
    return sorted(site_id for site_id, caps in _cache(user).items() if capability in caps)


def visible_sites(user: AnyUser, capability: Capability = Capability.VIEW) -> QuerySet[Site]:
    """The sites on which the user holds `capability`; use it to filter every queryset."""
    return Site.objects.filter(pk__in=site_ids_for(user, capability))


def led_programmes(user: AnyUser) -> QuerySet[Programme]:
    if not (user.is_authenticated and user.is_active):
        return Programme.objects.none()
    return Programme.objects.filter(leads__user=user)


def is_programme_lead(user: AnyUser) -> bool:
    return led_programmes(user).exists()


def get_site_or_404(user: AnyUser, site_code: str, capability: Capability) -> Site:
    """The site, if the user may at least view it (else 404: its existence is not disclosed);
    PermissionDenied (403) when they may view it but lack `capability`."""
    site = Site.objects.select_related("programme").filter(code=site_code).first()
    if site is None or not can(user, Capability.VIEW, site):
        raise Http404("No such site.")
    if not can(user, capability, site):
        raise PermissionDenied(f"Your role on {site.code} does not allow this.")
    return site


def scoped(queryset: QuerySet, user: AnyUser, site_field: str = "site") -> QuerySet:
    """Filter any queryset of site-owned rows to the sites the user may view."""
    return queryset.filter(**{f"{site_field}__in": site_ids_for(user)})


View = Callable[..., HttpResponseBase]


def _mark(view: View, access: str) -> View:
    setattr(view, ACCESS_ATTR, access)
    return view


def public_view(view: View) -> View:
    """Open to anyone, signed in or not (login, health check, shared links with their own check)."""
    return _mark(view, "public")


def login_view_required(view: View) -> View:
    """Any signed-in user; the view shows only the user's own things."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return _mark(wrapper, "user")


def site_view(capability: Capability) -> Callable[[View], View]:
    """For URLs with `<site_code>`: signed in, and holding `capability` on that site.
    Sets `request.site` and `request.site_caps` (the view takes a projects.http.SiteRequest)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(
            request: HttpRequest, *args: Any, site_code: str, **kwargs: Any
        ) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            site_request = cast("SiteRequest", request)
            site_request.site = get_site_or_404(request.user, site_code, capability)
            site_request.site_caps = site_capabilities(request.user, site_request.site)
            return view(site_request, *args, **kwargs)

        return _mark(wrapper, f"site:{capability}")

    return decorator


def programme_view(view: View) -> View:
    """Programme-level pages: signed in and leading a programme. Sets `request.programmes` (a projects.http.ProgrammeRequest)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        programmes = led_programmes(request.user)
        if not programmes.exists():
            raise PermissionDenied("Only programme leads can open this page.")
        programme_request = cast("ProgrammeRequest", request)
        programme_request.programmes = programmes
        return view(programme_request, *args, **kwargs)

    return _mark(wrapper, "programme")
