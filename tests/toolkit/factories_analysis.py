"""Factories for the analysis tools (fishbone, Five Whys, process map, SWOT, priority matrix)."""

from __future__ import annotations

import factory

from tests.factories import ProjectFactory
from toolkit.models.analysis import (
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


class FishboneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fishbone

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Fishbone {n}")
    problem = "Families wait too long for a first appointment."
    preset = Fishbone.Preset.CUSTOM


class FishboneCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FishboneCategory

    fishbone = factory.SubFactory(FishboneFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
    order = factory.Sequence(int)


class FishboneCauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FishboneCause

    category = factory.SubFactory(FishboneCategoryFactory)
    text = factory.Sequence(lambda n: f"Cause {n}")
    order = factory.Sequence(int)


class FiveWhysFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FiveWhys

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Five Whys {n}")
    problem = "Appointment letters go out late."


class WhyLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WhyLink

    five_whys = factory.SubFactory(FiveWhysFactory)
    why = factory.Sequence(lambda n: f"Why {n}?")
    answer = factory.Sequence(lambda n: f"Answer {n}")
    order = factory.Sequence(int)


class ProcessMapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessMap

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Process map {n}")


class ProcessLaneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessLane

    process_map = factory.SubFactory(ProcessMapFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    order = factory.Sequence(int)


class ProcessStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessStep

    process_map = factory.SubFactory(ProcessMapFactory)
    label = factory.Sequence(lambda n: f"Step {n}")
    order = factory.Sequence(int)


class ProcessArrowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessArrow

    process_map = factory.SubFactory(ProcessMapFactory)
    source = factory.SubFactory(
        ProcessStepFactory, process_map=factory.SelfAttribute("..process_map")
    )
    target = factory.SubFactory(
        ProcessStepFactory, process_map=factory.SelfAttribute("..process_map")
    )


class SwotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Swot

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"SWOT {n}")
    subject = "The single point of access."


class SwotItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SwotItem

    swot = factory.SubFactory(SwotFactory)
    quadrant = SwotItem.Quadrant.STRENGTH
    text = factory.Sequence(lambda n: f"Item {n}")
    order = factory.Sequence(int)


class SwotStrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SwotStrategy

    swot = factory.SubFactory(SwotFactory)
    kind = SwotStrategy.Kind.SO
    text = "Use the team's energy to bid for the new funding."


class PriorityMatrixFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorityMatrix

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Priorities {n}")
    question = "Which change to test first."


class PriorityOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorityOption

    matrix = factory.SubFactory(PriorityMatrixFactory)
    name = factory.Sequence(lambda n: f"Option {n}")
    order = factory.Sequence(int)


class PriorityCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorityCriterion

    matrix = factory.SubFactory(PriorityMatrixFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 2
    order = factory.Sequence(int)


class PriorityScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorityScore

    option = factory.SubFactory(PriorityOptionFactory)
    criterion = factory.SubFactory(
        PriorityCriterionFactory, matrix=factory.SelfAttribute("..option.matrix")
    )
    score = 3
