"""The demo content gives every demo project realistic implementation work."""

from __future__ import annotations

import datetime as dt

import pytest

from phases import selectors
from phases.models import Assessment, Meeting, MeetingAction, Stakeholder, StepChange, TeamMember
from projects.demo import demo_load

pytestmark = pytest.mark.django_db


def test_demo_projects_have_team_register_progress_meetings_and_assessments(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    today = dt.date(2026, 3, 2)
    world = demo_load(today=today, apps=("phases",))
    for project in world.projects.values():
        register = Stakeholder.objects.filter(project=project)
        assert 6 <= register.count() <= 10
        assert register.filter(represents_young_people_or_families=True).exists()
        assert register.values("sector").distinct().count() >= 4
        assert TeamMember.objects.filter(project=project, deputy__isnull=False).count() == 2
        meetings = Meeting.objects.filter(project=project)
        assert meetings.count() >= 3
        assert all(m.completed and m.next_date for m in meetings)
        board = selectors.project_board(project=project, today=today)
        assert board.next_meeting is not None
        assert board.next_meeting.next_date > today
        assert board.open_actions
        kinds = sorted(Assessment.objects.filter(project=project).values_list("kind", flat=True))
        assert kinds == ["baseline", "follow_up"]
    assert MeetingAction.objects.filter(done=False, due_date__lt=today).exists()
    assert StepChange.objects.exists()
    ngt = selectors.project_board(project=world.projects["NGT"], today=today)
    assert ngt.columns[0].closed == 6
    assert any(column.overdue for column in ngt.columns)
