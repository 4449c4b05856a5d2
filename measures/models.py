"""Standard measures of the programme. Ingestion, data and chart settings build on these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper


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


class LocalDefinition(models.Model):
    """A site's own definition of a standard measure: the data dictionary."""

    site = models.ForeignKey(
        "projects.Site", on_delete=models.CASCADE, related_name="local_definitions"
    )
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="local_definitions")
    local_term = models.CharField(max_length=200, help_text="What the site calls it.")
    definition = models.TextField(help_text="How the site counts it, in plain words.")
    source_system = models.CharField(max_length=200, blank=True, help_text="e.g. RiO, SystmOne.")
    caveats = models.TextField(blank=True)
    date_agreed = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["measure__order", "site__code"]
        constraints = [
            models.UniqueConstraint(fields=["site", "measure"], name="unique_definition_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.site.code}: {self.local_term} -> {self.measure.code}"


class ColumnMapping(models.Model):
    """A label in a site's extracts, remembered as a measure (or as a column to ignore)."""

    site = models.ForeignKey("projects.Site", on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=200, help_text="The normalised label (normalise_label).")
    measure = models.ForeignKey(
        Measure,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty: ignore this column.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site__code", "label"]
        constraints = [
            models.UniqueConstraint(fields=["site", "label"], name="unique_mapping_per_site_label")
        ]

    def __str__(self) -> str:
        return f"{self.site_id}: {self.label} -> {self.measure.code if self.measure else 'ignore'}"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class Upload(models.Model):
    """One extract sent by a person (web), a script (api) or the command line, and its outcome."""

    class Source(models.TextChoices):
        WEB = "web", "Web page"
        API = "api", "API"
        CLI = "cli", "Command line"
        DEMO = "demo", "Demo loader"
        HAND = "hand", "Entered by hand"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        PROCESSING = "processing", "Processing"
        NEEDS_MAPPING = "needs_mapping", "Needs column mapping"
        NEEDS_CONFIRMATION = "needs_confirmation", "Waiting for confirmation"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    FINISHED = frozenset(
        {
            Status.DONE,
            Status.FAILED,
            Status.NEEDS_MAPPING,
            Status.NEEDS_CONFIRMATION,
            Status.CANCELLED,
        }
    )
    # Sources whose uploads stop at a preview before they replace stored figures.
    CONFIRMED_SOURCES = frozenset({Source.WEB, Source.API})

    site = models.ForeignKey(
        "projects.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="uploads",
        help_text="The site it was sent for; a file may hold figures for further sites.",
    )
    sites = models.ManyToManyField("projects.Site", blank=True, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    file = models.FileField(
        upload_to="uploads/%Y/%m/",
        max_length=300,
        blank=True,
        help_text="Empty for figures entered by hand.",
    )
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.QUEUED)
    replace = models.BooleanField(
        default=False,
        help_text="The sender agreed to replace stored figures (confirmed the preview, or sent "
        "replace=true): the upload is stored without stopping at a preview.",
    )
    progress = models.PositiveSmallIntegerField(default=0)
    layout = models.CharField(max_length=16, blank=True)
    frequency = models.CharField(max_length=8, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Last handed to the worker queue; empty while the queue could not be reached.",
    )
    started_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Times a worker started reading the file (see UPLOAD_MAX_ATTEMPTS)."
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        code = self.site.code if self.site else "-"
        return reverse("measures:upload-detail", kwargs={"site_code": code, "upload_id": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def is_waiting_for_queue(self) -> bool:
        """Kept, but not yet handed to the worker queue (the broker could not be reached)."""
        return self.status == self.Status.QUEUED and self.enqueued_at is None

    @property
    def uploader_label(self) -> str:
        if self.uploaded_by is not None:
            return self.uploaded_by.get_full_name() or self.uploaded_by.get_username()
        return "command line" if self.source == self.Source.CLI else self.get_source_display()


class NarrowForeignKey(models.ForeignKey):
    """A foreign key stored as a 4-byte integer whatever the width of the key it refers to.
    It kept the ids in the per-figure table's primary key narrow (migration 0011) before
    figures were stored as series (0014); migrations still refer to it."""

    def db_type(self, connection):
        return models.IntegerField().db_type(connection=connection)


class DataPoint(models.Model):
    """One stored figure: a read-only view (`measures_datapoint`) that unfolds each
    FigureSeries into a row per period, for queries that want figures as rows (the tests,
    ad-hoc SQL, small lookups). Nothing writes to it: figures are written as series
    (measures.store). The app's own readers of whole series read FigureSeries directly."""

    pk = models.CompositePrimaryKey("site_id", "measure_id", "period", "frequency")
    site = models.ForeignKey(
        "projects.Site", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    period = models.DateField(help_text="Monday of the week, or the 1st of the month.")
    value = models.FloatField()
    upload = models.ForeignKey(
        Upload, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )

    class Meta:
        managed = False
        db_table = "measures_datapoint"
        ordering = ["site", "measure", "frequency", "period"]

    def __str__(self) -> str:
        return f"{self.site_id}/{self.measure_id} {self.period}: {self.value}"


class DataPointHistory(models.Model):
    """A value an upload replaced, and the upload it came from, so the upload can be undone.
    Foreign keys without database triggers (they would check every row at commit)."""

    site = models.ForeignKey(
        "projects.Site", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    period = models.DateField()
    value = models.FloatField(null=True, blank=True)
    upload = models.ForeignKey(
        Upload,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        help_text="The upload the previous value came from.",
    )
    replaced_by = models.ForeignKey(
        Upload, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    class Meta:
        ordering = ["site", "measure", "frequency", "period", "pk"]

    def __str__(self) -> str:
        return f"{self.site_id}/{self.measure_id} {self.period}: was {self.value}"


class SeriesField(models.JSONField):
    """A JSON list written and read whole. On PostgreSQL the column is `json` (the text as
    written, checked as JSON) rather than `jsonb`: a series is never queried into, and jsonb
    decomposes every number into a numeric, which made writing a million figures twice as
    slow (0.65 s against 0.31 s). Elsewhere it is Django's JSONField as it stands."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if connection.vendor == "postgresql" and value is not None:
            from psycopg.types.json import Json

            return Json(self.get_prep_value(value) if not prepared else value)
        return super().get_db_prep_value(value, connection, prepared)

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        # psycopg reads a json column into Python itself (Django reads only jsonb as text).
        if value is None or not isinstance(value, str | bytes | bytearray):
            return value
        return super().from_db_value(value, expression, connection)


class SeriesRow(models.Model):
    """What every stored series holds: whose figures (site, measure, frequency), its span, and
    the figures as parallel JSON lists in period order. The span is kept beside the lists so
    that an upload can tell which series it meets without reading them."""

    site = models.ForeignKey(
        "projects.Site",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    measure = models.ForeignKey(
        Measure,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    first = models.DateField(help_text="The first period with a figure.")
    last = models.DateField(help_text="The last period with a figure.")
    periods = SeriesField(
        default=list,
        help_text="The Monday of each week (or 1st of each month) with a figure, ISO dates in "
        "order.",
    )
    values = SeriesField(default=list, help_text="The figure of each period.")
    uploads = SeriesField(default=list, help_text="The upload each figure came from.")

    class Meta:
        abstract = True


class FigureSeries(SeriesRow):
    """The figures of one measure at one site at one frequency, and the upload each came
    from: the whole series in one row, as parallel lists in period order.

    One row per series rather than per figure: an extract of a programme states a million
    figures, and a row behind a primary key for each cost twice PostgreSQL's own COPY of the
    rows in index writes alone; every reader of figures (charts, dashboards, exports, the API)
    reads whole series. An upload merges its figures in (measures.store.points_store: new
    periods added, changed values replaced and their earlier values kept in
    DataPointHistory, so the upload can be undone); an unchanged re-send writes nothing.
    DataPoint is the same figures as rows, a view over this table.
    """

    pk = models.CompositePrimaryKey("site_id", "measure_id", "frequency")

    class Meta:
        ordering = ["site", "measure", "frequency"]
        verbose_name_plural = "figure series"

    def __str__(self) -> str:
        return f"{self.site_id}/{self.measure_id} {self.frequency}: {len(self.periods)} periods"

    def points(self) -> Iterator[tuple[dt.date, float, int]]:
        """(period, value, upload id) in period order."""
        for period, value, upload_id in zip(self.periods, self.values, self.uploads, strict=True):
            yield dt.date.fromisoformat(period), value, upload_id


class GroupedSeries(SeriesRow):
    """The weekly figures of one group of a site's referrals (ethnic group, IMD quintile, sex,
    age band, THRIVE grouping, referral source) for one measure, derived from record-level
    extracts: the whole series in one row, as parallel lists in week order.

    One row per series rather than per figure: a record-level extract of a programme states
    about 700,000 figures per group (every group of every week, zeros included), and writing
    each behind a six-column key took three quarters of the extract's processing; its readers
    (the API's ?by=, the equity view, the gap flags) all read whole series. No referral row or
    identifier is kept: only these figures. An upload replaces its sites' figures per group
    for the measures and groupings it sends over the weeks it covers (store.groups_store:
    a series wholly inside those weeks is replaced without being read);
    undoing it removes the figures it wrote (services.upload_undo).
    """

    pk = models.CompositePrimaryKey("site_id", "measure_id", "by", "group", "frequency")
    by = models.CharField(max_length=24, help_text="The grouping, e.g. imd_quintile.")
    group = models.CharField(max_length=64, help_text="The group label, e.g. 1 or White.")
    records = SeriesField(
        default=list,
        help_text="How many referrals each figure describes (the count itself, or the "
        "children behind a median): what small-number suppression tests.",
    )

    class Meta:
        ordering = ["site", "measure", "by", "group", "frequency"]
        verbose_name_plural = "grouped series"

    def __str__(self) -> str:
        return f"{self.site_id}/{self.measure_id} {self.by}={self.group}: {len(self.periods)} weeks"

    def points(self) -> Iterator[tuple[dt.date, float, int]]:
        """(week, value, records) in week order."""
        for period, value, n in zip(self.periods, self.values, self.records, strict=True):
            yield dt.date.fromisoformat(period), value, n


# Charts ------------------------------------------------------------------------------------


class ChartSettings(models.Model):
    """How a site draws one measure's chart. Blank/None fields fall back to the measure's
    defaults (Measure.chart_type, rules, improvement, screen_outliers)."""

    IMPROVEMENT_CHOICES = [("", "As the measure (default)"), *Measure.Improvement.choices]

    site = models.ForeignKey("projects.Site", on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+")
    chart_type = models.CharField(max_length=8, choices=Measure.ChartType.choices, blank=True)
    rules = models.CharField(max_length=8, choices=Measure.Rules.choices, blank=True)
    freeze = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Compute the centre and limits from the first N points of each part only.",
    )
    target = models.FloatField(
        null=True, blank=True, help_text="On the chart's scale; used for the assurance icon."
    )
    improvement = models.CharField(max_length=16, choices=IMPROVEMENT_CHOICES, blank=True)
    screen_outliers = models.BooleanField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "measure"], name="unique_chart_settings")
        ]

    def __str__(self) -> str:
        return f"{self.site_id}/{self.measure_id} chart settings"


class ChartAdjustment(models.Model):
    """A rebase (a new part starts at `period`) or an excluded point, with the reason."""

    class Kind(models.TextChoices):
        REBASE = "rebase", "Rebase (recalculate limits from here)"
        EXCLUDE = "exclude", "Exclude the point from the calculations"

    site = models.ForeignKey("projects.Site", on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    period = models.DateField()
    reason = models.TextField()
    # Not a foreign key: measures must not depend on the toolkit (which depends on measures).
    pdsa_cycle_id = models.PositiveIntegerField(null=True, blank=True)
    pdsa_title = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "measure", "kind", "period"], name="unique_chart_adjustment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}"


class ChartSettingsChange(models.Model):
    """History: one row per changed setting or added/removed adjustment or share."""

    site = models.ForeignKey("projects.Site", on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    field = models.CharField(max_length=64)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.field}: {self.before!r} -> {self.after!r}"


class PointNote(models.Model):
    """Why a point (usually a signal) happened, written by someone at the site."""

    site = models.ForeignKey("projects.Site", on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+")
    period = models.DateField()
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period", "pk"]
        indexes = [models.Index(fields=["site", "measure", "period"], name="pointnote_lookup")]

    def __str__(self) -> str:
        return f"{self.period}: {self.text}"


class MeasureShare(models.Model):
    """The site lets the other sites of its programme see its chart of this measure."""

    site = models.ForeignKey("projects.Site", on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "measure"], name="unique_measure_share")
        ]

    def __str__(self) -> str:
        return f"{self.site_id} shares {self.measure_id}"


class ChartState(models.Model):
    """The chart as last built by the worker: figure, words and table, never computed on a
    page view. `requested_version` is bumped by every change of the inputs; the state is
    stale while `built_version` is behind it."""

    site = models.ForeignKey("projects.Site", on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    figure = models.JSONField(default=dict)
    small_figure = models.JSONField(default=dict)
    # sentences, variation_icon, assurance_icon, latest_signal, last_value, last_date,
    # signal_periods, annotations, chart_type, rules, n_points
    summary = models.JSONField(default=dict)
    # What dashboards read of the chart (charts.services.GLANCE_KEYS and the latest weeks with
    # figures), apart from the summary: reading six keys out of 1,000 whole summaries cost a
    # programme of 50 sites 15 ms of PostgreSQL time; this small column costs 2 ms (issue 16).
    glance = models.JSONField(default=dict)
    rows = models.JSONField(default=list, help_text="chart_csv_rows without the header.")
    labels = models.JSONField(default=list, help_text="Each point's signal in words.")
    built_at = models.DateTimeField(null=True, blank=True)
    requested_version = models.PositiveIntegerField(default=1)
    built_version = models.PositiveIntegerField(default=0)
    requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "measure", "frequency"], name="unique_chart_state"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site_id}/{self.measure_id}/{self.frequency} chart"

    @property
    def is_stale(self) -> bool:
        return self.built_version < self.requested_version

    @property
    def variation_label(self) -> str:
        from .charts.words import ICON_LABELS

        return ICON_LABELS.get(self.summary.get("variation_icon") or "", "")

    @property
    def variation_file(self) -> str:
        from .charts.words import ICON_FILES

        return ICON_FILES.get(self.summary.get("variation_icon") or "", "")

    @property
    def assurance_label(self) -> str:
        from .charts.words import ICON_LABELS

        return ICON_LABELS.get(self.summary.get("assurance_icon") or "", "")

    @property
    def assurance_file(self) -> str:
        from .charts.words import ICON_FILES

        return ICON_FILES.get(self.summary.get("assurance_icon") or "", "")
