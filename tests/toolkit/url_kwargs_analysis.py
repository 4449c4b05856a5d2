"""URL kwargs of the analysis tools' views, built from another site's objects."""

from .factories_analysis import (
    FishboneCategoryFactory,
    FishboneCauseFactory,
    FishboneFactory,
    FiveWhysFactory,
    PriorityCriterionFactory,
    PriorityMatrixFactory,
    PriorityOptionFactory,
    ProcessArrowFactory,
    ProcessLaneFactory,
    ProcessMapFactory,
    ProcessStepFactory,
    SwotFactory,
    SwotItemFactory,
    SwotStrategyFactory,
    WhyLinkFactory,
)

BUILDERS = {
    "fishbone_id": lambda sw: FishboneFactory(project=sw.project).pk,
    "fishbone_category_id": lambda sw: FishboneCategoryFactory(fishbone__project=sw.project).pk,
    "cause_id": lambda sw: FishboneCauseFactory(category__fishbone__project=sw.project).pk,
    "five_whys_id": lambda sw: FiveWhysFactory(project=sw.project).pk,
    "why_id": lambda sw: WhyLinkFactory(five_whys__project=sw.project).pk,
    "process_map_id": lambda sw: ProcessMapFactory(project=sw.project).pk,
    "lane_id": lambda sw: ProcessLaneFactory(process_map__project=sw.project).pk,
    "process_step_id": lambda sw: ProcessStepFactory(process_map__project=sw.project).pk,
    "arrow_id": lambda sw: ProcessArrowFactory(process_map__project=sw.project).pk,
    "swot_id": lambda sw: SwotFactory(project=sw.project).pk,
    "swot_item_id": lambda sw: SwotItemFactory(swot__project=sw.project).pk,
    "strategy_id": lambda sw: SwotStrategyFactory(swot__project=sw.project).pk,
    "priority_matrix_id": lambda sw: PriorityMatrixFactory(project=sw.project).pk,
    "option_id": lambda sw: PriorityOptionFactory(matrix__project=sw.project).pk,
    "criterion_id": lambda sw: PriorityCriterionFactory(matrix__project=sw.project).pk,
}
