"""Reads for sites and people, dashboards, sharing and community of practice events."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from . import panels
from .models import (
    AuditEvent,
    CommunityEvent,
    EventAttendance,
    EventPresentation,
    Membership,
    Programme,
    Project,
    Site,
)
from .permissions import (
    Capability,
    can,
    is_programme_lead,
    led_programmes,
    site_capabilities,
    site_ids_for,
    visible_sites,
)

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


# Dashboards, sharing and events ---------------------------------------------------------------


def site_dashboard(
    *, site: Site, today: dt.date, user: AnyUser | None = None, shared: bool = False
) -> list[dict[str, Any]]:
    """Each registered panel with its data for this site."""
    context = panels.PanelContext(
        sites=[site],
        today=today,
        user=user,
        shared=shared,
        small_count_threshold=site.programme.small_count_threshold,
    )
    return [
        {"panel": panel, "data": data.get(site.pk)} for panel, data in panels.build_panels(context)
    ]


def programme_dashboard(
    *, programme: Programme, today: dt.date, user: AnyUser | None = None, shared: bool = False
) -> dict[str, Any]:
    """Every site of the programme side by side: sections drawn from all sites at once (the
    measures grid), then one row per site and one cell per panel. Each panel is built once for
    all the sites, so 50 sites cost the queries of 5. `shared` builds each panel as a site's
    shared dashboard does (small counts hidden, nothing private)."""
    sites = list(programme.sites.order_by("name"))
    context = panels.PanelContext(
        sites=sites,
        today=today,
        user=None if shared else user,
        shared=shared,
        small_count_threshold=programme.small_count_threshold,
    )
    built = [
        (panel, (panel.programme_build or panel.build)(context))
        for panel in panels.panels()
        if panel.programme_template is not None or panel.programme_section is not None
    ]
    columns = [(panel, data) for panel, data in built if panel.programme_template is not None]
    return {
        "programme": programme,
        "sections": [
            {"panel": panel, "data": panel.programme_section(sites, data)}
            for panel, data in built
            if panel.programme_section is not None and panel.programme_section_template
        ],
        "headings": [panel.programme_heading or panel.title for panel, _ in columns],
        "rows": [
            {
                "site": site,
                "cells": [{"panel": panel, "data": data.get(site.pk)} for panel, data in columns],
            }
            for site in sites
        ],
    }


def programmes_for(*, user: AnyUser) -> QuerySet[Programme]:
    """Programmes whose events the user may see: those they lead or have a site in."""
    return Programme.objects.filter(
        Q(pk__in=led_programmes(user).values("pk")) | Q(sites__pk__in=site_ids_for(user))
    ).distinct()


def event_list(*, user: AnyUser) -> QuerySet[CommunityEvent]:
    """Events the user may see: every event of a programme they lead; programme-wide events of
    a programme they have a site in; a site's local event if they have a role at that site or
    at a site it invites."""
    site_ids = site_ids_for(user)
    return (
        CommunityEvent.objects.filter(
            Q(programme__in=led_programmes(user))
            | Q(programme__in=programmes_for(user=user), site__isnull=True)
            | Q(site_id__in=site_ids)
            | Q(invited_sites__in=site_ids)
        )
        .distinct()
        .select_related("programme", "site")
    )


def event_may_edit(*, event: CommunityEvent, user: AnyUser) -> bool:
    """The programme lead edits every event of the programme; a site's project managers edit
    their site's local events."""
    if led_programmes(user).filter(pk=event.programme_id).exists():
        return True
    return event.site_id is not None and can(user, Capability.EDIT, event.site_id)


def event_schedule_sites(*, user: AnyUser) -> QuerySet[Site]:
    """The sites a user may schedule a local event for (those they can edit)."""
    return Site.objects.filter(pk__in=site_ids_for(user, Capability.EDIT)).order_by("name")


def site_upcoming_events(
    *, sites: list[Site], today: dt.date, days: int
) -> dict[int, list[CommunityEvent]]:
    """Per site: events starting within `days` of `today` (or running), programme-wide or the
    site's own or invited, soonest first. One query for all the sites."""
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    events = list(
        CommunityEvent.objects.filter(
            programme_id__in={s.programme_id for s in sites},
            ends_at__gte=start,
            starts_at__lt=start + dt.timedelta(days=days),
        )
        .select_related("site")
        .prefetch_related("invited_sites")
        .order_by("starts_at")
    )
    result: dict[int, list[CommunityEvent]] = {}
    for site in sites:
        result[site.pk] = [
            e
            for e in events
            if e.programme_id == site.programme_id
            and (
                e.site_id is None
                or e.site_id == site.pk
                or any(s.pk == site.pk for s in e.invited_sites.all())
            )
        ]
    return result


def event_detail(*, event: CommunityEvent, user: AnyUser) -> dict[str, Any]:
    attendance = list(
        EventAttendance.objects.filter(event=event).select_related("site").order_by("site__name")
    )
    presentations = list(
        EventPresentation.objects.filter(event=event).select_related("site").order_by("site__name")
    )
    return {"event": event, "attendance": attendance, "presentations": presentations}
