"""The four phases of the i-THRIVE Approach to Implementation and their checklist steps."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models


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
        unique=True,
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

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def tool_list(self) -> list[str]:
        return [tool.strip() for tool in self.tools.split(",") if tool.strip()]
