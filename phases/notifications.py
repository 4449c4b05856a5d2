"""The weekly digest's sections and the sustainability check-in alert (sent by
projects.notifications, once per person and reference)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from projects.models import Project, Site

from .selectors import dashboard

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CHECKIN_QUESTIONS = [
    "Is the change still in place, and working as intended?",
    "Is the data still monitored (a reduced frequency is fine)?",
    "Is sustainability still a standing item on the agenda of your stakeholder meetings?",
    "Does the sustainability plan need a review?",
]


def overdue_digest(user: User, sites: Sequence[Site], today: dt.date) -> list[str]:
    """'Your overdue steps and actions': only the user's own, only on their sites."""
    steps, actions = dashboard.overdue_for_user(
        user=user, site_ids=[site.pk for site in sites], today=today
    )
    lines = [
        f"{state.project.site.code} {state.step.code} {state.step.title} ({state.project.title}):"
        f" target {state.target_date:%-d %b %Y}, {(today - state.target_date).days} days overdue"
        for state in steps
        if state.target_date is not None  # overdue: always set
    ]
    lines += [
        f"{action.meeting.project.site.code} action \u201c{action.description}\u201d"
        f" ({action.meeting.project.title}): due {action.due_date:%-d %b %Y},"
        f" {(today - action.due_date).days} days overdue"
        for action in actions
    ]
    return lines


def meetings_digest(user: User, sites: Sequence[Site], today: dt.date) -> list[str]:
    """'Meetings this week': the next meetings of the user's sites in the coming 7 days."""
    meetings = dashboard.meetings_between(
        site_ids=[site.pk for site in sites], start=today, end=today + dt.timedelta(days=7)
    )
    return [
        f"{m.project.site.code} {m.title} ({m.project.title}): "
        f"{m.next_date:%A %-d %B}, {m.next_start:%H:%M}"
        + (f", {m.next_location}" if m.next_location else "")
        for m in meetings
    ]


def checkin_period(*, frequency: str, today: dt.date) -> str:
    """'2025-04' for a monthly check-in, '2025-Q2' for a quarterly one."""
    if frequency == Project.CheckIn.MONTHLY:
        return f"{today:%Y-%m}"
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def checkin_body(*, project: Project, period: str) -> str:
    frequency = project.get_sustainability_checkin_display().lower()
    questions = "\n".join(f"- {question}" for question in CHECKIN_QUESTIONS)
    return (
        f"{project.title} ({project.site.code}) has finished Phase 4 of the i-THRIVE Approach to "
        f"Implementation. This is its {frequency} sustainability check-in ({period}).\n\n"
        f"Please check:\n{questions}\n\n"
        f"Record what you find on the project page: {project.get_absolute_url()}\n\n"
        "The project page sets how often these check-ins come; to stop getting them, open "
        "Your account > E-mail preferences."
    )


def checkin_alerts(today: dt.date) -> list[tuple[Any, str, str, str]]:
    """(user, reference, subject, body) for each project manager of each project past Phase 4
    that asks for check-ins; the reference names the period, so each is sent once."""
    alerts = []
    for due in dashboard.checkins_due(today=today):
        project = due.project
        period = checkin_period(frequency=project.sustainability_checkin, today=today)
        subject = f"Sustainability check-in: {project.title} ({project.site.code}), {period}"
        body = checkin_body(project=project, period=period)
        for manager in due.managers:
            alerts.append((manager, f"checkin:{project.pk}:{period}", subject, body))
    return alerts
