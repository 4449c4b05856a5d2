"""URL kwargs of the improvement tools, built from a site's objects (see test_permission_walk)."""

from toolkit.models import SustainabilityFactor

from .factories_improvement import (
    DriverDiagramFactory,
    DriverNodeFactory,
    PdsaCycleFactory,
    PdsaTaskFactory,
    ReflectionFactorFactory,
    ReflectionFactory,
    SustainabilityAssessmentFactory,
    SustainabilityPlanFactory,
)


def _node(sw):
    return DriverNodeFactory(diagram=DriverDiagramFactory(project=sw.project)).pk


BUILDERS = {
    "diagram_id": lambda sw: DriverDiagramFactory(project=sw.project).pk,
    "node_id": _node,
    "cycle_id": lambda sw: PdsaCycleFactory(project=sw.project).pk,
    "task_id": lambda sw: PdsaTaskFactory(cycle=PdsaCycleFactory(project=sw.project)).pk,
    "reflection_id": lambda sw: ReflectionFactory(project=sw.project).pk,
    "reflection_factor_id": lambda sw: (
        ReflectionFactorFactory(reflection=ReflectionFactory(project=sw.project)).pk
    ),
    "plan_id": lambda sw: SustainabilityPlanFactory(project=sw.project).pk,
    "assessment_id": lambda sw: (
        SustainabilityAssessmentFactory(plan=SustainabilityPlanFactory(project=sw.project)).pk
    ),
    # The rest of an address from before the tools moved under .../toolkit/ (toolkit.views.moved)
    "rest": lambda sw: "new/",
    # The Sustainability Model is programme data: its page refuses every site role.
    "sm_factor_id": lambda sw: SustainabilityFactor.objects.order_by("pk")[0].pk,
}
