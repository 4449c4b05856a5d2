"""Reads for the analysis tools."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from phases.models import Step
from projects.models import Project
from toolkit.history import item_versions
from toolkit.models import ItemVersion


def step_choices(*, project: Project) -> QuerySet[Step]:
    """Checklist steps an item of this project may serve: standard ones and its programme's."""
    return Step.objects.filter(
        Q(programme__isnull=True) | Q(programme_id=project.site.programme_id)
    ).select_related("phase")


def item_version(*, item: Any, number: int | None) -> ItemVersion | None:
    """A stored version of the item: the given number, else the latest."""
    versions = item_versions(item=item)
    if number is None:
        return versions.first()
    return versions.filter(number=number).first()
