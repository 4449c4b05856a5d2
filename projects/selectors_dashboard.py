"""Reads for dashboards, sharing and community of practice events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from . import panels
from .models import CommunityEvent, EventAttendance, EventPresentation, Programme, Site
from .permissions import led_programmes, site_ids_for


def site_dashboard(
    *, site: Site, today: dt.date, user: Any = None, shared: bool = False
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


def programme_dashboard(*, programme: Programme, today: dt.date, user: Any) -> dict[str, Any]:
    """Every site of the programme side by side: sections drawn from all sites at once (the
    measures grid), then one row per site and one cell per panel. Each panel is built once for
    all the sites, so 50 sites cost the queries of 5."""
    sites = list(programme.sites.order_by("name"))
    context = panels.PanelContext(
        sites=sites,
        today=today,
        user=user,
        small_count_threshold=programme.small_count_threshold,
    )
    built = [
        (panel, panel.build(context))
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


def programmes_for(*, user: Any) -> QuerySet[Programme]:
    """Programmes whose events the user may see: those they lead or have a site in."""
    return Programme.objects.filter(
        Q(pk__in=led_programmes(user).values("pk")) | Q(sites__pk__in=site_ids_for(user))
    ).distinct()


def event_list(*, user: Any) -> QuerySet[CommunityEvent]:
    return CommunityEvent.objects.filter(programme__in=programmes_for(user=user)).select_related(
        "programme"
    )


def event_detail(*, event: CommunityEvent, user: Any) -> dict[str, Any]:
    attendance = list(
        EventAttendance.objects.filter(event=event).select_related("site").order_by("site__name")
    )
    presentations = list(
        EventPresentation.objects.filter(event=event).select_related("site").order_by("site__name")
    )
    return {"event": event, "attendance": attendance, "presentations": presentations}


def site_events(*, site: Site) -> QuerySet[CommunityEvent]:
    return CommunityEvent.objects.filter(programme_id=site.programme_id).prefetch_related(
        Prefetch("attendance", queryset=EventAttendance.objects.filter(site=site)),
        Prefetch("presentations", queryset=EventPresentation.objects.filter(site=site)),
    )
