"""The tools for testing and keeping changes (driver diagram, PDSA cycles, reflection,
sustainability plan) as toolkit.tools specs, with what each one's page shows."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest
from django.forms import BaseForm

from projects.view_helpers import can_edit
from toolkit import services as toolkit_services
from toolkit.models import (
    DriverDiagram,
    DriverNode,
    PdsaCycle,
    PdsaTask,
    Reflection,
    ReflectionFactor,
    SustainabilityPlan,
)
from toolkit.tools import Part, Tool, renamed

from . import forms, pictures, selectors, services

# Pages -----------------------------------------------------------------------------------------


def diagram_context(
    request: Any, diagram: DriverDiagram, bound: dict[str, BaseForm]
) -> dict[str, Any]:
    tree = selectors.driver_tree(diagram=diagram)
    node_forms: dict[str, BaseForm] = {}
    refused = bound.get("nodes")
    if isinstance(refused, forms.DriverNodeForm):
        node_forms[refused.kind] = refused
    if can_edit(request):
        for kind in DriverNode.Kind.values:
            node_forms.setdefault(kind, forms.DriverNodeForm(diagram=diagram, kind=kind))
    return {
        "diagram": diagram,
        "tree": tree,
        "picture": pictures.driver_diagram(diagram=diagram, tree=tree),
        "node_forms": [
            (kind, DriverNode.Kind(kind).label, node_forms[kind])
            for kind in DriverNode.Kind.values
            if kind in node_forms
        ],
    }


def cycle_context(request: Any, cycle: PdsaCycle, bound: dict[str, BaseForm]) -> dict[str, Any]:
    ramp = selectors.pdsa_ramp(cycle=cycle)
    return {
        "cycle": cycle,
        "ramp": ramp,
        "picture": pictures.pdsa_ramp(cycle=cycle, ramp=ramp),
        "tasks": list(cycle.tasks.all()),
        "measures": list(cycle.measures.all()),
        "stages": services.STAGE_ORDER,
        "stage_index": services.STAGE_ORDER.index(PdsaCycle.Stage(cycle.stage)),
        "allowed_moves": services.pdsa_allowed_moves(cycle=cycle),
        "successors": list(cycle.successors.all()),
        "task_form": bound.get("tasks") or (forms.PdsaTaskForm() if can_edit(request) else None),
        "decide_form": bound.get("decide")
        or forms.PdsaDecideForm(
            initial={
                "outcome": cycle.outcome,
                "next_steps": cycle.next_steps,
                "shared_with_community": cycle.shared_with_community,
            }
        ),
    }


def reflection_context(
    request: Any, reflection: Reflection, bound: dict[str, BaseForm]
) -> dict[str, Any]:
    factors = list(reflection.factors.select_related("principle"))
    return {
        "reflection": reflection,
        "barriers": [f for f in factors if f.kind == ReflectionFactor.Kind.BARRIER],
        "facilitators": [f for f in factors if f.kind == ReflectionFactor.Kind.FACILITATOR],
        "factors": factors,
        "counts": selectors.principle_counts(reflection=reflection),
        "picture": pictures.reflection(reflection=reflection),
        "factor_form": bound.get("factors")
        or (forms.ReflectionFactorForm() if can_edit(request) else None),
    }


def plan_context(
    request: Any, plan: SustainabilityPlan, bound: dict[str, BaseForm]
) -> dict[str, Any]:
    scores = selectors.assessment_scores(plan=plan)
    return {
        "plan": plan,
        "scores": scores,
        "latest": scores[-1] if scores else None,
        "max_total": selectors.max_total(),
        "trend_picture": pictures.sustainability_trend(scores=scores),
        "factor_picture": pictures.sustainability_factors(score=scores[-1]) if scores else "",
    }


def cycle_initial(request: Any, project: Any) -> dict[str, Any]:
    """A cycle started from a change idea (`?change_idea=<id>`) is the next of its ramp."""
    raw = request.GET.get("change_idea", "")
    idea = selectors.change_ideas(project=project).filter(pk=raw).first() if raw.isdigit() else None
    if idea is None:
        return {}
    last = idea.pdsa_cycles.order_by("-number").first()
    return {"change_idea": idea.pk, "number": (last.number + 1) if last else 1, "title": idea.text}


def cycle_tags(cycle: PdsaCycle) -> list[tuple[str, str]]:
    stage = cycle.get_stage_display()
    return [(f"{stage}: {cycle.get_outcome_display()}" if cycle.outcome else stage, "grey")]


def _node_form(data: Any, *, item: DriverDiagram) -> forms.DriverNodeForm:
    kind = (data or {}).get("kind", "")
    if kind not in DriverNode.Kind.values:
        raise BadRequest("Unknown kind of node.")
    return forms.DriverNodeForm(data, diagram=item, kind=kind)


# The tools -----------------------------------------------------------------------------------

TOOLS: tuple[Tool, ...] = (
    Tool(
        slug="driver-diagram",
        name="Driver diagram",
        plural="Driver diagrams",
        description="A SMART aim (what, how much, by when) tied to an outcome measure, the "
        "primary and secondary drivers that lead to it, and the change ideas to test.",
        start_name="a driver diagram",
        step_words=("driver diagram",),
        model=DriverDiagram,
        form=forms.DriverDiagramForm,
        create=services.driver_diagram_create,
        update=renamed(services.driver_diagram_update, item="diagram"),
        delete=toolkit_services.item_delete,
        context=diagram_context,
        detail_template="toolkit/driverdiagram_detail.html",
        print_template="toolkit/driverdiagram_print.html",
        select=("outcome_measure",),
        fragment="diagram-body",
        parts=(
            Part(
                slug="nodes",
                kwarg="node_id",
                noun="driver or change idea",
                name_of=lambda node: node.get_kind_display(),
                describe=lambda node: node.text,
                model=DriverNode,
                item_lookup="diagram",
                form=_node_form,
                edit_form=lambda data, *, item, instance: forms.DriverNodeEditForm(
                    data, node=instance
                ),
                add=renamed(services.driver_node_add, item="diagram"),
                update=renamed(services.driver_node_update, item=None, part="node"),
                delete=renamed(services.driver_node_delete, item=None, part="node"),
                move=renamed(services.driver_node_move, item=None, part="node"),
                url_name="driver-node",
                fragment="diagram-body",
                anchor="diagram-body",
            ),
        ),
    ),
    Tool(
        slug="pdsa",
        name="PDSA cycle",
        plural="PDSA cycles",
        description="Small tests of change. Each cycle moves Plan, Do, Study, Act; adapting "
        "starts the next cycle of its ramp.",
        start_name="a PDSA cycle",
        step_words=("pdsa", "pdsa plan", "pdsa cycle", "pdsa cycles"),
        model=PdsaCycle,
        form=forms.PdsaCycleForm,
        form_template="toolkit/pdsacycle_form.html",
        create=services.pdsa_create,
        update=renamed(services.pdsa_update, item="cycle"),
        delete=renamed(services.pdsa_delete, item="cycle"),
        create_initial=cycle_initial,
        context=cycle_context,
        detail_template="toolkit/pdsacycle_detail.html",
        print_template="toolkit/pdsacycle_print.html",
        select=("change_idea",),
        fragment="tasks",
        list_tags=cycle_tags,
        parts=(
            Part(
                slug="tasks",
                kwarg="task_id",
                noun="task",
                describe=lambda task: task.what,
                model=PdsaTask,
                item_lookup="cycle",
                form=lambda data, *, item: forms.PdsaTaskForm(data),
                add=renamed(services.pdsa_task_add, item="cycle"),
                delete=renamed(services.pdsa_task_delete, item=None, part="task"),
                move=renamed(services.pdsa_task_move, item=None, part="task"),
                url_name="pdsa-task",
                fragment="tasks",
                anchor="tasks",
            ),
        ),
    ),
    Tool(
        slug="reflection",
        name="Reflection",
        plural="Reflections on implementing THRIVE",
        description="What worked and what did not, barriers and facilitators by THRIVE "
        "principle, and lessons for other sites.",
        start_name="a reflection",
        step_words=("reflection",),
        model=Reflection,
        form=forms.ReflectionForm,
        create=services.reflection_create,
        update=renamed(services.reflection_update, item="reflection"),
        delete=toolkit_services.item_delete,
        context=reflection_context,
        detail_template="toolkit/reflection_detail.html",
        print_template="toolkit/reflection_print.html",
        fragment="factors",
        parts=(
            Part(
                slug="factors",
                kwarg="reflection_factor_id",
                noun="barrier or facilitator",
                name_of=lambda factor: factor.get_kind_display(),
                describe=lambda factor: factor.text,
                model=ReflectionFactor,
                item_lookup="reflection",
                form=lambda data, *, item: forms.ReflectionFactorForm(data),
                add=renamed(services.reflection_factor_add, item="reflection"),
                delete=renamed(services.reflection_factor_delete, item=None, part="factor"),
                move=renamed(services.reflection_factor_move, item=None, part="factor"),
                url_name="reflection-factor",
                fragment="factors",
                anchor="factors",
            ),
        ),
    ),
    Tool(
        slug="sustainability",
        name="Sustainability plan",
        plural="Sustainability plans",
        description="Score the NHS Sustainability Model's ten factors from time to time, and "
        "act on the weak ones.",
        start_name="a sustainability plan",
        step_words=("sustainability plan", "sustainability"),
        model=SustainabilityPlan,
        form=forms.SustainabilityPlanForm,
        create=services.sustainability_plan_create,
        update=renamed(services.sustainability_plan_update, item="plan"),
        delete=toolkit_services.item_delete,
        context=plan_context,
        detail_template="toolkit/sustainabilityplan_detail.html",
        print_template="toolkit/sustainabilityplan_print.html",
        fragment="assessments",
    ),
)
