"""Improvement tools: driver diagrams, PDSA cycles, reflections and sustainability plans.

Rules about these models (which parent a node may have, how a cycle moves between stages) live
in `toolkit.improvement.services`, not here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .base import ToolkitItem


def _date(value: Any) -> str | None:
    return value.isoformat() if value else None


def _measure_codes(manager: Any) -> list[str]:
    return sorted(m.code for m in manager.all())


class DriverDiagram(ToolkitItem):
    """A SMART aim tied to an outcome measure, and the drivers and change ideas behind it."""

    url_slug = "driver-diagram"
    url_kwarg = "diagram_id"

    aim_what = models.TextField("What will improve", help_text="The aim, in plain words.")
    aim_how_much = models.CharField(
        "How much", max_length=200, help_text="The size of the change, e.g. 'from 45 to 28 days'."
    )
    aim_by_when = models.DateField("By when")
    outcome_measure = models.ForeignKey(
        "measures.Measure",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The measure that will show whether the aim is met.",
    )

    class Meta:
        ordering = ["-updated_at"]

    def snapshot(self) -> dict[str, Any]:
        nodes = self.nodes.prefetch_related("measures").order_by("kind", "parent_id", "order")
        return {
            **super().snapshot(),
            "aim_what": self.aim_what,
            "aim_how_much": self.aim_how_much,
            "aim_by_when": _date(self.aim_by_when),
            "outcome_measure": self.outcome_measure.code,
            "nodes": [
                {
                    "id": node.pk,
                    "kind": node.kind,
                    "parent": node.parent_id,
                    "order": node.order,
                    "text": node.text,
                    "measures": _measure_codes(node.measures),
                }
                for node in nodes
            ],
        }


class DriverNode(models.Model):
    """A primary driver, secondary driver or change idea of a driver diagram."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", "Primary driver"
        SECONDARY = "secondary", "Secondary driver"
        CHANGE_IDEA = "change_idea", "Change idea"

    diagram = models.ForeignKey(DriverDiagram, on_delete=models.CASCADE, related_name="nodes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    text = models.CharField(max_length=300)
    order = models.PositiveIntegerField(default=0)
    measures = models.ManyToManyField(
        "measures.Measure",
        blank=True,
        related_name="+",
        help_text="Process measures that show whether this driver is changing.",
    )

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class PdsaCycle(ToolkitItem):
    """One Plan-Do-Study-Act cycle. Cycles under one change idea form a ramp, each linked to
    the cycle it adapts."""

    url_slug = "pdsa"
    url_kwarg = "cycle_id"

    class Stage(models.TextChoices):
        PLAN = "plan", "Plan"
        DO = "do", "Do"
        STUDY = "study", "Study"
        ACT = "act", "Act"

    class Outcome(models.TextChoices):
        ADOPT = "adopt", "Adopt"
        ADAPT = "adapt", "Adapt"
        ABANDON = "abandon", "Abandon"

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"

    number = models.PositiveSmallIntegerField(
        "Cycle number",
        default=1,
        validators=[MinValueValidator(1)],
        help_text="Its place in the ramp of cycles testing this change idea.",
    )
    change_idea = models.ForeignKey(
        DriverNode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pdsa_cycles",
        help_text="The change idea of a driver diagram that this cycle tests.",
    )
    predecessor = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="successors"
    )
    owner = models.CharField(max_length=200, blank=True, help_text="Who leads this cycle.")
    objective = models.TextField(help_text="What this cycle will test.")
    purpose = models.TextField(blank=True, help_text="Why: the problem it addresses.")
    # Plan
    change_description = models.TextField(
        "The change", blank=True, help_text="What exactly will be done differently."
    )
    questions = models.TextField("Questions", blank=True, help_text="What you want to find out.")
    predictions = models.TextField(blank=True, help_text="What you expect to happen, and why.")
    data_to_collect = models.TextField(
        "Data to collect", blank=True, help_text="How you will know: what, by whom, how often."
    )
    # Do
    carried_out_as_planned = models.CharField(
        "Carried out as planned?", max_length=8, choices=Answer.choices, blank=True
    )
    observations = models.TextField(blank=True)
    problems = models.TextField("Problems and unexpected events", blank=True)
    # Study
    data_show = models.TextField("What the data show", blank=True)
    matched_predictions = models.CharField(
        "Did results match the predictions?", max_length=8, choices=Answer.choices, blank=True
    )
    learning = models.TextField("What was learned", blank=True)
    # Act
    outcome = models.CharField(max_length=8, choices=Outcome.choices, blank=True)
    next_steps = models.TextField("Next steps", blank=True)
    shared_with_community = models.BooleanField(
        "Share with the community of practice",
        default=False,
        help_text="Other sites of the programme may read this finished cycle in the learning "
        "library.",
    )

    stage = models.CharField(max_length=8, choices=Stage.choices, default=Stage.PLAN)
    measures = models.ManyToManyField(
        "measures.Measure",
        blank=True,
        related_name="+",
        help_text="The measures this cycle should move; its dates appear on their charts.",
    )
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField(null=True, blank=True)

    # What 'adapt' carries over into the next cycle of the ramp.
    PLAN_FIELDS = (
        "title",
        "owner",
        "objective",
        "purpose",
        "change_description",
        "questions",
        "predictions",
        "data_to_collect",
    )

    class Meta:
        ordering = ["number", "pk"]

    @property
    def date_start(self) -> Any:
        return self.actual_start or self.planned_start

    @property
    def date_end(self) -> Any:
        return self.actual_end or self.planned_end

    def snapshot(self) -> dict[str, Any]:
        fields = [
            "number",
            "owner",
            "objective",
            "purpose",
            "change_description",
            "questions",
            "predictions",
            "data_to_collect",
            "carried_out_as_planned",
            "observations",
            "problems",
            "data_show",
            "matched_predictions",
            "learning",
            "outcome",
            "next_steps",
            "shared_with_community",
            "stage",
        ]
        return {
            **super().snapshot(),
            **{name: getattr(self, name) for name in fields},
            "change_idea": self.change_idea_id,
            "predecessor": self.predecessor_id,
            "measures": _measure_codes(self.measures),
            **{
                name: _date(getattr(self, name))
                for name in ("planned_start", "planned_end", "actual_start", "actual_end")
            },
            "tasks": [
                {"who": t.who, "what": t.what, "when": t.when, "where": t.where}
                for t in self.tasks.all()
            ],
        }


class PdsaTask(models.Model):
    """A task of a cycle's plan: who does what, when and where."""

    cycle = models.ForeignKey(PdsaCycle, on_delete=models.CASCADE, related_name="tasks")
    who = models.CharField(max_length=200)
    what = models.CharField(max_length=300)
    when = models.CharField(max_length=100, blank=True, help_text="e.g. 'Monday 10 March'.")
    where = models.CharField(max_length=200, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.who}: {self.what}"


class Reflection(ToolkitItem):
    """Reflection on implementing THRIVE: what worked, what did not, and what others can learn."""

    url_slug = "reflection"
    url_kwarg = "reflection_id"

    what_worked = models.TextField("What worked")
    what_did_not = models.TextField("What did not work", blank=True)
    what_adapted = models.TextField(
        "What was adapted, and why", blank=True, help_text="Changes to the approach on the way."
    )
    lessons = models.TextField("Lessons for other sites", blank=True)
    share_with_community = models.BooleanField(
        "Share with the community of practice",
        default=False,
        help_text="Other sites of the programme may read this reflection.",
    )

    class Meta:
        ordering = ["-updated_at"]

    def snapshot(self) -> dict[str, Any]:
        return {
            **super().snapshot(),
            "what_worked": self.what_worked,
            "what_did_not": self.what_did_not,
            "what_adapted": self.what_adapted,
            "lessons": self.lessons,
            "share_with_community": self.share_with_community,
            "factors": [
                {"kind": f.kind, "principle": f.principle.code, "text": f.text}
                for f in self.factors.select_related("principle")
            ],
        }


class ReflectionFactor(models.Model):
    """A barrier or facilitator, tagged by the THRIVE principle it bears on."""

    class Kind(models.TextChoices):
        BARRIER = "barrier", "Barrier"
        FACILITATOR = "facilitator", "Facilitator"

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="factors")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    principle = models.ForeignKey("phases.Principle", on_delete=models.PROTECT, related_name="+")
    text = models.CharField(max_length=300)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class SustainabilityFactor(models.Model):
    """One of the ten factors of the NHS Sustainability Model. Data a programme lead can
    correct; seeded by a migration."""

    class Domain(models.TextChoices):
        PROCESS = "process", "Process"
        STAFF = "staff", "Staff"
        ORGANISATION = "organisation", "Organisation"

    code = models.SlugField(max_length=64, unique=True)
    domain = models.CharField(max_length=16, choices=Domain.choices)
    name = models.CharField(max_length=200)
    question = models.TextField(blank=True, help_text="What the factor asks the team to judge.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def max_weight(self) -> Decimal:
        return max((level.weight for level in self.levels.all()), default=Decimal(0))


class SustainabilityLevel(models.Model):
    """A level (a to d) of a factor: its description and the score it carries."""

    class Letter(models.TextChoices):
        A = "a", "a"
        B = "b", "b"
        C = "c", "c"
        D = "d", "d"

    factor = models.ForeignKey(
        SustainabilityFactor, on_delete=models.CASCADE, related_name="levels"
    )
    level = models.CharField(max_length=1, choices=Letter.choices)
    description = models.TextField()
    weight = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text="The score this level adds to the total (the ten top levels add up to 100).",
    )

    class Meta:
        ordering = ["factor__order", "level"]
        constraints = [
            models.UniqueConstraint(fields=["factor", "level"], name="unique_sustainability_level")
        ]

    def __str__(self) -> str:
        return f"{self.factor.name} ({self.level})"


class SustainabilityPlan(ToolkitItem):
    """A team's repeated self-assessment with the NHS Sustainability Model, and its actions."""

    url_slug = "sustainability"
    url_kwarg = "plan_id"

    notes = models.TextField(blank=True, help_text="What the team is trying to sustain.")

    class Meta:
        ordering = ["-updated_at"]

    def snapshot(self) -> dict[str, Any]:
        assessments = self.assessments.prefetch_related("ratings__factor").order_by("assessed_on")
        return {
            **super().snapshot(),
            "notes": self.notes,
            "assessments": [
                {
                    "assessed_on": _date(a.assessed_on),
                    "notes": a.notes,
                    "ratings": {
                        r.factor.code: {"level": r.level, "action": r.action}
                        for r in a.ratings.all()
                    },
                }
                for a in assessments
            ],
        }


class SustainabilityAssessment(models.Model):
    """The plan's ratings on one date."""

    plan = models.ForeignKey(
        SustainabilityPlan, on_delete=models.CASCADE, related_name="assessments"
    )
    assessed_on = models.DateField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["assessed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "assessed_on"], name="unique_sustainability_assessment_date"
            )
        ]

    def __str__(self) -> str:
        return f"Assessment of {self.assessed_on:%d %B %Y}"


class SustainabilityRating(models.Model):
    """The level chosen for one factor in one assessment, and the action if it is weak."""

    assessment = models.ForeignKey(
        SustainabilityAssessment, on_delete=models.CASCADE, related_name="ratings"
    )
    factor = models.ForeignKey(SustainabilityFactor, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=1, choices=SustainabilityLevel.Letter.choices)
    action = models.TextField(blank=True, help_text="What the team will do to strengthen it.")

    class Meta:
        ordering = ["factor__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "factor"], name="unique_sustainability_rating"
            )
        ]

    def __str__(self) -> str:
        return f"{self.factor.name}: {self.level}"
