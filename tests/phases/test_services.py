"""Services of implementation tracking: what they store, and what bad input they refuse."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from phases import services
from phases.models import (
    Assessment,
    Evidence,
    Meeting,
    MeetingAction,
    Phase,
    Principle,
    ProjectStep,
    Step,
    StepChange,
    TeamMember,
)
from tests.factories import ProgrammeFactory, SiteFactory, UserFactory

from .factories import MeetingFactory, StakeholderFactory, standard_step

pytestmark = pytest.mark.django_db


def update(world, step="P1.1", version=0, user=None, **changes):
    return services.project_step_update(
        project=world.a.project,
        step=standard_step(step),
        user=user or world.a.pm,
        expected_version=version,
        **changes,
    )


def all_scores(score=3):
    return {p.pk: (score, f"evidence for {p.name}") for p in Principle.objects.filter(active=True)}


# Steps ---------------------------------------------------------------------------------------


def test_first_change_creates_the_step_row_and_records_each_field_in_history(world):
    state = update(world, status="in_progress", owner=world.a.pm, target_date=dt.date(2025, 3, 1))
    assert state.version == 1
    changes = {c.field: c for c in StepChange.objects.filter(project_step=state)}
    assert set(changes) == {"status", "owner", "target_date"}
    assert changes["status"].old_value == "Not started"
    assert changes["status"].new_value == "In progress"
    assert changes["status"].changed_by == world.a.pm
    assert changes["target_date"].new_value == "1 Mar 2025"


def test_saving_the_same_values_records_nothing_and_keeps_the_version(world):
    update(world, status="done")
    state = update(world, version=1, status="done")
    assert state.version == 1
    assert StepChange.objects.count() == 1


def test_a_done_step_can_be_reopened(world):
    update(world, status="done")
    state = update(world, version=1, status="in_progress")
    assert state.status == "in_progress"
    assert [c.new_value for c in StepChange.objects.order_by("pk")] == ["Done", "In progress"]


def test_a_stale_version_is_refused_and_nothing_is_overwritten(world):
    update(world, status="in_progress")
    update(world, version=1, status="done", user=world.a.pm)
    with pytest.raises(services.StaleStepError) as caught:
        update(world, version=1, status="not_applicable")
    assert caught.value.current.status == "done"
    assert caught.value.current.version == 2
    assert ProjectStep.objects.get().status == "done"


def test_a_status_that_does_not_exist_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        update(world, status="finished")
    assert "status" in caught.value.error_dict
    assert not ProjectStep.objects.exists()


def test_an_owner_from_another_site_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        update(world, owner=world.b.pm)
    assert "owner" in caught.value.error_dict
    assert not ProjectStep.objects.exists()


def test_a_target_date_before_the_project_start_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        update(world, target_date=world.a.project.start_date - dt.timedelta(days=1))
    assert "target_date" in caught.value.error_dict


def test_review_dates_are_for_phase_one_steps_only(world):
    state = update(world, review_on=dt.date(2025, 6, 1))
    assert state.review_on == dt.date(2025, 6, 1)
    with pytest.raises(ValidationError) as caught:
        update(world, step="P2.1", review_on=dt.date(2025, 6, 1))
    assert "review_on" in caught.value.error_dict


def test_another_programmes_step_cannot_be_changed_on_this_project(world):
    other = services.custom_step_create(
        programme=ProgrammeFactory(),
        phase=Phase.objects.get(number=1),
        code="P1.7",
        title="Their own step",
        prompt="Something else.",
    )
    with pytest.raises(ValidationError):
        services.project_step_update(
            project=world.a.project, step=other, user=world.a.pm, expected_version=0, status="done"
        )


def test_a_programme_step_gets_a_code_that_no_standard_step_uses(world):
    phase = Phase.objects.get(number=2)
    step = services.custom_step_create(
        programme=world.programme, phase=phase, code="P2.6", title="Youth panel", prompt="Meet."
    )
    assert step.order > Step.objects.get(code="P2.5").order
    with pytest.raises(ValidationError) as clash:
        services.custom_step_create(
            programme=world.programme, phase=phase, code="P2.1", title="Dup", prompt="x"
        )
    assert "code" in clash.value.error_dict
    with pytest.raises(ValidationError) as wrong_phase:
        services.custom_step_create(
            programme=world.programme, phase=phase, code="P3.9", title="Odd", prompt="x"
        )
    assert "code" in wrong_phase.value.error_dict
    # Another programme may use the same code for its own step.
    services.custom_step_create(
        programme=ProgrammeFactory(), phase=phase, code="P2.6", title="Theirs", prompt="x"
    )


# Evidence ------------------------------------------------------------------------------------


def upload(name="minutes.pdf", data=b"%PDF-1.7\nminutes"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_an_evidence_file_is_stored_under_the_sites_own_folder_and_noted_in_history(world):
    evidence = services.evidence_add_file(
        project=world.a.project, step=standard_step(), user=world.a.pm, title="", upload=upload()
    )
    assert evidence.file.name.startswith(f"evidence/{world.a.site.code}/{world.a.project.pk}/")
    assert evidence.original_name == "minutes.pdf"
    assert evidence.title == "minutes.pdf"
    assert evidence.content_type == "application/pdf"
    assert StepChange.objects.get(field="evidence").new_value == "File: minutes.pdf"


def test_oversized_evidence_is_refused_using_the_setting(world, settings):
    settings.EVIDENCE_MAX_BYTES = 10
    with pytest.raises(ValidationError) as caught:
        services.evidence_add_file(
            project=world.a.project,
            step=standard_step(),
            user=world.a.pm,
            title="",
            upload=upload(),
        )
    assert "file" in caught.value.error_dict
    assert not Evidence.objects.exists()
    assert not ProjectStep.objects.exists()


def test_an_executable_renamed_to_pdf_is_refused(world):
    with pytest.raises(ValidationError):
        services.evidence_add_file(
            project=world.a.project,
            step=standard_step(),
            user=world.a.pm,
            title="Report",
            upload=upload(data=b"MZ\x90\x00" + b"\x00" * 100),
        )
    assert not Evidence.objects.exists()


def test_a_link_must_be_a_web_address(world):
    with pytest.raises(ValidationError):
        services.evidence_add_link(
            project=world.a.project,
            step=standard_step(),
            user=world.a.pm,
            title="Plan",
            url="javascript:alert(1)",
        )
    evidence = services.evidence_add_link(
        project=world.a.project,
        step=standard_step(),
        user=world.a.pm,
        title="Plan",
        url="https://example.nhs.uk/plan",
    )
    assert not evidence.is_file


def test_removing_evidence_is_kept_in_the_history(world, django_capture_on_commit_callbacks):
    evidence = services.evidence_add_file(
        project=world.a.project, step=standard_step(), user=world.a.pm, title="M", upload=upload()
    )
    storage, name = evidence.file.storage, evidence.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_remove(evidence=evidence, user=world.a.pm)
    assert not storage.exists(name)
    assert StepChange.objects.filter(field="evidence", old_value="File: M").exists()


# Team and stakeholders -----------------------------------------------------------------------


def test_team_members_and_deputies_must_belong_to_the_site(world):
    member = services.team_member_add(
        project=world.a.project, user=world.a.pm, role="Project lead", deputy=world.a.info
    )
    assert member.deputy == world.a.info
    with pytest.raises(ValidationError) as outsider:
        services.team_member_add(project=world.a.project, user=world.b.pm, role="Helper")
    assert "user" in outsider.value.error_dict
    with pytest.raises(ValidationError) as deputy:
        services.team_member_update(member=member, role="Lead", deputy=world.b.info)
    assert "deputy" in deputy.value.error_dict
    with pytest.raises(ValidationError):
        services.team_member_update(member=member, role="Lead", deputy=world.a.pm)
    assert TeamMember.objects.get().deputy == world.a.info


def test_a_stakeholder_needs_valid_interest_and_influence(world):
    stakeholder = services.stakeholder_create(
        project=world.a.project,
        name="Youth Council",
        sector="young_people_families",
        interest="high",
        influence="low",
        represents_young_people_or_families=True,
    )
    assert stakeholder.quadrant == "Keep informed"
    with pytest.raises(ValidationError):
        services.stakeholder_create(
            project=world.a.project, name="X", sector="education", interest="huge", influence="low"
        )


# Meetings ------------------------------------------------------------------------------------


def meeting_fields(**overrides):
    fields = {
        "title": "Steering group",
        "held_on": dt.date(2025, 3, 3),
        "decisions": "",
        "completed": True,
        "next_date": dt.date(2025, 4, 7),
        "next_start": dt.time(10, 0),
        "next_duration_minutes": 60,
        "next_location": "",
    }
    return {**fields, **overrides}


def test_a_meeting_cannot_be_completed_without_the_next_date(world):
    with pytest.raises(ValidationError) as caught:
        services.meeting_create(
            project=world.a.project, user=world.a.pm, **meeting_fields(next_date=None)
        )
    assert "next_date" in caught.value.error_dict
    draft = services.meeting_create(
        project=world.a.project, user=world.a.pm, **meeting_fields(next_date=None, completed=False)
    )
    assert not draft.completed
    assert Meeting.objects.count() == 1


def test_the_next_meeting_must_come_after_the_meeting(world):
    with pytest.raises(ValidationError) as caught:
        services.meeting_create(
            project=world.a.project,
            user=world.a.pm,
            **meeting_fields(next_date=dt.date(2025, 3, 3)),
        )
    assert "next_date" in caught.value.error_dict
    assert not Meeting.objects.exists()


def test_attendees_come_from_this_projects_register(world):
    theirs = StakeholderFactory(project=world.b.project)
    with pytest.raises(ValidationError) as caught:
        services.meeting_create(
            project=world.a.project, user=world.a.pm, attendees=[theirs], **meeting_fields()
        )
    assert "attendees" in caught.value.error_dict


def test_changing_the_next_meeting_raises_the_invite_sequence(world):
    meeting = services.meeting_create(project=world.a.project, user=world.a.pm, **meeting_fields())
    meeting = services.meeting_update(meeting=meeting, user=world.a.pm, decisions="Agreed.")
    assert meeting.sequence == 0
    meeting = services.meeting_update(
        meeting=meeting, user=world.a.pm, next_date=dt.date(2025, 4, 14)
    )
    assert meeting.sequence == 1


def test_an_action_cannot_be_due_before_its_meeting_nor_owned_by_another_site(world):
    meeting = MeetingFactory(project=world.a.project)
    with pytest.raises(ValidationError) as early:
        services.meeting_action_add(
            meeting=meeting, description="Book room", owner=world.a.pm, due_date=dt.date(2025, 3, 2)
        )
    assert "due_date" in early.value.error_dict
    with pytest.raises(ValidationError) as foreign:
        services.meeting_action_add(
            meeting=meeting, description="Book room", owner=world.b.pm, due_date=dt.date(2025, 3, 9)
        )
    assert "owner" in foreign.value.error_dict
    assert not MeetingAction.objects.exists()


def test_marking_an_action_done_and_reopening_it(world):
    meeting = MeetingFactory(project=world.a.project)
    action = services.meeting_action_add(
        meeting=meeting, description="Send notes", owner=world.a.pm, due_date=dt.date(2025, 3, 9)
    )
    services.meeting_action_set_done(action=action, done=True)
    assert action.done_at is not None
    services.meeting_action_set_done(action=action, done=False)
    assert action.done_at is None


# Assessments ---------------------------------------------------------------------------------


def test_baseline_then_follow_ups_after_it(world):
    project = world.a.project
    with pytest.raises(ValidationError) as no_baseline:
        services.assessment_create(
            project=project,
            user=world.a.pm,
            kind="follow_up",
            assessed_on=dt.date(2025, 6, 1),
            scores=all_scores(),
        )
    assert "kind" in no_baseline.value.error_dict
    baseline = services.assessment_create(
        project=project,
        user=world.a.pm,
        kind="baseline",
        assessed_on=dt.date(2025, 2, 1),
        scores=all_scores(2),
    )
    assert baseline.scores.count() == 8
    with pytest.raises(ValidationError) as early:
        services.assessment_create(
            project=project,
            user=world.a.pm,
            kind="follow_up",
            assessed_on=dt.date(2025, 1, 31),
            scores=all_scores(),
        )
    assert "assessed_on" in early.value.error_dict
    with pytest.raises(ValidationError):
        services.assessment_create(
            project=project,
            user=world.a.pm,
            kind="baseline",
            assessed_on=dt.date(2025, 1, 20),
            scores=all_scores(),
        )
    assert Assessment.objects.count() == 1


def test_every_active_principle_needs_a_score_from_1_to_4(world):
    scores = all_scores()
    first = next(iter(scores))
    for bad in ({**scores, first: (5, "")}, {k: v for k, v in scores.items() if k != first}):
        with pytest.raises(ValidationError):
            services.assessment_create(
                project=world.a.project,
                user=world.a.pm,
                kind="baseline",
                assessed_on=dt.date(2025, 2, 1),
                scores=bad,
            )
    assert not Assessment.objects.exists()


def test_a_ninth_principle_added_as_data_is_scored(world):
    Principle.objects.create(code="edi", name="Equality, Diversity and Inclusion", order=9)
    assert len(all_scores()) == 9
    assessment = services.assessment_create(
        project=world.a.project,
        user=world.a.pm,
        kind="baseline",
        assessed_on=dt.date(2025, 2, 1),
        scores=all_scores(),
    )
    assert assessment.scores.count() == 9


def test_owner_membership_is_checked_against_the_projects_own_site(world):
    """A user holding roles on two sites may own steps on both."""
    both = UserFactory()
    from tests.factories import MembershipFactory

    MembershipFactory(user=both, site=world.a.site, role="project_manager")
    MembershipFactory(user=both, site=SiteFactory(programme=world.programme), role="stakeholder")
    assert update(world, owner=both).owner == both
