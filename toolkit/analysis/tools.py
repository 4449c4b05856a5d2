"""What each analysis tool is made of: its model, forms, parts and the services that change them.

The views and URLs are generic over these specs, so every tool gets the same pages (list, new,
detail, edit, delete, print, history) and every part the same actions (add, edit, remove, move
up/down) with the same permission checks; what differs between tools lives in its services,
forms and templates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Prefetch, QuerySet

from toolkit.models.analysis import (
    AnalysisItem,
    Fishbone,
    FishboneCategory,
    FishboneCause,
    FiveWhys,
    PriorityCriterion,
    PriorityMatrix,
    PriorityOption,
    ProcessArrow,
    ProcessLane,
    ProcessMap,
    ProcessStep,
    Swot,
    SwotItem,
    SwotStrategy,
    WhyLink,
)

from . import forms, services


@dataclass(frozen=True)
class PartSpec:
    slug: str  # URL segment, e.g. "causes"
    kwarg: str  # URL kwarg, e.g. "cause_id"
    noun: str  # "cause", for messages and summaries
    model: type[Model]
    item_lookup: str  # path from the part to its item, e.g. "category__fishbone"
    form: type[forms.PartForm]
    create: Callable[..., Any]
    update: Callable[..., Any]
    edit_form: type[forms.PartForm] | None = None
    siblings: Callable[[Any], QuerySet] | None = None  # None: not reorderable
    describe: Callable[[Any], str] = str

    def get_edit_form(self) -> type[forms.PartForm]:
        return self.edit_form or self.form


@dataclass(frozen=True)
class ToolSpec:
    slug: str  # URL segment and registry key, e.g. "five-whys"
    name: str
    plural: str
    description: str
    model: type[AnalysisItem]
    form: type[forms.ItemForm]
    create_form: type[forms.ItemForm] | None = None
    parts: tuple[PartSpec, ...] = ()
    prefetch: tuple[Any, ...] = ()
    extra_context: Callable[[Any, dict[str, Any]], dict[str, Any]] | None = None

    @property
    def kwarg(self) -> str:
        return self.slug.replace("-", "_") + "_id"

    @property
    def url_prefix(self) -> str:
        return f"toolkit:{self.slug}"

    def part(self, slug: str) -> PartSpec:
        return next(p for p in self.parts if p.slug == slug)

    def queryset(self, project: Any) -> QuerySet:
        return (
            self.model._default_manager.filter(project=project)
            .select_related("project__site", "step", "created_by")
            .prefetch_related(*self.prefetch)
        )


def _matrix_context(item: PriorityMatrix, snapshot: dict[str, Any]) -> dict[str, Any]:
    from .svg import quadrant_name, weighted_ranking

    options = list(item.options.all())
    return {
        "ranking": weighted_ranking(snapshot),
        "criteria": list(item.criteria.all()),
        "option_rows": [
            {"option": o, "quadrant": quadrant_name(o.impact, o.effort)} for o in options
        ],
    }


def _swot_context(item: Swot, snapshot: dict[str, Any]) -> dict[str, Any]:
    items = list(item.items.all())
    return {
        "quadrants": [
            {
                "code": code,
                "name": name,
                "hint": hint,
                "items": [i for i in items if i.quadrant == code],
            }
            for code, name, hint in (
                ("S", "Strengths", "Internal, helpful"),
                ("W", "Weaknesses", "Internal, harmful"),
                ("O", "Opportunities", "External, helpful"),
                ("T", "Threats", "External, harmful"),
            )
        ]
    }


def _fishbone_context(item: Fishbone, snapshot: dict[str, Any]) -> dict[str, Any]:
    chains: dict[int, list[FiveWhys]] = {}
    for chain in FiveWhys.objects.filter(source_cause__category__fishbone=item).select_related(
        "project__site"
    ):
        chains.setdefault(chain.source_cause_id, []).append(chain)  # type: ignore[arg-type]
    rows = []
    for category in item.categories.all():
        causes = list(category.causes.all())
        rows.append(
            {
                "category": category,
                "causes": [
                    {
                        "cause": cause,
                        "subs": [s for s in causes if s.parent_id == cause.pk],
                        "chains": chains.get(cause.pk, []),
                    }
                    for cause in causes
                    if cause.parent_id is None
                ],
            }
        )
    return {"category_rows": rows}


def _process_context(item: ProcessMap, snapshot: dict[str, Any]) -> dict[str, Any]:
    from .svg import process_layout

    layout = process_layout(snapshot)
    steps = sorted(item.steps.all(), key=lambda s: (layout["column"].get(s.pk, 0), s.order, s.pk))
    return {"flow_steps": steps, "arrows": list(item.arrows.all())}


CAUSES = PartSpec(
    slug="causes",
    kwarg="cause_id",
    noun="cause",
    model=FishboneCause,
    item_lookup="category__fishbone",
    form=forms.FishboneCauseForm,
    edit_form=forms.FishboneCauseEditForm,
    create=services.fishbone_cause_add,
    update=services.fishbone_cause_update,
    siblings=lambda c: FishboneCause.objects.filter(category=c.category_id, parent=c.parent_id),
)

TOOLS: dict[str, ToolSpec] = {
    tool.slug: tool
    for tool in (
        ToolSpec(
            slug="fishbone",
            name="Fishbone",
            plural="Fishbone diagrams",
            description="Causes of a problem, grouped in categories as the bones of a fish.",
            model=Fishbone,
            form=forms.FishboneForm,
            create_form=forms.FishboneCreateForm,
            prefetch=(Prefetch("categories__causes"),),
            extra_context=_fishbone_context,
            parts=(
                PartSpec(
                    slug="categories",
                    kwarg="fishbone_category_id",
                    noun="category",
                    model=FishboneCategory,
                    item_lookup="fishbone",
                    form=forms.FishboneCategoryForm,
                    create=services.fishbone_category_add,
                    update=services.fishbone_category_update,
                    siblings=lambda c: FishboneCategory.objects.filter(fishbone=c.fishbone_id),
                ),
                CAUSES,
            ),
        ),
        ToolSpec(
            slug="five-whys",
            name="Five Whys",
            plural="Five Whys chains",
            description="Ask why, again and again, from a problem to its root cause.",
            model=FiveWhys,
            form=forms.FiveWhysForm,
            prefetch=("links",),
            parts=(
                PartSpec(
                    slug="whys",
                    kwarg="why_id",
                    noun="why",
                    model=WhyLink,
                    item_lookup="five_whys",
                    form=forms.WhyLinkForm,
                    create=services.why_link_add,
                    update=services.why_link_update,
                    siblings=lambda w: WhyLink.objects.filter(five_whys=w.five_whys_id),
                ),
            ),
        ),
        ToolSpec(
            slug="process-map",
            name="Process map",
            plural="Process maps",
            description="How the process works today, step by step, with its waits and "
            "bottlenecks.",
            model=ProcessMap,
            form=forms.ProcessMapForm,
            prefetch=(
                "lanes",
                Prefetch("steps", queryset=ProcessStep.objects.select_related("lane")),
                "arrows__source",
                "arrows__target",
            ),
            extra_context=_process_context,
            parts=(
                PartSpec(
                    slug="lanes",
                    kwarg="lane_id",
                    noun="swimlane",
                    model=ProcessLane,
                    item_lookup="process_map",
                    form=forms.ProcessLaneForm,
                    create=services.process_lane_add,
                    update=services.process_lane_update,
                    siblings=lambda x: ProcessLane.objects.filter(process_map=x.process_map_id),
                ),
                PartSpec(
                    slug="steps",
                    kwarg="process_step_id",
                    noun="step",
                    model=ProcessStep,
                    item_lookup="process_map",
                    form=forms.ProcessStepForm,
                    create=services.process_step_add,
                    update=services.process_step_update,
                    siblings=lambda x: ProcessStep.objects.filter(process_map=x.process_map_id),
                ),
                PartSpec(
                    slug="arrows",
                    kwarg="arrow_id",
                    noun="arrow",
                    model=ProcessArrow,
                    item_lookup="process_map",
                    form=forms.ProcessArrowForm,
                    edit_form=forms.ProcessArrowEditForm,
                    create=services.process_arrow_add,
                    update=services.process_arrow_update,
                ),
            ),
        ),
        ToolSpec(
            slug="swot",
            name="SWOT analysis",
            plural="SWOT analyses",
            description="Strengths and weaknesses inside, opportunities and threats outside, "
            "and the strategies they suggest.",
            model=Swot,
            form=forms.SwotForm,
            prefetch=("items", "strategies__items"),
            extra_context=_swot_context,
            parts=(
                PartSpec(
                    slug="items",
                    kwarg="swot_item_id",
                    noun="item",
                    model=SwotItem,
                    item_lookup="swot",
                    form=forms.SwotItemForm,
                    create=services.swot_item_add,
                    update=services.swot_item_update,
                    siblings=lambda x: SwotItem.objects.filter(swot=x.swot_id, quadrant=x.quadrant),
                ),
                PartSpec(
                    slug="strategies",
                    kwarg="strategy_id",
                    noun="strategy",
                    model=SwotStrategy,
                    item_lookup="swot",
                    form=forms.SwotStrategyForm,
                    create=services.swot_strategy_add,
                    update=services.swot_strategy_update,
                    siblings=lambda x: SwotStrategy.objects.filter(swot=x.swot_id),
                ),
            ),
        ),
        ToolSpec(
            slug="priority-matrix",
            name="Priority setting matrix",
            plural="Priority setting matrices",
            description="Options scored on impact and effort, or on weighted criteria, to "
            "choose what to change first.",
            model=PriorityMatrix,
            form=forms.PriorityMatrixForm,
            prefetch=("options__scores", "criteria"),
            extra_context=_matrix_context,
            parts=(
                PartSpec(
                    slug="options",
                    kwarg="option_id",
                    noun="option",
                    model=PriorityOption,
                    item_lookup="matrix",
                    form=forms.PriorityOptionForm,
                    create=services.priority_option_add,
                    update=services.priority_option_update,
                    siblings=lambda x: PriorityOption.objects.filter(matrix=x.matrix_id),
                ),
                PartSpec(
                    slug="criteria",
                    kwarg="criterion_id",
                    noun="criterion",
                    model=PriorityCriterion,
                    item_lookup="matrix",
                    form=forms.PriorityCriterionForm,
                    create=services.priority_criterion_add,
                    update=services.priority_criterion_update,
                    siblings=lambda x: PriorityCriterion.objects.filter(matrix=x.matrix_id),
                ),
            ),
        ),
    )
}
