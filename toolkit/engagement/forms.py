"""Forms of communication plans."""

from __future__ import annotations

from typing import Any

from django import forms

from projects.forms import NhsukModelForm
from toolkit.forms import ItemForm
from toolkit.models import CommunicationPlan, PlannedMessage


class CommunicationPlanForm(ItemForm):
    class Meta:
        model = CommunicationPlan
        fields = ["title", "step", "purpose"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "title": {"required": "Enter a title."},
            "purpose": {"required": "Enter what the communication is for."},
        }


class PlannedMessageForm(NhsukModelForm):
    class Meta:
        model = PlannedMessage
        fields = ["audience", "message", "channel", "when", "owner"]
        widgets = {"message": forms.Textarea(attrs={"rows": 2})}
        labels = {
            "message": "What they need to know",
            "channel": "How they will hear it",
            "owner": "Who sends it",
        }
        help_texts = {"owner": "A name or a role."}
        error_messages = {
            "audience": {"required": "Enter who the message is for."},
            "message": {"required": "Enter what they need to know."},
            "channel": {"required": "Enter how they will hear it."},
            "when": {"required": "Enter when they will hear it."},
            "owner": {"required": "Enter who sends it."},
        }

    def __init__(self, *args: Any, item: CommunicationPlan, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "messages")
        super().__init__(*args, **kwargs)
