"""Reads for implementation tracking: the project board, registers, meetings, assessments and
the programme-wide progress table. Each read runs a fixed number of queries, however many
steps, stakeholders or meetings a project has."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Min, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from phases.charts import AssessmentChart, assessment_chart
from phases.models import (
    Assessment,
    Evidence,
    Meeting,
    MeetingAction,
    Phase,
    Principle,
    PrincipleScore,
    ProjectStep,
    Stakeholder,
    Step,
    StepChange,
    StepStatus,
    TeamMember,
)
from phases.models.checklist import CLOSED_STATUSES
from phases.models.people import QUADRANTS, Level
from projects.models import Programme, Project, Site

RECENT_CHANGES_ON_CARD = 3
MEETINGS_ON_BOARD = 5


def steps_for_project(*, project: Project) -> QuerySet[Step]:
    """The standard steps and the project's programme's own steps, in checklist order."""
    return Step.objects.filter(
        Q(programme__isnull=True) | Q(programme_id=project.site.programme_id)
    ).select_related("phase")


def step_for_project_or_404(*, project: Project, step_id: int) -> Step:
    return get_object_or_404(steps_for_project(project=project), pk=step_id)


def site_members(*, site: Site) -> list[Any]:
    """People who may own a step or join the team: anyone holding a role on the site."""
    return list(
        get_user_model()
        .objects.filter(memberships__site=site, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


@dataclass
class StepCard:
    step: Step
    state: ProjectStep  # unsaved (version 0) until someone first changes the step
    evidence: list[Evidence]
    recent_changes: list[StepChange]
    overdue: bool
    review_due: bool
    form: Any = None  # a bound form with errors, attached by a view after a refused save
    stale_message: str = ""

    @property
    def anchor(self) -> str:
        return f"step-{self.step.pk}"


@dataclass
class PhaseColumn:
    phase: Phase
    cards: list[StepCard]

    @property
    def total(self) -> int:
        return len(self.cards)

    @property
    def done(self) -> int:
        return sum(card.state.status == StepStatus.DONE for card in self.cards)

    @property
    def not_applicable(self) -> int:
        return sum(card.state.status == StepStatus.NOT_APPLICABLE for card in self.cards)

    @property
    def closed(self) -> int:
        return self.done + self.not_applicable

    @property
    def overdue(self) -> int:
        return sum(card.overdue for card in self.cards)

    @property
    def percent(self) -> int:
        return round(100 * self.closed / self.total) if self.total else 0


def _card(step: Step, state: ProjectStep | None, project: Project, today: dt.date) -> StepCard:
    if state is None:
        state = ProjectStep(project=project, step=step)
        evidence: list[Evidence] = []
        changes: list[StepChange] = []
    else:
        state.step = step
        evidence = list(state.evidence.all())
        changes = list(state.recent_changes)  # type: ignore[attr-defined]  # Prefetch to_attr
    return StepCard(
        step=step,
        state=state,
        evidence=evidence,
        recent_changes=changes,
        overdue=state.is_overdue(today),
        review_due=step.phase.number == 1 and state.review_due(today),
    )


def _states(project: Project, step_ids: list[int] | None = None, recent: int | None = None):
    changes = StepChange.objects.select_related("changed_by").order_by("-changed_at", "-pk")
    queryset = (
        ProjectStep.objects.filter(project=project)
        .select_related("owner")
        .prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.select_related("added_by")),
            Prefetch(
                "changes",
                queryset=changes[:recent] if recent else changes,
                to_attr="recent_changes",
            ),
        )
    )
    if step_ids is not None:
        queryset = queryset.filter(step_id__in=step_ids)
    return {state.step_id: state for state in queryset}


def phase_columns(*, project: Project, today: dt.date) -> list[PhaseColumn]:
    steps = list(steps_for_project(project=project))
    states = _states(project, recent=RECENT_CHANGES_ON_CARD)
    by_phase: dict[int, PhaseColumn] = {}
    for step in steps:
        column = by_phase.setdefault(step.phase.number, PhaseColumn(phase=step.phase, cards=[]))
        column.cards.append(_card(step, states.get(step.pk), project, today))
    return [by_phase[number] for number in sorted(by_phase)]


def step_card(*, project: Project, step: Step, today: dt.date, full_history: bool = False):
    states = _states(
        project, step_ids=[step.pk], recent=None if full_history else RECENT_CHANGES_ON_CARD
    )
    return _card(step, states.get(step.pk), project, today)


def phase_column(*, project: Project, phase: Phase, today: dt.date) -> PhaseColumn:
    """One phase's cards, to redraw its progress after a change."""
    return next(c for c in phase_columns(project=project, today=today) if c.phase.pk == phase.pk)


def project_team(*, project: Project) -> list[TeamMember]:
    return list(project.team.select_related("user", "deputy").order_by("pk"))


def project_stakeholders(*, project: Project) -> list[Stakeholder]:
    return list(project.stakeholders.order_by("name", "pk"))


@dataclass
class Quadrant:
    title: str
    influence: str
    interest: str
    stakeholders: list[Stakeholder] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return f"{self.influence}-influence-{self.interest}-interest"


def stakeholder_grid(*, stakeholders: list[Stakeholder]) -> list[Quadrant]:
    """High influence on the top row, high interest on the right (reading order: top-left,
    top-right, bottom-left, bottom-right)."""
    order = [
        (Level.HIGH, Level.LOW),
        (Level.HIGH, Level.HIGH),
        (Level.LOW, Level.LOW),
        (Level.LOW, Level.HIGH),
    ]
    quadrants: dict[tuple[str, str], Quadrant] = {
        key: Quadrant(title=QUADRANTS[key], influence=key[0], interest=key[1]) for key in order
    }
    for stakeholder in stakeholders:
        quadrants[(stakeholder.influence, stakeholder.interest)].stakeholders.append(stakeholder)
    return [quadrants[key] for key in order]


def project_meetings(*, project: Project) -> QuerySet[Meeting]:
    return project.meetings.annotate(
        attendee_count=Count("attendees", distinct=True),
        open_actions=Count("actions", filter=Q(actions__done=False), distinct=True),
    ).order_by("-held_on", "-pk")


def meeting_detail(*, project: Project, meeting_id: int) -> Meeting:
    queryset = project.meetings.select_related("organiser").prefetch_related(
        Prefetch("attendees", queryset=Stakeholder.objects.order_by("name")),
        Prefetch("actions", queryset=MeetingAction.objects.select_related("owner")),
    )
    return get_object_or_404(queryset, pk=meeting_id)


def next_meeting(*, meetings: list[Meeting], today: dt.date) -> Meeting | None:
    """The meeting whose 'next date' is the soonest one still to come."""
    upcoming = [m for m in meetings if m.next_date and m.next_date >= today]
    return min(upcoming, key=lambda m: (m.next_date, -m.pk), default=None)


def open_actions(*, project: Project) -> list[MeetingAction]:
    return list(
        MeetingAction.objects.filter(meeting__project=project, done=False)
        .select_related("owner", "meeting")
        .order_by("due_date", "pk")
    )


def active_principles() -> list[Principle]:
    return list(Principle.objects.filter(active=True).order_by("order", "name"))


def project_assessments(*, project: Project) -> list[Assessment]:
    return list(
        project.assessments.prefetch_related(
            Prefetch("scores", queryset=PrincipleScore.objects.select_related("principle"))
        ).order_by("assessed_on", "pk")
    )


def assessment_for_project_or_404(*, project: Project, assessment_id: int) -> Assessment:
    for assessment in project_assessments(project=project):
        if assessment.pk == assessment_id:
            return assessment
    raise Http404("No such assessment.")


@dataclass
class ProjectBoard:
    project: Project
    today: dt.date
    columns: list[PhaseColumn]
    owners: list[Any]
    team: list[TeamMember]
    stakeholders: list[Stakeholder]
    grid: list[Quadrant]
    meetings: list[Meeting]
    meeting_count: int
    next_meeting: Meeting | None
    open_actions: list[MeetingAction]
    assessments: list[Assessment]
    chart: AssessmentChart

    @property
    def after_phase_four(self) -> bool:
        """Every Phase 4 step done or not applicable: the sustainability check-ins begin."""
        return any(c.phase.number == 4 and c.total and c.closed >= c.total for c in self.columns)


def project_board(*, project: Project, today: dt.date) -> ProjectBoard:
    """Everything the project page shows of the implementation work, in 13 queries."""
    meetings = list(project_meetings(project=project))
    stakeholders = project_stakeholders(project=project)
    assessments = project_assessments(project=project)
    principles = active_principles()
    return ProjectBoard(
        project=project,
        today=today,
        columns=phase_columns(project=project, today=today),
        owners=site_members(site=project.site),
        team=project_team(project=project),
        stakeholders=stakeholders,
        grid=stakeholder_grid(stakeholders=stakeholders),
        meetings=meetings[:MEETINGS_ON_BOARD],
        meeting_count=len(meetings),
        next_meeting=next_meeting(meetings=meetings, today=today),
        open_actions=open_actions(project=project),
        assessments=assessments,
        chart=assessment_chart(assessments=assessments, principles=principles),
    )


@dataclass
class ProjectProgress:
    project: Project
    phases: list[tuple[int, int, int]]  # (phase number, closed steps, applicable steps)
    overdue_steps: int
    open_actions: int
    overdue_actions: int
    next_meeting: dt.date | None


def programme_progress(*, programmes: QuerySet[Programme], today: dt.date) -> list[ProjectProgress]:
    """One row per project of the programmes: each phase's progress, overdue steps and actions,
    and the next meeting. Six queries, however many sites and projects."""
    return projects_progress(
        projects=Project.objects.filter(site__programme__in=programmes), today=today
    )


def site_progress(*, site_ids: list[int], today: dt.date) -> dict[int, list[ProjectProgress]]:
    """The same rows grouped by site, for the site and programme dashboards."""
    by_site: dict[int, list[ProjectProgress]] = defaultdict(list)
    rows = projects_progress(projects=Project.objects.filter(site_id__in=site_ids), today=today)
    for row in rows:
        by_site[row.project.site_id].append(row)
    return dict(by_site)


def projects_progress(*, projects: QuerySet[Project], today: dt.date) -> list[ProjectProgress]:
    project_list = list(projects.select_related("site").order_by("site__name", "title"))
    phase_numbers = list(Phase.objects.values_list("number", flat=True).order_by("number"))
    totals: dict[int | None, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for programme_id, number, count in (
        Step.objects.values_list("programme_id", "phase__number")
        .annotate(n=Count("pk"))
        .values_list("programme_id", "phase__number", "n")
    ):
        totals[programme_id][number] = count
    closed: dict[tuple[int, int], int] = defaultdict(int)
    overdue: dict[int, int] = defaultdict(int)
    project_ids = [p.pk for p in project_list]
    for project_id, number, n_closed, n_overdue in (
        ProjectStep.objects.filter(project_id__in=project_ids)
        .filter(Q(step__programme__isnull=True) | Q(step__programme=F("project__site__programme")))
        .values("project_id", "step__phase__number")
        .annotate(
            n_closed=Count("pk", filter=Q(status__in=CLOSED_STATUSES)),
            n_overdue=Count("pk", filter=Q(target_date__lt=today) & ~Q(status__in=CLOSED_STATUSES)),
        )
        .values_list("project_id", "step__phase__number", "n_closed", "n_overdue")
    ):
        closed[(project_id, number)] = n_closed
        overdue[project_id] += n_overdue
    actions = {
        row["meeting__project_id"]: row
        for row in MeetingAction.objects.filter(meeting__project_id__in=project_ids, done=False)
        .values("meeting__project_id")
        .annotate(n_open=Count("pk"), n_overdue=Count("pk", filter=Q(due_date__lt=today)))
    }
    next_dates = dict(
        Meeting.objects.filter(project_id__in=project_ids, next_date__gte=today)
        .values("project_id")
        .annotate(soonest=Min("next_date"))
        .values_list("project_id", "soonest")
    )
    rows = []
    for project in project_list:
        programme_id = project.site.programme_id
        phases = [
            (
                number,
                closed[(project.pk, number)],
                totals[None][number] + totals[programme_id][number],
            )
            for number in phase_numbers
        ]
        action_row = actions.get(project.pk, {})
        rows.append(
            ProjectProgress(
                project=project,
                phases=phases,
                overdue_steps=overdue[project.pk],
                open_actions=action_row.get("n_open", 0),
                overdue_actions=action_row.get("n_overdue", 0),
                next_meeting=next_dates.get(project.pk),
            )
        )
    return rows


def programme_custom_steps(*, programmes: QuerySet[Programme]) -> QuerySet[Step]:
    return Step.objects.filter(programme__in=programmes).select_related("phase", "programme")
