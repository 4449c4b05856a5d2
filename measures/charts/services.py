"""Writes for charts: settings, adjustments, notes and shares (each recorded in the history and
followed by a rebuild on the worker), and `chart_rebuild`, which turns a site's figures into the
stored ChartState that pages read. Pages never analyse: the worker does, after every change."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from measures import spc
from measures.annotations import cycle_choices, provided_annotations
from measures.models import (
    ChartAdjustment,
    ChartSettings,
    ChartSettingsChange,
    ChartState,
    DataPoint,
    FigureSeries,
    Frequency,
    Measure,
    MeasureShare,
    PointNote,
    Upload,
)
from projects.audit import audit_record
from projects.models import AuditEvent, Site

from . import figures, words

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SETTINGS_FIELDS = ("chart_type", "rules", "freeze", "target", "improvement", "screen_outliers")
UNIT_LABELS: dict[str, str] = {Measure.Unit.PERCENT: "%", Measure.Unit.DAYS: "days"}


def natural_bounds(measure: Measure) -> figures.Bounds:
    """What the measure's values can be, on the plotted scale: counts, days and rates are
    never below 0 and percentages never outside 0-100, so limits are drawn within these (as
    qicharts2 does for attribute charts), though computed past them."""
    if measure.unit == Measure.Unit.PERCENT and (not measure.is_ratio or measure.multiplier == 100):
        return (0.0, 100.0)
    return (0.0, None)


# Rebuild requests ----------------------------------------------------------------------------


def chart_rebuild_request(*, site_id: int, measure_id: int) -> None:
    """Mark the site's charts of the measure stale (in the caller's transaction) and enqueue
    their rebuild once it commits. Several requests in one transaction cost one build: the
    first task builds the latest version and the others find nothing left to do."""
    from measures.recovery import send_on_commit
    from measures.tasks import rebuild_chart

    ChartState.objects.filter(site_id=site_id, measure_id=measure_id).update(
        requested_version=F("requested_version") + 1, requested_at=timezone.now()
    )
    # A broker outage leaves the chart stale, to be asked for again (recovery.work_sweep).
    send_on_commit(rebuild_chart, site_id, measure_id)


def charts_rebuild_request(*, changes: Mapping[int, Iterable[int]]) -> None:
    """The figures of each site id's measure ids changed (an upload, an undo, an entry): mark
    their charts, and those of the ratios computed from them, stale with one UPDATE in the
    caller's transaction, and send one task to rebuild them all once it commits. The cost is
    one statement and one message per upload, whatever the number of sites and measures."""
    from measures.recovery import send_on_commit
    from measures.tasks import rebuild_charts

    # Sites usually send the same measures: one query per distinct set, not one per site.
    affected: dict[frozenset[int], set[int]] = {}
    for ids in changes.values():
        key = frozenset(int(m) for m in ids)
        if key not in affected:
            affected[key] = affected_measure_ids(key)
    pairs = sorted(
        {
            (int(site_id), m)
            for site_id, ids in changes.items()
            for m in affected[frozenset(int(m) for m in ids)]
        }
    )
    if not pairs:
        return
    by_site: dict[int, list[int]] = {}
    for site_id, measure_id in pairs:
        by_site.setdefault(site_id, []).append(measure_id)
    ChartState.objects.filter(
        reduce(or_, (Q(site_id=s, measure_id__in=ids) for s, ids in by_site.items()))
    ).update(requested_version=F("requested_version") + 1, requested_at=timezone.now())
    send_on_commit(rebuild_charts, [list(pair) for pair in pairs])


def charts_rebuild(*, pairs: Iterable[Sequence[int]]) -> int:
    """Build the charts of each (site id, measure id) still stale; how many were built."""
    return sum(len(chart_rebuild(site_id=s, measure_id=m)) for s, m in pairs)


def affected_measure_ids(measure_ids: Iterable[int]) -> set[int]:
    """The measures and the ratios computed from them (dnas changes the DNA rate chart)."""
    ids = set(measure_ids)
    ids |= set(
        Measure.objects.filter(Q(numerator_id__in=ids) | Q(denominator_id__in=ids)).values_list(
            "pk", flat=True
        )
    )
    return ids


def measure_charts_rebuild_request(*, measure: Measure) -> None:
    """A measure's chart defaults changed: rebuild its charts at every site that has one."""
    site_ids = set(ChartState.objects.filter(measure=measure).values_list("site_id", flat=True))
    for site_id in sorted(site_ids):
        chart_rebuild_request(site_id=site_id, measure_id=measure.pk)


# Settings, adjustments, notes, shares --------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _record(
    *, site: Site, measure: Measure, user: User, field: str, before: Any, after: Any, reason: str
) -> None:
    ChartSettingsChange.objects.create(
        site=site,
        measure=measure,
        user=user if user is not None and user.is_authenticated else None,
        field=field,
        before=_text(before),
        after=_text(after),
        reason=reason,
    )


@transaction.atomic
def chart_settings_update(
    *, site: Site, measure: Measure, user: User, reason: str = "", **fields: Any
) -> ChartSettings:
    """Change any of chart_type, rules, freeze, target, improvement, screen_outliers ("" or
    None = the measure's default). Each changed field is kept in the history."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown chart settings: {sorted(unknown)}")
    current = ChartSettings.objects.select_for_update().filter(site=site, measure=measure).first()
    current = current or ChartSettings(site=site, measure=measure)
    chart_type = fields.get("chart_type", current.chart_type) or measure.chart_type
    if chart_type in ("p", "u") and not measure.is_ratio:
        raise ValidationError(
            {"chart_type": "P and U charts need a measure with a numerator and a denominator."}
        )
    freeze = fields.get("freeze", current.freeze)
    if freeze is not None and freeze < 2:
        raise ValidationError({"freeze": "Compute the limits from at least 2 points."})
    target = fields.get("target", current.target)
    if target is not None and not math.isfinite(target):
        raise ValidationError({"target": "Enter a number."})
    changed = []
    for name, value in fields.items():
        if value == "" and name in ("chart_type", "rules", "improvement"):
            value = ""
        if getattr(current, name) != value:
            changed.append((name, getattr(current, name), value))
            setattr(current, name, value)
    if not changed:
        return current
    current.updated_by = user
    current.save()
    for name, before, after in changed:
        _record(
            site=site,
            measure=measure,
            user=user,
            field=name,
            before=before,
            after=after,
            reason=reason,
        )
    chart_rebuild_request(site_id=site.pk, measure_id=measure.pk)
    return current


def _data_measure_ids(measure: Measure) -> list[int | None]:
    if measure.is_ratio:
        return [measure.pk, measure.numerator_id, measure.denominator_id]
    return [measure.pk]


def _data_periods(site: Site, measure: Measure) -> Any:
    return DataPoint.objects.filter(site=site, measure_id__in=_data_measure_ids(measure))


def _snap(period: dt.date, frequency: str) -> dt.date:
    if frequency == Frequency.MONTHLY:
        return period.replace(day=1)
    return period - dt.timedelta(days=period.weekday())


@transaction.atomic
def chart_adjustment_add(
    *,
    site: Site,
    measure: Measure,
    user: User,
    kind: str,
    period: dt.date,
    reason: str,
    pdsa_cycle_id: int | None = None,
) -> ChartAdjustment:
    """Rebase the chart from `period` (a new part with its own centre and limits) or exclude
    the point of `period` from the calculations. A reason is required; a rebase may name the
    adopted PDSA cycle that justified it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why, so others reading the chart understand."})
    if kind not in ChartAdjustment.Kind.values:
        raise ValidationError({"kind": "Choose rebase or exclude."})
    points = _data_periods(site, measure)
    if kind == ChartAdjustment.Kind.EXCLUDE:
        candidates = {_snap(period, Frequency.WEEKLY), _snap(period, Frequency.MONTHLY)}
        found = points.filter(period__in=candidates).values_list("period", flat=True).first()
        if found is None:
            raise ValidationError({"period": "There is no figure for that week to exclude."})
        period = found
    else:
        period = _snap(period, Frequency.WEEKLY)
        span = points.order_by("period").values_list("period", flat=True)
        first, last = (
            span.first(),
            points.order_by("-period").values_list("period", flat=True).first(),
        )
        if first is None or not (first < period <= last):
            raise ValidationError(
                {"period": "A rebase must fall after the first week of data and by the last."}
            )
    title = ""
    if pdsa_cycle_id is not None:
        if kind != ChartAdjustment.Kind.REBASE:
            raise ValidationError({"pdsa_cycle_id": "Only a rebase can cite a PDSA cycle."})
        choices = {c.id: c for c in cycle_choices(site=site, measure=measure)}
        if pdsa_cycle_id not in choices:
            raise ValidationError(
                {"pdsa_cycle_id": "Choose an adopted PDSA cycle of this site for this measure."}
            )
        title = choices[pdsa_cycle_id].title
    try:
        with transaction.atomic():
            adjustment = ChartAdjustment.objects.create(
                site=site,
                measure=measure,
                kind=kind,
                period=period,
                reason=reason,
                pdsa_cycle_id=pdsa_cycle_id,
                pdsa_title=title,
                created_by=user,
            )
    except IntegrityError:
        raise ValidationError(
            {"period": f"That week already has a {kind} on this chart."}
        ) from None
    _record(
        site=site,
        measure=measure,
        user=user,
        field=kind,
        before="",
        after=period.isoformat() + (f" ({title})" if title else ""),
        reason=reason,
    )
    chart_rebuild_request(site_id=site.pk, measure_id=measure.pk)
    return adjustment


@transaction.atomic
def chart_adjustment_remove(*, adjustment: ChartAdjustment, user: User, reason: str = "") -> None:
    site, measure = adjustment.site, adjustment.measure
    _record(
        site=site,
        measure=measure,
        user=user,
        field=adjustment.kind,
        before=adjustment.period.isoformat(),
        after="",
        reason=reason or "Removed",
    )
    adjustment.delete()
    chart_rebuild_request(site_id=site.pk, measure_id=measure.pk)


@transaction.atomic
def point_note_add(
    *, site: Site, measure: Measure, user: User, period: dt.date, text: str
) -> PointNote:
    """A note on a point: why it happened. The week must have a figure."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the note."})
    candidates = {period, _snap(period, Frequency.WEEKLY), _snap(period, Frequency.MONTHLY)}
    found = (
        _data_periods(site, measure)
        .filter(period__in=candidates)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    if found is None:
        raise ValidationError({"period": "There is no figure for that week."})
    note = PointNote.objects.create(
        site=site, measure=measure, period=found, text=text, author=user
    )
    chart_rebuild_request(site_id=site.pk, measure_id=measure.pk)
    return note


@transaction.atomic
def measure_share_set(*, site: Site, measure: Measure, user: User, shared: bool) -> bool:
    """Let the other sites of the programme see (or stop seeing) the site's chart."""
    existing = MeasureShare.objects.filter(site=site, measure=measure)
    if shared == existing.exists():
        return shared
    if shared:
        MeasureShare.objects.create(site=site, measure=measure, shared_by=user)
    else:
        existing.delete()
    audit_record(
        action=AuditEvent.Action.SHARE if shared else AuditEvent.Action.SHARE_WITHDRAWN,
        user=user,
        site=site,
        what=f"chart of {measure.name} with the programme's other sites",
    )
    _record(
        site=site,
        measure=measure,
        user=user,
        field="shared",
        before="no" if shared else "yes",
        after="yes" if shared else "no",
        reason="",
    )
    return shared


# Building the chart --------------------------------------------------------------------------


def _next_period(period: dt.date, frequency: str) -> dt.date:
    if frequency == Frequency.MONTHLY:
        return (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return period + dt.timedelta(days=7)


def _grid(periods: Iterable[dt.date], frequency: str) -> list[dt.date]:
    """Every period from the first to the last: missing ones become gaps, not joins."""
    periods = sorted(set(periods))
    if not periods:
        return []
    out, d = [], periods[0]
    known = set(periods)
    while d <= periods[-1]:
        out.append(d)
        d = _next_period(d, frequency)
    # Periods off the grid (e.g. a week not starting on the usual weekday) keep their place.
    extra = known - set(out)
    return sorted(set(out) | extra) if extra else out


def _provisional_periods(
    uploads_of: dict[tuple[str, dt.date], set[int]],
) -> dict[str, set[dt.date]]:
    """Per frequency, the periods that were not over on the day their figures were uploaded
    (a week counted on its Wednesday): provisional until an upload after the period's end
    brings them again. A figure with no upload is judged against today."""
    ids = {i for found in uploads_of.values() for i in found if i is not None}
    uploaded = {
        pk: timezone.localdate(at)
        for pk, at in Upload.objects.filter(pk__in=ids).values_list("pk", "created_at")
    }
    today = timezone.localdate()
    out: dict[str, set[dt.date]] = {}
    for (frequency, period), found in uploads_of.items():
        end = _next_period(period, frequency)
        if any(uploaded.get(i, today) < end for i in found):
            out.setdefault(frequency, set()).add(period)
    return out


def effective_settings(*, measure: Measure, chart_settings: ChartSettings | None) -> dict[str, Any]:
    s = chart_settings
    improvement = (s.improvement if s else "") or measure.improvement
    return {
        "chart_type": (s.chart_type if s else "") or measure.chart_type,
        "rules": (s.rules if s else "") or measure.rules,
        "freeze": s.freeze if s else None,
        "target": s.target if s else None,
        "improvement": None if improvement == Measure.Improvement.NEUTRAL else improvement,
        "screen_outliers": (
            measure.screen_outliers if s is None or s.screen_outliers is None else s.screen_outliers
        ),
    }


# The summary keys a dashboard shows, copied into ChartState.glance.
GLANCE_KEYS = (
    "variation_icon",
    "assurance_icon",
    "last_value",
    "last_date",
    "latest_signal",
    "latest_signal_periods",
)
GLANCE_WEEKS = 16  # weeks with figures kept in the glance: more than a dashboard looks back


def glance_of(summary: dict[str, Any], periods: Iterable[dt.date | str] = ()) -> dict[str, Any]:
    """The part of a chart a dashboard shows: its summary's GLANCE_KEYS, and `recent_periods`,
    the latest GLANCE_WEEKS weeks (ISO dates) in which the site sent any of the chart's figures.
    Empty for a chart not built yet."""
    if not summary:
        return {}
    recent = sorted({p if isinstance(p, str) else p.isoformat() for p in periods})
    return {
        **{key: summary.get(key) for key in GLANCE_KEYS},
        "recent_periods": recent[-GLANCE_WEEKS:],
    }


def _build(
    *,
    site: Site,
    measure: Measure,
    frequency: str,
    opts: dict[str, Any],
    values_by: dict[int, dict[dt.date, float]],
    adjustments: list[ChartAdjustment],
    notes: list[PointNote],
    provided: list[tuple[figures.Annotation, str]],
    provisional: Iterable[dt.date] = (),
) -> dict[str, Any]:
    chart_type = opts["chart_type"]
    remarks: list[str] = []
    num_map = den_map = None
    num_id, den_id = measure.numerator_id, measure.denominator_id  # both set: a ratio
    if (
        num_id is not None
        and den_id is not None
        and (values_by.get(num_id) or values_by.get(den_id))
    ):
        num_map = values_by.get(num_id, {})
        den_map = values_by.get(den_id, {})
        dates = _grid([*num_map, *den_map], frequency)
        values = [num_map.get(d) for d in dates]
        denominators: list[float | None] | None = [den_map.get(d) for d in dates]
        multiply = measure.multiplier or 1
    else:
        own = values_by.get(measure.pk, {})
        dates = _grid(own, frequency)
        values = [own.get(d) for d in dates]
        denominators = None
        multiply = 1
        if chart_type in ("p", "u"):
            remarks.append(
                "Shown as an XmR chart: the numerator and denominator figures are not available."
            )
            chart_type = "xmr"
    index = {d: i for i, d in enumerate(dates)}
    # Provisional periods are drawn hollow and left out of the analysis (as missing).
    unfinished: dict[int, float] = {}
    for d in sorted(set(provisional) & set(index)):
        i = index[d]
        shown = values[i]
        if denominators is not None:
            den = denominators[i]
            shown = None if shown is None or not den else shown / den * multiply
            denominators[i] = None
        if shown is not None:
            unfinished[i] = shown
        values[i] = None

    def position(day: dt.date) -> int | None:
        """The point whose period holds `day` (rebases start at the first point from it)."""
        for i, d in enumerate(dates):
            if d >= day:
                return i
        return None

    parts = []
    exclude = []
    annotations: list[tuple[figures.Annotation, str]] = []
    for a in adjustments:
        if a.kind == ChartAdjustment.Kind.REBASE:
            start = position(a.period)
            if start:
                parts.append(start)
            text = a.reason + (f" ({a.pdsa_title})" if a.pdsa_title else "")
            annotations.append((figures.Annotation(a.period, text, "rebase"), ""))
        else:
            if a.period in index:
                exclude.append(index[a.period])
            annotations.append((figures.Annotation(a.period, a.reason, "exclusion"), ""))
    for n in notes:
        annotations.append((figures.Annotation(n.period, n.text, "note"), ""))
    annotations.extend(provided)
    if dates:
        lo, hi = dates[0], _next_period(dates[-1], frequency)
        annotations = [
            (a, url) for a, url in annotations if a.date < hi and (a.end or a.date) >= lo
        ]
    # By date; on one date a PDSA cycle first, then a rebase, a note, an exclusion.
    kinds = {k: n for n, k in enumerate(figures.ANNOTATION_KINDS)}
    annotations.sort(key=lambda pair: (pair[0].date, kinds[pair[0].kind]))

    result = spc.analyse(
        values,
        chart=chart_type,
        rules=opts["rules"],
        denominators=denominators,
        freeze=opts["freeze"],
        parts=parts,
        exclude=exclude,
        screen_outliers=opts["screen_outliers"],
        improvement=opts["improvement"],
        multiply=multiply,
    )
    unit = UNIT_LABELS.get(measure.unit, "")
    bounds = natural_bounds(measure)
    period = "month" if frequency == Frequency.MONTHLY else "week"
    just = [a for a, _ in annotations]
    figure = figures.build_figure(
        result=result,
        dates=dates,
        title=measure.name,
        unit_label=unit,
        improvement=opts["improvement"],
        annotations=just,
        target=opts["target"],
        bounds=bounds,
        period=period,
        provisional=unfinished,
    )
    small = figures.small_multiple_figure(
        result=result,
        dates=dates,
        site_name=site.name,
        unit_label=unit,
        improvement=opts["improvement"],
        annotations=just,
        target=opts["target"],
        bounds=bounds,
        period=period,
        provisional=unfinished,
    )
    summary = words.chart_summary(
        result=result,
        dates=dates,
        improvement=opts["improvement"],
        target=opts["target"],
        measure_name=measure.name,
        unit_label=unit,
        annotations=just,
        period=period,
        provisional=unfinished,
    )
    summary.remarks = remarks
    key = figures.annotation_key(just, dates)
    urls = [url for _, url in annotations]
    rows = figures.chart_csv_rows(
        result=result, dates=dates, annotations=just, bounds=bounds, provisional=unfinished
    )[1:]
    labels = words.point_labels(result)
    for i in unfinished:
        labels[i] = words.PROVISIONAL_LABEL
    latest_periods: list[str] = []
    if result.episodes:
        last = max(result.episodes, key=lambda e: max(e.indices))
        latest_periods = [dates[i].isoformat() for i in last.indices]
    fields: dict[str, Any] = {
        "figure": figure,
        "small_figure": small,
        "rows": rows,
        "labels": labels,
        "summary": {
            "headline": summary.headline,
            "target_words": summary.target,
            "latest": summary.latest,
            "details": summary.details,
            "remarks": remarks,
            "sentences": summary.sentences,
            "cycle": summary.cycle,
            "rebase_offer": (
                {
                    "period": summary.rebase_offer[0].isoformat(),
                    "cycle_id": summary.rebase_offer[1].ref,
                    "cycle": summary.cycle,
                }
                if summary.rebase_offer and period == "week"
                else None
            ),
            "variation_icon": summary.variation_icon,
            "assurance_icon": summary.assurance_icon,
            "latest_signal": summary.latest_signal,
            "last_value": summary.last_value,
            "last_date": summary.last_date.isoformat() if summary.last_date else None,
            "signal_periods": [
                d.isoformat() for d, p in zip(dates, result.points, strict=True) if p.signals
            ],
            "latest_signal_periods": latest_periods,
            "provisional": [dates[i].isoformat() for i in sorted(unfinished)],
            "annotations": [
                {
                    "marker": e.marker,
                    "date": e.annotation.date.isoformat(),
                    "end": e.annotation.end.isoformat() if e.annotation.end else None,
                    "kind": e.annotation.kind,
                    "text": e.annotation.text,
                    "label": e.annotation.label,
                    "outcome": e.annotation.outcome,
                    "title": e.annotation.title,
                    "when": e.when,
                    "remark": e.remark,
                    "line": e.line,
                    "url": url,
                }
                for e, url in zip(key, urls, strict=True)
            ],
            "columns": figures.CSV_HEADER,
            "chart_type": chart_type,
            "rules": opts["rules"],
            "improvement": opts["improvement"],
            "target": opts["target"],
            "unit": unit,
            "n_points": sum(v is not None for v in (p.value for p in result.points)),
        },
    }
    sent = {period for by_period in values_by.values() for period in by_period}
    fields["glance"] = glance_of(fields["summary"], sent)
    return fields


def chart_rebuild(*, site_id: int, measure_id: int, force: bool = False) -> list[ChartState]:
    """Build and store the site's charts of the measure (weekly, and monthly where there are
    monthly figures). Without `force`, states already built at their requested version are
    left alone (a burst of requests costs one build)."""
    site = Site.objects.select_related("programme").filter(pk=site_id).first()
    measure = Measure.objects.filter(pk=measure_id).first()
    if site is None or measure is None:
        return []
    existing = {
        s.frequency: s
        for s in ChartState.objects.filter(site=site, measure=measure).defer(
            "figure", "small_figure", "rows", "labels"
        )
    }
    values_by: dict[str, dict[int, dict[dt.date, float]]] = {}
    uploads_of: dict[tuple[str, dt.date], set[int]] = {}
    for row in FigureSeries.objects.filter(
        site=site, measure_id__in=_data_measure_ids(measure)
    ).order_by():
        values = values_by.setdefault(row.frequency, {}).setdefault(row.measure_id, {})
        for period, value, upload_id in row.points():
            values[period] = value
            uploads_of.setdefault((row.frequency, period), set()).add(upload_id)
    unfinished = _provisional_periods(uploads_of)
    frequencies = sorted({Frequency.WEEKLY, *values_by})
    todo = [f for f in frequencies if force or f not in existing or existing[f].is_stale]
    if not todo:
        return []
    opts = effective_settings(
        measure=measure,
        chart_settings=ChartSettings.objects.filter(site=site, measure=measure).first(),
    )
    adjustments = list(ChartAdjustment.objects.filter(site=site, measure=measure))
    notes = list(PointNote.objects.filter(site=site, measure=measure))
    provided = provided_annotations(site=site, measure=measure)
    # The gaps between groups the site dashboard flags, kept in the weekly chart's glance.
    # Imported here: the equity view builds on this module.
    from .equity import gap_variations

    gap_threshold = site.programme.small_count_threshold
    gaps = gap_variations(site=site, measure=measure, threshold=gap_threshold)
    built = []
    for frequency in todo:
        version = existing[frequency].requested_version if frequency in existing else 1
        fields = _build(
            site=site,
            measure=measure,
            frequency=frequency,
            opts=opts,
            values_by=values_by.get(frequency, {}),
            adjustments=adjustments,
            notes=notes,
            provided=provided,
            provisional=unfinished.get(frequency, set()),
        )
        if frequency == Frequency.WEEKLY and fields["glance"]:
            fields["glance"].update(gap_variations=gaps, gap_threshold=gap_threshold)
        fields.update(built_at=timezone.now(), built_version=version)
        if frequency in existing:
            # Only the built fields: a request that arrived meanwhile keeps the state stale.
            ChartState.objects.filter(pk=existing[frequency].pk).update(**fields)
            state = ChartState.objects.get(pk=existing[frequency].pk)
        else:
            try:
                with transaction.atomic():
                    state = ChartState.objects.create(
                        site=site,
                        measure=measure,
                        frequency=frequency,
                        requested_version=version,
                        **fields,
                    )
            except IntegrityError:  # built concurrently: keep theirs
                continue
        built.append(state)
    # Figures removed altogether (an upload undone): drop the monthly chart.
    ChartState.objects.filter(site=site, measure=measure).exclude(
        frequency__in=frequencies
    ).delete()
    return built


def chart_rebuild_site(*, site: Site) -> int:
    """Build every chart of the site now (demo loader, management): one per measure with data."""
    ids = set(
        FigureSeries.objects.filter(site=site)
        .order_by()
        .values_list("measure_id", flat=True)
        .distinct()
    )
    ids = affected_measure_ids(ids)
    for measure_id in sorted(ids):
        chart_rebuild(site_id=site.pk, measure_id=measure_id, force=True)
    return len(ids)
