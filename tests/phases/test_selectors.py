"""Selectors: the project board and the programme table, and their fixed query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from phases import selectors, services
from phases.models import Phase, Step
from tests.factories import ProjectFactory

from .factories import (
    AssessmentFactory,
    EvidenceFactory,
    MeetingActionFactory,
    MeetingFactory,
    ProjectStepFactory,
    StakeholderFactory,
    TeamMemberFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 2)


def fill(project, user, *, stakeholders: int, meetings: int, with_steps: int) -> None:
    people = [StakeholderFactory(project=project) for _ in range(stakeholders)]
    for n in range(meetings):
        meeting = MeetingFactory(
            project=project,
            held_on=dt.date(2025, 1, 6) + dt.timedelta(weeks=n),
            next_date=dt.date(2025, 1, 13) + dt.timedelta(weeks=n),
        )
        meeting.attendees.set(people[:5])
        MeetingActionFactory(meeting=meeting, owner=user, due_date=meeting.next_date)
    if with_steps:
        for step in Step.objects.all()[:with_steps]:
            state = ProjectStepFactory(project=project, step=step, owner=user)
            EvidenceFactory(project_step=state)
            services.project_step_update(
                project=project, step=step, user=user, expected_version=1, status="in_progress"
            )
    TeamMemberFactory(project=project, user=user)
    AssessmentFactory(project=project)


def count_queries(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def test_project_board_runs_the_same_queries_for_a_small_and_a_large_project(world):
    empty = ProjectFactory(site=world.a.site)
    small = world.a.project
    large = world.b.project
    fill(small, world.a.pm, stakeholders=1, meetings=1, with_steps=1)
    fill(large, world.b.pm, stakeholders=30, meetings=20, with_steps=16)
    small_count = count_queries(lambda: selectors.project_board(project=small, today=TODAY))
    large_count = count_queries(lambda: selectors.project_board(project=large, today=TODAY))
    assert small_count == large_count
    # With nothing recorded, the prefetches for evidence, history and scores are skipped.
    assert count_queries(lambda: selectors.project_board(project=empty, today=TODAY)) < large_count
    board = selectors.project_board(project=large, today=TODAY)
    assert sum(column.total for column in board.columns) == 16
    assert len(board.stakeholders) == 30
    assert board.meeting_count == 20


def test_the_board_shows_steps_not_yet_touched_as_not_started(world):
    board = selectors.project_board(project=world.a.project, today=TODAY)
    assert [column.phase.number for column in board.columns] == [1, 2, 3, 4]
    assert [c.total for c in board.columns] == [6, 5, 3, 2]
    card = board.columns[0].cards[0]
    assert card.step.code == "P1.1"
    assert card.state.status == "not_started"
    assert card.state.version == 0
    assert card.state.pk is None


def test_overdue_steps_and_phase_progress(world):
    project = world.a.project
    p11, p12 = Step.objects.get(code="P1.1"), Step.objects.get(code="P1.2")
    ProjectStepFactory(project=project, step=p11, status="done")
    ProjectStepFactory(project=project, step=p12, target_date=dt.date(2025, 5, 1))
    column = selectors.project_board(project=project, today=TODAY).columns[0]
    assert (column.closed, column.total, column.overdue) == (1, 6, 1)
    assert column.cards[1].overdue
    # A done step is never overdue, whatever its target date.
    ProjectStepFactory(
        project=project,
        step=Step.objects.get(code="P1.3"),
        status="done",
        target_date=dt.date(2025, 1, 10),
    )
    assert not selectors.project_board(project=project, today=TODAY).columns[0].cards[2].overdue


def test_a_programmes_own_step_shows_on_its_projects_only(world):
    step = services.custom_step_create(
        programme=world.programme,
        phase=Phase.objects.get(number=1),
        code="P1.7",
        title="Youth panel",
        prompt="Meet the youth panel.",
    )
    other = ProjectFactory()
    codes = [
        c.step.code
        for c in selectors.project_board(project=world.a.project, today=TODAY).columns[0].cards
    ]
    assert codes[-1] == "P1.7"
    other_codes = [
        c.step.code for c in selectors.project_board(project=other, today=TODAY).columns[0].cards
    ]
    assert step.code not in other_codes


def test_the_next_meeting_is_the_soonest_date_still_to_come(world):
    project = world.a.project
    MeetingFactory(project=project, held_on=dt.date(2025, 4, 1), next_date=dt.date(2025, 5, 1))
    soon = MeetingFactory(
        project=project, held_on=dt.date(2025, 5, 1), next_date=dt.date(2025, 6, 5)
    )
    board = selectors.project_board(project=project, today=TODAY)
    assert board.next_meeting == soon


def test_stakeholder_grid_places_everyone_by_influence_and_interest(world):
    project = world.a.project
    StakeholderFactory(project=project, name="Head", influence="high", interest="high")
    StakeholderFactory(project=project, name="Parent", influence="low", interest="high")
    grid = selectors.stakeholder_grid(stakeholders=selectors.project_stakeholders(project=project))
    placed = {q.title: [s.name for s in q.stakeholders] for q in grid}
    assert placed["Manage closely"] == ["Head"]
    assert placed["Keep informed"] == ["Parent"]
    assert placed["Monitor"] == []
    assert placed["Keep satisfied"] == []


def test_programme_progress_counts_each_phase_and_runs_fixed_queries(world):
    project = world.a.project
    ProjectStepFactory(project=project, step=Step.objects.get(code="P1.1"), status="done")
    ProjectStepFactory(project=project, step=Step.objects.get(code="P2.1"), status="not_applicable")
    ProjectStepFactory(
        project=project, step=Step.objects.get(code="P1.2"), target_date=dt.date(2025, 5, 1)
    )
    MeetingFactory(project=project, held_on=dt.date(2025, 5, 1), next_date=dt.date(2025, 6, 9))
    from projects.permissions import led_programmes

    programmes = led_programmes(world.lead)
    few = count_queries(lambda: selectors.programme_progress(programmes=programmes, today=TODAY))
    for _ in range(3):
        fill(
            ProjectFactory(site=world.b.site), world.b.pm, stakeholders=2, meetings=2, with_steps=16
        )
    many = count_queries(lambda: selectors.programme_progress(programmes=programmes, today=TODAY))
    assert few == many
    rows = {
        r.project.pk: r for r in selectors.programme_progress(programmes=programmes, today=TODAY)
    }
    row = rows[project.pk]
    assert row.phases == [(1, 1, 6), (2, 1, 5), (3, 0, 3), (4, 0, 2)]
    assert row.overdue_steps == 1
    assert row.next_meeting == dt.date(2025, 6, 9)
    assert len(rows) == 5
