"""What implementation tracking adds to the dashboards, the meeting pack, the weekly digest and
the sustainability check-in alert."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from phases import notifications as phase_notifications
from phases import panels as phase_panels
from phases.models import Principle, PrincipleScore, Step, StepStatus
from projects import notifications, services
from projects.models import Membership, Project, SentNotification
from projects.pack import meeting_pack_pdf, meeting_pack_sections
from projects.panels import PANELS, PanelContext
from tests.conftest import make_site_world
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

from .factories import (
    AssessmentFactory,
    MeetingActionFactory,
    MeetingFactory,
    ProjectStepFactory,
    StakeholderFactory,
    standard_step,
)

TODAY = dt.date(2025, 4, 1)
PHASE_PANELS = ("implementation", "next-meeting", "overdue-work", "thrive-assessment")


def context(sites, *, user=None, shared=False, today=TODAY) -> PanelContext:
    return PanelContext(sites=sites, today=today, user=user, shared=shared)


def build(key, sw, **kwargs):
    return PANELS[key].build(context([sw.site], **kwargs))[sw.site.pk]


def fill(sw, today=TODAY):
    """A site with an overdue step, open and overdue actions, a next meeting with a young
    people's representative, and a baseline and follow-up THRIVE assessment."""
    project = sw.project
    ProjectStepFactory(
        project=project,
        step=standard_step("P1.1"),
        status=StepStatus.IN_PROGRESS,
        owner=sw.pm,
        target_date=today - dt.timedelta(days=10),
        notes="Private note about Jamie",
    )
    meeting = MeetingFactory(
        project=project,
        held_on=today - dt.timedelta(days=20),
        next_date=today + dt.timedelta(days=3),
        next_location="https://video.example/secret-room",
    )
    meeting.attendees.add(
        StakeholderFactory(
            project=project, name="Jamie Youthrep", represents_young_people_or_families=True
        ),
        StakeholderFactory(project=project, name="Dr Priya Shah"),
    )
    MeetingActionFactory(
        meeting=meeting,
        description="Ask Jamie about the waiting room",
        owner=sw.pm,
        due_date=today - dt.timedelta(days=2),
    )
    MeetingActionFactory(
        meeting=meeting,
        description="Book the hall",
        owner=sw.info,
        due_date=today + dt.timedelta(5),
    )
    principles = list(Principle.objects.filter(active=True))
    baseline = AssessmentFactory(project=project, assessed_on=today - dt.timedelta(days=90))
    follow_up = AssessmentFactory(
        project=project, kind="follow_up", assessed_on=today - dt.timedelta(days=5)
    )
    for i, principle in enumerate(principles):
        PrincipleScore.objects.create(
            assessment=baseline, principle=principle, score=3 if i < 3 else 2
        )
        PrincipleScore.objects.create(
            assessment=follow_up, principle=principle, score=3 if i < 5 else 1
        )
    return meeting


# --- Overdue steps and open actions -------------------------------------------------------


def test_overdue_steps_are_past_target_and_still_open(world):
    sw = world.a
    late = TODAY - dt.timedelta(days=4)
    ProjectStepFactory(
        project=sw.project,
        step=standard_step("P1.1"),
        target_date=late,
        status=StepStatus.IN_PROGRESS,
        owner=sw.pm,
    )
    ProjectStepFactory(
        project=sw.project, step=standard_step("P1.2"), target_date=late, status=StepStatus.DONE
    )
    ProjectStepFactory(
        project=sw.project,
        step=standard_step("P1.3"),
        target_date=late,
        status=StepStatus.NOT_APPLICABLE,
    )
    ProjectStepFactory(project=sw.project, step=standard_step("P1.4"), target_date=TODAY)
    work = build("overdue-work", sw, user=sw.pm)
    assert [(s.code, s.owner, s.target_date, s.days_overdue) for s in work.overdue_steps] == [
        ("P1.1", sw.pm.get_full_name(), late, 4)
    ]


def test_open_actions_show_owner_due_date_and_whether_overdue(world):
    sw = world.a
    fill(sw)
    MeetingActionFactory(meeting=MeetingFactory(project=sw.project), done=True)
    work = build("overdue-work", sw, user=sw.pm)
    assert [(a.description, a.owner, a.overdue) for a in work.open_actions] == [
        ("Ask Jamie about the waiting room", sw.pm.get_full_name(), True),
        ("Book the hall", sw.info.get_full_name(), False),
    ]
    assert work.overdue_actions == 1


def test_the_dashboard_marks_overdue_in_words_and_offers_quick_actions_to_managers(
    world, client_as
):
    fill(world.a, today=timezone.localdate())
    html = client_as(world.a.pm).get(f"/sites/{world.a.site.code}/").content.decode()
    assert "Overdue steps and open actions" in html
    assert "Ask Jamie about the waiting room" in html
    assert 'thrive-tag-overdue">Overdue</strong>' in html
    assert "Update steps" in html
    assert "Record a meeting" in html
    assert reverse("phases:meeting-create", args=[world.a.site.code, world.a.project.pk]) in html


def test_stakeholders_read_the_dashboard_without_quick_actions(world, client_as):
    fill(world.a, today=timezone.localdate())
    html = client_as(world.a.stakeholder).get(f"/sites/{world.a.site.code}/").content.decode()
    assert "Ask Jamie about the waiting room" in html
    assert "Update steps" not in html
    assert "Record a meeting" not in html


# --- Next meeting -------------------------------------------------------------------------


def test_the_next_meeting_is_each_projects_soonest_date_to_come(world):
    sw = world.a
    MeetingFactory(
        project=sw.project, held_on=TODAY - dt.timedelta(60), next_date=TODAY - dt.timedelta(1)
    )
    MeetingFactory(
        project=sw.project, held_on=TODAY - dt.timedelta(30), next_date=TODAY + dt.timedelta(20)
    )
    soonest = MeetingFactory(
        project=sw.project,
        held_on=TODAY - dt.timedelta(2),
        next_date=TODAY + dt.timedelta(6),
        next_start=dt.time(14, 0),
    )
    meetings = build("next-meeting", sw, user=sw.stakeholder)
    assert [(m.meeting_id, m.date, m.start) for m in meetings.upcoming] == [
        (soonest.pk, TODAY + dt.timedelta(6), dt.time(14, 0))
    ]


def test_signed_in_viewers_get_attendees_and_the_calendar_invite(world, client_as):
    meeting = fill(world.a, today=timezone.localdate())
    html = client_as(world.a.stakeholder).get(f"/sites/{world.a.site.code}/").content.decode()
    invite = reverse(
        "phases:meeting-invite", args=[world.a.site.code, world.a.project.pk, meeting.pk]
    )
    assert f'href="{invite}"' in html
    assert "Dr Priya Shah" in html
    assert client_as(world.a.stakeholder).get(invite).status_code == 200


def test_shared_views_show_counts_and_dates_but_no_names_or_notes(world, client):
    sw = world.a
    today = timezone.localdate()
    meeting = fill(sw, today=today)
    _link, token = services.shared_link_create(site=sw.site, user=sw.pm, label="Board", days=7)
    html = client.get(reverse("shared-dashboard", args=[token])).content.decode()
    for secret in (
        "Jamie",
        "Dr Priya Shah",
        "Book the hall",
        "secret-room",
        "Private note",
        sw.pm.get_full_name(),
        sw.info.get_full_name(),
        ".ics",
        "Record a meeting",
        "Update steps",
    ):
        assert secret not in html, secret
    assert f"{meeting.next_date:%-d %B %Y}" in html
    assert "2 attendees invited" in html
    assert "2 open actions, 1 overdue" in html
    assert "P1.1 Set up and governance" in html
    assert "Overdue</strong>" in html


def test_shared_panel_data_carries_no_names_or_free_text(world):
    sw = world.a
    fill(sw)
    data = {key: build(key, sw, shared=True) for key in PHASE_PANELS}
    assert {a.owner for a in data["overdue-work"].open_actions} == {""}
    assert {a.description for a in data["overdue-work"].open_actions} == {""}
    assert {s.owner for s in data["overdue-work"].overdue_steps} == {""}
    (meeting,) = data["next-meeting"].upcoming
    assert (meeting.attendees, meeting.location, meeting.invite_url) == ([], "", "")
    assert meeting.attendee_count == 2


# --- THRIVE assessment --------------------------------------------------------------------


def test_assessment_headline_counts_thrive_like_principles_against_the_baseline(world):
    sw = world.a
    fill(sw)
    (summary,) = build("thrive-assessment", sw)
    total = Principle.objects.filter(active=True).count()
    assert summary.headline == f"5 of {total} THRIVE-like (up 2 since baseline)"
    assert summary.assessed_on == TODAY - dt.timedelta(days=5)
    assert [(r.baseline, r.latest) for r in summary.rows[:4]] == [(3, 3), (3, 3), (3, 3), (2, 3)]


@pytest.mark.parametrize(
    ("baseline", "follow_up", "words"),
    [
        ([3, 3, 1], None, "2 of 3 THRIVE-like (baseline)"),
        ([3, 3, 1], [3, 1, 1], "1 of 3 THRIVE-like (down 1 since baseline)"),
        ([3, 3, 1], [4, 1, 3], "2 of 3 THRIVE-like (no change since baseline)"),
        (None, [4, 4, 1], "2 of 3 THRIVE-like (no baseline to compare)"),
    ],
)
def test_assessment_change_reads_in_words(world, baseline, follow_up, words):
    principles = list(Principle.objects.filter(active=True)[:3])
    for kind, scores, days in (("baseline", baseline, 60), ("follow_up", follow_up, 5)):
        if scores:
            assessment = AssessmentFactory(
                project=world.a.project, kind=kind, assessed_on=TODAY - dt.timedelta(days)
            )
            for principle, score in zip(principles, scores, strict=True):
                PrincipleScore.objects.create(
                    assessment=assessment, principle=principle, score=score
                )
    (summary,) = build("thrive-assessment", world.a)
    assert summary.headline == words


def test_the_programme_dashboard_shows_each_sites_thrive_scores(world, client_as):
    fill(world.a)
    html = client_as(world.lead).get("/programme/").content.decode()
    total = Principle.objects.filter(active=True).count()
    assert "THRIVE assessment" in html
    assert (
        f"5 of {total} THRIVE-like (up 2 since baseline), {TODAY - dt.timedelta(5):%-d %b %Y}"
        in html
    )
    assert "Not assessed yet." in html  # site B


# --- Fixed query counts -------------------------------------------------------------------


def _programme_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/programme/").status_code == 200
    return len(queries)


def test_programme_dashboard_runs_the_same_queries_for_two_and_six_sites(world, client_as):
    fill(world.a)
    fill(world.b)
    few = _programme_queries(client_as(world.lead))
    for code in ("CCC", "DDD", "EEE", "FFF"):
        fill(make_site_world(world.programme, code))
    many = _programme_queries(client_as(world.lead))
    assert few == many


@pytest.mark.parametrize("key", PHASE_PANELS)
@pytest.mark.parametrize("shared", [False, True])
def test_each_panel_builds_every_site_in_a_fixed_number_of_queries(world, key, shared):
    fill(world.a)
    with CaptureQueriesContext(connection) as one:
        PANELS[key].build(context([world.a.site], user=world.a.pm, shared=shared))
    others = [world.b] + [make_site_world(world.programme, c) for c in ("CCC", "DDD", "EEE")]
    for sw in others:
        fill(sw)
    sites = [world.a.site] + [sw.site for sw in others]
    with CaptureQueriesContext(connection) as five:
        data = PANELS[key].build(context(sites, user=world.a.pm, shared=shared))
    assert len(one) == len(five)
    assert set(data) == {site.pk for site in sites}


def test_site_dashboard_queries_do_not_grow_with_actions_and_meetings(world, client_as):
    fill(world.a, today=timezone.localdate())
    client = client_as(world.a.pm)
    with CaptureQueriesContext(connection) as before:
        client.get(f"/sites/{world.a.site.code}/")
    today = timezone.localdate()
    second = ProjectFactory(site=world.a.site)
    for code in ("P2.1", "P2.2", "P3.1"):
        ProjectStepFactory(
            project=second,
            step=standard_step(code),
            owner=world.a.info,
            target_date=today - dt.timedelta(days=3),
        )
    meeting = MeetingFactory(project=second, held_on=today, next_date=today + dt.timedelta(9))
    meeting.attendees.add(*StakeholderFactory.create_batch(3, project=second))
    MeetingActionFactory.create_batch(5, meeting=meeting, owner=world.a.info)
    AssessmentFactory(project=second)
    with CaptureQueriesContext(connection) as after:
        client.get(f"/sites/{world.a.site.code}/")
    assert len(before) == len(after)


# --- The weekly digest --------------------------------------------------------------------


def _digest(user, today=TODAY) -> str:
    return notifications.digest_body(user=user, today=today) or ""


def test_digest_lists_the_users_own_overdue_steps_and_actions(world):
    fill(world.a)
    body = _digest(world.a.pm)
    assert "Your overdue steps and actions" in body
    assert "AAA P1.1 Set up and governance" in body
    assert "target 22 Mar 2025, 10 days overdue" in body
    assert "AAA action \u201cAsk Jamie about the waiting room\u201d" in body
    assert "Book the hall" not in body  # owned by someone else, and not overdue
    assert "overdue steps" not in _digest(world.a.stakeholder)


def test_digest_never_carries_another_sites_items(world):
    fill(world.a)
    # Even a step of site A wrongly owned by site B's manager stays out of B's digest.
    ProjectStepFactory(
        project=world.a.project,
        step=standard_step("P2.1"),
        owner=world.b.pm,
        target_date=TODAY - dt.timedelta(days=3),
    )
    MeetingActionFactory(
        meeting=MeetingFactory(project=world.a.project),
        owner=world.b.pm,
        due_date=TODAY - dt.timedelta(days=1),
    )
    fill(world.b)
    body = _digest(world.b.pm)
    assert "BBB P1.1" in body
    assert "AAA" not in body
    assert "P2.1" not in body


def test_digest_lists_meetings_of_the_users_sites_this_week(world):
    fill(world.a)
    MeetingFactory(
        project=world.a.project,
        title="Later board",
        held_on=TODAY,
        next_date=TODAY + dt.timedelta(days=7),
    )
    fill(world.b)
    body = _digest(world.a.stakeholder)
    assert "Meetings this week" in body
    assert "AAA Steering group" in body
    assert "Friday 4 April, 10:00" in body
    assert "Later board" not in body
    assert "BBB" not in body
    lead_body = _digest(world.lead)
    assert "AAA Steering group" in lead_body
    assert "BBB Steering group" in lead_body


def test_digest_sections_run_a_fixed_number_of_queries(world):
    fill(world.a)
    sections = [phase_notifications.overdue_digest, phase_notifications.meetings_digest]
    with CaptureQueriesContext(connection) as one:
        for section in sections:
            section(world.lead, [world.a.site], TODAY)
    for code in ("CCC", "DDD"):
        fill(make_site_world(world.programme, code))
    fill(world.b)
    sites = list(world.programme.sites.all())
    with CaptureQueriesContext(connection) as four:
        lines = [line for section in sections for line in section(world.lead, sites, TODAY)]
    assert len(one) == len(four)
    assert sum("Steering group" in line for line in lines) == 4


# --- The sustainability check-in ----------------------------------------------------------


def finish_phase_four(project, status=StepStatus.DONE):
    for step in Step.objects.filter(phase__number=4, programme__isnull=True):
        ProjectStepFactory(project=project, step=step, status=status)


def test_no_checkin_before_phase_four_is_complete(world, mailoutbox):
    ProjectStepFactory(project=world.a.project, step=standard_step("P4.1"), status=StepStatus.DONE)
    ProjectStepFactory(
        project=world.a.project, step=standard_step("P4.2"), status=StepStatus.IN_PROGRESS
    )
    assert notifications.alerts_send_all(today=TODAY) == 0
    assert mailoutbox == []


def test_checkin_goes_to_the_project_managers_once_per_quarter(world, mailoutbox):
    finish_phase_four(world.a.project)
    second_pm = UserFactory(username="pm2-aaa")
    MembershipFactory(user=second_pm, site=world.a.site, role=Membership.Role.PROJECT_MANAGER)
    assert notifications.alerts_send_all(today=TODAY) == 2
    assert {m.to[0] for m in mailoutbox} == {world.a.pm.email, second_pm.email}
    message = mailoutbox[0]
    assert "Sustainability check-in" in message.subject
    assert "2025-Q2" in message.subject
    assert "Is the change still in place" in message.body
    assert "data still monitored" in message.body
    assert "standing item on the agenda" in message.body
    assert "sustainability plan" in message.body
    assert world.a.project.get_absolute_url() in message.body
    refs = set(SentNotification.objects.values_list("reference", flat=True))
    assert refs == {f"checkin:{world.a.project.pk}:2025-Q2"}
    assert notifications.alerts_send_all(today=TODAY + dt.timedelta(days=40)) == 0  # same quarter
    assert notifications.alerts_send_all(today=dt.date(2025, 7, 1)) == 2  # next quarter


def test_monthly_checkin_is_sent_each_month_and_not_applicable_counts_as_closed(world, mailoutbox):
    Project.objects.filter(pk=world.a.project.pk).update(sustainability_checkin="monthly")
    finish_phase_four(world.a.project, status=StepStatus.NOT_APPLICABLE)
    assert notifications.alerts_send_all(today=TODAY) == 1
    assert notifications.alerts_send_all(today=TODAY + dt.timedelta(days=20)) == 0
    assert notifications.alerts_send_all(today=dt.date(2025, 5, 2)) == 1
    assert set(SentNotification.objects.values_list("reference", flat=True)) == {
        f"checkin:{world.a.project.pk}:2025-04",
        f"checkin:{world.a.project.pk}:2025-05",
    }
    assert [m.to[0] for m in mailoutbox] == [world.a.pm.email] * 2


def test_no_checkin_when_the_project_asks_for_none(world, mailoutbox):
    Project.objects.filter(pk=world.a.project.pk).update(sustainability_checkin="none")
    finish_phase_four(world.a.project)
    assert phase_notifications.checkin_alerts(TODAY) == []


def test_a_programmes_own_phase_four_step_must_be_closed_too(world):
    finish_phase_four(world.a.project)
    Step.objects.create(
        phase_id=Step.objects.get(code="P4.1", programme=None).phase_id,
        code="P4.9",
        title="Local handover",
        prompt="Hand over.",
        programme=world.programme,
    )
    assert phase_notifications.checkin_alerts(TODAY) == []


def test_project_manager_sets_the_checkin_frequency_on_the_project_page(world, client_as):
    project = world.a.project
    page = client_as(world.a.pm).get(project.get_absolute_url()).content.decode()
    assert "Sustainability check-ins" in page
    assert "Save check-in frequency" in page
    path = reverse("phases:checkin-update", args=[world.a.site.code, project.pk])
    response = client_as(world.a.pm).post(path, {"sustainability_checkin": "monthly"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.sustainability_checkin == "monthly"
    assert client_as(world.a.pm).post(path, {"sustainability_checkin": "daily"}).status_code == 400
    stakeholder = client_as(world.a.stakeholder)
    assert (
        "Save check-in frequency"
        not in stakeholder.get(project.get_absolute_url()).content.decode()
    )
    assert stakeholder.post(path, {"sustainability_checkin": "none"}).status_code == 403
    project.refresh_from_db()
    assert project.sustainability_checkin == "monthly"


# --- The meeting pack ---------------------------------------------------------------------


def test_meeting_pack_has_agenda_next_meeting_progress_overdue_steps_and_scores(world):
    meeting = fill(world.a)
    sections = {
        s.heading: s for s in meeting_pack_sections(site=world.a.site, today=TODAY, user=world.a.pm)
    }
    progress = sections["Implementation progress"]
    assert progress.table[0] == ["Project", "Phase", "Done"]
    assert [world.a.project.title, "Phase 1", "0 of 6"] in progress.table[1]
    next_meeting = sections["Next meeting"]
    assert f"{meeting.next_date:%A %-d %B %Y} at 10:00" in next_meeting.paragraphs[0]
    assert "Dr Priya Shah (Steering group)" in next_meeting.bullets
    agenda = sections["Agenda: open actions"].table[1]
    assert agenda[0][1:] == [
        "Ask Jamie about the waiting room",
        world.a.pm.get_full_name(),
        "30 Mar 2025",
        "OVERDUE",
    ]
    assert agenda[1][-1] == ""
    overdue = sections["Overdue steps"].table[1]
    assert overdue == [
        [
            world.a.project.title,
            "P1.1 Set up and governance",
            world.a.pm.get_full_name(),
            "22 Mar 2025",
            "10",
        ]
    ]
    scores = sections[f"THRIVE assessment: {world.a.project.title}"]
    assert "5 of" in scores.paragraphs[0]
    assert scores.table[1][0][1:] == ["3", "3", "Yes"]
    assert list(sections).index("Next meeting") < list(sections).index("Agenda: open actions")


def test_meeting_pack_of_an_empty_site_says_so(world):
    sections = {
        s.heading: s for s in meeting_pack_sections(site=world.a.site, today=TODAY, user=None)
    }
    assert sections["Next meeting"].paragraphs == ["No next meeting is booked."]
    assert sections["Agenda: open actions"].paragraphs == ["No open actions."]
    assert "THRIVE assessment" not in " ".join(sections)
    fill(world.a)
    assert meeting_pack_pdf(site=world.a.site, today=TODAY, user=world.a.pm).startswith(b"%PDF")


def test_phases_registers_its_digest_sections_and_alert():
    from projects.panels import ALERTS, DIGEST_SECTIONS

    assert DIGEST_SECTIONS["overdue-work"].build is phase_notifications.overdue_digest
    assert DIGEST_SECTIONS["meetings"].label == "Meetings this week"
    assert ALERTS["sustainability-checkin"].find is phase_notifications.checkin_alerts
    assert PANELS["next-meeting"].pack is phase_panels.meetings_pack
