"""Writes every toolkit tool shares: the checks of an item's text and step, the order of its
parts, and deleting an item. Each tool's own rules are in its family's `services`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model, QuerySet

from .models import ToolkitItem

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from phases.models import Step
    from projects.models import Project


def required_text(value: Any, field: str | None, message: str) -> str:
    """`value` stripped; empty is refused with `message` (on `field`, if given)."""
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message} if field else message)
    return text


def check_step(project: Project, step: Step | None) -> None:
    """An item may serve a standard checklist step or one of its own programme's."""
    if step is not None and step.programme_id not in (None, project.site.programme_id):
        raise ValidationError({"step": "Choose a checklist step of this project's programme."})


def next_order(queryset: QuerySet) -> int:
    return (queryset.aggregate(n=Max("order"))["n"] or 0) + 1


def reorder(part: Model, siblings: QuerySet, direction: str) -> bool:
    """Swap `part` with its neighbour above ("up") or below ("down") among `siblings` (ordered
    by order, pk; locked while they change). False, and nothing changes, at either end."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move up or down."})
    ordered = list(siblings.select_for_update(of=("self",)).order_by("order", "pk"))
    index = next(i for i, sibling in enumerate(ordered) if sibling.pk == part.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, sibling in enumerate(ordered, start=1):
        sibling.order = position
    type(part)._default_manager.bulk_update(ordered, ["order"])
    return True


def set_fields(instance: Model, fields: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Set the given fields, only those `allowed`, and save."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Cannot set {sorted(unknown)} here.")
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.save()


@transaction.atomic
def item_delete(*, item: ToolkitItem, user: User | None) -> None:
    """Delete the item, its parts and its version history."""
    item.delete()
