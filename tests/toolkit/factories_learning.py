"""Factories for the learning loop: implementation stories."""

from __future__ import annotations

import factory

from tests.factories import ProjectFactory
from toolkit.models import Story


class StoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Story

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Story {n}")
    summary = "Families got advice sooner."
    what_happened = "The duty team phoned every family within two days."
