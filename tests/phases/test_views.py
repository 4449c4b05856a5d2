"""Views of implementation tracking: in-place editing, refusals shown next to the field, roles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from phases import services
from phases.models import Evidence, Meeting, ProjectStep, Stakeholder, Step, StepChange, TeamMember
from tests.factories import ProjectFactory

from .factories import (
    AssessmentFactory,
    EvidenceFactory,
    MeetingActionFactory,
    MeetingFactory,
    ProjectStepFactory,
    StakeholderFactory,
    TeamMemberFactory,
    standard_step,
)
from .test_selectors import fill

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(sw, name, **kwargs):
    return reverse(
        f"phases:{name}",
        kwargs={"site_code": sw.site.code, "project_id": sw.project.pk, **kwargs},
    )


def progress_data(step, *, status="in_progress", owner="", target="", version=0, review=""):
    prefix = f"s{step.pk}"
    data = {
        f"{prefix}-status": status,
        f"{prefix}-owner": str(owner),
        f"{prefix}-target_date": target,
        f"{prefix}-version": str(version),
    }
    if step.phase.number == 1:
        data[f"{prefix}-review_on"] = review
    return data


# The project page ----------------------------------------------------------------------------


def test_project_page_query_count_does_not_grow_with_steps_stakeholders_and_meetings(
    world, client_as, django_assert_num_queries
):
    small = world.a.project
    large = ProjectFactory(site=world.a.site)
    fill(small, world.a.pm, stakeholders=1, meetings=1, with_steps=1)
    fill(large, world.a.pm, stakeholders=30, meetings=20, with_steps=16)
    client = client_as(world.a.pm)
    client.get(small.get_absolute_url())  # warm the session and content types
    with CaptureQueriesContext(connection) as captured:
        assert client.get(small.get_absolute_url()).status_code == 200
    with django_assert_num_queries(len(captured)):
        response = client.get(large.get_absolute_url())
    assert response.status_code == 200
    assert response.content.count(b'class="nhsuk-card thrive-step') == 16


def test_project_page_shows_four_phases_with_step_codes_and_editable_cards(world, client_as):
    response = client_as(world.a.pm).get(world.a.project.get_absolute_url())
    html = response.content.decode()
    for number in (1, 2, 3, 4):
        assert f"Phase {number}" in html
    for code in ("P1.1", "P1.6", "P2.5", "P3.3", "P4.2"):
        assert code in html
    step = standard_step("P1.1")
    assert f'hx-post="{url(world.a, "step-progress", step_id=step.pk)}"' in html
    assert f'action="{url(world.a, "step-progress", step_id=step.pk)}"' in html
    assert "Review again on" in html


def test_overdue_steps_are_marked_with_text_not_colour_alone(world, client_as):
    ProjectStepFactory(
        project=world.a.project, step=standard_step("P1.3"), target_date=dt.date(2025, 2, 1)
    )
    html = client_as(world.a.pm).get(world.a.project.get_absolute_url()).content.decode()
    assert 'thrive-tag-overdue">Overdue</strong>' in html
    assert "1 overdue" in html


def test_open_actions_show_on_the_project_page(world, client_as):
    meeting = MeetingFactory(project=world.a.project)
    MeetingActionFactory(meeting=meeting, description="Invite the youth forum", owner=world.a.pm)
    MeetingActionFactory(meeting=meeting, description="Already done", done=True)
    html = client_as(world.a.stakeholder).get(world.a.project.get_absolute_url()).content.decode()
    assert "Invite the youth forum" in html
    assert "Already done" not in html


def test_a_site_stakeholder_sees_everything_read_only(world, client_as):
    sw = world.a
    StakeholderFactory(project=sw.project, name="Head of Year 9")
    MeetingFactory(project=sw.project)
    client = client_as(sw.stakeholder)
    html = client.get(sw.project.get_absolute_url()).content.decode()
    assert "Head of Year 9" in html
    assert "hx-post" not in html
    assert '<form method="post" action=' not in html
    for name in ("team", "stakeholders", "meetings", "assessments"):
        page = client.get(url(sw, name))
        assert page.status_code == 200
        assert b"Add a stakeholder" not in page.content
        assert b"Record a meeting</a>" not in page.content


def test_a_stakeholder_is_refused_every_write(world, client_as):
    sw = world.a
    step = standard_step()
    meeting = MeetingFactory(project=sw.project)
    stakeholder = StakeholderFactory(project=sw.project)
    member = TeamMemberFactory(project=sw.project, user=sw.pm)
    action = MeetingActionFactory(meeting=meeting)
    evidence = EvidenceFactory(project_step=ProjectStepFactory(project=sw.project, step=step))
    assessment = AssessmentFactory(project=sw.project)
    writes = [
        url(sw, "step-progress", step_id=step.pk),
        url(sw, "step-notes", step_id=step.pk),
        url(sw, "evidence-add", step_id=step.pk),
        url(sw, "evidence-remove", evidence_id=evidence.pk),
        url(sw, "team-add"),
        url(sw, "team-edit", member_id=member.pk),
        url(sw, "team-remove", member_id=member.pk),
        url(sw, "stakeholder-create"),
        url(sw, "stakeholder-edit", stakeholder_id=stakeholder.pk),
        url(sw, "stakeholder-delete", stakeholder_id=stakeholder.pk),
        url(sw, "meeting-create"),
        url(sw, "meeting-edit", meeting_id=meeting.pk),
        url(sw, "action-add", meeting_id=meeting.pk),
        url(sw, "action-toggle", action_id=action.pk),
        url(sw, "assessment-create"),
        url(sw, "assessment-edit", assessment_id=assessment.pk),
    ]
    client = client_as(sw.stakeholder)
    for write in writes:
        assert client.post(write, progress_data(step, status="done")).status_code == 403, write
    assert not StepChange.objects.exists()
    assert Stakeholder.objects.count() == 1
    assert TeamMember.objects.count() == 1


def test_a_user_of_another_site_sees_none_of_it(world, client_as):
    client = client_as(world.b.pm)
    assert client.get(world.a.project.get_absolute_url()).status_code == 404
    assert client.get(url(world.a, "stakeholders")).status_code == 404
    # Site A's project under site B's code is not found either.
    assert (
        client.get(
            reverse(
                "phases:stakeholders",
                kwargs={"site_code": world.b.site.code, "project_id": world.a.project.pk},
            )
        ).status_code
        == 404
    )


# Step cards ----------------------------------------------------------------------------------


def test_htmx_status_change_returns_the_card_and_the_phase_progress(world, client_as):
    step = standard_step("P1.2")
    response = client_as(world.a.pm).post(
        url(world.a, "step-progress", step_id=step.pk),
        progress_data(step, status="done", owner=world.a.pm.pk),
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<article")
    assert 'id="phase-1-progress" class="thrive-phase__progress" hx-swap-oob="true"' in html
    assert "1 of 6 steps closed" in html
    assert "HX-Request" in response["Vary"]
    state = ProjectStep.objects.get(step=step)
    assert (state.status, state.owner, state.version) == ("done", world.a.pm, 1)


def test_without_javascript_a_change_redirects_to_the_step_on_the_project_page(world, client_as):
    step = standard_step("P2.1")
    response = client_as(world.a.pm).post(
        url(world.a, "step-progress", step_id=step.pk), progress_data(step, target="2025-09-01")
    )
    assert response.status_code == 302
    assert response["Location"] == f"{world.a.project.get_absolute_url()}#step-{step.pk}"
    assert ProjectStep.objects.get(step=step).target_date == dt.date(2025, 9, 1)


def test_a_stale_card_is_refused_with_the_newer_value_shown(world, client_as):
    step = standard_step()
    services.project_step_update(
        project=world.a.project, step=step, user=world.a.info, expected_version=0, status="done"
    )
    client = client_as(world.a.pm)
    stale = progress_data(step, status="not_applicable", version=0)
    response = client.post(url(world.a, "step-progress", step_id=step.pk), stale)
    assert response.status_code == 409
    assert "it now reads: status Done" in response.content.decode()
    fragment = client.post(url(world.a, "step-progress", step_id=step.pk), stale, **HTMX)
    assert "Your change was not saved" in fragment.content.decode()
    assert f'name="s{step.pk}-version" value="1"' in fragment.content.decode()
    assert ProjectStep.objects.get().status == "done"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "finished"}, "Select a valid choice"),
        ({"target": "2024-12-31"}, "on or after the project"),
        ({"owner": "OTHER"}, "Select a valid choice"),
    ],
)
def test_bad_card_input_is_refused_next_to_the_field_and_changes_nothing(
    world, client_as, changes, message
):
    step = standard_step()
    if changes.get("owner") == "OTHER":
        changes["owner"] = world.b.pm.pk
    response = client_as(world.a.pm).post(
        url(world.a, "step-progress", step_id=step.pk), progress_data(step, **changes)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "nhsuk-error-message" in html
    assert message in html
    assert not ProjectStep.objects.exists()


def test_step_page_shows_the_full_history_with_who_and_when(world, client_as):
    step = standard_step()
    for version, status in enumerate(["in_progress", "done", "in_progress", "done"]):
        services.project_step_update(
            project=world.a.project,
            step=step,
            user=world.a.pm,
            expected_version=version,
            status=status,
        )
    html = (
        client_as(world.a.stakeholder)
        .get(url(world.a, "step-detail", step_id=step.pk))
        .content.decode()
    )
    assert html.count("<strong>Status</strong>") == 4
    assert world.a.pm.get_full_name() in html


def test_stale_notes_are_refused_and_the_newer_notes_shown(world, client_as):
    step = standard_step()
    services.project_step_update(
        project=world.a.project, step=step, user=world.a.info, expected_version=0, notes="Theirs"
    )
    response = client_as(world.a.pm).post(
        url(world.a, "step-notes", step_id=step.pk), {"notes-notes": "Mine", "notes-version": "0"}
    )
    assert response.status_code == 409
    assert "“Theirs”" in response.content.decode()
    assert ProjectStep.objects.get().notes == "Theirs"


# Evidence ------------------------------------------------------------------------------------


def post_file(client, sw, step, name, data):
    return client.post(
        url(sw, "evidence-add", step_id=step.pk),
        {"evidence-title": "", "evidence-file": SimpleUploadedFile(name, data)},
    )


def test_uploaded_evidence_downloads_only_through_the_permission_checked_view(world, client_as):
    step = standard_step()
    response = post_file(client_as(world.a.pm), world.a, step, "minutes.pdf", b"%PDF-1.7 minutes")
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    download = client_as(world.a.stakeholder).get(
        url(world.a, "evidence-download", evidence_id=evidence.pk)
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="minutes.pdf"')
    assert b"".join(download.streaming_content) == b"%PDF-1.7 minutes"
    assert (
        client_as(world.b.pm)
        .get(url(world.a, "evidence-download", evidence_id=evidence.pk))
        .status_code
        == 404
    )
    step_page = (
        client_as(world.a.pm).get(url(world.a, "step-detail", step_id=step.pk)).content.decode()
    )
    assert "/media/" not in step_page


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "Upload a file of one of these types"),
        ("report.pdf", b"MZ\x90\x00" + b"\x00" * 60, "Windows program"),
        ("run.txt", b"#!/bin/bash\necho hi", "a script"),
    ],
)
def test_executable_evidence_is_refused_next_to_the_field(world, client_as, name, data, message):
    response = post_file(client_as(world.a.pm), world.a, standard_step(), name, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Evidence.objects.exists()


def test_oversized_evidence_is_refused(world, client_as, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    response = post_file(
        client_as(world.a.pm), world.a, standard_step(), "big.pdf", b"%PDF-" + b"0" * 2000
    )
    assert response.status_code == 400
    assert "smaller than" in response.content.decode()
    assert not Evidence.objects.exists()


# Meetings ------------------------------------------------------------------------------------


def meeting_post(**overrides):
    data = {
        "title": "Steering group",
        "held_on": "2025-03-03",
        "decisions": "Agreed a shared plan.",
        "completed": "on",
        "next_date": "2025-04-07",
        "next_start": "14:00",
        "next_duration_minutes": "60",
        "next_location": "Room 2",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_meeting_cannot_be_completed_without_the_next_date(world, client_as):
    response = client_as(world.a.pm).post(
        url(world.a, "meeting-create"), meeting_post(next_date=None)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_next_date-error"' in html
    assert "Schedule the next meeting before completing this one" in html
    assert not Meeting.objects.exists()


def test_the_next_meeting_before_the_meeting_is_refused(world, client_as):
    response = client_as(world.a.pm).post(
        url(world.a, "meeting-create"), meeting_post(next_date="2025-03-01")
    )
    assert response.status_code == 400
    assert "The next meeting must be after this one" in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_next_meeting_downloads_as_a_valid_calendar_invite(world, client_as):
    sw = world.a
    with_email = StakeholderFactory(
        project=sw.project, name="Ayesha Khan", email="ayesha@school.example"
    )
    without = StakeholderFactory(project=sw.project, name="Youth rep", email="")
    client = client_as(sw.pm)
    client.post(
        url(sw, "meeting-create"), meeting_post(attendees=[str(with_email.pk), str(without.pk)])
    )
    meeting = Meeting.objects.get()
    response = client_as(sw.stakeholder).get(url(sw, "meeting-invite", meeting_id=meeting.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].endswith('.ics"')
    body = response.content
    lines = body.split(b"\r\n")
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)
    calendar = Calendar.from_ical(body)
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    event = calendar.walk("VEVENT")[0]
    for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "ORGANIZER", "SEQUENCE"):
        assert prop in event, prop
    # 14:00 in London on 7 April 2025 (BST) is 13:00 UTC.
    assert event.decoded("DTSTART") == dt.datetime(2025, 4, 7, 13, 0, tzinfo=dt.UTC)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=60)
    assert str(event["ORGANIZER"]) == f"mailto:{sw.pm.email}"
    attendees = event["ATTENDEE"]
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a) for a in attendees] == ["mailto:ayesha@school.example"]
    assert str(event["UID"]) == f"{meeting.uid}@thrive-tracker"


def test_an_action_is_marked_done_in_place(world, client_as):
    action = MeetingActionFactory(meeting=MeetingFactory(project=world.a.project), owner=world.a.pm)
    response = client_as(world.a.pm).post(
        url(world.a, "action-toggle", action_id=action.pk), {"done": "1"}, **HTMX
    )
    assert response.status_code == 200
    assert (
        response.content.decode()
        .lstrip()
        .startswith(f'<tr class="nhsuk-table__row" id="action-{action.pk}"')
    )
    action.refresh_from_db()
    assert action.done


def test_an_action_due_before_its_meeting_is_refused_next_to_the_field(world, client_as):
    meeting = MeetingFactory(project=world.a.project)
    response = client_as(world.a.pm).post(
        url(world.a, "action-add", meeting_id=meeting.pk),
        {"description": "Book room", "owner": str(world.a.pm.pk), "due_date": "2025-03-01"},
    )
    assert response.status_code == 400
    assert "cannot be due before the meeting" in response.content.decode()


# Team, stakeholders, assessments -------------------------------------------------------------


def test_team_member_from_another_site_is_refused(world, client_as):
    response = client_as(world.a.pm).post(
        url(world.a, "team-add"), {"user": str(world.b.pm.pk), "role": "Helper", "deputy": ""}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not TeamMember.objects.exists()


def test_stakeholder_register_and_grid(world, client_as):
    client = client_as(world.a.pm)
    response = client.post(
        url(world.a, "stakeholder-create"),
        {
            "name": "Northgate Youth Forum",
            "organisation": "Northgate Youth Forum",
            "sector": "young_people_families",
            "interest": "high",
            "influence": "high",
            "kept_informed_by": "Monthly forum",
            "represents_young_people_or_families": "on",
        },
    )
    assert response.status_code == 302
    html = client.get(url(world.a, "stakeholders")).content.decode()
    assert "Manage closely" in html
    assert "Northgate Youth Forum" in html


def test_a_baseline_assessment_through_the_form_and_its_chart(world, client_as):
    from phases.models import Principle

    data = {"kind": "baseline", "assessed_on": "2025-02-01", "notes": ""}
    for principle in Principle.objects.all():
        data[f"score_{principle.pk}"] = "3"
        data[f"evidence_{principle.pk}"] = "Seen in practice."
    client = client_as(world.a.pm)
    assert client.post(url(world.a, "assessment-create"), data).status_code == 302
    html = client.get(url(world.a, "assessments")).content.decode()
    assert "<svg" in html
    assert "Common Language" in html
    assert "(THRIVE-like)" in html
    missing = {k: v for k, v in data.items() if not k.startswith("score_")}
    missing["kind"] = "follow_up"
    missing["assessed_on"] = "2025-06-01"
    response = client.post(url(world.a, "assessment-create"), missing)
    assert response.status_code == 400


# Programme pages -----------------------------------------------------------------------------


def test_programme_lead_sees_every_sites_progress_and_site_roles_do_not(world, client_as):
    ProjectStepFactory(project=world.b.project, step=standard_step(), status="done")
    response = client_as(world.lead).get(reverse("phases:programme-progress"))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.a.project.title in html
    assert world.b.project.title in html
    assert "1 of 6" in html
    assert client_as(world.a.pm).get(reverse("phases:programme-progress")).status_code == 403


def test_programme_lead_adds_a_step_that_appears_on_the_programmes_projects(world, client_as):
    from phases.models import Phase

    response = client_as(world.lead).post(
        reverse("phases:custom-step-create"),
        {
            "programme": str(world.programme.pk),
            "phase": str(Phase.objects.get(number=1).pk),
            "code": "P1.7",
            "title": "Youth panel review",
            "prompt": "Take the plan to the youth panel.",
            "tools": "",
            "order": "",
        },
    )
    assert response.status_code == 302
    assert Step.objects.filter(code="P1.7", programme=world.programme).exists()
    assert "P1.7" in client_as(world.a.pm).get(world.a.project.get_absolute_url()).content.decode()
    assert client_as(world.a.pm).get(reverse("phases:custom-step-create")).status_code == 403


def test_stakeholder_register_downloads_as_csv_and_xlsx_with_safe_cells(world, client_as):
    import io

    from openpyxl import load_workbook

    from phases.models import Stakeholder

    Stakeholder.objects.create(
        project=world.a.project,
        name="=HYPERLINK(1)",
        organisation="School",
        sector="education",
        interest="high",
        influence="low",
    )
    url = f"/sites/{world.a.site.code}/projects/{world.a.project.pk}/stakeholders/"
    client = client_as(world.a.stakeholder)
    text = client.get(url + "?format=csv").content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("name,organisation,sector")
    assert "'=HYPERLINK" in text
    sheet = load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content)).active
    assert sheet["A2"].value.startswith("'=")
    assert client_as(world.b.pm).get(url + "?format=csv").status_code == 404


def test_meeting_actions_download_for_the_project_only(world, client_as):
    from .factories import MeetingActionFactory, MeetingFactory

    mine = MeetingFactory(project=world.a.project, title="Steering group")
    MeetingActionFactory(meeting=mine, description="+Invite the school nurses", owner=world.a.pm)
    MeetingActionFactory(meeting=MeetingFactory(project=world.b.project), description="B only")
    url = f"/sites/{world.a.site.code}/projects/{world.a.project.pk}/meetings/?format=csv"
    text = client_as(world.a.stakeholder).get(url).content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "meeting,held on,action,owner,due,done"
    assert len(lines) == 2
    assert "'+Invite the school nurses" in text
    assert "B only" not in text
