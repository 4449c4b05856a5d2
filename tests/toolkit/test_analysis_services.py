"""Services of the analysis tools: the rules, refusals that write nothing, and version history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from phases.models import Phase, Step
from tests.factories import ProgrammeFactory
from toolkit import services as toolkit_services
from toolkit.analysis import services
from toolkit.history import item_versions
from toolkit.models import ItemVersion
from toolkit.models.analysis import (
    Fishbone,
    FishboneCause,
    FiveWhys,
    PriorityOption,
    PriorityScore,
    ProcessArrow,
    ProcessMap,
    ProcessStep,
    SwotItem,
    SwotStrategy,
    WhyLink,
)

from .factories_analysis import (
    FishboneCategoryFactory,
    FishboneCauseFactory,
    FishboneFactory,
    FiveWhysFactory,
    PriorityCriterionFactory,
    PriorityMatrixFactory,
    PriorityOptionFactory,
    ProcessLaneFactory,
    ProcessMapFactory,
    ProcessStepFactory,
    SwotFactory,
    SwotItemFactory,
    WhyLinkFactory,
)

pytestmark = pytest.mark.django_db


def versions(item) -> list[str]:
    return [v.summary for v in item_versions(item=item)]


def test_creating_an_item_stores_version_one_with_its_snapshot(world):
    fishbone = services.item_create(
        model=Fishbone,
        project=world.a.project,
        user=world.a.pm,
        title="Waits",
        problem="Families wait too long",
        preset=Fishbone.Preset.CLASSIC,
    )
    version = item_versions(item=fishbone).get()
    assert (version.number, version.summary, version.changed_by) == (1, "Created", world.a.pm)
    assert [c["name"] for c in version.snapshot["categories"]] == [
        "People",
        "Methods",
        "Equipment",
        "Environment",
    ]


@pytest.mark.parametrize(
    ("preset", "count"),
    [(Fishbone.Preset.CLASSIC, 4), (Fishbone.Preset.SIX_M, 6), (Fishbone.Preset.CUSTOM, 0)],
)
def test_fishbone_preset_names_its_first_categories(world, preset, count):
    fishbone = services.item_create(
        model=Fishbone,
        project=world.a.project,
        user=world.a.pm,
        title="t",
        problem="p",
        preset=preset,
    )
    assert fishbone.categories.count() == count


@pytest.mark.parametrize("problem", ["", "   \n "])
def test_an_empty_problem_statement_is_refused_and_nothing_is_written(world, problem):
    with pytest.raises(ValidationError) as refused:
        services.item_create(
            model=Fishbone,
            project=world.a.project,
            user=world.a.pm,
            title="t",
            problem=problem,
        )
    assert "problem statement" in refused.value.message_dict["problem"][0]
    assert not Fishbone.objects.exists()
    assert not ItemVersion.objects.exists()


def test_a_step_of_another_programme_is_refused(world):
    other = Step.objects.create(
        phase=Phase.objects.get(number=1),
        code="P1.X9",
        title="Theirs",
        prompt="p",
        programme=ProgrammeFactory(),
    )
    with pytest.raises(ValidationError, match="checklist step"):
        services.item_create(
            model=Fishbone,
            project=world.a.project,
            user=world.a.pm,
            title="t",
            problem="p",
            step=other,
        )


def test_a_cause_under_another_fishbones_category_is_refused(world):
    fishbone = FishboneFactory(project=world.a.project)
    theirs = FishboneCategoryFactory(fishbone__project=world.b.project)
    with pytest.raises(ValidationError, match="category of this fishbone"):
        services.fishbone_cause_add(item=fishbone, user=world.a.pm, category=theirs, text="x")
    assert not FishboneCause.objects.exists()
    assert versions(fishbone) == []


def test_a_sub_cause_of_another_fishbones_cause_is_refused(world):
    category = FishboneCategoryFactory(fishbone__project=world.a.project)
    other_cause = FishboneCauseFactory(category__fishbone__project=world.a.project)
    with pytest.raises(ValidationError, match="cause of this fishbone"):
        services.fishbone_cause_add(
            item=category.fishbone,
            user=world.a.pm,
            category=category,
            text="x",
            parent=other_cause,
        )
    assert FishboneCause.objects.count() == 1


def test_sub_causes_go_one_level_deep_and_in_their_causes_category(world):
    cause = FishboneCauseFactory(category__fishbone__project=world.a.project)
    fishbone = cause.category.fishbone
    sub = services.fishbone_cause_add(
        item=fishbone, user=world.a.pm, category=cause.category, text="sub", parent=cause
    )
    with pytest.raises(ValidationError, match="cannot have sub-causes"):
        services.fishbone_cause_add(
            item=fishbone, user=world.a.pm, category=cause.category, text="x", parent=sub
        )
    elsewhere = FishboneCategoryFactory(fishbone=fishbone, name="Methods")
    with pytest.raises(ValidationError, match="choose that category"):
        services.fishbone_cause_add(
            item=fishbone, user=world.a.pm, category=elsewhere, text="x", parent=cause
        )
    assert fishbone.snapshot()["categories"][0]["causes"][0]["sub_causes"] == ["sub"]


def test_a_cause_opens_a_five_whys_prefilled_and_linked_back(world):
    cause = FishboneCauseFactory(
        category__fishbone__project=world.a.project, text="Triage only weekly"
    )
    chain = services.five_whys_from_cause(
        item=cause.category.fishbone, cause=cause, user=world.a.pm
    )
    assert chain.problem == "Triage only weekly"
    assert chain.source_cause == cause
    assert chain.project == world.a.project
    assert versions(chain) == [f"Opened from the fishbone '{cause.category.fishbone.title}'"]
    # Several chains may start from the same cause.
    services.five_whys_from_cause(item=cause.category.fishbone, cause=cause, user=world.a.pm)
    assert cause.five_whys.count() == 2


def test_a_five_whys_chain_takes_at_most_eight_links(world):
    chain = FiveWhysFactory(project=world.a.project)
    for n in range(8):
        services.why_link_add(item=chain, user=world.a.pm, why=f"w{n}", answer=f"a{n}")
    with pytest.raises(ValidationError, match="at most 8"):
        services.why_link_add(item=chain, user=world.a.pm, why="w", answer="a")
    assert chain.links.count() == 8


def test_a_chain_is_complete_only_with_three_to_eight_links(world):
    chain = FiveWhysFactory(project=world.a.project)
    WhyLinkFactory.create_batch(2, five_whys=chain)
    with pytest.raises(ValidationError) as refused:
        services.item_update(item=chain, user=world.a.pm, is_complete=True)
    assert "3 to 8 links; this one has 2" in refused.value.message_dict["is_complete"][0]
    assert not FiveWhys.objects.get(pk=chain.pk).is_complete
    WhyLinkFactory(five_whys=chain)
    services.item_update(item=FiveWhys.objects.get(pk=chain.pk), user=world.a.pm, is_complete=True)
    assert FiveWhys.objects.get(pk=chain.pk).is_complete


def test_removing_a_link_of_a_complete_chain_below_three_is_refused(world):
    chain = FiveWhysFactory(project=world.a.project, is_complete=True)
    links = WhyLinkFactory.create_batch(3, five_whys=chain)
    with pytest.raises(ValidationError, match="3 to 8 links"):
        services.part_delete(item=chain, part=links[0], user=world.a.pm, summary="x")
    assert WhyLink.objects.filter(five_whys=chain).count() == 3


def test_an_arrow_between_steps_of_different_maps_is_refused(world):
    pmap = ProcessMapFactory(project=world.a.project)
    ours = ProcessStepFactory(process_map=pmap)
    theirs = ProcessStepFactory(process_map__project=world.a.project)
    with pytest.raises(ValidationError, match="same process map"):
        services.process_arrow_add(item=pmap, user=world.a.pm, source=ours, target=theirs)
    assert not ProcessArrow.objects.exists()
    assert versions(pmap) == []


def test_an_arrow_joins_two_different_steps_once(world):
    pmap = ProcessMapFactory(project=world.a.project)
    a, b = ProcessStepFactory.create_batch(2, process_map=pmap)
    with pytest.raises(ValidationError, match="two different steps"):
        services.process_arrow_add(item=pmap, user=world.a.pm, source=a, target=a)
    services.process_arrow_add(item=pmap, user=world.a.pm, source=a, target=b, label="yes")
    with pytest.raises(ValidationError, match="already leads to"):
        services.process_arrow_add(item=pmap, user=world.a.pm, source=a, target=b)
    assert ProcessArrow.objects.count() == 1


def test_a_step_in_another_maps_swimlane_is_refused(world):
    pmap = ProcessMapFactory(project=world.a.project)
    lane = ProcessLaneFactory(process_map__project=world.b.project)
    with pytest.raises(ValidationError, match="swimlane of this process map"):
        services.process_step_add(
            item=pmap,
            user=world.a.pm,
            kind="activity",
            label="Triage",
            lane=lane,
            duration=None,
            duration_unit="days",
            is_bottleneck=False,
        )
    assert not ProcessStep.objects.exists()


def test_a_strategy_links_only_its_own_swots_items_of_matching_quadrants(world):
    swot = SwotFactory(project=world.a.project)
    strength = SwotItemFactory(swot=swot, quadrant="S")
    weakness = SwotItemFactory(swot=swot, quadrant="W")
    foreign = SwotItemFactory(swot__project=world.b.project, quadrant="S")
    with pytest.raises(ValidationError, match="only items of this SWOT"):
        services.swot_strategy_add(item=swot, user=world.a.pm, kind="SO", text="t", items=[foreign])
    with pytest.raises(ValidationError, match="is a weakness"):
        services.swot_strategy_add(
            item=swot, user=world.a.pm, kind="SO", text="t", items=[weakness]
        )
    assert not SwotStrategy.objects.exists()
    strategy = services.swot_strategy_add(
        item=swot, user=world.a.pm, kind="SO", text="Use it", items=[strength]
    )
    assert swot.snapshot()["strategies"] == [
        {"kind": "SO", "text": "Use it", "items": [strength.text]}
    ]
    assert list(strategy.items.all()) == [strength]


@pytest.mark.parametrize("impact", [0, 6, "abc", "2.5"])
def test_an_impact_score_out_of_range_is_refused(world, impact):
    matrix = PriorityMatrixFactory(project=world.a.project)
    with pytest.raises(ValidationError) as refused:
        services.priority_option_add(
            item=matrix, user=world.a.pm, name="Daily triage", impact=impact, effort=2
        )
    assert refused.value.message_dict["impact"] == ["Impact must be a whole number from 1 to 5."]
    assert not PriorityOption.objects.exists()


def test_scores_are_refused_out_of_range_or_for_another_matrixs_criterion(world):
    option = PriorityOptionFactory(matrix__project=world.a.project)
    ours = PriorityCriterionFactory(matrix=option.matrix)
    theirs = PriorityCriterionFactory(matrix__project=world.a.project)
    with pytest.raises(ValidationError, match="criteria of this matrix"):
        services.priority_scores_set(
            item=option.matrix, option=option, user=world.a.pm, scores={theirs: 3}
        )
    with pytest.raises(ValidationError, match="from 1 to 5"):
        services.priority_scores_set(
            item=option.matrix, option=option, user=world.a.pm, scores={ours: 6}
        )
    assert not PriorityScore.objects.exists()
    services.priority_scores_set(
        item=option.matrix, option=option, user=world.a.pm, scores={ours: 4}
    )
    assert option.matrix.snapshot()["options"][0]["scores"] == {ours.name: 4}


def test_a_criterion_weight_must_be_one_to_ten(world):
    matrix = PriorityMatrixFactory(project=world.a.project)
    with pytest.raises(ValidationError, match="from 1 to 10"):
        services.priority_criterion_add(item=matrix, user=world.a.pm, name="Cost", weight=11)
    assert not matrix.criteria.exists()


def test_moving_a_part_swaps_it_with_its_neighbour_and_records_a_version(world):
    swot = SwotFactory(project=world.a.project)
    first, second, third = (SwotItemFactory(swot=swot, quadrant="S") for _ in range(3))
    other_quadrant = SwotItemFactory(swot=swot, quadrant="W")
    services.part_move(
        item=swot,
        part=third,
        siblings=SwotItem.objects.filter(swot=swot, quadrant="S"),
        direction="up",
        user=world.a.pm,
        summary="Moved up",
    )
    order = list(SwotItem.objects.filter(swot=swot, quadrant="S").order_by("order"))
    assert order == [first, third, second]
    assert versions(swot) == ["Moved up"]
    assert SwotItem.objects.get(pk=other_quadrant.pk).order == other_quadrant.order


def test_moving_the_first_part_up_changes_nothing(world):
    chain = FiveWhysFactory(project=world.a.project)
    first, second = WhyLinkFactory.create_batch(2, five_whys=chain)
    services.part_move(
        item=chain,
        part=first,
        siblings=chain.links.all(),
        direction="up",
        user=world.a.pm,
        summary="x",
    )
    assert list(chain.links.all()) == [first, second]
    assert versions(chain) == []


def test_every_change_to_parts_is_a_numbered_version_with_the_parts_in_its_snapshot(world):
    pmap = services.item_create(
        model=ProcessMap,
        project=world.a.project,
        user=world.a.pm,
        title="Referral",
    )
    step_fields = {
        "kind": "activity",
        "duration": 2,
        "duration_unit": "days",
        "is_bottleneck": False,
        "lane": None,
    }
    a = services.process_step_add(item=pmap, user=world.a.pm, label="Log", **step_fields)
    b = services.process_step_add(item=pmap, user=world.a.pm, label="Triage", **step_fields)
    services.process_arrow_add(item=pmap, user=world.a.pm, source=a, target=b, label="next")
    a_pk = a.pk
    services.part_delete(item=pmap, part=a, user=world.a.pm, summary="Removed the step 'Log'")
    history = list(item_versions(item=pmap))
    assert [v.number for v in history] == [5, 4, 3, 2, 1]
    assert history[0].summary == "Removed the step 'Log'"
    assert history[1].snapshot["arrows"] == [{"from": a_pk, "to": b.pk, "label": "next"}]
    assert [s["label"] for s in history[0].snapshot["steps"]] == ["Triage"]
    assert history[0].snapshot["arrows"] == []
    assert ProcessMap.objects.get(pk=pmap.pk).updated_at >= history[1].changed_at


def test_deleting_an_item_removes_its_parts_and_history(world):
    cause = FishboneCauseFactory(category__fishbone__project=world.a.project)
    fishbone = cause.category.fishbone
    services.fishbone_cause_update(item=fishbone, part=cause, user=world.a.pm, text="new")
    chain = services.five_whys_from_cause(item=fishbone, cause=cause, user=world.a.pm)
    toolkit_services.item_delete(item=fishbone, user=world.a.pm)
    assert not FishboneCause.objects.exists()
    assert not ItemVersion.objects.filter(object_id=fishbone.pk, content_type__model="fishbone")
    # The chain opened from it stays, its problem intact, the link cleared.
    chain.refresh_from_db()
    assert chain.source_cause is None
    assert chain.problem == "new"
