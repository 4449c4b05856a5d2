"""Writes for communication plans. Every change stores a version of the plan."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from projects.models import Project
from toolkit.history import version_record
from toolkit.models import CommunicationPlan, PlannedMessage
from toolkit.services import check_step, next_order, reorder, required_text, set_fields

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PLAN_FIELDS = ("title", "step", "purpose")
MESSAGE_FIELDS = ("audience", "message", "channel", "when", "owner")
MESSAGE_HINTS = {
    "audience": "Enter who the message is for.",
    "message": "Enter what they need to know.",
    "channel": "Enter how they will hear it.",
    "when": "Enter when they will hear it.",
    "owner": "Enter who sends it.",
}


def _checked_plan(project: Project, fields: dict[str, Any]) -> dict[str, Any]:
    fields["title"] = required_text(fields.get("title"), "title", "Enter a title.")
    fields["purpose"] = required_text(
        fields.get("purpose"), "purpose", "Enter what the communication is for."
    )
    check_step(project, fields.get("step"))
    return fields


def _checked_message(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: required_text(fields.get(name), name, MESSAGE_HINTS[name]) for name in fields}


@transaction.atomic
def plan_create(*, project: Project, user: User, **fields: Any) -> CommunicationPlan:
    plan = CommunicationPlan(project=project, created_by=user)
    set_fields(plan, _checked_plan(project, fields), PLAN_FIELDS)
    version_record(item=plan, user=user, summary="Created")
    return plan


@transaction.atomic
def plan_update(*, item: CommunicationPlan, user: User, **fields: Any) -> CommunicationPlan:
    current = {name: getattr(item, name) for name in PLAN_FIELDS}
    set_fields(item, _checked_plan(item.project, {**current, **fields}), PLAN_FIELDS)
    version_record(item=item, user=user, summary="Edited the details")
    return item


@transaction.atomic
def message_add(*, item: CommunicationPlan, user: User, **fields: Any) -> PlannedMessage:
    message = PlannedMessage(plan=item, order=next_order(item.messages.all()))
    set_fields(message, _checked_message(fields), MESSAGE_FIELDS)
    version_record(item=item, user=user, summary=f"Planned a message to {message.audience}")
    return message


@transaction.atomic
def message_update(
    *, item: CommunicationPlan, part: PlannedMessage, user: User, **fields: Any
) -> PlannedMessage:
    set_fields(part, _checked_message(fields), MESSAGE_FIELDS)
    version_record(item=item, user=user, summary=f"Edited the message to {part.audience}")
    return part


@transaction.atomic
def message_delete(*, item: CommunicationPlan, part: PlannedMessage, user: User) -> None:
    part.delete()
    version_record(item=item, user=user, summary=f"Removed the message to {part.audience}")


@transaction.atomic
def message_move(
    *, item: CommunicationPlan, part: PlannedMessage, user: User, direction: str
) -> None:
    if reorder(part, item.messages.all(), direction):
        version_record(item=item, user=user, summary=f"Moved the message to {part.audience}")
