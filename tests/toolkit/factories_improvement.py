"""Factories for the improvement tools (driver diagrams, PDSA cycles, reflections,
sustainability plans)."""

from __future__ import annotations

import datetime as dt

import factory

from measures.models import Measure
from phases.models import Principle
from tests.factories import ProjectFactory
from toolkit.models import (
    DriverDiagram,
    DriverNode,
    PdsaCycle,
    PdsaTask,
    Reflection,
    ReflectionFactor,
    SustainabilityAssessment,
    SustainabilityPlan,
)


def measure(code: str = "median_wait_days") -> Measure:
    return Measure.objects.get(code=code)


class DriverDiagramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DriverDiagram

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Driver diagram {n}")
    aim_what = "Cut the wait from referral to first contact"
    aim_how_much = "from 45 to 28 days"
    aim_by_when = dt.date(2026, 3, 31)
    outcome_measure = factory.LazyFunction(measure)


class DriverNodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DriverNode

    diagram = factory.SubFactory(DriverDiagramFactory)
    kind = DriverNode.Kind.PRIMARY
    text = factory.Sequence(lambda n: f"Driver {n}")
    order = factory.Sequence(lambda n: n + 1)


def change_idea_for(
    diagram: DriverDiagram, text: str = "Triage call within 48 hours"
) -> DriverNode:
    primary = DriverNodeFactory(diagram=diagram, kind=DriverNode.Kind.PRIMARY, text="Access")
    secondary = DriverNodeFactory(
        diagram=diagram, kind=DriverNode.Kind.SECONDARY, parent=primary, text="Triage"
    )
    return DriverNodeFactory(
        diagram=diagram, kind=DriverNode.Kind.CHANGE_IDEA, parent=secondary, text=text
    )


class PdsaCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PdsaCycle

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Cycle {n}")
    objective = "Test a 48-hour triage call"
    predictions = "Half of referrals will be signposted at the call."


class PdsaTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PdsaTask

    cycle = factory.SubFactory(PdsaCycleFactory)
    who = "Duty worker"
    what = factory.Sequence(lambda n: f"Task {n}")
    order = factory.Sequence(lambda n: n + 1)


class ReflectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reflection

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Reflection {n}")
    what_worked = "Weekly huddles with partners."


class ReflectionFactorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReflectionFactor

    reflection = factory.SubFactory(ReflectionFactory)
    kind = ReflectionFactor.Kind.FACILITATOR
    principle = factory.LazyFunction(lambda: Principle.objects.get(code="partnership-working"))
    text = factory.Sequence(lambda n: f"Factor {n}")
    order = factory.Sequence(lambda n: n + 1)


class SustainabilityPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SustainabilityPlan

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Sustainability plan {n}")


class SustainabilityAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SustainabilityAssessment

    plan = factory.SubFactory(SustainabilityPlanFactory)
    assessed_on = factory.Sequence(lambda n: dt.date(2025, 1, 1) + dt.timedelta(days=90 * n))
