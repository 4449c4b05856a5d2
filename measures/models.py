"""Standard measures of the programme. Ingestion, data and chart settings build on these."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models


class Measure(models.Model):
    """A standard measure, e.g. `referrals_received`, shared by every site of the programme.
    Each site maps its local definition to it in the data dictionary."""

    class Unit(models.TextChoices):
        COUNT = "count", "Count"
        DAYS = "days", "Days"
        PERCENT = "percent", "Percent"
        RATE = "rate", "Rate"

    class Improvement(models.TextChoices):
        INCREASE = "increase", "Higher is better"
        DECREASE = "decrease", "Lower is better"
        NEUTRAL = "neutral", "Neither (monitor only)"

    class ChartType(models.TextChoices):
        RUN = "run", "Run chart"
        XMR = "xmr", "XmR (individuals) chart"
        P = "p", "P chart (proportions)"
        U = "u", "U chart (rates)"
        C = "c", "C chart (counts)"

    class Rules(models.TextChoices):
        ANHOEJ = "anhoej", "Anhøj rules"
        IHI = "ihi", "IHI run chart rules"
        MDC = "mdc", "Making Data Count"

    code = models.SlugField(
        max_length=64,
        unique=True,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", "Lower case letters, digits and _.")],
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="The standard (e.g. MHSDS) definition.")
    unit = models.CharField(max_length=16, choices=Unit.choices, default=Unit.COUNT)
    numerator = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For a proportion or rate: the measure counted on top.",
    )
    denominator = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For a proportion or rate: the measure it is divided by.",
    )
    multiplier = models.PositiveIntegerField(
        default=1, help_text="100 for a percentage, 1000 for 'per 1,000'."
    )
    improvement = models.CharField(
        max_length=16, choices=Improvement.choices, default=Improvement.NEUTRAL
    )
    chart_type = models.CharField(max_length=8, choices=ChartType.choices, default=ChartType.XMR)
    rules = models.CharField(max_length=8, choices=Rules.choices, default=Rules.MDC)
    screen_outliers = models.BooleanField(
        default=True,
        help_text="Leave out very large moving ranges when computing limits (NHSRplotthedots "
        "does; the NHS England spreadsheet tools do not).",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_count(self) -> bool:
        return self.unit == self.Unit.COUNT

    @property
    def is_ratio(self) -> bool:
        return self.numerator_id is not None and self.denominator_id is not None
