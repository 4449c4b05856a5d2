"""URL kwargs of phases' views, built from another site's objects (see test_permission_walk)."""

from phases.models import Step

from .factories import (
    AssessmentFactory,
    EvidenceFactory,
    MeetingActionFactory,
    MeetingFactory,
    ProjectStepFactory,
    StakeholderFactory,
    TeamMemberFactory,
)


def _step_id(sw):
    # A step with progress recorded on site B's project, so a leak would have data to show.
    state = ProjectStepFactory(
        project=sw.project, step=Step.objects.get(code="P1.2", programme=None)
    )
    return state.step_id


BUILDERS = {
    "step_id": _step_id,
    "evidence_id": lambda sw: (
        EvidenceFactory(project_step=ProjectStepFactory(project=sw.project)).pk
    ),
    "member_id": lambda sw: TeamMemberFactory(project=sw.project, user=sw.pm).pk,
    "stakeholder_id": lambda sw: StakeholderFactory(project=sw.project).pk,
    "meeting_id": lambda sw: MeetingFactory(project=sw.project).pk,
    "action_id": lambda sw: MeetingActionFactory(meeting=MeetingFactory(project=sw.project)).pk,
    "assessment_id": lambda sw: AssessmentFactory(project=sw.project, kind="follow_up").pk,
}
