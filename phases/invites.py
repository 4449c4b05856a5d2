"""The next meeting as a calendar invitation, through the shared builder in projects.calendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from projects.calendar import ics_bytes

from .models import Meeting


def next_meeting_invite(*, meeting: Meeting, organiser_email: str = "") -> bytes:
    """The next meeting of `meeting` (which must have a next date) as an .ics file.

    The UID is fixed for the meeting and SEQUENCE rises with each change, so a re-sent invite
    updates the event already in the attendees' calendars instead of adding another.
    Attendees without an e-mail address get no ATTENDEE line (RFC 5545 needs an address).
    """
    if meeting.next_date is None:
        raise ValueError("The meeting has no next date.")
    start = dt.datetime.combine(
        meeting.next_date, meeting.next_start, tzinfo=ZoneInfo(settings.TIME_ZONE)
    )
    project = meeting.project
    description = [f"Next meeting of {project.title} ({project.site.name})."]
    if meeting.decisions:
        description.append(f"Decisions at the last meeting ({meeting.held_on:%-d %B %Y}):")
        description.append(meeting.decisions)
    organiser = meeting.organiser
    email = organiser_email or (organiser.email if organiser else "")
    name = (organiser.get_full_name() or organiser.get_username()) if organiser else email
    return ics_bytes(
        uid=f"{meeting.uid}@thrive-tracker",
        sequence=meeting.sequence,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=meeting.next_duration_minutes),
        summary=f"{meeting.title}: {project.title}",
        description="\n".join(description),
        location=meeting.next_location,
        organizer=(name, email) if email else None,
        attendees=[(a.name, a.email) for a in meeting.attendees.all() if a.email],
    )
