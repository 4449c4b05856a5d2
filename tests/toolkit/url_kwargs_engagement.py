"""URL kwargs of communication plans (see tests/test_permission_walk.py)."""

from .factories_engagement import CommunicationPlanFactory, PlannedMessageFactory

BUILDERS = {
    "communication_plan_id": lambda sw: CommunicationPlanFactory(project=sw.project).pk,
    "message_id": lambda sw: (
        PlannedMessageFactory(plan=CommunicationPlanFactory(project=sw.project)).pk
    ),
}
