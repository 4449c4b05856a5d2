"""Reads for the dashboards, the meeting pack, the weekly digest and the check-in alert.

Each read takes every site at once and runs a fixed number of queries, however many sites,
projects, steps, actions, meetings or assessments there are. On shared (anonymous) views the
reads leave out people's names and free text, so no template can show them by mistake.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Prefetch, Q
from django.urls import reverse

from phases.forms import person_name
from phases.models import (
    Assessment,
    Meeting,
    MeetingAction,
    PrincipleScore,
    ProjectStep,
    Stakeholder,
)
from phases.models.assessment import THRIVE_LIKE
from phases.models.checklist import CLOSED_STATUSES
from projects.models import Membership, Project

from . import ProjectProgress, projects_progress

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _projects(site_ids: Sequence[int]) -> list[Project]:
    return list(
        Project.objects.filter(site_id__in=site_ids)
        .select_related("site")
        .order_by("site__name", "title", "pk")
    )


def _own_steps(queryset: Any) -> Any:
    """Standard steps, and the project's own programme's steps (never another programme's)."""
    return queryset.filter(
        Q(step__programme__isnull=True) | Q(step__programme=F("project__site__programme"))
    )


def _name(user: User | None, shared: bool) -> str:
    return "" if shared or user is None else person_name(user)


# --- Overdue steps and open actions ---------------------------------------------------------


@dataclass(frozen=True)
class OverdueStep:
    project: Project
    step_id: int
    code: str
    title: str
    owner: str  # empty on shared views
    target_date: dt.date
    days_overdue: int


@dataclass(frozen=True)
class OpenAction:
    project: Project
    meeting_id: int
    description: str  # empty on shared views
    owner: str  # empty on shared views
    due_date: dt.date
    overdue: bool


@dataclass
class SiteWork:
    projects: list[Project] = field(default_factory=list)
    overdue_steps: list[OverdueStep] = field(default_factory=list)
    open_actions: list[OpenAction] = field(default_factory=list)

    @property
    def overdue_actions(self) -> int:
        return sum(action.overdue for action in self.open_actions)


def site_work(*, site_ids: Sequence[int], today: dt.date, shared: bool) -> dict[int, SiteWork]:
    """Each site's overdue steps (past target, not done or N/A) and open actions. 3 queries."""
    projects = {p.pk: p for p in _projects(site_ids)}
    work = {site_id: SiteWork() for site_id in site_ids}
    for project in projects.values():
        work[project.site_id].projects.append(project)
    steps = (
        _own_steps(ProjectStep.objects.filter(project_id__in=list(projects), target_date__lt=today))
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("step", "owner")
        .order_by("target_date", "step__code", "pk")
    )
    for state in steps:
        project = projects[state.project_id]
        work[project.site_id].overdue_steps.append(
            OverdueStep(
                project=project,
                step_id=state.step_id,
                code=state.step.code,
                title=state.step.title,
                owner=_name(state.owner, shared),
                target_date=state.target_date,
                days_overdue=(today - state.target_date).days,
            )
        )
    actions = (
        MeetingAction.objects.filter(meeting__project_id__in=list(projects), done=False)
        .select_related("owner", "meeting")
        .order_by("due_date", "pk")
    )
    for action in actions:
        project = projects[action.meeting.project_id]
        work[project.site_id].open_actions.append(
            OpenAction(
                project=project,
                meeting_id=action.meeting_id,
                description="" if shared else action.description,
                owner=_name(action.owner, shared),
                due_date=action.due_date,
                overdue=action.is_overdue(today),
            )
        )
    return work


# --- Next meetings ----------------------------------------------------------------------


@dataclass(frozen=True)
class NextMeeting:
    project: Project
    meeting_id: int
    title: str
    date: dt.date
    start: dt.time
    location: str  # empty on shared views (it may be a video-call link)
    attendee_count: int
    attendees: list[str]  # empty on shared views
    invite_url: str  # only for a signed-in viewer


@dataclass
class SiteMeetings:
    projects: list[Project] = field(default_factory=list)
    upcoming: list[NextMeeting] = field(default_factory=list)  # one per project, soonest first


def site_next_meetings(
    *, site_ids: Sequence[int], today: dt.date, shared: bool, signed_in: bool
) -> dict[int, SiteMeetings]:
    """Each project's next meeting (the soonest 'next date' still to come). 2 queries, or 3
    with attendee names (never on shared views)."""
    projects = {p.pk: p for p in _projects(site_ids)}
    result = {site_id: SiteMeetings() for site_id in site_ids}
    for project in projects.values():
        result[project.site_id].projects.append(project)
    meetings = Meeting.objects.filter(project_id__in=list(projects), next_date__gte=today).annotate(
        attendee_count=Count("attendees")
    )
    if not shared:
        meetings = meetings.prefetch_related(
            Prefetch("attendees", queryset=Stakeholder.objects.order_by("name", "pk"))
        )
    soonest: dict[int, Any] = {}  # Meeting, annotated with attendee_count
    for meeting in meetings:
        best = soonest.get(meeting.project_id)
        if best is None or (meeting.next_date, -meeting.pk) < (best.next_date, -best.pk):
            soonest[meeting.project_id] = meeting
    for project_id, meeting in soonest.items():
        project = projects[project_id]
        invite_url = ""
        if signed_in and not shared:
            invite_url = reverse(
                "phases:meeting-invite",
                kwargs={
                    "site_code": project.site.code,
                    "project_id": project.pk,
                    "meeting_id": meeting.pk,
                },
            )
        result[project.site_id].upcoming.append(
            NextMeeting(
                project=project,
                meeting_id=meeting.pk,
                title=meeting.title,
                date=meeting.next_date,
                start=meeting.next_start,
                location="" if shared else meeting.next_location,
                attendee_count=meeting.attendee_count,
                attendees=[] if shared else [a.name for a in meeting.attendees.all()],
                invite_url=invite_url,
            )
        )
    for site_meetings in result.values():
        site_meetings.upcoming.sort(key=lambda m: (m.date, m.start, m.project.title))
    return result


# --- THRIVE assessments -----------------------------------------------------------------


@dataclass(frozen=True)
class PrincipleRow:
    principle: str
    baseline: int | None
    latest: int

    @property
    def thrive_like(self) -> bool:
        return self.latest >= THRIVE_LIKE


@dataclass(frozen=True)
class AssessmentSummary:
    project: Project
    assessed_on: dt.date
    kind: str
    thrive_like: int
    scored: int
    baseline_thrive_like: int | None  # None without a baseline
    is_baseline: bool
    rows: list[PrincipleRow]

    @property
    def change(self) -> str:
        if self.is_baseline:
            return "baseline"
        if self.baseline_thrive_like is None:
            return "no baseline to compare"
        difference = self.thrive_like - self.baseline_thrive_like
        if difference > 0:
            return f"up {difference} since baseline"
        if difference < 0:
            return f"down {-difference} since baseline"
        return "no change since baseline"

    @property
    def headline(self) -> str:
        """For example: 5 of 8 THRIVE-like (up 2 since baseline)."""
        return f"{self.thrive_like} of {self.scored} THRIVE-like ({self.change})"


def site_assessments(*, site_ids: Sequence[int]) -> dict[int, list[AssessmentSummary]]:
    """Each project's latest THRIVE assessment against its baseline. 3 queries."""
    projects = {p.pk: p for p in _projects(site_ids)}
    latest: dict[int, Assessment] = {}
    baseline: dict[int, Assessment] = {}
    for assessment in Assessment.objects.filter(project_id__in=list(projects)).order_by(
        "assessed_on", "pk"
    ):
        latest[assessment.project_id] = assessment
        if assessment.kind == Assessment.Kind.BASELINE:
            baseline[assessment.project_id] = assessment
    wanted = {a.pk for a in latest.values()} | {a.pk for a in baseline.values()}
    scores: dict[int, dict[str, int]] = defaultdict(dict)
    principle_order: dict[str, tuple[int, str]] = {}
    for score in PrincipleScore.objects.filter(assessment_id__in=wanted).select_related(
        "principle"
    ):
        scores[score.assessment_id][score.principle.name] = score.score
        principle_order[score.principle.name] = (score.principle.order, score.principle.name)
    result: dict[int, list[AssessmentSummary]] = {site_id: [] for site_id in site_ids}
    for project in projects.values():
        last = latest.get(project.pk)
        if last is None:
            continue
        base = baseline.get(project.pk)
        last_scores = scores[last.pk]
        base_scores = scores[base.pk] if base else {}
        result[project.site_id].append(
            AssessmentSummary(
                project=project,
                assessed_on=last.assessed_on,
                kind=last.get_kind_display(),
                thrive_like=sum(s >= THRIVE_LIKE for s in last_scores.values()),
                scored=len(last_scores),
                baseline_thrive_like=(
                    sum(s >= THRIVE_LIKE for s in base_scores.values()) if base else None
                ),
                is_baseline=base is not None and base.pk == last.pk,
                rows=[
                    PrincipleRow(principle=name, baseline=base_scores.get(name), latest=value)
                    for name, value in sorted(
                        last_scores.items(), key=lambda item: principle_order[item[0]]
                    )
                ],
            )
        )
    return result


# --- The weekly digest --------------------------------------------------------------------


def overdue_for_user(
    *, user: User, site_ids: Sequence[int], today: dt.date
) -> tuple[list[ProjectStep], list[MeetingAction]]:
    """Steps the user owns that are past target and still open, and their overdue actions,
    on the given sites only. 2 queries."""
    steps = list(
        _own_steps(
            ProjectStep.objects.filter(
                owner=user, project__site_id__in=site_ids, target_date__lt=today
            )
        )
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("step", "project__site")
        .order_by("target_date", "step__code", "pk")
    )
    actions = list(
        MeetingAction.objects.filter(
            owner=user, done=False, due_date__lt=today, meeting__project__site_id__in=site_ids
        )
        .select_related("meeting__project__site")
        .order_by("due_date", "pk")
    )
    return steps, actions


def meetings_between(*, site_ids: Sequence[int], start: dt.date, end: dt.date) -> list[Meeting]:
    """Meetings whose next date falls in [start, end), once per project, date and time. 1 query."""
    seen: set[tuple[int, dt.date | None, dt.time]] = set()
    meetings = []
    for meeting in (
        Meeting.objects.filter(
            project__site_id__in=site_ids, next_date__gte=start, next_date__lt=end
        )
        .select_related("project__site")
        .order_by("next_date", "next_start", "-pk")
    ):
        key = (meeting.project_id, meeting.next_date, meeting.next_start)
        if key not in seen:
            seen.add(key)
            meetings.append(meeting)
    return meetings


# --- The sustainability check-in ---------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    project: Project
    managers: list[Any]


def after_phase_four(progress: ProjectProgress) -> bool:
    """Every Phase 4 step done or not applicable (and Phase 4 has steps)."""
    return any(
        number == 4 and total and closed >= total for number, closed, total in progress.phases
    )


def checkins_due(*, today: dt.date) -> list[CheckIn]:
    """Projects past Phase 4 that ask for check-ins, with their sites' project managers.
    A fixed number of queries (those of projects_progress, and one for the managers)."""
    rows = [
        row
        for row in projects_progress(
            projects=Project.objects.exclude(sustainability_checkin=Project.CheckIn.NONE),
            today=today,
        )
        if after_phase_four(row)
    ]
    managers: dict[int, list[Any]] = defaultdict(list)
    for membership in (
        Membership.objects.filter(
            site_id__in={row.project.site_id for row in rows},
            role=Membership.Role.PROJECT_MANAGER,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__pk")
    ):
        if membership.user not in managers[membership.site_id]:
            managers[membership.site_id].append(membership.user)
    return [
        CheckIn(project=row.project, managers=managers[row.project.site_id])
        for row in rows
        if managers[row.project.site_id]
    ]
