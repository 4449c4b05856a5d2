"""Factories for communication plans."""

from __future__ import annotations

import factory

from tests.factories import ProjectFactory
from toolkit.models import CommunicationPlan, PlannedMessage


class CommunicationPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunicationPlan

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Plan {n}")
    purpose = "Tell referrers about the single point of access."


class PlannedMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlannedMessage

    plan = factory.SubFactory(CommunicationPlanFactory)
    audience = factory.Sequence(lambda n: f"Audience {n}")
    message = "Refer through the single point of access."
    channel = "Bulletin"
    when = "Monthly"
    owner = "Project manager"
    order = factory.Sequence(lambda n: n)
