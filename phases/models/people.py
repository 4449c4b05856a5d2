"""Who does the work (the project team) and who has a stake in it (the stakeholder register)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class TeamMember(models.Model):
    """A site member working on the project, their role in it, and who covers when away."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(
        "Role in the project", max_length=120, help_text="For example: project lead, data lead."
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Covers when they are away.",
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="unique_team_member"),
            models.CheckConstraint(condition=~Q(deputy=F("user")), name="deputy_is_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class Level(models.TextChoices):
    LOW = "low", "Low"
    HIGH = "high", "High"


class StakeholderSector(models.TextChoices):
    """The sectors of partner organisations, plus the people services are for."""

    NHS_CAMHS = "nhs_camhs", "NHS CAMHS"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    EDUCATION = "education", "Education"
    VOLUNTARY = "voluntary", "Voluntary sector"
    COMMISSIONER = "commissioner", "Commissioner"
    PRIMARY_CARE = "primary_care", "Primary care"
    YOUNG_PEOPLE_FAMILIES = "young_people_families", "Young people and families"
    OTHER = "other", "Other"


class Stakeholder(models.Model):
    """Someone with an interest in, or affected by, the project. Needs no login."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="stakeholders"
    )
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    sector = models.CharField(max_length=32, choices=StakeholderSector.choices)
    role = models.CharField(max_length=200, blank=True, help_text="For example: referrer, GP.")
    email = models.EmailField(
        blank=True, help_text="Used for calendar invitations to the next meeting."
    )
    interest = models.CharField(max_length=4, choices=Level.choices)
    influence = models.CharField(max_length=4, choices=Level.choices)
    kept_informed_by = models.CharField(
        "How they are kept informed",
        max_length=300,
        blank=True,
        help_text="For example: monthly steering group, newsletter, youth forum.",
    )
    represents_young_people_or_families = models.BooleanField(
        "Represents young people or families", default=False
    )

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(interest__in=Level.values), name="interest_valid"),
            models.CheckConstraint(condition=Q(influence__in=Level.values), name="influence_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})" if self.organisation else self.name

    @property
    def quadrant(self) -> str:
        return QUADRANTS[(self.influence, self.interest)]


# The classic power/interest grid (Mendelow): what each quadrant asks of the project team.
QUADRANTS: dict[tuple[str, str], str] = {
    (Level.HIGH, Level.HIGH): "Manage closely",
    (Level.HIGH, Level.LOW): "Keep satisfied",
    (Level.LOW, Level.HIGH): "Keep informed",
    (Level.LOW, Level.LOW): "Monitor",
}
