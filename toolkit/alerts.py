"""Alert: a change the team adopted now shows a special cause of concern on its measure.

The seed's warning is that a new practice left unchecked slips back; this tells the site's
project managers as soon as the chart of a measure an adopted PDSA cycle named turns the wrong
way, once per signal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from measures.charts.selectors import chart_states
from projects.models import Membership
from projects.panels import Alert, register_alert

from .models import PdsaCycle

KEY = "adopted_change_concern"


def find(today: dt.date) -> list[tuple[Any, str, str, str]]:
    cycles = list(
        PdsaCycle.objects.filter(outcome=PdsaCycle.Outcome.ADOPT)
        .select_related("project__site")
        .prefetch_related("measures")
    )
    if not cycles:
        return []
    site_ids = {c.project.site_id for c in cycles}
    states = chart_states(site_ids=site_ids)
    managers: dict[int, list[Any]] = {}
    for membership in Membership.objects.filter(
        site_id__in=site_ids, role=Membership.Role.PROJECT_MANAGER, user__is_active=True
    ).select_related("user"):
        managers.setdefault(membership.site_id, []).append(membership.user)
    messages = []
    for cycle in cycles:
        site = cycle.project.site
        for measure in cycle.measures.all():
            state = states.get((site.pk, measure.pk))
            summary = state.summary if state is not None else {}
            if not str(summary.get("variation_icon") or "").startswith("special_cause_concern"):
                continue
            periods = sorted(summary.get("signal_periods") or [])
            reference = f"concern:{cycle.pk}:{measure.pk}:{periods[-1] if periods else ''}"
            subject = f"{site.code}: {measure.name} is moving the wrong way after an adopted change"
            body = (
                f"The team adopted '{cycle.title}' (PDSA cycle {cycle.number}) to improve "
                f"{measure.name}. Its chart now shows a special cause of concern:\n\n"
                f"{summary.get('latest_signal') or 'see the chart'}\n\n"
                "Check whether the change is still being done as adopted, and record what you "
                f"find as a note on the chart.\n\nThe cycle: {cycle.get_absolute_url()}"
            )
            for user in managers.get(site.pk, []):
                messages.append((user, reference, subject, body))
    return messages


def register() -> None:
    register_alert(
        Alert(
            key=KEY,
            label="An adopted change's measure shows a special cause of concern",
            find=find,
        )
    )
