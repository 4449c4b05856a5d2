"""Toolkit items (fishbone, Five Whys, process map, SWOT, priority matrix, driver diagram, PDSA
cycles, reflection, sustainability plan) share a base and one version history."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse


class ToolkitItem(models.Model):
    """Fields every toolkit item has: the project it serves and, optionally, the checklist step.
    Its page is `.../toolkit/<url_slug>/<url_kwarg>/` (see toolkit.tools); deleting it deletes
    its version history."""

    url_slug: ClassVar[str] = ""  # the tool's slug in toolkit.tools
    url_kwarg: ClassVar[str] = ""  # the URL kwarg naming one item

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    step = models.ForeignKey(
        "phases.Step",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The checklist step this work serves, if any.",
    )
    title = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    versions = GenericRelation("toolkit.ItemVersion")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(f"toolkit:{self.url_slug}-detail", kwargs=self.url_kwargs())

    def url_kwargs(self) -> dict[str, Any]:
        return {
            "site_code": self.project.site.code,
            "project_id": self.project_id,
            self.url_kwarg: self.pk,
        }

    def snapshot(self) -> dict[str, Any]:
        """The item and its parts as plain data, stored as a version after each change.
        Each item overrides this to include its parts."""
        return {"title": self.title, "step": self.step.code if self.step else None}


class ItemVersion(models.Model):
    """One saved state of a toolkit item, written by `toolkit.history.version_record`."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    summary = models.CharField(max_length=300)
    snapshot = models.JSONField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["content_type", "object_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "number"], name="unique_item_version"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"Version {self.number}: {self.summary}"
