"""The tools for understanding the problem and choosing what to change (fishbone, Five Whys,
process map, SWOT, priority setting matrix) as toolkit.tools specs. Each draws its picture from
its snapshot (`svg.draw`), so any stored version can be drawn again from the history."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db.models import Model, Prefetch, QuerySet
from django.forms import BaseForm
from django.utils.safestring import mark_safe

from projects.view_helpers import can_edit
from toolkit import services as toolkit_services
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
from toolkit.tools import Part, Tool

from . import forms, services, svg


def figure(slug: str, snapshot: dict[str, Any], ident: str) -> dict[str, Any]:
    """The picture of a snapshot (current or from the history) and its text description."""
    return {
        "svg": mark_safe(svg.draw(slug, snapshot, ident=ident)),  # escaped by svg.Canvas
        "outline": svg.outline(slug, snapshot),
        "outline_template": f"toolkit/_{slug.replace('-', '_')}_outline.html",
        "snapshot": snapshot,
        "ident": ident,
    }


def _context(
    slug: str, extra: Callable[[Any, dict[str, Any]], dict[str, Any]] | None
) -> Callable[[Any, Any, dict[str, BaseForm]], dict[str, Any]]:
    """The page of an analysis item: its picture, and the add form of each part (bound ones
    as given) for an editor."""

    def context(request: Any, item: AnalysisItem, bound: dict[str, BaseForm]) -> dict[str, Any]:
        tool = next(t for t in TOOLS if t.slug == slug)
        snapshot = item.snapshot()
        editable = can_edit(request)
        add_forms: dict[str, BaseForm] = (
            {part.slug: part.form(None, item=item) for part in tool.parts} if editable else {}
        )
        add_forms.update(bound)
        return {
            "forms": add_forms,
            "figure": figure(slug, snapshot, f"{slug}-{item.pk}"),
            "snapshot": snapshot,
            **(extra(item, snapshot) if extra else {}),
        }

    return context


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


def _part(
    *,
    slug: str,
    kwarg: str,
    noun: str,
    model: type[Model],
    item_lookup: str,
    form: type[forms.PartForm],
    add: Callable[..., Any],
    update: Callable[..., Any],
    edit_form: type[forms.PartForm] | None = None,
    siblings: Callable[[Any], QuerySet] | None = None,  # None: not reorderable
) -> Part:
    """A part of an analysis item: removing or moving it stores a version saying so."""

    def delete(*, item: AnalysisItem, part: Model, user: Any) -> None:
        summary = f"Removed the {noun} '{part}'"
        services.part_delete(item=item, part=part, user=user, summary=summary)

    def move(*, item: AnalysisItem, part: Model, user: Any, direction: str) -> None:
        assert siblings is not None
        summary = f"Moved the {noun} '{part}' {direction}"
        services.part_move(
            item=item,
            part=part,
            siblings=siblings(part),
            direction=direction,
            user=user,
            summary=summary,
        )

    return Part(
        slug=slug,
        kwarg=kwarg,
        noun=noun,
        model=model,
        item_lookup=item_lookup,
        form=functools.partial(form, prefix=slug),  # several add forms share the item's page
        add=add,
        delete=delete,
        update=update,
        edit_form=edit_form or form,
        move=move if siblings is not None else None,
    )


def _tool(
    *,
    slug: str,
    name: str,
    plural: str,
    description: str,
    start_name: str,
    step_words: tuple[str, ...],
    model: type[AnalysisItem],
    form: type[forms.ItemForm],
    parts: tuple[Part, ...],
    prefetch: tuple[Any, ...],
    extra_context: Callable[[Any, dict[str, Any]], dict[str, Any]] | None = None,
    create_form: type[forms.ItemForm] | None = None,
) -> Tool:
    return Tool(
        slug=slug,
        name=name,
        plural=plural,
        description=description,
        start_name=start_name,
        step_words=step_words,
        model=model,
        form=form,
        create_form=create_form,
        create=functools.partial(services.item_create, model=model),
        update=services.item_update,
        delete=toolkit_services.item_delete,
        context=_context(slug, extra_context),
        detail_template=f"toolkit/{slug.replace('-', '_')}_detail.html",
        print_template="toolkit/analysis_print.html",
        parts=parts,
        prefetch=prefetch,
        figure=functools.partial(figure, slug),
        fragment="body",
    )


TOOLS: tuple[Tool, ...] = (
    _tool(
        slug="fishbone",
        name="Fishbone",
        plural="Fishbone diagrams",
        description="Causes of a problem, grouped in categories as the bones of a fish.",
        start_name="a fishbone",
        step_words=("fishbone", "fishbone diagram", "cause and effect diagram"),
        model=Fishbone,
        form=forms.FishboneForm,
        create_form=forms.FishboneCreateForm,
        prefetch=(Prefetch("categories__causes"),),
        extra_context=_fishbone_context,
        parts=(
            _part(
                slug="categories",
                kwarg="fishbone_category_id",
                noun="category",
                model=FishboneCategory,
                item_lookup="fishbone",
                form=forms.FishboneCategoryForm,
                add=services.fishbone_category_add,
                update=services.fishbone_category_update,
                siblings=lambda c: FishboneCategory.objects.filter(fishbone=c.fishbone_id),
            ),
            _part(
                slug="causes",
                kwarg="cause_id",
                noun="cause",
                model=FishboneCause,
                item_lookup="category__fishbone",
                form=forms.FishboneCauseForm,
                edit_form=forms.FishboneCauseEditForm,
                add=services.fishbone_cause_add,
                update=services.fishbone_cause_update,
                siblings=lambda c: FishboneCause.objects.filter(
                    category=c.category_id, parent=c.parent_id
                ),
            ),
        ),
    ),
    _tool(
        slug="five-whys",
        name="Five Whys",
        plural="Five Whys chains",
        description="Ask why, again and again, from a problem to its root cause.",
        start_name="a Five Whys",
        step_words=("five whys", "5 whys"),
        model=FiveWhys,
        form=forms.FiveWhysForm,
        prefetch=("links",),
        parts=(
            _part(
                slug="whys",
                kwarg="why_id",
                noun="why",
                model=WhyLink,
                item_lookup="five_whys",
                form=forms.WhyLinkForm,
                add=services.why_link_add,
                update=services.why_link_update,
                siblings=lambda w: WhyLink.objects.filter(five_whys=w.five_whys_id),
            ),
        ),
    ),
    _tool(
        slug="process-map",
        name="Process map",
        plural="Process maps",
        description="How the process works today, step by step, with its waits and bottlenecks.",
        start_name="a process map",
        step_words=("process map", "process mapping"),
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
            _part(
                slug="lanes",
                kwarg="lane_id",
                noun="swimlane",
                model=ProcessLane,
                item_lookup="process_map",
                form=forms.ProcessLaneForm,
                add=services.process_lane_add,
                update=services.process_lane_update,
                siblings=lambda x: ProcessLane.objects.filter(process_map=x.process_map_id),
            ),
            _part(
                slug="steps",
                kwarg="process_step_id",
                noun="step",
                model=ProcessStep,
                item_lookup="process_map",
                form=forms.ProcessStepForm,
                add=services.process_step_add,
                update=services.process_step_update,
                siblings=lambda x: ProcessStep.objects.filter(process_map=x.process_map_id),
            ),
            _part(
                slug="arrows",
                kwarg="arrow_id",
                noun="arrow",
                model=ProcessArrow,
                item_lookup="process_map",
                form=forms.ProcessArrowForm,
                edit_form=forms.ProcessArrowEditForm,
                add=services.process_arrow_add,
                update=services.process_arrow_update,
            ),
        ),
    ),
    _tool(
        slug="swot",
        name="SWOT analysis",
        plural="SWOT analyses",
        description="Strengths and weaknesses inside, opportunities and threats outside, "
        "and the strategies they suggest.",
        start_name="a SWOT analysis",
        step_words=("swot", "swot analysis"),
        model=Swot,
        form=forms.SwotForm,
        prefetch=("items", "strategies__items"),
        extra_context=_swot_context,
        parts=(
            _part(
                slug="items",
                kwarg="swot_item_id",
                noun="item",
                model=SwotItem,
                item_lookup="swot",
                form=forms.SwotItemForm,
                add=services.swot_item_add,
                update=services.swot_item_update,
                siblings=lambda x: SwotItem.objects.filter(swot=x.swot_id, quadrant=x.quadrant),
            ),
            _part(
                slug="strategies",
                kwarg="strategy_id",
                noun="strategy",
                model=SwotStrategy,
                item_lookup="swot",
                form=forms.SwotStrategyForm,
                add=services.swot_strategy_add,
                update=services.swot_strategy_update,
                siblings=lambda x: SwotStrategy.objects.filter(swot=x.swot_id),
            ),
        ),
    ),
    _tool(
        slug="priority-matrix",
        name="Priority setting matrix",
        plural="Priority setting matrices",
        description="Options scored on impact and effort, or on weighted criteria, to "
        "choose what to change first.",
        start_name="a priority setting matrix",
        step_words=("priority setting matrix", "priority matrix"),
        model=PriorityMatrix,
        form=forms.PriorityMatrixForm,
        prefetch=("options__scores", "criteria"),
        extra_context=_matrix_context,
        parts=(
            _part(
                slug="options",
                kwarg="option_id",
                noun="option",
                model=PriorityOption,
                item_lookup="matrix",
                form=forms.PriorityOptionForm,
                add=services.priority_option_add,
                update=services.priority_option_update,
                siblings=lambda x: PriorityOption.objects.filter(matrix=x.matrix_id),
            ),
            _part(
                slug="criteria",
                kwarg="criterion_id",
                noun="criterion",
                model=PriorityCriterion,
                item_lookup="matrix",
                form=forms.PriorityCriterionForm,
                add=services.priority_criterion_add,
                update=services.priority_criterion_update,
                siblings=lambda x: PriorityCriterion.objects.filter(matrix=x.matrix_id),
            ),
        ),
    ),
)
