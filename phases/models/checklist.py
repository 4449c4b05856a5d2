"""The four phases, their checklist steps, and each project's progress on each step."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q


class Phase(models.Model):
    """One of the four phases of the Quality Implementation Framework (Meyers et al., 2012)."""

    number = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Phase {self.number}: {self.name}"


class Step(models.Model):
    """A checklist step, e.g. P1.3 Understanding your system. Standard steps come from a data
    migration; a programme lead may add steps of their own (with `programme` set)."""

    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="steps")
    code = models.CharField(
        max_length=12,
        validators=[RegexValidator(r"^P[1-4]\.[0-9A-Za-z]{1,6}$", "Use a code such as P1.7.")],
    )
    title = models.CharField(max_length=200)
    prompt = models.TextField(help_text="What the step asks of the project team.")
    tools = models.CharField(
        max_length=300, blank=True, help_text="Toolkit items that help, comma separated."
    )
    order = models.PositiveSmallIntegerField(default=0)
    programme = models.ForeignKey(
        "projects.Programme",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="custom_steps",
        help_text="Empty for the standard i-THRIVE steps; set for a programme's own step.",
    )

    class Meta:
        ordering = ["phase__number", "order", "code"]
        # Two programmes may each add their own P1.7; a standard code is unique on its own.
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(programme__isnull=True),
                name="unique_standard_step_code",
            ),
            models.UniqueConstraint(
                fields=["programme", "code"], name="unique_programme_step_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def tool_list(self) -> list[str]:
        return [tool.strip() for tool in self.tools.split(",") if tool.strip()]


class StepStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


CLOSED_STATUSES = (StepStatus.DONE, StepStatus.NOT_APPLICABLE)


class ProjectStep(models.Model):
    """A project's state on one step. A row exists once someone has changed the step; until
    then the step reads as not started (version 0), so reading a page never writes."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="project_steps"
    )
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="project_steps")
    status = models.CharField(
        max_length=16, choices=StepStatus.choices, default=StepStatus.NOT_STARTED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_steps",
    )
    target_date = models.DateField(null=True, blank=True)
    review_on = models.DateField(
        null=True,
        blank=True,
        help_text="Phase 1 never really stops: when to look at this step again.",
    )
    notes = models.TextField(blank=True)
    # Optimistic concurrency: a form carries the version it was drawn from; a save from an
    # older version is refused instead of silently overwriting someone else's change.
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["step__phase__number", "step__order", "step__code"]
        constraints = [
            models.UniqueConstraint(fields=["project", "step"], name="unique_project_step"),
            models.CheckConstraint(
                condition=Q(status__in=StepStatus.values), name="project_step_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step.code} for {self.project}: {self.get_status_display()}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        return bool(self.target_date and self.target_date < today and not self.is_closed)

    def review_due(self, today: dt.date) -> bool:
        return bool(self.review_on and self.review_on <= today)


class StepChange(models.Model):
    """One field of a step changed: who, when, from what to what. Never edited or deleted."""

    project_step = models.ForeignKey(ProjectStep, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=32)
    label = models.CharField(max_length=64)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    version = models.PositiveIntegerField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["project_step", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.label}: {self.old_value or '(empty)'} -> {self.new_value or '(empty)'}"


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    """A per-site path with a random name: the uploader's file name is kept only as data."""
    project = instance.project_step.project
    suffix = PurePath(filename).suffix.lower()
    return f"evidence/{project.site.code}/{project.pk}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A link or an uploaded file showing the work on a step. Files are served only through a
    permission-checked view, never from MEDIA_URL."""

    project_step = models.ForeignKey(ProjectStep, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=200)
    url = models.URLField(blank=True, max_length=500)
    file = models.FileField(upload_to=evidence_upload_to, blank=True, max_length=300)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="evidence_link_or_file",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_file(self) -> bool:
        return bool(self.file)
