"""Communication plans: who hears what about the change, how, when, and from whom."""

from __future__ import annotations

from typing import Any

from django.db import models

from .base import ToolkitItem


class CommunicationPlan(ToolkitItem):
    """How a project keeps its stakeholders informed and involved as the change goes on."""

    url_slug = "communication-plan"
    url_kwarg = "communication_plan_id"

    purpose = models.TextField(help_text="What the communication is for: the change to explain.")

    class Meta:
        ordering = ["-updated_at"]

    def snapshot(self) -> dict[str, Any]:
        return {
            **super().snapshot(),
            "purpose": self.purpose,
            "messages": [
                {f: getattr(m, f) for f in ("audience", "message", "channel", "when", "owner")}
                for m in self.messages.order_by("order", "pk")
            ],
        }


class PlannedMessage(models.Model):
    """One audience of the plan and what it will be told."""

    plan = models.ForeignKey(CommunicationPlan, on_delete=models.CASCADE, related_name="messages")
    audience = models.CharField(max_length=200, help_text="e.g. 'GPs', 'Young people's forum'.")
    message = models.TextField(help_text="What they need to know, in their words.")
    channel = models.CharField(max_length=200, help_text="e.g. 'Practice bulletin', 'meeting'.")
    when = models.CharField(max_length=100, help_text="e.g. 'Monthly from March'.")
    owner = models.CharField(max_length=200, help_text="Who sends it.")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.audience}: {self.message}"
