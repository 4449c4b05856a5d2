"""What `projects` itself adds to dashboards and the digest: community of practice events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from . import panels
from .models import Site
from .selectors import site_upcoming_events

if TYPE_CHECKING:
    from projects.http import AnyUser


def events_panel(context: panels.PanelContext) -> dict[int, Any]:
    """The next events of each site: programme-wide ones, its own and those it is invited to."""
    events = site_upcoming_events(sites=list(context.sites), today=context.today, days=90)
    return {site_id: found[:3] for site_id, found in events.items()}


def events_pack(data: Any, site: Site) -> list[panels.PackSection]:
    if not data:
        return []
    return [
        panels.PackSection(
            heading="Community of practice",
            bullets=[
                f"{e.title}: {timezone.localtime(e.starts_at):%d %B %Y, %H:%M}, {e.location}"
                for e in data
            ],
        )
    ]


def events_digest(user: AnyUser, sites: Sequence[Site], today: dt.date) -> list[str]:
    found = site_upcoming_events(sites=list(sites), today=today, days=7)
    events = {e.pk: e for per_site in found.values() for e in per_site}
    return [
        f"{e.title}: {timezone.localtime(e.starts_at):%A %d %B, %H:%M} ({e.location})"
        for e in sorted(events.values(), key=lambda e: e.starts_at)
    ]


def register() -> None:
    panels.register_panel(
        panels.Panel(
            key="community",
            title="Community of practice",
            order=90,
            build=events_panel,
            template="projects/_panel_community.html",
            pack=events_pack,
        )
    )
    panels.register_digest_section(
        panels.DigestSection(
            key="events",
            label="Community of practice events this week",
            order=90,
            build=events_digest,
        )
    )
