"""Writes for driver diagrams, PDSA cycles, reflections and sustainability plans.

Every change to an item or one of its parts stores a version of the item in the same
transaction. Rule breaks raise `ValidationError` (with a field name where one applies) and
change nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from measures.models import Measure
from phases.models import Principle
from projects.models import Project
from toolkit.chart_annotations import cycle_charts_rebuild, cycle_measure_ids
from toolkit.history import version_record
from toolkit.models import (
    DriverDiagram,
    DriverNode,
    PdsaCycle,
    PdsaTask,
    Reflection,
    ReflectionFactor,
    SustainabilityAssessment,
    SustainabilityFactor,
    SustainabilityLevel,
    SustainabilityPlan,
    SustainabilityRating,
)
from toolkit.services import check_step, next_order, reorder, required_text, set_fields

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Stage = PdsaCycle.Stage
STAGE_ORDER = [Stage.PLAN, Stage.DO, Stage.STUDY, Stage.ACT]


def _measures(values: Iterable[Any]) -> list[Measure]:
    """Measures given as objects or primary keys; an unknown one is refused."""
    values = list(values or [])
    ids = [v.pk if isinstance(v, Measure) else v for v in values]
    found = list(Measure.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"measures": "Choose measures from the list: one does not exist."})
    return found


# Driver diagrams ---------------------------------------------------------------------------

DIAGRAM_FIELDS = ("title", "step", "aim_what", "aim_how_much", "aim_by_when", "outcome_measure")
PARENT_KIND: dict[str, str | None] = {
    DriverNode.Kind.PRIMARY: None,
    DriverNode.Kind.SECONDARY: DriverNode.Kind.PRIMARY,
    DriverNode.Kind.CHANGE_IDEA: DriverNode.Kind.SECONDARY,
}


def _check_diagram(project: Project, data: Mapping[str, Any]) -> None:
    required_text(data.get("title"), "title", "Enter a title.")
    required_text(data.get("aim_what"), "aim_what", "Enter the aim: what will improve.")
    required_text(data.get("aim_how_much"), "aim_how_much", "Enter how much it will improve.")
    if not data.get("aim_by_when"):
        raise ValidationError({"aim_by_when": "Enter the date by which the aim will be met."})
    if not isinstance(data.get("outcome_measure"), Measure):
        raise ValidationError({"outcome_measure": "Choose the outcome measure of the aim."})
    check_step(project, data.get("step"))


@transaction.atomic
def driver_diagram_create(*, project: Project, user: User, **fields: Any) -> DriverDiagram:
    _check_diagram(project, fields)
    diagram = DriverDiagram(project=project, created_by=user)
    set_fields(diagram, fields, DIAGRAM_FIELDS)
    version_record(item=diagram, user=user, summary="Created the driver diagram")
    return diagram


@transaction.atomic
def driver_diagram_update(*, diagram: DriverDiagram, user: User, **fields: Any) -> DriverDiagram:
    current = {name: getattr(diagram, name) for name in DIAGRAM_FIELDS}
    _check_diagram(diagram.project, {**current, **fields})
    set_fields(diagram, fields, DIAGRAM_FIELDS)
    version_record(item=diagram, user=user, summary="Edited the aim")
    return diagram


def _check_parent(diagram: DriverDiagram, kind: str, parent: DriverNode | None) -> None:
    if kind not in PARENT_KIND:
        raise ValidationError({"kind": "Choose primary driver, secondary driver or change idea."})
    wanted = PARENT_KIND[kind]
    if wanted is None:
        if parent is not None:
            raise ValidationError({"parent": "A primary driver hangs from the aim, not a driver."})
        return
    label = DriverNode.Kind(wanted).label.lower()
    if parent is None:
        raise ValidationError({"parent": f"Choose the {label} it belongs to."})
    if parent.diagram_id != diagram.pk:
        raise ValidationError({"parent": f"Choose a {label} of this driver diagram."})
    if parent.kind != wanted:
        raise ValidationError(
            {"parent": f"A {DriverNode.Kind(kind).label.lower()} belongs to a {label}."}
        )


@transaction.atomic
def driver_node_add(
    *,
    diagram: DriverDiagram,
    user: User,
    kind: str,
    text: str,
    parent: DriverNode | None = None,
    measures: Iterable[Any] = (),
) -> DriverNode:
    text = required_text(text, "text", "Enter the text of the driver or change idea.")
    _check_parent(diagram, kind, parent)
    found = _measures(measures)
    siblings = diagram.nodes.filter(kind=kind, parent=parent)
    node = DriverNode.objects.create(
        diagram=diagram, kind=kind, parent=parent, text=text, order=next_order(siblings)
    )
    node.measures.set(found)
    version_record(
        item=diagram, user=user, summary=f"Added {node.get_kind_display().lower()}: {text}"
    )
    return node


@transaction.atomic
def driver_node_update(
    *, node: DriverNode, user: User, text: str, measures: Iterable[Any] = ()
) -> DriverNode:
    node.text = required_text(text, "text", "Enter the text of the driver or change idea.")
    found = _measures(measures)
    node.save(update_fields=["text"])
    node.measures.set(found)
    version_record(
        item=node.diagram,
        user=user,
        summary=f"Edited {node.get_kind_display().lower()}: {node.text}",
    )
    return node


@transaction.atomic
def driver_node_delete(*, node: DriverNode, user: User) -> None:
    diagram = node.diagram
    summary = f"Removed {node.get_kind_display().lower()}: {node.text}"
    node.delete()
    version_record(item=diagram, user=user, summary=summary)


@transaction.atomic
def driver_node_move(*, node: DriverNode, user: User, direction: str) -> bool:
    siblings = DriverNode.objects.filter(diagram=node.diagram, kind=node.kind, parent=node.parent)
    moved = reorder(node, siblings, direction)
    if moved:
        version_record(item=node.diagram, user=user, summary=f"Moved {direction}: {node.text}")
    return moved


# PDSA cycles -------------------------------------------------------------------------------

CYCLE_FIELDS = [
    "title",
    "step",
    "number",
    "change_idea",
    "owner",
    "objective",
    "purpose",
    "change_description",
    "questions",
    "predictions",
    "data_to_collect",
    "carried_out_as_planned",
    "observations",
    "problems",
    "data_show",
    "matched_predictions",
    "learning",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
]


def _check_cycle(project: Project, data: Mapping[str, Any]) -> None:
    required_text(data.get("title"), "title", "Enter a title.")
    required_text(
        data.get("objective"), "objective", "Enter the objective: what this cycle will test."
    )
    number = data.get("number")
    if number is not None and (not isinstance(number, int) or number < 1):
        raise ValidationError({"number": "The cycle number is a whole number from 1."})
    idea = data.get("change_idea")
    if idea is not None and (
        idea.kind != DriverNode.Kind.CHANGE_IDEA or idea.diagram.project_id != project.pk
    ):
        raise ValidationError(
            {"change_idea": "Choose a change idea of this project's driver diagrams."}
        )
    for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
        if data.get(start) and data.get(end) and data[end] < data[start]:
            raise ValidationError({end: "The end date must be on or after the start date."})
    check_step(project, data.get("step"))


@transaction.atomic
def pdsa_create(
    *, project: Project, user: User, measures: Iterable[Any] = (), **fields: Any
) -> PdsaCycle:
    _check_cycle(project, fields)
    found = _measures(measures)
    cycle = PdsaCycle(project=project, created_by=user)
    set_fields(cycle, fields, CYCLE_FIELDS)
    cycle.measures.set(found)
    version_record(item=cycle, user=user, summary="Planned the cycle")
    cycle_charts_rebuild(cycle)
    return cycle


@transaction.atomic
def pdsa_update(
    *, cycle: PdsaCycle, user: User, measures: Iterable[Any] | None = None, **fields: Any
) -> PdsaCycle:
    current = {name: getattr(cycle, name) for name in CYCLE_FIELDS}
    _check_cycle(cycle.project, {**current, **fields})
    found = _measures(measures) if measures is not None else None
    shown_on = cycle_measure_ids(cycle)
    set_fields(cycle, fields, CYCLE_FIELDS)
    if found is not None:
        cycle.measures.set(found)
    version_record(item=cycle, user=user, summary="Edited the cycle")
    cycle_charts_rebuild(cycle, shown_on | cycle_measure_ids(cycle))
    return cycle


@transaction.atomic
def pdsa_delete(*, cycle: PdsaCycle, user: User) -> None:
    shown_on = cycle_measure_ids(cycle)
    cycle_charts_rebuild(cycle, shown_on)  # rebuilt once the delete commits
    cycle.delete()


def pdsa_allowed_moves(*, cycle: PdsaCycle) -> list[str]:
    """Stages the cycle may move to: the next one, or back to any earlier one."""
    index = STAGE_ORDER.index(Stage(cycle.stage))
    return [s for i, s in enumerate(STAGE_ORDER) if i == index + 1 or i < index]


@transaction.atomic
def pdsa_move(*, cycle: PdsaCycle, user: User, to_stage: str, reason: str = "") -> PdsaCycle:
    """Plan -> Do -> Study -> Act, one stage at a time; back to an earlier stage with a reason.
    Act cannot be reached without Study, and Study needs its findings written first."""
    cycle = PdsaCycle.objects.select_for_update(of=("self",)).get(pk=cycle.pk)
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": "Choose Plan, Do, Study or Act."})
    here, there = STAGE_ORDER.index(Stage(cycle.stage)), STAGE_ORDER.index(Stage(to_stage))
    reason = (reason or "").strip()
    if there == here:
        raise ValidationError({"to_stage": f"The cycle is already at {Stage(to_stage).label}."})
    if there > here + 1:
        if to_stage == Stage.ACT:
            raise ValidationError(
                {"to_stage": "A cycle cannot reach Act without Study: move it to Study first."}
            )
        raise ValidationError(
            {
                "to_stage": f"Move to {STAGE_ORDER[here + 1].label} first: a cycle does not skip a stage."
            }
        )
    if there == here + 1:
        if to_stage == Stage.ACT and not (cycle.data_show.strip() or cycle.learning.strip()):
            raise ValidationError(
                {
                    "to_stage": "Record the Study (what the data show, or what was learned) before moving to Act."
                }
            )
        if to_stage == Stage.DO and cycle.actual_start is None:
            cycle.actual_start = timezone.localdate()
        summary = f"Moved from {Stage(cycle.stage).label} to {Stage(to_stage).label}"
    else:
        if not reason:
            raise ValidationError({"reason": "Give a reason for moving the cycle back."})
        if cycle.stage == Stage.ACT:
            cycle.outcome = ""  # the decision is retaken after the stages are redone
        summary = f"Moved back from {Stage(cycle.stage).label} to {Stage(to_stage).label}: {reason}"
    cycle.stage = to_stage
    cycle.save()
    version_record(item=cycle, user=user, summary=summary)
    cycle_charts_rebuild(cycle)  # its start date may have become the actual one
    return cycle


@transaction.atomic
def pdsa_decide(
    *,
    cycle: PdsaCycle,
    user: User,
    outcome: str,
    next_steps: str = "",
    shared_with_community: bool | None = None,
) -> tuple[PdsaCycle, PdsaCycle | None]:
    """Adopt, adapt or abandon. Adapt starts the next cycle of the ramp with the plan carried
    over (returned second); deciding again never starts a second one. The finished cycle may be
    shared with the community of practice (the learning library); None leaves that as it is."""
    cycle = PdsaCycle.objects.select_for_update(of=("self",)).get(pk=cycle.pk)
    if cycle.stage != Stage.ACT:
        raise ValidationError({"outcome": "Decide once the cycle has reached Act, after Study."})
    if outcome not in PdsaCycle.Outcome.values:
        raise ValidationError({"outcome": "Choose adopt, adapt or abandon."})
    cycle.outcome = outcome
    cycle.next_steps = (next_steps or "").strip()
    if shared_with_community is not None:
        cycle.shared_with_community = bool(shared_with_community)
    cycle.save(update_fields=["outcome", "next_steps", "shared_with_community", "updated_at"])
    version_record(item=cycle, user=user, summary=f"Decided: {cycle.get_outcome_display()}")
    successor = None
    if outcome == PdsaCycle.Outcome.ADAPT and not cycle.successors.exists():
        successor = _next_cycle(cycle, user)
    cycle_charts_rebuild(cycle)  # its outcome, and an adopted cycle may rebase the chart
    if successor is not None:
        cycle_charts_rebuild(successor)
    return cycle, successor


def _next_cycle(cycle: PdsaCycle, user: User) -> PdsaCycle:
    successor = PdsaCycle(
        project=cycle.project,
        step=cycle.step,
        created_by=user,
        change_idea=cycle.change_idea,
        predecessor=cycle,
        number=cycle.number + 1,
        **{name: getattr(cycle, name) for name in PdsaCycle.PLAN_FIELDS},
    )
    successor.save()
    successor.measures.set(cycle.measures.all())
    for task in cycle.tasks.all():
        PdsaTask.objects.create(
            cycle=successor,
            who=task.who,
            what=task.what,
            when=task.when,
            where=task.where,
            order=task.order,
        )
    version_record(
        item=successor,
        user=user,
        summary=f"Started from cycle {cycle.number} (adapt), plan carried over",
    )
    return successor


@transaction.atomic
def pdsa_task_add(
    *, cycle: PdsaCycle, user: User, who: str, what: str, when: str = "", where: str = ""
) -> PdsaTask:
    task = PdsaTask.objects.create(
        cycle=cycle,
        who=required_text(who, "who", "Enter who will do it."),
        what=required_text(what, "what", "Enter what they will do."),
        when=(when or "").strip(),
        where=(where or "").strip(),
        order=next_order(cycle.tasks.all()),
    )
    version_record(item=cycle, user=user, summary=f"Added task: {task.what}")
    return task


@transaction.atomic
def pdsa_task_delete(*, task: PdsaTask, user: User) -> None:
    cycle, summary = task.cycle, f"Removed task: {task.what}"
    task.delete()
    version_record(item=cycle, user=user, summary=summary)


@transaction.atomic
def pdsa_task_move(*, task: PdsaTask, user: User, direction: str) -> bool:
    moved = reorder(task, task.cycle.tasks.all(), direction)
    if moved:
        version_record(item=task.cycle, user=user, summary=f"Moved task {direction}: {task.what}")
    return moved


# Reflections -------------------------------------------------------------------------------

REFLECTION_FIELDS = (
    "title",
    "step",
    "what_worked",
    "what_did_not",
    "what_adapted",
    "lessons",
    "share_with_community",
)


def _check_reflection(project: Project, data: Mapping[str, Any]) -> None:
    required_text(data.get("title"), "title", "Enter a title.")
    required_text(data.get("what_worked"), "what_worked", "Enter what worked.")
    check_step(project, data.get("step"))


@transaction.atomic
def reflection_create(*, project: Project, user: User, **fields: Any) -> Reflection:
    _check_reflection(project, fields)
    reflection = Reflection(project=project, created_by=user)
    set_fields(reflection, fields, REFLECTION_FIELDS)
    version_record(item=reflection, user=user, summary="Wrote the reflection")
    return reflection


@transaction.atomic
def reflection_update(*, reflection: Reflection, user: User, **fields: Any) -> Reflection:
    current = {name: getattr(reflection, name) for name in REFLECTION_FIELDS}
    _check_reflection(reflection.project, {**current, **fields})
    set_fields(reflection, fields, REFLECTION_FIELDS)
    version_record(item=reflection, user=user, summary="Edited the reflection")
    return reflection


@transaction.atomic
def reflection_factor_add(
    *, reflection: Reflection, user: User, kind: str, principle: Principle, text: str
) -> ReflectionFactor:
    if kind not in ReflectionFactor.Kind.values:
        raise ValidationError({"kind": "Choose barrier or facilitator."})
    if not isinstance(principle, Principle) or not principle.active:
        raise ValidationError({"principle": "Choose one of the THRIVE principles."})
    factor = ReflectionFactor.objects.create(
        reflection=reflection,
        kind=kind,
        principle=principle,
        text=required_text(text, "text", "Describe the barrier or facilitator."),
        order=next_order(reflection.factors.all()),
    )
    version_record(item=reflection, user=user, summary=f"Added {kind}: {factor.text}")
    return factor


@transaction.atomic
def reflection_factor_delete(*, factor: ReflectionFactor, user: User) -> None:
    reflection, summary = factor.reflection, f"Removed {factor.kind}: {factor.text}"
    factor.delete()
    version_record(item=reflection, user=user, summary=summary)


@transaction.atomic
def reflection_factor_move(*, factor: ReflectionFactor, user: User, direction: str) -> bool:
    moved = reorder(factor, factor.reflection.factors.filter(kind=factor.kind), direction)
    if moved:
        version_record(
            item=factor.reflection,
            user=user,
            summary=f"Moved {factor.kind} {direction}: {factor.text}",
        )
    return moved


# Sustainability plans ---------------------------------------------------------------------

PLAN_FIELDS = ("title", "step", "notes")


@transaction.atomic
def sustainability_plan_create(
    *, project: Project, user: User, **fields: Any
) -> SustainabilityPlan:
    required_text(fields.get("title"), "title", "Enter a title.")
    check_step(project, fields.get("step"))
    plan = SustainabilityPlan(project=project, created_by=user)
    set_fields(plan, fields, PLAN_FIELDS)
    version_record(item=plan, user=user, summary="Started the sustainability plan")
    return plan


@transaction.atomic
def sustainability_plan_update(
    *, plan: SustainabilityPlan, user: User, **fields: Any
) -> SustainabilityPlan:
    required_text(fields.get("title", plan.title), "title", "Enter a title.")
    check_step(plan.project, fields.get("step", plan.step))
    set_fields(plan, fields, PLAN_FIELDS)
    version_record(item=plan, user=user, summary="Edited the plan")
    return plan


@transaction.atomic
def sustainability_assessment_save(
    *,
    plan: SustainabilityPlan,
    user: User,
    assessed_on: dt.date | None,
    ratings: Mapping[str, tuple[str, str]],
    notes: str = "",
    assessment: SustainabilityAssessment | None = None,
) -> SustainabilityAssessment:
    """Create (or, given `assessment`, replace) the ratings of one date. `ratings` maps each
    factor code to (level a-d, action); every factor must be rated."""
    if assessed_on is None:
        raise ValidationError({"assessed_on": "Enter the date of the assessment."})
    if assessment is not None and assessment.plan_id != plan.pk:
        raise ValidationError("That assessment belongs to another plan.")
    clash = plan.assessments.filter(assessed_on=assessed_on)
    if assessment is not None:
        clash = clash.exclude(pk=assessment.pk)
    if clash.exists():
        raise ValidationError({"assessed_on": "This plan already has an assessment on that date."})
    factors = {f.code: f for f in SustainabilityFactor.objects.all()}
    unknown = set(ratings) - set(factors)
    if unknown:
        raise ValidationError(f"Unknown factor: {', '.join(sorted(unknown))}.")
    missing = [f.name for code, f in factors.items() if code not in ratings]
    if missing:
        raise ValidationError(
            {"ratings": f"Choose a level for every factor: {', '.join(missing)}."}
        )
    for code, (level, _action) in ratings.items():
        if level not in SustainabilityLevel.Letter.values:
            raise ValidationError(
                {f"level_{code}": f"{factors[code].name}: choose level a, b, c or d."}
            )
    if assessment is None:
        assessment = SustainabilityAssessment.objects.create(
            plan=plan, assessed_on=assessed_on, notes=(notes or "").strip()
        )
        summary = f"Added the assessment of {assessed_on:%d %B %Y}"
    else:
        assessment.assessed_on = assessed_on
        assessment.notes = (notes or "").strip()
        assessment.save()
        assessment.ratings.all().delete()
        summary = f"Edited the assessment of {assessed_on:%d %B %Y}"
    SustainabilityRating.objects.bulk_create(
        SustainabilityRating(
            assessment=assessment, factor=factors[code], level=level, action=(action or "").strip()
        )
        for code, (level, action) in ratings.items()
    )
    plan.save(update_fields=["updated_at"])
    version_record(item=plan, user=user, summary=summary)
    return assessment


@transaction.atomic
def sustainability_assessment_delete(*, assessment: SustainabilityAssessment, user: User) -> None:
    plan, summary = assessment.plan, f"Removed the assessment of {assessment.assessed_on:%d %B %Y}"
    assessment.delete()
    version_record(item=plan, user=user, summary=summary)


MAX_TOTAL = Decimal(100)


@transaction.atomic
def sustainability_factor_update(
    *,
    factor: SustainabilityFactor,
    name: str,
    question: str,
    levels: Mapping[str, tuple[str, Decimal]],
) -> SustainabilityFactor:
    """Correct a factor's text, level descriptions and weights (a programme lead's task).
    Weights run from a (highest) down to d, each 0-100, and the ten top weights add up to at
    most 100."""
    factor.name = required_text(name, "name", "Enter the factor's name.")
    factor.question = (question or "").strip()
    if set(levels) != set(SustainabilityLevel.Letter.values):
        raise ValidationError("Give a description and weight for each of the levels a, b, c and d.")
    weights = []
    for letter in SustainabilityLevel.Letter.values:
        description, weight = levels[letter]
        required_text(description, f"description_{letter}", f"Describe level {letter}.")
        if weight is None or not Decimal(0) <= Decimal(weight) <= MAX_TOTAL:
            raise ValidationError(
                {f"weight_{letter}": f"Level {letter}: enter a weight from 0 to 100."}
            )
        weights.append(Decimal(weight))
    if weights != sorted(weights, reverse=True):
        raise ValidationError({"weight_a": "Weights must not rise from level a down to level d."})
    others = sum(
        (
            f.max_weight
            for f in SustainabilityFactor.objects.exclude(pk=factor.pk).prefetch_related("levels")
        ),
        Decimal(0),
    )
    if others + weights[0] > MAX_TOTAL:
        raise ValidationError(
            {
                "weight_a": f"The top levels would add up to {others + weights[0]:g}, over 100: lower another factor first."
            }
        )
    factor.save()
    for letter in SustainabilityLevel.Letter.values:
        description, weight = levels[letter]
        SustainabilityLevel.objects.update_or_create(
            factor=factor,
            level=letter,
            defaults={"description": description.strip(), "weight": Decimal(weight)},
        )
    return factor
