"""The demo is dated from the day it is loaded (issue 12.9): aims in the future, meetings on
working days, whatever day of the week the demo is loaded on."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from phases.models import Meeting
from projects.demo import demo_load, month_ahead, working_day
from projects.models import CommunityEvent

pytestmark = pytest.mark.django_db

MONTH_YEAR = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|"
    r"December) (20\d\d)\b"
)


def test_working_day_and_month_ahead():
    saturday, sunday = dt.date(2026, 12, 5), dt.date(2026, 12, 6)
    assert working_day(saturday) == dt.date(2026, 12, 4)
    assert working_day(sunday) == dt.date(2026, 12, 7)
    assert working_day(dt.date(2026, 12, 2)) == dt.date(2026, 12, 2)
    assert month_ahead(dt.date(2026, 12, 5), 6) == "June 2027"
    assert month_ahead(dt.date(2026, 1, 31), 11) == "December 2026"


# A week of load days, Monday 30 November 2026 to Sunday 6 December 2026.
@pytest.mark.parametrize("offset", range(7))
def test_demo_aims_are_ahead_and_meetings_on_working_days(settings, offset):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    today = dt.date(2026, 11, 30) + dt.timedelta(days=offset)
    world = demo_load(today=today, apps=("phases",))
    for project in world.projects.values():
        for month, year in MONTH_YEAR.findall(project.aim):
            by = dt.datetime.strptime(f"1 {month} {year}", "%d %B %Y").date()
            assert by > today, f"{project.site.code}'s aim is dated {month} {year}"
        assert not re.search(r"\b20\d\d\b", MONTH_YEAR.sub("", project.aim)), project.aim
    meetings = list(Meeting.objects.all())
    assert meetings
    for meeting in meetings:
        assert meeting.held_on.weekday() < 5, f"{meeting} held on {meeting.held_on:%A}"
        assert meeting.next_date.weekday() < 5, f"{meeting} next on {meeting.next_date:%A}"
    events = list(CommunityEvent.objects.all())
    assert events
    for event in events:
        starts = timezone.localtime(event.starts_at)
        assert starts.weekday() < 5, f"{event.title} on {starts:%A}"
        assert starts.date() > today, f"{event.title} on {starts:%d %B %Y}"


@pytest.mark.parametrize(
    ("today", "last_week"),
    [
        (dt.date(2026, 12, 5), dt.date(2026, 11, 23)),  # a Saturday: last week is the one before
        (dt.date(2026, 11, 26), dt.date(2026, 11, 16)),  # the committed extracts' own week
    ],
)
def test_demo_data_runs_to_the_last_complete_week(settings, tmp_path, today, last_week):
    from django.db.models import Max

    from measures.models import DataPoint

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path
    demo_load(today=today, apps=("measures",))
    latest = DataPoint.objects.values("site__code").annotate(last=Max("period"))
    assert {row["site__code"]: row["last"] for row in latest} == dict.fromkeys(
        ["NGT", "RVS", "EBK", "WFD"], last_week
    )
