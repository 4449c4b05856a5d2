"""Reads for sites and people."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse

from .models import AuditEvent, Membership, Project, Site
from .permissions import Capability, is_programme_lead, site_capabilities, visible_sites

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from projects.http import AnyUser


def site_list(*, user: AnyUser) -> QuerySet[Site]:
    return visible_sites(user).select_related("programme").order_by("name")


def site_projects(*, site: Site) -> QuerySet[Project]:
    return site.projects.order_by("-status", "title")


def user_site_roles(*, user: User) -> dict[str, list[str]]:
    """Role labels per site code, for the header and account page."""
    roles: dict[str, list[str]] = {}
    for code, role in (
        Membership.objects.filter(user=user)
        .values_list("site__code", "role")
        .order_by("site__code")
    ):
        roles.setdefault(code, []).append(Membership.Role(role).label)
    return roles


# Landing pages by role, in order of precedence. Later parts of the product register richer
# pages here (the upload page for informatics staff, the dashboard for stakeholders).
LANDING_URL_NAMES: dict[str, str] = {
    "lead": "projects:programme",
    Capability.EDIT: "projects:site-detail",
    Capability.UPLOAD: "measures:upload-create",
    Capability.VIEW: "projects:site-detail",
}


def landing_url(*, user: AnyUser) -> str:
    """Where a user lands after signing in: the programme page for leads, else their site."""
    if is_programme_lead(user):
        return reverse(LANDING_URL_NAMES["lead"])
    sites = list(site_list(user=user))
    if len(sites) != 1:
        return reverse("projects:site-list")
    site = sites[0]
    caps = site_capabilities(user, site)
    for capability in (Capability.EDIT, Capability.UPLOAD, Capability.VIEW):
        if capability in caps:
            return reverse(LANDING_URL_NAMES[capability], kwargs={"site_code": site.code})
    return reverse("projects:site-list")


def audit_events(
    *,
    programmes: Any,
    action: str = "",
    person: str = "",
    site_code: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit trail a programme lead may read: what was done on the programme's sites, and
    what its people did or had done to them anywhere (sign-ins, tokens, roles)."""
    codes = list(Site.objects.filter(programme__in=programmes).values_list("code", flat=True))
    people = list(
        get_user_model()
        .objects.filter(
            Q(memberships__site__programme__in=programmes)
            | Q(programme_leads__programme__in=programmes)
        )
        .values_list("username", flat=True)
        .distinct()
    )
    events = AuditEvent.objects.filter(
        Q(site_code__in=codes) | Q(username__in=people) | Q(subject__in=people)
    )
    if action:
        events = events.filter(action=action)
    if person:
        events = events.filter(Q(username__icontains=person) | Q(subject__icontains=person))
    if site_code:
        events = events.filter(site_code=site_code)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events
