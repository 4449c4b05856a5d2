"""What measures contribute to the dashboards, the weekly digest and the meeting pack.

Everything is read from the chart states the worker built (never computed on a page view) and
batched across sites, so a programme of 50 sites costs the same queries as one of 5.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Max
from django.db.models.fields.json import KT
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from projects.models import Site
from projects.panels import (
    DigestSection,
    PackAnnotation,
    PackChart,
    PackMarker,
    PackSection,
    Panel,
    PanelContext,
    register_digest_section,
    register_panel,
)
from projects.permissions import Capability, can, site_ids_for

from .charts import style
from .charts.selectors import chart_states, chart_table
from .charts.words import ICON_FILES, ICON_LABELS
from .models import ChartState, Frequency, GroupedSeries, Measure, PointNote, Upload
from .selectors import RECENT_WEEKS, measures_with_differing_definitions, monday

if TYPE_CHECKING:
    from projects.http import AnyUser

SIGNAL_AGE_DAYS = 7 * 8  # a signal this recent still asks for a note on the dashboard
STALE_AFTER_WEEKS = 2  # a site whose last week is older than this "has not sent data"


@dataclass
class MeasureRow:
    measure: Measure
    chart_url: str
    variation_icon: str | None = None
    variation_label: str = "Not charted yet"
    variation_file: str | None = None
    assurance_icon: str | None = None
    assurance_label: str | None = None
    assurance_file: str | None = None
    last_value: str = "No data"
    last_date: dt.date | None = None
    latest_signal: str | None = None
    signal_period: dt.date | None = None
    needs_note: bool = False
    special: str | None = None  # "improvement" | "concern" | "neither"


@dataclass
class SiteMeasures:
    rows: list[MeasureRow] = field(default_factory=list)
    last_upload_at: dt.datetime | None = None
    last_week: dt.date | None = None
    missing_weeks: list[dt.date] = field(default_factory=list)
    weeks_since_data: int | None = None
    shared: bool = False
    threshold: int = 5
    differing: set[int] = field(default_factory=set)  # measures defined differently across sites
    # (measure, grouping title, equity page URL, grouping) whose gap between groups shows
    # special cause of concern: filled on a site's own dashboard only
    gap_concerns: list[tuple[Measure, str, str, str]] = field(default_factory=list)
    # Measures the site has figures by group for (the equity view): filled on a site's own
    # dashboard only
    grouped_measures: list[Measure] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return self.weeks_since_data is None or self.weeks_since_data > STALE_AFTER_WEEKS

    def signals(self, kind: str) -> list[MeasureRow]:
        return [row for row in self.rows if row.special == kind]

    def compared(self, kind: str) -> list[MeasureRow]:
        """Signals of measures that every site defines the same way, so comparable."""
        return [r for r in self.signals(kind) if r.measure.pk not in self.differing]

    @property
    def compared_improvement(self) -> list[MeasureRow]:
        return self.compared("improvement")

    @property
    def compared_concern(self) -> list[MeasureRow]:
        return self.compared("concern")

    @property
    def not_compared(self) -> list[MeasureRow]:
        return [
            r
            for r in self.rows
            if r.special in ("improvement", "concern") and r.measure.pk in self.differing
        ]


def _chart_urls(site: Site, measures: list[Measure]) -> dict[int, str]:
    """Chart URLs of a site, resolved once per site (a dashboard lists a thousand of them)."""
    placeholder = "measure-code-placeholder"
    pattern = reverse(
        "measures:chart", kwargs={"site_code": site.code, "measure_code": placeholder}
    )
    return {m.pk: pattern.replace(placeholder, m.code) for m in measures}


def _value_text(value: float | None, measure: Measure, shared: bool, threshold: int) -> str:
    if value is None:
        return "No data"
    if shared and measure.is_count and 0 < value < threshold:
        return f"fewer than {threshold}"
    text = f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"
    unit = {"days": " days", "percent": "%"}.get(measure.unit, "")
    return text + unit


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _day(value: Any) -> dt.date:
    """A date that must be there (a chart row's week, an annotation's start)."""
    day = _date(value)
    if day is None:
        raise ValueError(f"not a date: {value!r}")
    return day


def _special(icon: str | None) -> str | None:
    for kind in ("improvement", "concern", "neither"):
        if icon and icon.startswith(f"special_cause_{kind}"):
            return kind
    return None


# The glance keys the programme dashboard shows: read one by one by the database, not the
# whole glance, whose lists of weeks are most of its bytes (a programme of 50 sites has 1,000
# charts: 16 ms to fetch and decode whole, 6 ms for these).
PROGRAMME_GLANCE_KEYS = ("last_date", "last_value", "variation_icon", "assurance_icon")


def _glances(site_ids: list[int], detail: bool) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """(site id, measure id, glance) of each weekly chart built with figures; without
    `detail`, only PROGRAMME_GLANCE_KEYS of each glance."""
    states = ChartState.objects.filter(
        site_id__in=site_ids, frequency=Frequency.WEEKLY, glance__has_key="last_date"
    )
    if detail:
        yield from states.values_list("site_id", "measure_id", "glance")
        return
    extracted = [KT(f"glance__{key}") for key in PROGRAMME_GLANCE_KEYS]
    for site_id, measure_id, *values in states.values_list("site_id", "measure_id", *extracted):
        # SQLite answers a JSON null as the text "null" (PostgreSQL as NULL); no key holds
        # that word.
        yield (
            site_id,
            measure_id,
            {
                key: None if value == "null" else value
                for key, value in zip(PROGRAMME_GLANCE_KEYS, values, strict=True)
            },
        )


def _last_uploads_and_notes(
    site_ids: list[int], note_cutoff: dt.date
) -> tuple[dict[int, dt.datetime], dict[tuple[int, int], set[str]]]:
    """When data last arrived at each site, and the weeks with a note since `note_cutoff` by
    site and measure."""
    through: Any = Upload.sites.through  # django-stubs cannot follow an annotation of it
    last_upload = dict(
        through.objects.filter(
            site_id__in=site_ids, upload__status=Upload.Status.DONE, upload__undone_at__isnull=True
        )
        .values("site_id")
        .annotate(last=Max("upload__finished_at"))
        .values_list("site_id", "last")
    )
    noted: dict[tuple[int, int], set[str]] = {}
    for site_id, measure_id, period in PointNote.objects.filter(
        site_id__in=site_ids, period__gte=note_cutoff
    ).values_list("site_id", "measure_id", "period"):
        noted.setdefault((site_id, measure_id), set()).add(period.isoformat())
    return last_upload, noted


def build_programme_measures(context: PanelContext) -> dict[int, SiteMeasures]:
    """What the programme dashboard shows of each site's measures: icons, signals and
    freshness; not the notes asked for, missing weeks or last upload (a site's own page)."""
    return build_site_measures(context, detail=False)


def build_site_measures(context: PanelContext, *, detail: bool = True) -> dict[int, SiteMeasures]:
    sites = list(context.sites)
    site_ids = [s.pk for s in sites]
    measures = list(Measure.objects.order_by("order", "name"))
    # Each chart's glance: the few summary keys a dashboard shows and the latest weeks with
    # figures, in a small column of its own (a programme of 50 sites has 1,000 charts).
    glances: dict[int, dict[int, dict[str, Any]]] = {}
    sent: dict[int, set[str]] = {}  # ISO weeks in which each site sent any figure
    for site_id, measure_id, glance in _glances(site_ids, detail):
        glances.setdefault(site_id, {})[measure_id] = glance
        sent.setdefault(site_id, set()).update(glance.get("recent_periods") or ())
    this_week = monday(context.today)
    note_cutoff = context.today - dt.timedelta(days=SIGNAL_AGE_DAYS)
    last_upload, noted = _last_uploads_and_notes(site_ids, note_cutoff) if detail else ({}, {})
    recent_weeks = [this_week - dt.timedelta(weeks=n) for n in range(RECENT_WEEKS, 0, -1)]
    recent_iso = [(w, w.isoformat()) for w in recent_weeks]
    differing = measures_with_differing_definitions(sites=sites) if len(sites) > 1 else set()
    shared, threshold = context.shared, context.small_count_threshold
    result: dict[int, SiteMeasures] = {}
    for site in sites:
        site_id = site.pk
        urls = _chart_urls(site, measures)
        data = SiteMeasures(shared=shared, threshold=threshold, differing=differing)
        of_site = glances.get(site_id, {})
        for measure in measures:
            summary = of_site.get(measure.pk)
            last_date = _date(summary.get("last_date")) if summary else None
            if summary is None or last_date is None:
                continue  # only measures the site reports: the rest would be a wall of "No data"
            row = MeasureRow(measure=measure, chart_url=urls[measure.pk], last_date=last_date)
            icon = summary.get("variation_icon") or ""
            row.variation_icon = icon or None
            row.variation_label = ICON_LABELS.get(icon, row.variation_label)
            row.variation_file = ICON_FILES.get(icon)
            assurance = summary.get("assurance_icon")
            if assurance:
                row.assurance_icon = assurance
                row.assurance_label = ICON_LABELS.get(assurance)
                row.assurance_file = ICON_FILES.get(assurance)
            last_value = summary.get("last_value")
            row.last_value = _value_text(
                None if last_value is None or last_value == "" else float(last_value),
                measure,
                shared,
                threshold,
            )
            row.special = _special(icon)
            if detail:
                row.latest_signal = summary.get("latest_signal")
                # A note on any week of the latest signal answers "why did this happen?".
                # ISO dates compare as text: only the latest is parsed.
                episode = [str(p)[:10] for p in summary.get("latest_signal_periods") or [] if p]
                row.signal_period = _date(max(episode, default=None))
                row.needs_note = bool(
                    row.latest_signal
                    and row.signal_period
                    and row.signal_period >= note_cutoff
                    and noted.get((site_id, measure.pk), set()).isdisjoint(episode)
                )
            if data.last_week is None or last_date > data.last_week:
                data.last_week = last_date
            data.rows.append(row)
        data.last_upload_at = last_upload.get(site_id)
        if detail:
            weeks_sent = sent.get(site_id, set())
            data.missing_weeks = [w for w, iso in recent_iso if iso not in weeks_sent]
        if data.last_week is not None:
            data.weeks_since_data = max(0, (this_week - data.last_week).days // 7 - 1)
        if detail and len(sites) == 1:
            data.gap_concerns = _gap_concerns(site, context, of_site, measures)
            data.grouped_measures = _grouped_measures([site_id], measures)
        result[site_id] = data
    return result


def _gap_concerns(
    site: Site, context: PanelContext, glances: dict[int, dict[str, Any]], measures: list[Measure]
) -> list[tuple[Measure, str, str, str]]:
    """The site's gaps between groups whose latest point is special cause of concern, as the
    reader may see them (small numbers left out of the gap for shared views and stakeholders),
    from the site's chart glances (by measure id)."""
    from .charts.equity import gap_concerns
    from .ingest.groups import GROUPINGS

    may_see = (
        not context.shared
        and context.user is not None
        and can(context.user, Capability.SEE_SMALL_COUNTS, site)
    )
    by_id = {m.pk: m for m in measures}
    return [
        (
            by_id[measure_id],
            GROUPINGS[by].title,
            reverse("measures:chart-equity", args=[site.code, by_id[measure_id].code])
            + f"?by={by}",
            by,
        )
        for measure_id, by in gap_concerns(
            site=site,
            glances=glances,
            measures=by_id,
            threshold=None if may_see else context.small_count_threshold,
        )
    ]


def _cell(value: Any) -> Any:
    return None if value in ("", None) else value


def _pack_marker(variation: str, direction: str, excluded: bool, provisional: bool) -> PackMarker:
    if provisional:
        s = style.POINT_STYLES["provisional"]
    elif excluded and not variation.startswith("special_cause"):
        s = style.POINT_STYLES["excluded"]
    else:
        s = style.point_style(variation or None, -1 if direction == "lower" else 1)
    return PackMarker(s.symbol, s.color, s.outline, s.size, s.name)


@dataclass
class MeasureGrid:
    """Sites by measures: each cell the Making Data Count icons of a site's chart, or None where
    the site sends no data for the measure. Columns are the measures any site reports."""

    measures: list[Measure]
    rows: list[tuple[Site, list[MeasureRow | None]]]
    key: list[tuple[str, str]]  # (icon file, meaning) of each icon the grid shows
    shared: bool = False  # a signed-out shared view: no links into the sites' pages
    # Measures some site sends figures by group for: each links to the gap compared across
    # the programme's sites (measures.charts.views.programme_equity_compare)
    grouped: list[Measure] = field(default_factory=list)

    def body_html(self) -> SafeString:
        """The grid's rows, built here rather than in a template: 50 sites by 20 measures are a
        thousand cells, and a template spent 400 ms resolving their variables (issue 16). The
        same few names and labels recur in every row: each is escaped once."""
        escaped: dict[str, str] = {}

        def e(text: str) -> str:
            # Escaping works character by character, so escaped parts join into the escape
            # of the whole.
            if (done := escaped.get(text)) is None:
                done = escaped[text] = html.escape(text)
            return done

        icons: dict[tuple[str, str], str] = {}

        def icon(file: str, label: str) -> str:
            if (img := icons.get((file, label))) is None:
                img = icons[file, label] = (
                    f'<img src="{e(static(file))}" alt="{e(label)}" width="28" height="28">'
                )
            return img

        no_data = (
            '<td class="nhsuk-table__cell"><span class="thrive-mdc-grid__none" '
            'aria-hidden="true">–</span><span class="nhsuk-u-visually-hidden">'
            "No data</span></td>"
        )
        out = []
        for site, cells in self.rows:
            name = e(site.name)
            if not self.shared:
                name = f'<a href="{e(site.get_absolute_url())}">{name}</a>'
            out.append(
                '<tr class="nhsuk-table__row"><th scope="row" class="thrive-mdc-grid__site">'
                f"{name}</th>"
            )
            at_site = f" at {e(site.name)}: "
            for row in cells:
                if row is None:
                    out.append(no_data)
                    continue
                title = e(row.measure.name) + at_site + e(row.variation_label)
                if row.assurance_label:
                    title += "; " + e(row.assurance_label)
                shown = (
                    icon(row.variation_file, row.variation_label)
                    if row.variation_file
                    else f"<span>{e(row.variation_label)}</span>"
                )
                if row.assurance_file:
                    shown += icon(row.assurance_file, row.assurance_label or "")
                tag, href = ("span", "") if self.shared else ("a", f' href="{e(row.chart_url)}"')
                out.append(
                    f'<td class="nhsuk-table__cell"><{tag}{href} class="thrive-mdc-grid__cell" '
                    f'title="{title}">{shown}</{tag}></td>'
                )
            out.append("</tr>")
        return mark_safe("".join(out))  # every part escaped above


def programme_grid(sites: Sequence[Site], data: dict[int, SiteMeasures]) -> MeasureGrid:
    """The programme dashboard's grid, shaped from the panel's data (one further query: the
    measures some site has figures by group for)."""
    cells: dict[int, dict[int, MeasureRow]] = {
        site.pk: {row.measure.pk: row for row in data[site.pk].rows}
        for site in sites
        if site.pk in data
    }
    measures = {
        row.measure.pk: row.measure for by_measure in cells.values() for row in by_measure.values()
    }
    columns = sorted(measures.values(), key=lambda m: (m.order, m.name))
    shown = {
        icon
        for by_measure in cells.values()
        for row in by_measure.values()
        for icon in (row.variation_icon, row.assurance_icon)
        if icon
    }
    return MeasureGrid(
        measures=columns,
        rows=[(site, [cells.get(site.pk, {}).get(m.pk) for m in columns]) for site in sites],
        key=[(ICON_FILES[icon], ICON_LABELS[icon]) for icon in ICON_FILES if icon in shown],
        shared=any(d.shared for d in data.values()),
        grouped=_grouped_measures([s.pk for s in sites], columns),
    )


def _grouped_measures(site_ids: list[int], measures: list[Measure]) -> list[Measure]:
    """Those of `measures` that any of the sites has weekly figures by group for."""
    grouped = set(
        GroupedSeries.objects.filter(site_id__in=site_ids, frequency=Frequency.WEEKLY)
        .order_by()
        .values_list("measure_id", flat=True)
        .distinct()
    )
    return [m for m in measures if m.pk in grouped]


def _pack_chart(state: Any, measure: Measure) -> PackChart | None:
    rows = chart_table(state)
    if not rows:
        return None
    summary = state.summary
    annotations = [
        PackAnnotation(
            marker=a.get("marker") or chr(65 + n % 26),
            kind=a.get("kind", "note"),
            start=_day(a["date"]),
            end=_date(a.get("end")),
            line=a.get("line") or a.get("text", ""),
        )
        for n, a in enumerate(summary.get("annotations", []))
        if a.get("date")
    ]
    headline = list(summary.get("headline") or [])
    rest = (
        [summary[k] for k in ("target_words", "latest") if summary.get(k)]
        + list(summary.get("details", []))
        if headline
        else list(summary.get("sentences", []))
    )
    return PackChart(
        title=measure.name,
        dates=[_day(r["week"]) for r in rows],
        values=[_cell(r.get("value")) for r in rows],
        centre=[_cell(r.get("centre")) for r in rows],
        lower=[_cell(r.get("lower_drawn")) for r in rows],
        upper=[_cell(r.get("upper_drawn")) for r in rows],
        markers=[
            _pack_marker(
                r.get("variation", ""),
                r.get("signal_direction", ""),
                r.get("excluded") == "yes",
                r.get("provisional") == "yes",
            )
            for r in rows
        ],
        annotations=annotations,
        target=summary.get("target"),
        line_color=style.POINT_STYLES["common_cause"].color,
        target_color=style.TARGET["color"],
        band_color=style.PDSA_BAND["color"],
        headline=headline,
        summary=rest,
    )


def measures_pack(data: SiteMeasures | None, site: Site) -> list[PackSection]:
    if data is None or not data.rows:
        return []
    signals = [r for r in data.rows if r.needs_note or r.special in ("improvement", "concern")]
    sections = [
        PackSection(
            heading="New signals to discuss",
            bullets=[f"{r.measure.name}: {r.latest_signal}" for r in signals if r.latest_signal]
            or ["No special cause in the measures since the last meeting."],
        ),
        PackSection(
            heading="Measures at a glance",
            table=(
                ["Measure", "Last value", "Week", "Variation", "Assurance"],
                [
                    [
                        r.measure.name,
                        r.last_value,
                        f"{r.last_date:%d %b %Y}" if r.last_date else "",
                        r.variation_label,
                        r.assurance_label or "No target",
                    ]
                    for r in data.rows
                ],
            ),
        ),
    ]
    states = chart_states(
        site_ids=[site.pk], measure_ids=[r.measure.pk for r in data.rows], with_figures=True
    )
    charts = [
        chart
        for r in data.rows
        if (state := states.get((site.pk, r.measure.pk))) is not None
        and (chart := _pack_chart(state, r.measure)) is not None
    ]
    if charts:
        sections.append(PackSection(heading="Charts", charts=charts))
    return sections


def _digest_signals(user: AnyUser, sites: Sequence[Site], today: dt.date) -> list[str]:
    context = PanelContext(sites=sites, today=today, user=user)
    since = today - dt.timedelta(days=7)
    lines = []
    by_id = {s.pk: s for s in sites}
    for site_id, data in build_site_measures(context).items():
        for row in data.rows:
            if row.signal_period and row.signal_period >= since and row.latest_signal:
                lines.append(f"{by_id[site_id].code} {row.measure.name}: {row.latest_signal}")
    return lines


def _digest_missing(user: AnyUser, sites: Sequence[Site], today: dt.date) -> list[str]:
    senders = set(site_ids_for(user, Capability.UPLOAD)) | set(site_ids_for(user, Capability.EDIT))
    mine = [s for s in sites if s.pk in senders]
    if not mine:
        return []
    context = PanelContext(sites=mine, today=today, user=user)
    lines = []
    for site_id, data in build_site_measures(context).items():
        recent_missing = [
            w for w in data.missing_weeks if w >= monday(today) - dt.timedelta(weeks=4)
        ]
        if recent_missing:
            site = next(s for s in mine if s.pk == site_id)
            weeks = ", ".join(f"w/c {w:%d %b}" for w in recent_missing)
            lines.append(f"{site.code}: no figures for {weeks}")
    return lines


def register() -> None:
    register_panel(
        Panel(
            key="measures",
            title="Measures",
            order=20,
            build=build_site_measures,
            programme_build=build_programme_measures,
            template="measures/_panel_site.html",
            programme_template="measures/_panel_programme.html",
            programme_heading="Signals (where definitions agree) and data",
            programme_section=programme_grid,
            programme_section_template="measures/_programme_grid.html",
            pack=measures_pack,
        )
    )
    register_digest_section(
        DigestSection(
            key="signals", label="New signals on your measures", order=30, build=_digest_signals
        )
    )
    register_digest_section(
        DigestSection(
            key="missing_data",
            label="Weeks of missing data for your site",
            order=31,
            build=_digest_missing,
        )
    )
