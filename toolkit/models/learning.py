"""Implementation stories: what a site did, told for other sites to learn from."""

from __future__ import annotations

from typing import Any

from django.db import models

from .base import ToolkitItem


class Story(ToolkitItem):
    """An implementation story. Stories marked as good THRIVE-like practice are celebrated in
    the learning library; shared ones are read by the programme's other sites."""

    url_slug = "story"
    url_kwarg = "story_id"

    summary = models.CharField(
        max_length=300, help_text="One or two sentences: what other sites should know."
    )
    what_happened = models.TextField(
        "What happened", help_text="The story: who was involved, what changed and how."
    )
    principles = models.ManyToManyField(
        "phases.Principle",
        blank=True,
        related_name="+",
        verbose_name="THRIVE principles",
        help_text="The principles this story shows in practice.",
    )
    celebrate = models.BooleanField(
        "Good THRIVE-like practice",
        default=False,
        help_text="Celebrate this story as good THRIVE-like practice in the learning library.",
    )
    shared_with_community = models.BooleanField(
        "Share with the community of practice",
        default=False,
        help_text="Other sites of the programme may read this story in the learning library.",
    )

    class Meta:
        ordering = ["-updated_at"]
        verbose_name_plural = "stories"

    def snapshot(self) -> dict[str, Any]:
        return {
            **super().snapshot(),
            "summary": self.summary,
            "what_happened": self.what_happened,
            "principles": sorted(p.code for p in self.principles.all()),
            "celebrate": self.celebrate,
            "shared_with_community": self.shared_with_community,
        }
