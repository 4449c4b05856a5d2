"""Writes for implementation tracking. Each service validates, owns its transaction and raises
`ValidationError` (keyed by field) on bad input, so nothing changes when input is refused."""

from .assessments import assessment_create, assessment_update, project_checkin_set
from .meetings import (
    meeting_action_add,
    meeting_action_set_done,
    meeting_create,
    meeting_update,
)
from .people import (
    stakeholder_create,
    stakeholder_delete,
    stakeholder_update,
    team_member_add,
    team_member_remove,
    team_member_update,
)
from .steps import (
    StaleStepError,
    custom_step_create,
    custom_step_update,
    evidence_add_file,
    evidence_add_link,
    evidence_remove,
    project_step_update,
)

__all__ = [
    "StaleStepError",
    "assessment_create",
    "assessment_update",
    "custom_step_create",
    "custom_step_update",
    "evidence_add_file",
    "evidence_add_link",
    "evidence_remove",
    "meeting_action_add",
    "meeting_action_set_done",
    "meeting_create",
    "meeting_update",
    "project_checkin_set",
    "project_step_update",
    "stakeholder_create",
    "stakeholder_delete",
    "stakeholder_update",
    "team_member_add",
    "team_member_remove",
    "team_member_update",
]
