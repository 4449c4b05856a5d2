"""Implementation tracking: the checklist of the i-THRIVE Approach to Implementation and each
project's progress through it, its people, meetings and THRIVE assessments."""

from .assessment import Assessment, Principle, PrincipleScore
from .checklist import Evidence, Phase, ProjectStep, Step, StepChange, StepStatus
from .meetings import Meeting, MeetingAction
from .people import Level, Stakeholder, StakeholderSector, TeamMember

__all__ = [
    "Assessment",
    "Evidence",
    "Level",
    "Meeting",
    "MeetingAction",
    "Phase",
    "Principle",
    "PrincipleScore",
    "ProjectStep",
    "Stakeholder",
    "StakeholderSector",
    "Step",
    "StepChange",
    "StepStatus",
    "TeamMember",
]
