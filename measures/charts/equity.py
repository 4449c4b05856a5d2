"""The equity view of a measure: its figures per group, each with its own SPC analysis, and the
gap between two groups analysed as an SPC chart, so that "the gap narrowed after PDSA 3" is a
signal the rules find, not an impression.

The gap:
- waits (a measure in days): the difference, group minus comparison (days);
- counts and proportions: the rate ratio, group over comparison. For accepted, signposted and
  rejected referrals the rate is the share of the group's referrals received; for other counts
  (no population denominators are held) it is the ratio of the two counts.
For IMD quintiles the comparison is quintile 1 (most deprived) against quintile 5 (least
deprived); for other groupings a chosen group against the rest (every other group with a
known value). The rest's wait is the median of each other group's median weighted by the
children behind it, since no record is kept to take the median of the rest itself.
Which direction is better follows the baseline: a gap that starts at or above no difference
(0 days, ratio 1) improves by falling, one that starts below it by rising.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from measures import spc
from measures.annotations import provided_annotations
from measures.ingest.groups import GROUPINGS, NOT_KNOWN, group_name
from measures.models import Frequency, GroupedSeries, Measure
from projects.models import Site

from . import figures, words
from .services import UNIT_LABELS, _grid, effective_settings, natural_bounds

RATE_OF_RECEIVED = {"referrals_accepted", "referrals_signposted", "referrals_rejected"}
UNKNOWN_GROUPS = {NOT_KNOWN, "Not stated"}


@dataclass
class GroupPanel:
    group: str
    name: str
    figure: dict[str, Any]
    headline: list[str]
    latest: str | None
    hidden_weeks: int  # weeks shown as "fewer than N", not plotted
    latest_hidden: bool
    dom_id: str = ""


@dataclass
class EquityView:
    by: str
    title: str
    groups: list[str]  # groups with figures, in the grouping's order
    group: str  # the group the gap is about
    comparison: str  # "5" or "the rest"
    gap_kind: str  # "difference" | "ratio"
    gap_title: str
    threshold: int | None  # set when small numbers are hidden from this reader
    panels: list[GroupPanel] = field(default_factory=list)
    gap_figure: dict[str, Any] | None = None
    gap_headline: list[str] = field(default_factory=list)
    gap_details: list[str] = field(default_factory=list)
    gap_latest: str | None = None
    gap_variation: str | None = None  # the latest gap point's variation (for dashboards)
    gap_small_figure: dict[str, Any] | None = None  # for the programme's comparison


def _rows(site: Site, measure_ids: list[int], by: str) -> dict[int, dict[str, dict]]:
    """measure id -> group -> period -> (value, records)."""
    out: dict[int, dict[str, dict]] = {}
    for series in GroupedSeries.objects.filter(
        site=site, measure_id__in=measure_ids, by=by, frequency=Frequency.WEEKLY
    ):
        out.setdefault(series.measure_id, {})[series.group] = {
            period: (value, n) for period, value, n in series.points()
        }
    return out


def _hidden(n: int, threshold: int | None) -> bool:
    return threshold is not None and 0 < n < threshold


def default_group(by: str, groups: list[str]) -> str:
    if by == "imd_quintile":
        return "1"
    known = [g for g in groups if g not in UNKNOWN_GROUPS]
    return (known or groups or [""])[0]


def equity_view(
    *,
    site: Site,
    measure: Measure,
    by: str,
    group: str | None = None,
    threshold: int | None = None,
    with_figures: bool = True,
    with_gap_figure: bool = False,
    shared: bool = False,
) -> EquityView:
    """The equity view as `threshold` lets its reader see it (None: every figure). `shared`:
    for a shared link's reader, PDSA cycles are marked by their label ("PDSA 3") only, without
    the cycle's title or its record, which are the project team's."""
    grouping = GROUPINGS[by]
    denom_id = _denominator_id(measure)
    rate = denom_id is not None
    ids = [measure.pk] + ([denom_id] if denom_id is not None else [])
    data = _rows(site, ids, by)
    mine = data.get(measure.pk, {})
    groups = _ordered_groups(by, mine)
    group, comparison, others = _comparison(by, groups, group)
    waits = measure.unit == Measure.Unit.DAYS
    gap_kind = "difference" if waits else "ratio"
    label = grouping.title
    named = f"quintile {group}" if by == "imd_quintile" else group
    against = "quintile 5 (least deprived)" if by == "imd_quintile" else "the rest"
    if by == "imd_quintile" and group == "1":
        named = "quintile 1 (most deprived)"
    between = f"{named} and {against}" + ("" if by == "imd_quintile" else f" ({label})")
    if waits:
        gap_title = f"The gap in {measure.name.lower()} between {between}"
    elif rate:
        gap_title = f"The rate ratio of {measure.name.lower()} between {between}"
    else:
        gap_title = f"The ratio of {measure.name.lower()} between {between}"
    view = EquityView(
        by=by,
        title=label,
        groups=groups,
        group=group,
        comparison=comparison,
        gap_kind=gap_kind,
        gap_title=gap_title,
        threshold=threshold,
    )
    if not groups:
        return view
    opts = effective_settings(measure=measure, chart_settings=None)
    unit = UNIT_LABELS.get(measure.unit, "")
    bounds = natural_bounds(measure)
    annotations = [a for a, _ in provided_annotations(site=site, measure=measure)]
    if shared:
        annotations = [replace(a, text=a.label or a.kind, ref=None) for a in annotations]
    dates = _grid([p for g in mine.values() for p in g], Frequency.WEEKLY)
    lo, hi = dates[0], dates[-1] + dt.timedelta(weeks=1)
    annotations = [a for a in annotations if a.date < hi and (a.end or a.date) >= lo]
    annotations.sort(key=lambda a: a.date)
    if with_figures:
        for g in groups:
            cells = mine[g]
            values: list[float | None] = []
            hidden = 0
            for d in dates:
                cell = cells.get(d)
                if cell is None:
                    values.append(None)
                elif _hidden(cell[1], threshold):
                    values.append(None)
                    hidden += 1
                else:
                    values.append(cell[0])
            result = spc.analyse(
                values,
                chart=opts["chart_type"] if opts["chart_type"] in ("xmr", "run") else "xmr",
                rules=opts["rules"],
                improvement=opts["improvement"],
                screen_outliers=opts["screen_outliers"],
            )
            name = f"{measure.name}, {group_name(by, g).lower() if by == 'imd_quintile' else g}"
            summary = words.chart_summary(
                result=result,
                dates=dates,
                improvement=opts["improvement"],
                measure_name=name,
                unit_label=unit,
                annotations=annotations,
            )
            last_cell = cells.get(dates[-1])
            view.panels.append(
                GroupPanel(
                    group=g,
                    name=group_name(by, g),
                    figure=figures.small_multiple_figure(
                        result=result,
                        dates=dates,
                        site_name=g,
                        unit_label=unit,
                        improvement=opts["improvement"],
                        annotations=annotations,
                        bounds=bounds,
                    ),
                    headline=summary.headline,
                    latest=summary.latest,
                    hidden_weeks=hidden,
                    latest_hidden=last_cell is not None and _hidden(last_cell[1], threshold),
                    dom_id=f"group-{len(view.panels) + 1}",
                )
            )
    gap = _gap(
        dates=dates,
        mine=mine,
        denom=data.get(denom_id, {}) if denom_id is not None else None,
        group=group,
        others=others,
        waits=waits,
        threshold=threshold,
    )
    analysed = _gap_analysis(gap, waits=waits)
    if analysed is None:
        view.gap_headline = [
            "There are too few weeks with figures for both groups to chart the gap."
        ]
        return view
    result, improvement = analysed
    gap_unit = "days" if waits else ""
    summary = words.chart_summary(
        result=result,
        dates=dates,
        improvement=improvement,
        measure_name=gap_title,
        unit_label=gap_unit,
        annotations=annotations,
    )
    view.gap_headline = summary.headline
    view.gap_details = summary.details
    view.gap_latest = summary.latest
    view.gap_variation = _latest_variation(gap, result)
    if with_gap_figure:
        view.gap_small_figure = figures.small_multiple_figure(
            result=result,
            dates=dates,
            site_name=site.name,
            unit_label=gap_unit,
            improvement=improvement,
            annotations=annotations,
        )
    if with_figures:
        view.gap_figure = figures.build_figure(
            result=result,
            dates=dates,
            title=gap_title,
            unit_label=gap_unit,
            improvement=improvement,
            annotations=annotations,
            bounds=(None, None),
        )
    return view


def _denominator_id(measure: Measure) -> int | None:
    """Accepted, signposted and rejected: the gap is a ratio of shares of referrals received,
    whose id this is (None for other measures)."""
    if measure.code not in RATE_OF_RECEIVED:
        return None
    received = Measure.objects.filter(code="referrals_received").first()
    return received.pk if received is not None else None


def _ordered_groups(by: str, mine: dict[str, Any]) -> list[str]:
    order = {g: i for i, g in enumerate(GROUPINGS[by].groups)}
    return sorted(mine, key=lambda g: (order.get(g, len(order)), g))


def _comparison(by: str, groups: list[str], group: str | None) -> tuple[str, str, list[str]]:
    """(the group the gap is about, what it is compared with, the groups that make that up)."""
    if group not in groups:
        group = default_group(by, groups)
    if by == "imd_quintile":
        return group, "5", ["5"]
    return group, "the rest", [g for g in groups if g != group and g not in UNKNOWN_GROUPS]


def _gap_analysis(gap: list[float | None], *, waits: bool) -> tuple[spc.SPCResult, str] | None:
    """The gap's SPC analysis and its direction of improvement; None when too few weeks have
    figures for both sides."""
    known = [v for v in gap if v is not None]
    if len(known) < 2:
        return None
    baseline = np.mean(known[: max(len(known) // 2, 1)])
    no_gap = 0.0 if waits else 1.0
    # With no gap at first, the group in question (the most deprived, or the chosen group)
    # is the one whose disadvantage the chart watches for: a rise is the concern.
    improvement = "decrease" if baseline >= no_gap else "increase"
    return spc.analyse(gap, chart="xmr", rules="mdc", improvement=improvement), improvement


def gap_variations(*, site: Site, measure: Measure, threshold: int) -> dict[str, dict[str, Any]]:
    """The variation of the latest point of each default gap of the site's measure (one per
    grouping it has weekly figures by), as every figure shows it ("all") and with groups
    below `threshold` left out ("hidden"): what the site dashboard flags, kept in the chart's
    glance by the worker (measures.charts.services.chart_rebuild) so that no page computes
    it. Two queries."""
    denom_id = _denominator_id(measure)
    ids = [measure.pk] + ([denom_id] if denom_id is not None else [])
    rows: dict[tuple[int, str], dict[str, dict]] = {}
    for series in GroupedSeries.objects.filter(
        site=site, measure_id__in=ids, frequency=Frequency.WEEKLY
    ):
        rows.setdefault((series.measure_id, series.by), {})[series.group] = {
            period: (value, n) for period, value, n in series.points()
        }
    out: dict[str, dict[str, Any]] = {}
    for (measure_id, by), mine in sorted(rows.items()):
        if measure_id != measure.pk or by not in GROUPINGS:
            continue
        group, _, others = _comparison(by, _ordered_groups(by, mine), None)
        dates = _grid([p for g in mine.values() for p in g], Frequency.WEEKLY)
        variations = {}
        waits = measure.unit == Measure.Unit.DAYS
        for reader, hide in (("all", None), ("hidden", threshold)):
            gap = _gap(
                dates=dates,
                mine=mine,
                denom=rows.get((denom_id, by), {}) if denom_id is not None else None,
                group=group,
                others=others,
                waits=waits,
                threshold=hide,
            )
            analysed = _gap_analysis(gap, waits=waits)
            variations[reader] = _latest_variation(gap, analysed[0]) if analysed else None
        out[by] = variations
    return out


def _latest_variation(gap: list[float | None], result: spc.SPCResult) -> str | None:
    last = max((i for i, v in enumerate(gap) if v is not None), default=None)
    return result.points[last].variation if last is not None else None


def _gap(
    *,
    dates: list[dt.date],
    mine: dict,
    denom: dict | None,
    group: str,
    others: list[str],
    waits: bool,
    threshold: int | None,
) -> list[float | None]:
    """The gap per week; a week is missing where either side has no figure, or a figure this
    reader may not see."""
    out: list[float | None] = []
    for d in dates:
        a = mine.get(group, {}).get(d)
        bs = [mine.get(g, {}).get(d) for g in others]
        bs = [b for b in bs if b is not None]
        if (
            a is None
            or not bs
            or _hidden(a[1], threshold)
            or any(_hidden(b[1], threshold) for b in bs)
        ):
            out.append(None)
            continue
        if waits:
            weights = sum(b[1] for b in bs)
            if not weights or not a[1]:
                out.append(None)
                continue
            rest = _weighted_median([b[0] for b in bs], [b[1] for b in bs])
            out.append(round(a[0] - rest, 2))
            continue
        num_a, num_b = a[0], sum(b[0] for b in bs)
        if denom is not None:
            da = denom.get(group, {}).get(d)
            db = [denom.get(g, {}).get(d) for g in others]
            den_a = da[0] if da else 0.0
            den_b = sum(x[0] for x in db if x)
            if not den_a or not den_b or not num_b:
                out.append(None)
                continue
            out.append(round((num_a / den_a) / (num_b / den_b), 4))
        else:
            out.append(round(num_a / num_b, 4) if num_b else None)
    return out


def _weighted_median(values: list[float], weights: list[int]) -> float:
    order = np.argsort(values)
    v = np.asarray(values, float)[order]
    w = np.asarray(weights, float)[order]
    cum = np.cumsum(w)
    half = cum[-1] / 2
    i = int(np.searchsorted(cum, half))
    if cum[i] == half and i + 1 < len(v):
        return float((v[i] + v[i + 1]) / 2)
    return float(v[i])


def gap_concerns(
    *,
    site: Site,
    glances: dict[int, dict[str, Any]],
    measures: dict[int, Measure],
    threshold: int | None,
) -> list[tuple[int, str]]:
    """(measure id, grouping) of each gap whose latest point is special cause of concern, read
    from the site's glances (by measure id) the worker built; with `threshold`, as a reader who
    may not see small counts sees it. A glance built under another threshold (the programme's
    was changed since) is analysed again here, as the equity view would."""
    found = []
    for measure_id, glance in glances.items():
        if measure_id not in measures:
            continue
        for by, variations in (glance.get("gap_variations") or {}).items():
            if threshold is None:
                variation = variations.get("all")
            elif glance.get("gap_threshold") == threshold:
                variation = variations.get("hidden")
            else:
                variation = equity_view(
                    site=site,
                    measure=measures[measure_id],
                    by=by,
                    threshold=threshold,
                    with_figures=False,
                ).gap_variation
            if variation == "special_cause_concern":
                found.append((measure_id, by))
    return sorted(found)
