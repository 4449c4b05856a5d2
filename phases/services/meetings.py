"""Writes for meetings and their actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from phases.models import Meeting, MeetingAction, Stakeholder
from projects.models import Project

from ._common import actor, require_site_member

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MEETING_FIELDS = (
    "title",
    "held_on",
    "decisions",
    "completed",
    "next_date",
    "next_start",
    "next_duration_minutes",
    "next_location",
)
# Fields the calendar invite carries: changing one sends a new SEQUENCE.
INVITE_FIELDS = ("next_date", "next_start", "next_duration_minutes", "next_location", "title")


def _check_meeting(meeting: Meeting, attendees: list[Stakeholder] | None) -> None:
    errors: dict[str, str] = {}
    if not meeting.title.strip():
        errors["title"] = "Give the meeting a title."
    if meeting.next_date and meeting.held_on and meeting.next_date <= meeting.held_on:
        errors["next_date"] = "The next meeting must be after this one."
    if meeting.completed and not meeting.next_date:
        errors["next_date"] = "Schedule the next meeting before completing this one: give its date."
    if not 5 <= (meeting.next_duration_minutes or 0) <= 600:
        errors["next_duration_minutes"] = "Give a length between 5 and 600 minutes."
    if attendees is not None and any(s.project_id != meeting.project_id for s in attendees):
        errors["attendees"] = "Attendees come from this project's stakeholder register."
    if errors:
        raise ValidationError(errors)


def _save(meeting: Meeting, fields: dict[str, Any], attendees: Iterable[Stakeholder] | None):
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise ValueError(f"Not meeting fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(meeting, name, value.strip() if isinstance(value, str) else value)
    people = list(attendees) if attendees is not None else None
    _check_meeting(meeting, people)
    meeting.save()
    if people is not None:
        meeting.attendees.set(people)
    return meeting


@transaction.atomic
def meeting_create(
    *, project: Project, user: User, attendees: Iterable[Stakeholder] = (), **fields: Any
) -> Meeting:
    return _save(Meeting(project=project, organiser=actor(user)), fields, attendees)


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, user: User, attendees: Iterable[Stakeholder] | None = None, **fields: Any
) -> Meeting:
    meeting = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    if any(name in fields and getattr(meeting, name) != fields[name] for name in INVITE_FIELDS):
        meeting.sequence += 1
    if meeting.organiser is None:
        meeting.organiser = actor(user)
    return _save(meeting, fields, attendees)


@transaction.atomic
def meeting_action_add(
    *, meeting: Meeting, description: str, owner: Any, due_date: dt.date
) -> MeetingAction:
    errors = {}
    if not description.strip():
        errors["description"] = "Say what needs doing."
    if due_date < meeting.held_on:
        errors["due_date"] = (
            f"The action cannot be due before the meeting ({meeting.held_on:%-d %b %Y})."
        )
    if errors:
        raise ValidationError(errors)
    require_site_member(user=owner, site=meeting.project.site, field="owner")
    return MeetingAction.objects.create(
        meeting=meeting, description=description.strip(), owner=owner, due_date=due_date
    )


@transaction.atomic
def meeting_action_set_done(*, action: MeetingAction, done: bool) -> MeetingAction:
    action.done = done
    action.done_at = timezone.now() if done else None
    action.save(update_fields=["done", "done_at"])
    return action
