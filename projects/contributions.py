"""What `projects` itself adds to dashboards and the digest: community of practice events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from . import panels
from .models import CommunityEvent, Site


def _upcoming(programme_ids: set[int], today: dt.date, days: int) -> list[CommunityEvent]:
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    return list(
        CommunityEvent.objects.filter(
            programme_id__in=programme_ids,
            ends_at__gte=start,
            starts_at__lt=start + dt.timedelta(days=days),
        ).order_by("starts_at")
    )


def events_panel(context: panels.PanelContext) -> dict[int, Any]:
    events = _upcoming({s.programme_id for s in context.sites}, context.today, days=90)
    return {
        site.pk: [e for e in events if e.programme_id == site.programme_id][:3]
        for site in context.sites
    }


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


def events_digest(user: Any, sites: Sequence[Site], today: dt.date) -> list[str]:
    return [
        f"{e.title}: {timezone.localtime(e.starts_at):%A %d %B, %H:%M} ({e.location})"
        for e in _upcoming({s.programme_id for s in sites}, today, days=7)
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
