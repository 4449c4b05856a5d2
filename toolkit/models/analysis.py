"""Tools for understanding the problem and choosing what to change: fishbone, Five Whys,
process map, SWOT and the priority setting matrix.

Each item's `snapshot()` holds everything its picture needs, so the picture of any stored
version can be drawn again from the history alone. Rules that span rows (a part's parent must
belong to the same item, a complete Five Whys has 3 to 8 links) live in
`toolkit.analysis.services`, which every change goes through.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .base import ToolkitItem

SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class AnalysisItem(ToolkitItem):
    """A toolkit item with a page under `.../toolkit/<slug>/<id>/`."""

    class Meta:
        abstract = True

    def base_snapshot(self) -> dict[str, Any]:
        return ToolkitItem.snapshot(self)


# --- Fishbone --------------------------------------------------------------------------------


class Fishbone(AnalysisItem):
    """Cause and effect diagram: the problem at the head, categories of causes as bones."""

    class Preset(models.TextChoices):
        CLASSIC = "classic", "People, Methods, Equipment, Environment"
        SIX_M = (
            "six_m",
            "The 6M set (Manpower, Methods, Machines, Materials, Measurement, Mother Nature)",
        )
        CUSTOM = "custom", "Custom: I will name my own categories"

    PRESET_CATEGORIES: ClassVar[dict[str, list[str]]] = {
        Preset.CLASSIC: ["People", "Methods", "Equipment", "Environment"],
        Preset.SIX_M: [
            "Manpower (People)",
            "Methods",
            "Machines",
            "Materials",
            "Measurement",
            "Mother Nature (Environment)",
        ],
        Preset.CUSTOM: [],
    }

    url_slug = "fishbone"
    url_kwarg = "fishbone_id"

    problem = models.TextField(help_text="The effect you see, stated as a problem.")
    who = models.CharField(max_length=200, blank=True, help_text="Who is affected.")
    when = models.CharField(max_length=200, blank=True, help_text="When it happens.")
    where = models.CharField(max_length=200, blank=True, help_text="Where it happens.")
    preset = models.CharField(max_length=10, choices=Preset.choices, default=Preset.CLASSIC)

    class Meta:
        ordering = ["-updated_at"]

    def snapshot(self) -> dict[str, Any]:
        categories = []
        for category in self.categories.all():
            causes = [c for c in category.causes.all() if c.parent_id is None]
            subs: dict[int, list[FishboneCause]] = {}
            for cause in category.causes.all():
                if cause.parent_id is not None:
                    subs.setdefault(cause.parent_id, []).append(cause)
            categories.append(
                {
                    "name": category.name,
                    "causes": [
                        {"text": c.text, "sub_causes": [s.text for s in subs.get(c.pk, [])]}
                        for c in causes
                    ],
                }
            )
        return {
            **self.base_snapshot(),
            "problem": self.problem,
            "who": self.who,
            "when": self.when,
            "where": self.where,
            "preset": self.preset,
            "categories": categories,
        }


class FishboneCategory(models.Model):
    fishbone = models.ForeignKey(Fishbone, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=100)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name_plural = "fishbone categories"

    def __str__(self) -> str:
        return self.name


class FishboneCause(models.Model):
    """A cause on a category's bone; with `parent` set, a sub-cause of that cause."""

    category = models.ForeignKey(FishboneCategory, on_delete=models.CASCADE, related_name="causes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="sub_causes"
    )
    text = models.CharField(max_length=300)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


# --- Five Whys -------------------------------------------------------------------------------


class FiveWhys(AnalysisItem):
    """One chain of why -> answer from a problem to its root cause. Several chains may start
    from the same problem or fishbone cause."""

    MIN_LINKS = 3
    MAX_LINKS = 8

    url_slug = "five-whys"
    url_kwarg = "five_whys_id"

    problem = models.TextField(help_text="The problem this chain starts from.")
    root_causes = models.TextField(
        blank=True, help_text="The root cause or causes the chain reached, one per line."
    )
    actions = models.TextField(blank=True, help_text="What you will do about it, one per line.")
    is_complete = models.BooleanField(
        default=False,
        help_text="Mark complete when the chain has reached a root cause (3 to 8 whys).",
    )
    source_cause = models.ForeignKey(
        FishboneCause,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="five_whys",
        help_text="The fishbone cause this chain was opened from.",
    )

    class Meta:
        ordering = ["-updated_at"]
        verbose_name_plural = "Five Whys"

    def snapshot(self) -> dict[str, Any]:
        source = self.source_cause
        return {
            **self.base_snapshot(),
            "problem": self.problem,
            "links": [{"why": link.why, "answer": link.answer} for link in self.links.all()],
            "root_causes": [line for line in self.root_causes.splitlines() if line.strip()],
            "actions": [line for line in self.actions.splitlines() if line.strip()],
            "complete": self.is_complete,
            "source_cause": source.text if source else None,
        }


class WhyLink(models.Model):
    five_whys = models.ForeignKey(FiveWhys, on_delete=models.CASCADE, related_name="links")
    why = models.CharField(max_length=300, help_text="The question, e.g. 'Why are letters late?'")
    answer = models.CharField(max_length=300, help_text="Because ...")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.why


# --- Process map -----------------------------------------------------------------------------


class ProcessMap(AnalysisItem):
    """How a process works today: steps, arrows between them, optionally in swimlanes."""

    url_slug = "process-map"
    url_kwarg = "process_map_id"

    description = models.TextField(
        blank=True, help_text="Which process, from what trigger to what end, as it is today."
    )

    class Meta:
        ordering = ["-updated_at"]

    def snapshot(self) -> dict[str, Any]:
        lanes = {lane.pk: lane.name for lane in self.lanes.all()}
        return {
            **self.base_snapshot(),
            "description": self.description,
            "lanes": [{"name": lane.name, "kind": lane.kind} for lane in self.lanes.all()],
            "steps": [
                {
                    "id": step.pk,
                    "kind": step.kind,
                    "label": step.label,
                    "lane": lanes.get(step.lane_id) if step.lane_id else None,
                    "duration": step.duration_text,
                    "bottleneck": step.is_bottleneck,
                }
                for step in self.steps.all()
            ],
            "arrows": [
                {"from": arrow.source_id, "to": arrow.target_id, "label": arrow.label}
                for arrow in self.arrows.all()
            ],
        }


class ProcessLane(models.Model):
    class Kind(models.TextChoices):
        TEAM = "team", "Team"
        SERVICE = "service", "Service"

    process_map = models.ForeignKey(ProcessMap, on_delete=models.CASCADE, related_name="lanes")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEAM)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    class Kind(models.TextChoices):
        START = "start", "Start"
        END = "end", "End"
        ACTIVITY = "activity", "Activity"
        DECISION = "decision", "Decision"
        WAIT = "wait", "Wait"

    class Unit(models.TextChoices):
        MINUTES = "minutes", "minutes"
        HOURS = "hours", "hours"
        DAYS = "days", "days"
        WEEKS = "weeks", "weeks"

    process_map = models.ForeignKey(ProcessMap, on_delete=models.CASCADE, related_name="steps")
    lane = models.ForeignKey(
        ProcessLane, on_delete=models.SET_NULL, null=True, blank=True, related_name="steps"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ACTIVITY)
    label = models.CharField(max_length=200)
    duration = models.PositiveIntegerField(null=True, blank=True)
    duration_unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.DAYS)
    is_bottleneck = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def duration_text(self) -> str:
        if self.duration is None:
            return ""
        unit = self.get_duration_unit_display()
        return f"{self.duration} {unit[:-1] if self.duration == 1 else unit}"


class ProcessArrow(models.Model):
    process_map = models.ForeignKey(ProcessMap, on_delete=models.CASCADE, related_name="arrows")
    source = models.ForeignKey(ProcessStep, on_delete=models.CASCADE, related_name="arrows_out")
    target = models.ForeignKey(ProcessStep, on_delete=models.CASCADE, related_name="arrows_in")
    label = models.CharField(max_length=100, blank=True, help_text="E.g. 'yes', 'no', 'letter'.")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="unique_process_arrow")
        ]

    def __str__(self) -> str:
        return f"{self.source} -> {self.target}"


# --- SWOT ------------------------------------------------------------------------------------


class Swot(AnalysisItem):
    url_slug = "swot"
    url_kwarg = "swot_id"

    subject = models.TextField(help_text="What you are assessing, e.g. the service or the plan.")

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = "SWOT analysis"
        verbose_name_plural = "SWOT analyses"

    def snapshot(self) -> dict[str, Any]:
        items = list(self.items.all())
        return {
            **self.base_snapshot(),
            "subject": self.subject,
            "items": {
                quadrant: [
                    {"id": i.pk, "text": i.text, "priority": i.priority}
                    for i in items
                    if i.quadrant == quadrant
                ]
                for quadrant in SwotItem.Quadrant.values
            },
            "strategies": [
                {
                    "kind": s.kind,
                    "text": s.text,
                    "items": [i.text for i in s.items.all()],
                }
                for s in self.strategies.all()
            ],
        }


class SwotItem(models.Model):
    class Quadrant(models.TextChoices):
        STRENGTH = "S", "Strength"
        WEAKNESS = "W", "Weakness"
        OPPORTUNITY = "O", "Opportunity"
        THREAT = "T", "Threat"

    class Priority(models.IntegerChoices):
        HIGH = 1, "High"
        MEDIUM = 2, "Medium"
        LOW = 3, "Low"

    swot = models.ForeignKey(Swot, on_delete=models.CASCADE, related_name="items")
    quadrant = models.CharField(max_length=1, choices=Quadrant.choices)
    text = models.CharField(max_length=300)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["quadrant", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class SwotStrategy(models.Model):
    """A follow-up strategy pairing internal and external items, e.g. S-O: use a strength to
    take an opportunity."""

    class Kind(models.TextChoices):
        SO = "SO", "S-O: use strengths to take opportunities"
        ST = "ST", "S-T: use strengths to counter threats"
        WO = "WO", "W-O: overcome weaknesses by taking opportunities"
        WT = "WT", "W-T: reduce weaknesses and avoid threats"

    swot = models.ForeignKey(Swot, on_delete=models.CASCADE, related_name="strategies")
    kind = models.CharField(max_length=2, choices=Kind.choices)
    text = models.TextField()
    items = models.ManyToManyField(SwotItem, blank=True, related_name="strategies")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name_plural = "SWOT strategies"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text}"


# --- Priority setting matrix -----------------------------------------------------------------


class PriorityMatrix(AnalysisItem):
    class Method(models.TextChoices):
        IMPACT_EFFORT = "impact_effort", "Impact and effort (a 2x2 grid)"
        WEIGHTED = "weighted", "Weighted criteria (a ranked table)"

    url_slug = "priority-matrix"
    url_kwarg = "priority_matrix_id"

    question = models.TextField(help_text="What you are choosing between, and why now.")
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.IMPACT_EFFORT)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name_plural = "priority matrices"

    def snapshot(self) -> dict[str, Any]:
        criteria = list(self.criteria.all())
        names = {c.pk: c.name for c in criteria}
        return {
            **self.base_snapshot(),
            "question": self.question,
            "method": self.method,
            "criteria": [{"name": c.name, "weight": c.weight} for c in criteria],
            "options": [
                {
                    "name": o.name,
                    "description": o.description,
                    "impact": o.impact,
                    "effort": o.effort,
                    "scores": {names[s.criterion_id]: s.score for s in o.scores.all()},
                }
                for o in self.options.all()
            ],
        }


class PriorityOption(models.Model):
    matrix = models.ForeignKey(PriorityMatrix, on_delete=models.CASCADE, related_name="options")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    impact = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=SCORE_VALIDATORS, help_text="1 (little) to 5 (a lot)."
    )
    effort = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=SCORE_VALIDATORS, help_text="1 (little) to 5 (a lot)."
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(impact__isnull=True) | models.Q(impact__gte=1, impact__lte=5),
                name="option_impact_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(effort__isnull=True) | models.Q(effort__gte=1, effort__lte=5),
                name="option_effort_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PriorityCriterion(models.Model):
    matrix = models.ForeignKey(PriorityMatrix, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=200)
    weight = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="How much this criterion counts, 1 to 10.",
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name_plural = "priority criteria"

    def __str__(self) -> str:
        return self.name


class PriorityScore(models.Model):
    option = models.ForeignKey(PriorityOption, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        PriorityCriterion, on_delete=models.CASCADE, related_name="scores"
    )
    score = models.PositiveSmallIntegerField(validators=SCORE_VALIDATORS)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["option", "criterion"], name="unique_priority_score"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="priority_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.option} / {self.criterion}: {self.score}"
