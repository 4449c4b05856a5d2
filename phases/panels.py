"""What implementation tracking contributes to the site and programme dashboards, the meeting
pack, the weekly digest and the alerts (see projects.panels)."""

from __future__ import annotations

from typing import Any

from projects.models import Site
from projects.panels import (
    Alert,
    DigestSection,
    PackSection,
    Panel,
    PanelContext,
    ProjectBody,
    register_alert,
    register_digest_section,
    register_panel,
    register_project_body,
)

from . import notifications, selectors
from .selectors import dashboard


def _site_ids(context: PanelContext) -> list[int]:
    return [site.pk for site in context.sites]


# --- Phase progress -----------------------------------------------------------------------


def progress_build(context: PanelContext) -> dict[int, Any]:
    return selectors.site_progress(site_ids=_site_ids(context), today=context.today)


def progress_pack(data: Any, site: Site) -> list[PackSection]:
    if not data:
        return []
    rows = [
        [row.project.title, f"Phase {number}", f"{closed} of {total}"]
        for row in data
        for number, closed, total in row.phases
    ]
    return [
        PackSection(
            heading="Implementation progress",
            paragraphs=["Steps done (or not applicable) out of the steps in each phase."],
            table=(["Project", "Phase", "Done"], rows),
        )
    ]


# --- Next meeting -------------------------------------------------------------------------


def meetings_build(context: PanelContext) -> dict[int, Any]:
    return dashboard.site_next_meetings(
        site_ids=_site_ids(context),
        today=context.today,
        shared=context.shared,
        signed_in=context.user is not None and not context.shared,
    )


def meetings_pack(data: Any, site: Site) -> list[PackSection]:
    if data is None:
        return []
    if not data.upcoming:
        return [PackSection(heading="Next meeting", paragraphs=["No next meeting is booked."])]
    paragraphs, bullets = [], []
    for meeting in data.upcoming:
        where = f", {meeting.location}" if meeting.location else ""
        paragraphs.append(
            f"{meeting.title} ({meeting.project.title}): {meeting.date:%A %-d %B %Y} at "
            f"{meeting.start:%H:%M}{where}."
        )
        bullets += [f"{name} ({meeting.title})" for name in meeting.attendees]
    if bullets:
        paragraphs.append("Attendees:")
    return [PackSection(heading="Next meeting", paragraphs=paragraphs, bullets=bullets)]


# --- Overdue steps and open actions ---------------------------------------------------------


def work_build(context: PanelContext) -> dict[int, Any]:
    return dashboard.site_work(
        site_ids=_site_ids(context), today=context.today, shared=context.shared
    )


def work_pack(data: Any, site: Site) -> list[PackSection]:
    if data is None:
        return []
    if data.open_actions:
        agenda = PackSection(
            heading="Agenda: open actions",
            paragraphs=["Actions from earlier meetings still open, soonest due first."],
            table=(
                ["Project", "Action", "Owner", "Due", "Overdue"],
                [
                    [
                        a.project.title,
                        a.description,
                        a.owner or "Nobody",
                        f"{a.due_date:%-d %b %Y}",
                        "OVERDUE" if a.overdue else "",
                    ]
                    for a in data.open_actions
                ],
            ),
        )
    else:
        agenda = PackSection(heading="Agenda: open actions", paragraphs=["No open actions."])
    if data.overdue_steps:
        steps = PackSection(
            heading="Overdue steps",
            table=(
                ["Project", "Step", "Owner", "Target date", "Days overdue"],
                [
                    [
                        s.project.title,
                        f"{s.code} {s.title}",
                        s.owner or "Nobody",
                        f"{s.target_date:%-d %b %Y}",
                        str(s.days_overdue),
                    ]
                    for s in data.overdue_steps
                ],
            ),
        )
    else:
        steps = PackSection(heading="Overdue steps", paragraphs=["No step is overdue."])
    return [agenda, steps]


# --- THRIVE assessment --------------------------------------------------------------------


def assessment_build(context: PanelContext) -> dict[int, Any]:
    return dashboard.site_assessments(site_ids=_site_ids(context))


def assessment_pack(data: Any, site: Site) -> list[PackSection]:
    if not data:
        return []
    sections = []
    for summary in data:
        sections.append(
            PackSection(
                heading=f"THRIVE assessment: {summary.project.title}",
                paragraphs=[
                    f"{summary.kind} on {summary.assessed_on:%-d %B %Y}: {summary.headline}. "
                    "A score of 3 or 4 is THRIVE-like."
                ],
                table=(
                    ["Principle", "Baseline", "Latest", "THRIVE-like"],
                    [
                        [
                            row.principle,
                            "" if row.baseline is None else str(row.baseline),
                            str(row.latest),
                            "Yes" if row.thrive_like else "No",
                        ]
                        for row in summary.rows
                    ],
                ),
            )
        )
    return sections


def register() -> None:
    register_project_body(ProjectBody(build=selectors.project_board))
    register_panel(
        Panel(
            key="implementation",
            title="Implementation phases",
            order=10,
            build=progress_build,
            template="phases/_panel_site.html",
            programme_template="phases/_panel_programme.html",
            programme_heading="Implementation phases",
            pack=progress_pack,
        )
    )
    register_panel(
        Panel(
            key="next-meeting",
            title="Next meeting",
            order=11,
            build=meetings_build,
            template="phases/_panel_meetings.html",
            pack=meetings_pack,
        )
    )
    register_panel(
        Panel(
            key="overdue-work",
            title="Overdue steps and open actions",
            order=12,
            build=work_build,
            template="phases/_panel_work.html",
            pack=work_pack,
        )
    )
    register_panel(
        Panel(
            key="thrive-assessment",
            title="THRIVE assessment",
            order=13,
            build=assessment_build,
            template="phases/_panel_assessment.html",
            programme_template="phases/_panel_assessment_programme.html",
            programme_heading="THRIVE assessment",
            pack=assessment_pack,
        )
    )
    register_digest_section(
        DigestSection(
            key="overdue-work",
            label="Your overdue steps and actions",
            order=10,
            build=notifications.overdue_digest,
        )
    )
    register_digest_section(
        DigestSection(
            key="meetings",
            label="Meetings this week",
            order=20,
            build=notifications.meetings_digest,
        )
    )
    register_alert(
        Alert(
            key="sustainability-checkin",
            label="Sustainability check-ins after Phase 4",
            find=notifications.checkin_alerts,
        )
    )
