"""Writes for implementation stories. Every change stores a version of the story."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from phases.models import Principle
from projects.models import Project
from toolkit.history import version_record
from toolkit.models import Story
from toolkit.services import check_step, required_text, set_fields

if TYPE_CHECKING:
    from django.contrib.auth.models import User

STORY_FIELDS = ("title", "step", "summary", "what_happened", "celebrate", "shared_with_community")


def _check_story(project: Project, data: Mapping[str, Any]) -> None:
    required_text(data.get("title"), "title", "Enter a title.")
    required_text(data.get("summary"), "summary", "Enter a summary: what other sites should know.")
    required_text(data.get("what_happened"), "what_happened", "Enter what happened.")
    check_step(project, data.get("step"))


def _principles(values: Iterable[Any]) -> list[Principle]:
    """Principles given as objects or primary keys; an unknown one is refused."""
    ids = {v.pk if isinstance(v, Principle) else v for v in values or []}
    found = list(Principle.objects.filter(pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError({"principles": "Choose principles from the list."})
    return found


@transaction.atomic
def story_create(
    *, project: Project, user: User, principles: Iterable[Any] = (), **fields: Any
) -> Story:
    _check_story(project, fields)
    found = _principles(principles)
    story = Story(project=project, created_by=user)
    set_fields(story, fields, STORY_FIELDS)
    story.principles.set(found)
    version_record(item=story, user=user, summary="Wrote the story")
    return story


@transaction.atomic
def story_update(
    *, story: Story, user: User, principles: Iterable[Any] | None = None, **fields: Any
) -> Story:
    current = {name: getattr(story, name) for name in STORY_FIELDS}
    _check_story(story.project, {**current, **fields})
    found = _principles(principles) if principles is not None else None
    set_fields(story, fields, STORY_FIELDS)
    if found is not None:
        story.principles.set(found)
    version_record(item=story, user=user, summary="Edited the story")
    return story
