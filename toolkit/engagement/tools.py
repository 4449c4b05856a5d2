"""Tools for keeping stakeholders informed and involved, as toolkit.tools specs."""

from __future__ import annotations

import functools
from typing import Any

from django.forms import BaseForm

from projects.view_helpers import can_edit
from toolkit import services as toolkit_services
from toolkit.models import CommunicationPlan, PlannedMessage
from toolkit.tools import Part, Tool

from . import forms, services


def plan_context(
    request: Any, plan: CommunicationPlan, bound: dict[str, BaseForm]
) -> dict[str, Any]:
    add_form = bound.get("messages") or (
        forms.PlannedMessageForm(item=plan) if can_edit(request) else None
    )
    return {"messages_planned": list(plan.messages.all()), "message_form": add_form}


TOOLS: tuple[Tool, ...] = (
    Tool(
        slug="communication-plan",
        name="Communication plan",
        plural="Communication plans",
        description="Who needs to hear about the change, what they need to know, how and "
        "when they will hear it, and who tells them.",
        start_name="a communication plan",
        step_words=("communication plan", "communications plan", "stakeholder communication"),
        model=CommunicationPlan,
        form=forms.CommunicationPlanForm,
        create=services.plan_create,
        update=services.plan_update,
        delete=toolkit_services.item_delete,
        context=plan_context,
        detail_template="toolkit/communicationplan_detail.html",
        print_template="toolkit/communicationplan_print.html",
        fragment="messages",
        parts=(
            Part(
                slug="messages",
                kwarg="message_id",
                noun="message",
                describe=lambda message: message.audience,
                model=PlannedMessage,
                item_lookup="plan",
                form=forms.PlannedMessageForm,  # prefixed: the plan's page has other forms
                edit_form=functools.partial(forms.PlannedMessageForm, prefix=None),
                add=services.message_add,
                update=services.message_update,
                delete=services.message_delete,
                move=services.message_move,
                fragment="messages",
            ),
        ),
    ),
)
