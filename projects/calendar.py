"""Calendar invites (.ics, RFC 5545) for meetings and community of practice events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//THRIVE Tracker//Meetings//EN"


def ics_bytes(
    *,
    uid: str,
    sequence: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    summary: str,
    description: str = "",
    location: str = "",
    organizer: tuple[str, str] | None = None,
    attendees: Sequence[tuple[str, str]] = (),
) -> bytes:
    """One VEVENT in a VCALENDAR with METHOD:REQUEST, so Outlook offers to add it.
    `organizer` and `attendees` are (name, e-mail) pairs; attendees without e-mail are listed
    in the description instead, since RFC 5545 needs an address for each ATTENDEE."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", starts_at.astimezone(dt.UTC))
    event.add("dtend", ends_at.astimezone(dt.UTC))
    event.add("summary", summary)
    without_email = [name for name, email in attendees if not email]
    if without_email:
        description = (description + "\n\nAlso invited: " + ", ".join(without_email)).strip()
    if description:
        event.add("description", description)
    if location:
        event["location"] = vText(location)
    if organizer:
        address = vCalAddress(f"mailto:{organizer[1]}")
        address.params["cn"] = vText(organizer[0])
        event["organizer"] = address
    for name, email in attendees:
        if not email:
            continue
        address = vCalAddress(f"mailto:{email}")
        address.params["cn"] = vText(name)
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["partstat"] = vText("NEEDS-ACTION")
        address.params["rsvp"] = vText("TRUE")
        event.add("attendee", address, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()


def ics_response(*, name: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8; method=REQUEST")
    response["Content-Disposition"] = f'attachment; filename="{slugify(name) or "invite"}.ics"'
    return response
