"""The THRIVE assessment: each principle scored 1-4 at baseline and at each follow-up."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

THRIVE_LIKE = 3  # a score of 3 or 4 counts as THRIVE-like


class Principle(models.Model):
    """A THRIVE principle. Data, not code: a programme may add a ninth (e.g. Equality,
    Diversity and Inclusion) without a release."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Inactive principles are not scored.")

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    class Kind(models.TextChoices):
        BASELINE = "baseline", "Baseline"
        FOLLOW_UP = "follow_up", "Follow-up"

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="assessments"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    assessed_on = models.DateField("Date of the assessment")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(kind="baseline"),
                name="one_baseline_per_project",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.assessed_on:%d %b %Y}"


class PrincipleScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    principle = models.ForeignKey(Principle, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["principle__order", "principle__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "principle"], name="one_score_per_principle"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=4), name="score_between_1_and_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.principle}: {self.score}"

    @property
    def thrive_like(self) -> bool:
        return self.score >= THRIVE_LIKE
