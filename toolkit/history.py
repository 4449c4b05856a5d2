"""Version history for toolkit items: every change stores a numbered snapshot."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, QuerySet

from .models import ItemVersion, ToolkitItem

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def version_record(*, item: ToolkitItem, user: User, summary: str) -> ItemVersion:
    """Store the item's current state. Call inside the service that changed it."""
    content_type = ContentType.objects.get_for_model(item)
    # Lock the item's row so two concurrent edits cannot take the same version number.
    type(item)._default_manager.select_for_update(of=("self",)).filter(pk=item.pk).first()
    last = ItemVersion.objects.filter(content_type=content_type, object_id=item.pk).aggregate(
        n=Max("number")
    )["n"]
    return ItemVersion.objects.create(
        content_type=content_type,
        object_id=item.pk,
        project_id=item.project_id,
        number=(last or 0) + 1,
        summary=summary[:300],
        snapshot=item.snapshot(),
        changed_by=user if getattr(user, "is_authenticated", False) else None,
    )


def item_versions(*, item: ToolkitItem) -> QuerySet[ItemVersion]:
    return ItemVersion.objects.filter(
        content_type=ContentType.objects.get_for_model(item), object_id=item.pk
    ).select_related("changed_by")
