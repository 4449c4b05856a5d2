"""Writes for the analysis tools. Every change to an item or one of its parts goes through here,
is checked here (a refused change raises ValidationError and writes nothing), and stores a
version of the item in the same transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from projects.models import Project
from toolkit.history import version_record
from toolkit.models.analysis import (
    AnalysisItem,
    Fishbone,
    FishboneCategory,
    FishboneCause,
    FiveWhys,
    PriorityCriterion,
    PriorityMatrix,
    PriorityOption,
    PriorityScore,
    ProcessArrow,
    ProcessLane,
    ProcessMap,
    ProcessStep,
    Swot,
    SwotItem,
    SwotStrategy,
    WhyLink,
)
from toolkit.services import check_step, next_order, reorder, required_text

from .svg import shorten

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Item = TypeVar("Item", bound=AnalysisItem)
Part = TypeVar("Part", bound=models.Model)

# The field holding each tool's problem statement, and the message when it is empty.
STATEMENT_FIELDS: dict[type[AnalysisItem], tuple[str, str]] = {
    Fishbone: ("problem", "Enter the problem statement: the effect you want to explain."),
    FiveWhys: ("problem", "Enter the problem statement the chain starts from."),
    ProcessMap: ("description", ""),
    Swot: ("subject", "Enter what the SWOT analysis is about."),
    PriorityMatrix: ("question", "Enter what you are choosing between."),
}


def _record(item: AnalysisItem, user: User, summary: str) -> None:
    """Touch the item and store its new state (read afresh, so no prefetched part is stale)."""
    type(item)._default_manager.filter(pk=item.pk).update(updated_at=timezone.now())
    fresh = type(item)._default_manager.select_related("step", "project").get(pk=item.pk)
    version_record(item=fresh, user=user, summary=summary)


def _check_five_whys_complete(item: FiveWhys, link_count: int) -> None:
    if item.is_complete and not FiveWhys.MIN_LINKS <= link_count <= FiveWhys.MAX_LINKS:
        raise ValidationError(
            {
                "is_complete": f"A complete Five Whys chain has {FiveWhys.MIN_LINKS} to "
                f"{FiveWhys.MAX_LINKS} links; this one has {link_count}. Add or remove whys "
                "before marking it complete."
            }
        )


# --- Items -----------------------------------------------------------------------------------


def _validate_item(item: AnalysisItem) -> None:
    item.title = required_text(item.title, "title", "Enter a title.")
    field, message = STATEMENT_FIELDS[type(item)]
    value = (getattr(item, field) or "").strip()
    if message and not value:
        raise ValidationError({field: message})
    setattr(item, field, value)
    check_step(item.project, item.step)
    item.full_clean(exclude=["created_by", "project", "step", "source_cause"])
    if isinstance(item, FiveWhys):
        _check_five_whys_complete(item, item.links.count() if item.pk else 0)


@transaction.atomic
def item_create(*, model: type[Item], project: Project, user: User, **fields: Any) -> Item:
    """Create a tool item for a project. A fishbone's preset names its first categories."""
    item = model(project=project, created_by=user, **fields)
    _validate_item(item)
    item.save()
    if isinstance(item, Fishbone):
        for order, name in enumerate(Fishbone.PRESET_CATEGORIES[item.preset], start=1):
            FishboneCategory.objects.create(fishbone=item, name=name, order=order)
    _record(item, user, "Created")
    return item


@transaction.atomic
def item_update(*, item: Item, user: User, **fields: Any) -> Item:
    for name, value in fields.items():
        setattr(item, name, value)
    _validate_item(item)
    item.save()
    _record(item, user, "Edited the details")
    return item


# --- Parts shared: reorder and remove --------------------------------------------------------


@transaction.atomic
def part_move(
    *,
    item: AnalysisItem,
    part: models.Model,
    siblings: QuerySet,
    direction: str,
    user: User,
    summary: str,
) -> None:
    """Swap a part with its neighbour above ("up") or below ("down") among its siblings."""
    if reorder(part, siblings, direction):
        _record(item, user, summary)


@transaction.atomic
def part_delete(*, item: AnalysisItem, part: models.Model, user: User, summary: str) -> None:
    if isinstance(part, WhyLink):
        assert isinstance(item, FiveWhys)
        _check_five_whys_complete(item, item.links.count() - 1)
    part.delete()
    _record(item, user, summary)


# --- Fishbone --------------------------------------------------------------------------------


def _category_of(fishbone: Fishbone, category: FishboneCategory) -> FishboneCategory:
    if category.fishbone_id != fishbone.pk:
        raise ValidationError({"category": "Choose a category of this fishbone."})
    return category


@transaction.atomic
def fishbone_category_add(*, item: Fishbone, user: User, name: str) -> FishboneCategory:
    name = required_text(name, "name", "Enter the category's name.")
    if item.categories.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"This fishbone already has a category '{name}'."})
    category = FishboneCategory.objects.create(
        fishbone=item, name=name, order=next_order(item.categories.all())
    )
    _record(item, user, f"Added the category '{name}'")
    return category


@transaction.atomic
def fishbone_category_update(
    *, item: Fishbone, part: FishboneCategory, user: User, name: str
) -> FishboneCategory:
    _category_of(item, part)
    name = required_text(name, "name", "Enter the category's name.")
    if item.categories.filter(name__iexact=name).exclude(pk=part.pk).exists():
        raise ValidationError({"name": f"This fishbone already has a category '{name}'."})
    part.name = name
    part.save(update_fields=["name"])
    _record(item, user, f"Renamed a category to '{name}'")
    return part


@transaction.atomic
def fishbone_cause_add(
    *,
    item: Fishbone,
    user: User,
    category: FishboneCategory,
    text: str,
    parent: FishboneCause | None = None,
) -> FishboneCause:
    """A cause on a category's bone, or with `parent` a sub-cause of one of its causes."""
    _category_of(item, category)
    text = required_text(text, "text", "Describe the cause.")
    if parent is not None:
        if parent.category.fishbone_id != item.pk:
            raise ValidationError({"parent": "Choose a cause of this fishbone."})
        if parent.parent_id is not None:
            raise ValidationError({"parent": "A sub-cause cannot have sub-causes of its own."})
        if parent.category_id != category.pk:
            raise ValidationError(
                {
                    "parent": f"'{parent.text}' is under {parent.category.name}: choose that category."
                }
            )
    siblings = FishboneCause.objects.filter(category=category, parent=parent)
    cause = FishboneCause.objects.create(
        category=category, parent=parent, text=text, order=next_order(siblings)
    )
    kind = "sub-cause" if parent else "cause"
    _record(item, user, f"Added the {kind} '{text}' under {category.name}")
    return cause


@transaction.atomic
def fishbone_cause_update(
    *, item: Fishbone, part: FishboneCause, user: User, text: str
) -> FishboneCause:
    _category_of(item, part.category)
    part.text = required_text(text, "text", "Describe the cause.")
    part.save(update_fields=["text"])
    _record(item, user, f"Edited the cause '{part.text}'")
    return part


@transaction.atomic
def five_whys_from_cause(*, item: Fishbone, cause: FishboneCause, user: User) -> FiveWhys:
    """Open a Five Whys chain on a fishbone cause: the cause becomes its problem."""
    _category_of(item, cause.category)
    chain = FiveWhys(
        project=item.project,
        step=item.step,
        title=shorten(f"Why? {cause.text}", 200),
        problem=cause.text,
        source_cause=cause,
        created_by=user,
    )
    _validate_item(chain)
    chain.save()
    _record(chain, user, f"Opened from the fishbone '{item.title}'")
    return chain


# --- Five Whys -------------------------------------------------------------------------------


@transaction.atomic
def why_link_add(*, item: FiveWhys, user: User, why: str, answer: str) -> WhyLink:
    why = required_text(why, "why", "Enter the question: why does this happen?")
    answer = required_text(answer, "answer", "Enter the answer.")
    count = item.links.count()
    if count >= FiveWhys.MAX_LINKS:
        raise ValidationError(
            f"A Five Whys chain has at most {FiveWhys.MAX_LINKS} links. If the root cause is "
            "still not clear, start another chain from the last answer."
        )
    link = WhyLink.objects.create(
        five_whys=item, why=why, answer=answer, order=next_order(item.links.all())
    )
    _record(item, user, f"Added why {count + 1}")
    return link


@transaction.atomic
def why_link_update(*, item: FiveWhys, part: WhyLink, user: User, why: str, answer: str) -> WhyLink:
    part.why = required_text(why, "why", "Enter the question: why does this happen?")
    part.answer = required_text(answer, "answer", "Enter the answer.")
    part.save(update_fields=["why", "answer"])
    _record(item, user, "Edited a why")
    return part


# --- Process map -----------------------------------------------------------------------------


def _lane_of(item: ProcessMap, lane: ProcessLane | None) -> ProcessLane | None:
    if lane is not None and lane.process_map_id != item.pk:
        raise ValidationError({"lane": "Choose a swimlane of this process map."})
    return lane


@transaction.atomic
def process_lane_add(*, item: ProcessMap, user: User, name: str, kind: str) -> ProcessLane:
    name = required_text(name, "name", "Enter the team or service this swimlane shows.")
    if item.lanes.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"This map already has a swimlane '{name}'."})
    lane = ProcessLane.objects.create(
        process_map=item, name=name, kind=kind, order=next_order(item.lanes.all())
    )
    _record(item, user, f"Added the swimlane '{name}'")
    return lane


@transaction.atomic
def process_lane_update(
    *, item: ProcessMap, part: ProcessLane, user: User, name: str, kind: str
) -> ProcessLane:
    name = required_text(name, "name", "Enter the team or service this swimlane shows.")
    if item.lanes.filter(name__iexact=name).exclude(pk=part.pk).exists():
        raise ValidationError({"name": f"This map already has a swimlane '{name}'."})
    part.name, part.kind = name, kind
    part.save(update_fields=["name", "kind"])
    _record(item, user, f"Edited the swimlane '{name}'")
    return part


def _step_fields(item: ProcessMap, fields: dict[str, Any]) -> dict[str, Any]:
    fields["label"] = required_text(fields.get("label", ""), "label", "Describe the step.")
    _lane_of(item, fields.get("lane"))
    duration = fields.get("duration")
    if duration is not None and duration < 0:
        raise ValidationError({"duration": "A duration cannot be negative."})
    if fields.get("kind") not in ProcessStep.Kind.values:
        raise ValidationError({"kind": "Choose the kind of step."})
    return fields


@transaction.atomic
def process_step_add(*, item: ProcessMap, user: User, **fields: Any) -> ProcessStep:
    fields = _step_fields(item, fields)
    step = ProcessStep.objects.create(
        process_map=item, order=next_order(item.steps.all()), **fields
    )
    _record(item, user, f"Added the step '{step.label}'")
    return step


@transaction.atomic
def process_step_update(
    *, item: ProcessMap, part: ProcessStep, user: User, **fields: Any
) -> ProcessStep:
    fields = _step_fields(item, fields)
    for name, value in fields.items():
        setattr(part, name, value)
    part.save()
    _record(item, user, f"Edited the step '{part.label}'")
    return part


@transaction.atomic
def process_arrow_add(
    *, item: ProcessMap, user: User, source: ProcessStep, target: ProcessStep, label: str = ""
) -> ProcessArrow:
    if source.process_map_id != item.pk or target.process_map_id != item.pk:
        raise ValidationError("An arrow can only join two steps of the same process map.")
    if source.pk == target.pk:
        raise ValidationError({"target": "An arrow joins two different steps."})
    if item.arrows.filter(source=source, target=target).exists():
        raise ValidationError({"target": f"'{source}' already leads to '{target}'."})
    arrow = ProcessArrow.objects.create(
        process_map=item, source=source, target=target, label=(label or "").strip()
    )
    _record(item, user, f"Joined '{source}' to '{target}'")
    return arrow


@transaction.atomic
def process_arrow_update(
    *, item: ProcessMap, part: ProcessArrow, user: User, label: str = ""
) -> ProcessArrow:
    part.label = (label or "").strip()
    part.save(update_fields=["label"])
    _record(item, user, f"Relabelled the arrow '{part}'")
    return part


# --- SWOT ------------------------------------------------------------------------------------


def _swot_item_fields(quadrant: str, text: str, priority: int) -> tuple[str, str, int]:
    if quadrant not in SwotItem.Quadrant.values:
        raise ValidationError({"quadrant": "Choose strength, weakness, opportunity or threat."})
    if priority not in SwotItem.Priority.values:
        raise ValidationError({"priority": "Choose a priority: high, medium or low."})
    return quadrant, required_text(text, "text", "Describe the item."), priority


@transaction.atomic
def swot_item_add(*, item: Swot, user: User, quadrant: str, text: str, priority: int) -> SwotItem:
    quadrant, text, priority = _swot_item_fields(quadrant, text, int(priority))
    entry = SwotItem.objects.create(
        swot=item,
        quadrant=quadrant,
        text=text,
        priority=priority,
        order=next_order(item.items.filter(quadrant=quadrant)),
    )
    _record(item, user, f"Added the {entry.get_quadrant_display().lower()} '{text}'")
    return entry


@transaction.atomic
def swot_item_update(
    *, item: Swot, part: SwotItem, user: User, quadrant: str, text: str, priority: int
) -> SwotItem:
    quadrant, text, priority = _swot_item_fields(quadrant, text, int(priority))
    if quadrant != part.quadrant:
        part.order = next_order(item.items.filter(quadrant=quadrant))
        linked = part.strategies.exclude(kind__contains=quadrant)
        if linked.exists():
            raise ValidationError(
                {"quadrant": "A strategy links this item as it is; unlink it before moving it."}
            )
    part.quadrant, part.text, part.priority = quadrant, text, priority
    part.save()
    _record(item, user, f"Edited the {part.get_quadrant_display().lower()} '{text}'")
    return part


def _strategy_items(item: Swot, kind: str, items: Any) -> list[SwotItem]:
    if kind not in SwotStrategy.Kind.values:
        raise ValidationError({"kind": "Choose the kind of strategy, e.g. S-O."})
    chosen = list(items or [])
    for entry in chosen:
        if entry.swot_id != item.pk:
            raise ValidationError({"items": "Link only items of this SWOT analysis."})
        if entry.quadrant not in kind:
            raise ValidationError(
                {
                    "items": f"A {kind[0]}-{kind[1]} strategy links "
                    f"{SwotItem.Quadrant(kind[0]).label.lower()} and "
                    f"{SwotItem.Quadrant(kind[1]).label.lower()} items; '{entry.text}' is a "
                    f"{entry.get_quadrant_display().lower()}."
                }
            )
    return chosen


@transaction.atomic
def swot_strategy_add(
    *, item: Swot, user: User, kind: str, text: str, items: Any = ()
) -> SwotStrategy:
    text = required_text(text, "text", "Describe the strategy.")
    chosen = _strategy_items(item, kind, items)
    strategy = SwotStrategy.objects.create(
        swot=item, kind=kind, text=text, order=next_order(item.strategies.all())
    )
    strategy.items.set(chosen)
    _record(item, user, f"Added an {kind[0]}-{kind[1]} strategy")
    return strategy


@transaction.atomic
def swot_strategy_update(
    *, item: Swot, part: SwotStrategy, user: User, kind: str, text: str, items: Any = ()
) -> SwotStrategy:
    text = required_text(text, "text", "Describe the strategy.")
    chosen = _strategy_items(item, kind, items)
    part.kind, part.text = kind, text
    part.save(update_fields=["kind", "text"])
    part.items.set(chosen)
    _record(item, user, f"Edited an {kind[0]}-{kind[1]} strategy")
    return part


# --- Priority setting matrix -----------------------------------------------------------------


def _score(value: Any, field: str, label: str, *, top: int = 5) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if not 1 <= number <= top or str(number) != str(value).strip():
        raise ValidationError({field: f"{label} must be a whole number from 1 to {top}."})
    return number


def _option_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": required_text(fields.get("name", ""), "name", "Name the option."),
        "description": (fields.get("description") or "").strip(),
        "impact": _score(fields.get("impact"), "impact", "Impact"),
        "effort": _score(fields.get("effort"), "effort", "Effort"),
    }


@transaction.atomic
def priority_option_add(*, item: PriorityMatrix, user: User, **fields: Any) -> PriorityOption:
    values = _option_fields(fields)
    option = PriorityOption.objects.create(
        matrix=item, order=next_order(item.options.all()), **values
    )
    _record(item, user, f"Added the option '{option.name}'")
    return option


@transaction.atomic
def priority_option_update(
    *, item: PriorityMatrix, part: PriorityOption, user: User, **fields: Any
) -> PriorityOption:
    for name, value in _option_fields(fields).items():
        setattr(part, name, value)
    part.save()
    _record(item, user, f"Edited the option '{part.name}'")
    return part


def _criterion_fields(
    item: PriorityMatrix, name: str, weight: Any, exclude: int | None
) -> tuple[str, int]:
    name = required_text(name, "name", "Name the criterion.")
    same_name = item.criteria.filter(name__iexact=name)
    if exclude is not None:
        same_name = same_name.exclude(pk=exclude)
    if same_name.exists():
        raise ValidationError({"name": f"This matrix already has a criterion '{name}'."})
    checked = _score(weight, "weight", "Weight", top=10)
    if checked is None:
        raise ValidationError({"weight": "Weight must be a whole number from 1 to 10."})
    return name, checked


@transaction.atomic
def priority_criterion_add(
    *, item: PriorityMatrix, user: User, name: str, weight: Any
) -> PriorityCriterion:
    name, weight = _criterion_fields(item, name, weight, None)
    criterion = PriorityCriterion.objects.create(
        matrix=item, name=name, weight=weight, order=next_order(item.criteria.all())
    )
    _record(item, user, f"Added the criterion '{name}' (weight {weight})")
    return criterion


@transaction.atomic
def priority_criterion_update(
    *, item: PriorityMatrix, part: PriorityCriterion, user: User, name: str, weight: Any
) -> PriorityCriterion:
    part.name, part.weight = _criterion_fields(item, name, weight, part.pk)
    part.save(update_fields=["name", "weight"])
    _record(item, user, f"Edited the criterion '{part.name}'")
    return part


@transaction.atomic
def priority_scores_set(
    *,
    item: PriorityMatrix,
    option: PriorityOption,
    user: User,
    scores: dict[PriorityCriterion, Any],
) -> None:
    """Set an option's score (1 to 5) on each criterion; an empty score clears it."""
    if option.matrix_id != item.pk:
        raise ValidationError("Choose an option of this matrix.")
    checked: dict[PriorityCriterion, int | None] = {}
    for criterion, value in scores.items():
        if criterion.matrix_id != item.pk:
            raise ValidationError("Score only the criteria of this matrix.")
        checked[criterion] = _score(value, f"criterion_{criterion.pk}", criterion.name)
    for criterion, value in checked.items():
        if value is None:
            PriorityScore.objects.filter(option=option, criterion=criterion).delete()
        else:
            PriorityScore.objects.update_or_create(
                option=option, criterion=criterion, defaults={"score": value}
            )
    _record(item, user, f"Scored the option '{option.name}'")
