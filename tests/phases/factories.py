"""Factories for implementation tracking."""

from __future__ import annotations

import datetime as dt

import factory

from phases.models import (
    Assessment,
    Evidence,
    Level,
    Meeting,
    MeetingAction,
    ProjectStep,
    Stakeholder,
    StakeholderSector,
    Step,
    TeamMember,
)
from tests.factories import ProjectFactory, UserFactory


def standard_step(code: str = "P1.1") -> Step:
    return Step.objects.get(code=code, programme__isnull=True)


class ProjectStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectStep
        django_get_or_create = ("project", "step")

    project = factory.SubFactory(ProjectFactory)
    step = factory.LazyFunction(standard_step)
    version = 1


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    project_step = factory.SubFactory(ProjectStepFactory)
    title = factory.Sequence(lambda n: f"Evidence {n}")
    url = "https://example.nhs.uk/evidence"


class StakeholderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stakeholder

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Stakeholder {n}")
    organisation = "Northgate Council"
    sector = StakeholderSector.LOCAL_AUTHORITY
    email = factory.Sequence(lambda n: f"stakeholder{n}@example.org")
    interest = Level.HIGH
    influence = Level.LOW


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember
        django_get_or_create = ("project", "user")

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = "Project lead"


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    project = factory.SubFactory(ProjectFactory)
    title = "Steering group"
    held_on = dt.date(2025, 3, 3)
    completed = True
    next_date = dt.date(2025, 4, 7)


class MeetingActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingAction

    meeting = factory.SubFactory(MeetingFactory)
    description = factory.Sequence(lambda n: f"Action {n}")
    due_date = dt.date(2025, 3, 31)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    project = factory.SubFactory(ProjectFactory)
    kind = Assessment.Kind.BASELINE
    assessed_on = dt.date(2025, 2, 1)
