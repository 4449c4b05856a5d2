"""The next meeting as an RFC 5545 calendar invitation (iTIP METHOD:REQUEST, RFC 5546)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Meeting

PRODID = "-//THRIVE Tracker//Meetings//EN"


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def next_meeting_invite(
    *, meeting: Meeting, organiser_email: str = "", now: dt.datetime | None = None
) -> bytes:
    """The next meeting of `meeting` (which must have a next date) as an .ics file.

    Times are written in UTC (a trailing Z), which every client reads without a VTIMEZONE.
    The UID is fixed for the meeting and SEQUENCE rises with each change, so a re-sent invite
    updates the event already in the attendees' calendars instead of adding another.
    """
    if meeting.next_date is None:
        raise ValueError("The meeting has no next date.")
    local = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(meeting.next_date, meeting.next_start, tzinfo=local)
    end = start + dt.timedelta(minutes=meeting.next_duration_minutes)
    project = meeting.project

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "REQUEST")

    event = Event()
    event.add("uid", f"{meeting.uid}@thrive-tracker")
    event.add("dtstamp", (now or timezone.now()).astimezone(dt.UTC))
    event.add("dtstart", start.astimezone(dt.UTC))
    event.add("dtend", end.astimezone(dt.UTC))
    event.add("sequence", meeting.sequence)
    event.add("summary", f"{meeting.title}: {project.title}")
    description = [f"Next meeting of {project.title} ({project.site.name})."]
    if meeting.decisions:
        description.append(f"Decisions at the last meeting ({meeting.held_on:%-d %B %Y}):")
        description.append(meeting.decisions)
    event.add("description", "\n".join(description))
    if meeting.next_location:
        event.add("location", meeting.next_location)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")

    organiser = meeting.organiser
    email = organiser_email or (organiser.email if organiser else "")
    if email:
        name = (organiser.get_full_name() or organiser.get_username()) if organiser else email
        event.add("organizer", _address(email, name, ROLE="CHAIR"))
    for attendee in meeting.attendees.all():
        if attendee.email:
            event.add(
                "attendee",
                _address(
                    attendee.email,
                    attendee.name,
                    ROLE="REQ-PARTICIPANT",
                    PARTSTAT="NEEDS-ACTION",
                    RSVP="TRUE",
                ),
                encode=0,
            )
    calendar.add_component(event)
    return calendar.to_ical()
