"""Plotly figures and the CSV rows of a chart.

Pure Python, no Django import: ``measures.spc`` turns numbers into statistics and signals;
this module turns an ``SPCResult`` into

* a plotly figure as a plain JSON-serialisable dict (``build_figure``, ``small_multiple_figure``)
  that the template emits with ``json_script`` and ``static/js/charts.js`` draws with plotly.js;
* the key of what is marked on it (``annotation_key``): PDSA cycles, rebases and notes are drawn
  as short lettered markers in lanes above the plot, so they never collide, with their full
  titles in the key under the chart and in the markers' hover text;
* the rows of the CSV download (``chart_csv_rows``).

Its words come from ``measures.charts.words`` and its colours and shapes from
``measures.charts.style`` (shared with the small multiples and the PDF meeting pack).

The time axis spans the data, with a little room, whatever is marked on it: plotly would
otherwise stretch it to fit annotation text and shapes. Limits are drawn within the measure's
natural ``bounds`` (not below 0 for counts, days and rates; within 0-100 for percentages), as
qicharts2 does for attribute charts; the CSV keeps the computed limits beside the drawn ones.

Figures are built from plain dicts because ``plotly.graph_objects`` validates every property on
construction and is two orders of magnitude slower; the tests check that
``plotly.graph_objects.Figure`` accepts what is built here.

Public API::

    Annotation(date, text, kind, end=None, label="", outcome="", ref=None)
    annotation_key(annotations, dates) -> list[KeyEntry]
    build_figure(*, result, dates, title, unit_label, improvement, ...) -> dict
    small_multiple_figure(*, result, dates, site_name, ...) -> dict
    chart_csv_rows(*, result, dates, annotations=(), bounds=(None, None)) -> list[list]
"""

from __future__ import annotations

import datetime as _dt
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from measures.spc import SPCResult

from . import style, words
from .style import (
    FONT_FAMILY,
    NHS_BLACK,
    NHS_DARK_GREY,
    NHS_MID_GREY,
    NHS_PALE_GREY,
    NHS_WARM_YELLOW,
    NHS_WHITE,
)

__all__ = [
    "ANNOTATION_KINDS",
    "CSV_HEADER",
    "Annotation",
    "KeyEntry",
    "annotation_key",
    "build_figure",
    "chart_csv_rows",
    "small_multiple_figure",
    "x_range",
]

ANNOTATION_KINDS = ("pdsa", "rebase", "note", "exclusion")
KIND_WORDS = {
    "pdsa": "PDSA cycle",
    "rebase": "Limits recalculated",
    "note": "Note",
    "exclusion": "Left out of the calculations",
}
OUTCOME_WORDS = {"adopt": "adopted", "adapt": "adapted", "abandon": "abandoned"}

CSV_HEADER = [
    "week",
    "value",
    "centre",
    "lower",
    "upper",
    "lower_drawn",
    "upper_drawn",
    "near_lower",
    "near_upper",
    "part",
    "excluded",
    "provisional",
    "signals",
    "variation",
    "signal_direction",
    "note",
]

Bounds = tuple[float | None, float | None]

# Markers of annotations: one lane is this many pixels high; lanes are planned for a plot this
# narrow (a 390 px phone), so markers that do not collide there collide nowhere wider.
LANE_PX = 22
MIN_PLOT_PX = 250
_MARKER_GAP_PX = 6


@dataclass(frozen=True, slots=True)
class Annotation:
    """Something that happened at a date, marked on the chart.

    ``kind`` is "pdsa" (a PDSA cycle: a shaded band from ``date`` to ``end``, one period when
    ``end`` is None), "rebase" (a dashed vertical line: the limits are recalculated from here),
    "note" or "exclusion" (a dotted vertical line at the date). ``label`` is a short name such
    as "PDSA 3", ``text`` the title or reason, ``outcome`` a PDSA cycle's decision ("adopt",
    "adapt", "abandon" or ""), ``ref`` the id of the record it comes from.
    """

    date: _dt.date
    text: str
    kind: str = "note"
    end: _dt.date | None = None
    label: str = ""
    outcome: str = ""
    ref: int | None = None  # the record it comes from (a PDSA cycle's id), for links and rebases

    def __post_init__(self) -> None:
        if self.kind not in ANNOTATION_KINDS:
            raise ValueError(f"kind must be one of {ANNOTATION_KINDS}, not {self.kind!r}")
        if self.end is not None and self.end < self.date:
            raise ValueError("an annotation cannot end before it starts")
        if self.outcome not in ("", *OUTCOME_WORDS):
            raise ValueError(f"outcome must be one of {tuple(OUTCOME_WORDS)} or empty")

    @property
    def title(self) -> str:
        """The full title: "PDSA 3: Triage call (adopted)", "Note: IT outage"."""
        if self.kind == "pdsa":
            name = f"{self.label}: {self.text}" if self.label else f"PDSA cycle: {self.text}"
            return name + (f" ({OUTCOME_WORDS[self.outcome]})" if self.outcome else "")
        return f"{self.label or KIND_WORDS[self.kind]}: {self.text}"


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """An annotation as the chart marks it: its marker, lane and full words."""

    marker: str  # "A", "B", ... "Z", "AA", ...
    lane: int
    annotation: Annotation
    before_start: bool  # began before the first period shown
    after_end: bool  # runs past the last period shown

    @property
    def when(self) -> str:
        a = self.annotation
        if a.kind != "pdsa" or a.end is None or a.end == a.date:
            return words.fmt_date(a.date)
        return words.fmt_span(a.date, a.end)

    @property
    def remark(self) -> str:
        """ " (continues after the last week shown)" for a cycle drawn to the edge, else ""."""
        extra = []
        if self.before_start:
            extra.append("began before the first week shown")
        if self.after_end:
            extra.append("continues after the last week shown")
        return f" ({'; '.join(extra)})" if extra else ""

    @property
    def line(self) -> str:
        """The key's line: "16 Mar to 11 May 2026: PDSA 1: Triage call (adapted)"."""
        return f"{self.when}: {self.annotation.title}{self.remark}"


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _esc(s: str) -> str:
    """User text for plotly's pseudo-HTML: entities are decoded by plotly.js,
    so escaping stops a "<" in a note from being read as a tag."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _esc_template(s: str) -> str:
    """User text inside a hovertemplate, where "%{...}" would be substituted."""
    return _esc(s).replace("{", "&#123;").replace("}", "&#125;")


def _check_dates(result: SPCResult, dates: Sequence[_dt.date]) -> None:
    if len(dates) != len(result.points):
        raise ValueError("one date per point is needed")


def _step_days(dates: Sequence[_dt.date]) -> int:
    """The period of the chart in days: the smallest step between its dates."""
    days = [d.toordinal() for d in dates]
    return min((b - a for a, b in itertools.pairwise(days) if b > a), default=7)


def _marker_name(n: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    name = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        name = chr(65 + r) + name
    return name


def x_range(dates: Sequence[_dt.date]) -> tuple[_dt.datetime, _dt.datetime] | None:
    """The time axis: the data with half a period (or 1.5% of the span) either side."""
    if not dates:
        return None
    first, last = min(dates), max(dates)
    span = (last - first).days
    pad = _dt.timedelta(days=max(_step_days(dates) / 2, span * 0.015))
    start = _dt.datetime.combine(first, _dt.time()) - pad
    return start, _dt.datetime.combine(last, _dt.time()) + pad


def _iso(t: _dt.datetime) -> str:
    return t.isoformat(sep=" ", timespec="minutes")


def _marker_text(entry: KeyEntry) -> str:
    return entry.marker + ("\u2192" if entry.after_end else "")


def _marker_px(text: str) -> float:
    # 12 px text in a box with 3 px padding and a 1 px border.
    return 8 * len(text) + 10


def annotation_key(annotations: Sequence[Annotation], dates: Sequence[_dt.date]) -> list[KeyEntry]:
    """Letters and lanes for ``annotations`` in the order given (the chart's services sort them
    by date)."""
    if not annotations:
        return []
    if not dates:
        return [KeyEntry(_marker_name(n), 0, a, False, False) for n, a in enumerate(annotations)]
    last_period = max(dates) + _dt.timedelta(days=_step_days(dates))
    entries = [
        KeyEntry(
            _marker_name(n),
            0,
            a,
            a.date < min(dates),
            a.kind == "pdsa" and (a.end or a.date) >= last_period,
        )
        for n, a in enumerate(annotations)
    ]
    return _lanes(entries, dates)


def _lanes(entries: Sequence[KeyEntry], dates: Sequence[_dt.date]) -> list[KeyEntry]:
    """Each marker in the first lane where it keeps clear of the markers already there, on a
    plot ``MIN_PLOT_PX`` wide."""
    rng = x_range(dates) if entries else None
    if rng is None:
        return []
    lo, hi = rng
    width = (hi - lo).total_seconds() or 1.0
    lane_ends: list[float] = []
    out: list[KeyEntry] = []
    for e in entries:
        start = max(_dt.datetime.combine(e.annotation.date, _dt.time()), lo)
        x0 = (start - lo).total_seconds() / width * MIN_PLOT_PX
        x1 = x0 + _marker_px(_marker_text(e)) + _MARKER_GAP_PX
        lane = next((i for i, end in enumerate(lane_ends) if end <= x0), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(x1)
        else:
            lane_ends[lane] = x1
        out.append(KeyEntry(e.marker, lane, e.annotation, e.before_start, e.after_end))
    return out


def _hover_texts(
    result: SPCResult, dates: Sequence[_dt.date], unit: str, period: str
) -> tuple[list[str], list[str]]:
    """Hover text per point (escaped for plotly) and ISO dates."""
    labels = words.point_labels(result)
    ctx, found = words.finding_words(result, dates, period=period)
    phrases: dict[int, list[str]] = {}
    for f in words.in_precedence(found):
        phrase = words.hover_phrase(f, ctx)
        for i in f.indices:
            phrases.setdefault(i, []).append(phrase)
    texts: list[str] = []
    xs: list[str] = []
    for i, (p, d, label) in enumerate(zip(result.points, dates, labels, strict=True)):
        xs.append(d.isoformat())
        when = words.fmt_period(d, period)
        if p.value is None:
            texts.append(f"{when}<br>No data")
            continue
        t = f"{when}<br>{_esc(words.with_unit(p.value, unit))}<br>{label}"
        if i in phrases:
            t += "<br>" + "; ".join(phrases[i])
        texts.append(t)
    return texts, xs


def _broken(xs: list[Any], ys: list[Any], starts: Sequence[int]) -> tuple[list[Any], list[Any]]:
    """Insert a None before each part start so a line does not join parts."""
    if len(starts) <= 1:
        return xs, ys
    bx: list[Any] = []
    by: list[Any] = []
    prev = 0
    for s in starts[1:]:
        bx.extend(xs[prev:s])
        by.extend(ys[prev:s])
        bx.append(xs[s])
        by.append(None)
        prev = s
    bx.extend(xs[prev:])
    by.extend(ys[prev:])
    return bx, by


def _date_gaps(dates: Sequence[_dt.date]) -> list[int]:
    """Indices i where a period is missing between dates[i - 1] and dates[i].

    A missing week is normally a None value; this also breaks the line when
    the caller left the week out altogether.
    """
    if len(dates) < 3:
        return []
    diffs = [(b - a).days for a, b in itertools.pairwise(dates)]
    step = min((d for d in diffs if d > 0), default=0)
    if step <= 0:
        return []
    limit = step * 1.5
    return [i + 1 for i, d in enumerate(diffs) if d > limit]


def _clip(v: float | None, bounds: Bounds) -> float | None:
    """A limit as drawn: within the measure's natural bounds."""
    if v is None:
        return None
    lo, hi = bounds
    if lo is not None and v < lo:
        return lo
    if hi is not None and v > hi:
        return hi
    return v


def _clip_all(values: list[float | None], bounds: Bounds) -> list[float | None]:
    """``values`` as drawn within ``bounds``: the same list when none is outside them."""
    lo, hi = bounds
    present = [v for v in values if v is not None]
    if not present or ((lo is None or min(present) >= lo) and (hi is None or max(present) <= hi)):
        return values
    return [_clip(v, bounds) for v in values]


def _signal_directions(result: SPCResult) -> dict[int, int]:
    """Point index -> direction (+1/-1) of the signal that labels it."""
    by_sig: dict[tuple[int, str], int] = {}
    for ep in result.episodes:
        for i in ep.indices:
            by_sig[(i, ep.signal)] = ep.direction
    out: dict[int, int] = {}
    for i, p in enumerate(result.points):
        if p.signals:
            out[i] = by_sig.get((i, p.signals[0]), 1)
    return out


# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------


def _line(
    name: str,
    xs: list[Any],
    ys: list[Any],
    *,
    color: str,
    dash: str = "solid",
    width: float = 1.5,
    hover_name: str,
    unit: str,
    legendgroup: str | None = None,
    showlegend: bool = True,
    visible: bool | str = True,
    computed: list[str] | None = None,
) -> dict[str, Any]:
    unit_part = ("" if unit == "%" else " ") + _esc_template(unit) if unit else ""
    extra = "%{customdata}" if computed is not None else ""
    trace: dict[str, Any] = {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": xs,
        "y": ys,
        "line": {"color": color, "dash": dash, "width": width, "shape": "hvh"},
        "hovertemplate": f"{hover_name}: %{{y:,.3~f}}{unit_part}{extra}<extra></extra>",
        "showlegend": showlegend,
        "connectgaps": False,
    }
    if computed is not None:
        trace["customdata"] = computed
    if legendgroup:
        trace["legendgroup"] = legendgroup
    if visible is not True:
        trace["visible"] = visible
    return trace


def _y_range(numbers: list[float], bounds: Bounds) -> list[float] | None:
    """The value axis: everything drawn with 6% room, never past the natural bounds."""
    if not numbers:
        return None
    lo, hi = min(numbers), max(numbers)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.06
    r0, r1 = lo - pad, hi + pad
    if bounds[0] is not None and lo >= bounds[0]:
        r0 = max(r0, bounds[0])
    if bounds[1] is not None and hi <= bounds[1]:
        r1 = min(r1, bounds[1])
    return [r0, r1]


def _figure(
    *,
    result: SPCResult,
    dates: Sequence[_dt.date],
    title: str,
    unit_label: str,
    improvement: str | None,
    annotations: Sequence[Annotation],
    target: float | None,
    show_limits: bool | None,
    compact: bool,
    bounds: Bounds,
    period: str,
    warning: str | None = None,
    skip_kinds: tuple[str, ...] = (),
    provisional: Mapping[int, float] | None = None,
) -> dict[str, Any]:
    _check_dates(result, dates)
    unit = unit_label or ""
    points = result.points
    n = len(points)
    texts, xs = _hover_texts(result, dates, unit, period)
    values = [p.value for p in points]
    starts = [part.start for part in result.parts]
    limits_shown = result.chart != "run" and (show_limits is None or show_limits)
    centre_name = "Median" if result.chart == "run" else "Mean"
    common = style.POINT_STYLES["common_cause"]

    # Values: a line that breaks at missing weeks (None) and at left-out weeks.
    vx, vy, vt = xs, values, texts
    gaps = _date_gaps(dates)
    if gaps:
        vx, vy, vt = [], [], []
        prev = 0
        for g in gaps:
            vx += [*xs[prev:g], xs[g]]
            vy += [*values[prev:g], None]
            vt += [*texts[prev:g], ""]
            prev = g
        vx += xs[prev:]
        vy += values[prev:]
        vt += texts[prev:]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Value",
            "x": vx,
            "y": vy,
            "hovertext": vt,
            "hoverinfo": "text",
            "connectgaps": False,
            "cliponaxis": False,
            "line": {"color": common.color, "width": 1.5 if compact else 2},
            "marker": {
                "color": common.color,
                "size": 4 if compact else 6,
                "symbol": common.symbol,
            },
        }
    ]
    drawn: list[float] = [v for v in values if v is not None]

    # Centre line, one step per part.
    centres = [p.centre for p in points]
    drawn += [v for v in centres if v is not None]
    cx, cy = _broken(xs, centres, starts)
    data.append(
        _line(centre_name, cx, cy, color=NHS_BLACK, width=1.5, hover_name=centre_name, unit=unit)
    )

    if limits_shown:
        for attr, name, hover, group, show, dash, visible in (
            ("upper", "Process limits", "Upper process limit", "limits", True, "dash", True),
            ("lower", "Process limits", "Lower process limit", "limits", False, "dash", True),
            ("near_upper", "Near limits", "Upper near limit", "near", True, "dot", "legendonly"),
            ("near_lower", "Near limits", "Lower near limit", "near", False, "dot", "legendonly"),
        ):
            if compact and group == "near":
                continue
            computed = [getattr(p, attr) for p in points]
            shown = _clip_all(computed, bounds)
            beyond = None
            if shown is not computed:
                beyond = [
                    ""
                    if c == s or c is None
                    else f" (calculated {_esc_template(words.fmt_num(c))}, beyond what is possible)"
                    for c, s in zip(computed, shown, strict=True)
                ]
                beyond = _broken(xs, beyond, starts)[1]
            if group == "limits":
                drawn += [v for v in shown if v is not None]
            lx, ly = _broken(xs, shown, starts)
            data.append(
                _line(
                    name,
                    lx,
                    ly,
                    color=NHS_MID_GREY,
                    dash=dash,
                    width=1.5 if group == "limits" else 1,
                    hover_name=hover,
                    unit=unit,
                    legendgroup=group,
                    showlegend=show,
                    visible=visible,
                    computed=beyond,
                )
            )

    # Signals: one trace per meaning, told apart by shape as well as colour.
    directions = _signal_directions(result)
    by_name: dict[str, tuple[style.PointStyle, list, list, list, list]] = {}
    excluded: tuple[list, list, list] = ([], [], [])
    for i in range(n):
        p = points[i]
        if p.value is None:
            continue
        if p.excluded:
            excluded[0].append(xs[i])
            excluded[1].append(p.value)
            excluded[2].append(texts[i])
        if p.signals:
            s = style.point_style(p.variation, directions.get(i, 1))
            bucket = by_name.setdefault(s.name, (s, [], [], [], []))
            bucket[1].append(xs[i])
            bucket[2].append(p.value)
            bucket[3].append(texts[i])
            bucket[4].append(s.symbol)
    base = 4.5 if compact else 6.5
    for name, (s, bx, by, bt, bs) in by_name.items():
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "x": bx,
                "y": by,
                "hovertext": bt,
                "hoverinfo": "text",
                "cliponaxis": False,
                "marker": {
                    "color": s.color,
                    "symbol": bs,
                    "size": round(base * s.size, 1),
                    "line": {"color": s.outline, "width": 1},
                },
            }
        )
    if excluded[0]:
        s = style.POINT_STYLES["excluded"]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Excluded from calculations",
                "x": excluded[0],
                "y": excluded[1],
                "hovertext": excluded[2],
                "hoverinfo": "text",
                "cliponaxis": False,
                "marker": {
                    "color": s.color,
                    "symbol": s.symbol,
                    "size": round(base * s.size, 1),
                    "line": {"color": s.outline, "width": 2},
                },
            }
        )

    if provisional:
        s = style.POINT_STYLES["provisional"]
        order = sorted(provisional)
        drawn += [provisional[i] for i in order]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Provisional (not a whole week yet)"
                if period == "week"
                else "Provisional (not a whole month yet)",
                "x": [xs[i] for i in order],
                "y": [provisional[i] for i in order],
                "hovertext": [
                    f"{words.fmt_period(dates[i], period)}<br>"
                    f"{_esc(words.with_unit(provisional[i], unit))} so far<br>"
                    f"{words.PROVISIONAL_LABEL}"
                    for i in order
                ],
                "hoverinfo": "text",
                "cliponaxis": False,
                "marker": {
                    "color": s.color,
                    "symbol": s.symbol,
                    "size": round(base * s.size, 1),
                    "line": {"color": s.outline, "width": 2},
                },
            }
        )

    rng = x_range(dates)
    if target is not None and n and rng is not None:
        label = f"Target: {words.with_unit(target, unit)}"
        drawn.append(target)
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": _esc(label),
                "x": [xs[0], xs[-1]],
                "y": [target, target],
                "line": {"color": style.TARGET["color"], "dash": style.TARGET["dash"], "width": 2},
                "hovertext": [_esc(label)] * 2,
                "hoverinfo": "text",
            }
        )

    key = annotation_key(annotations, dates)
    if skip_kinds:
        key = _lanes([e for e in key if e.annotation.kind not in skip_kinds], dates)
    shapes, notes = _annotation_layers(key, rng=rng, dates=dates, compact=compact)
    lanes = max((e.lane + 1 for e in key), default=0)
    if warning:
        notes.append(
            {
                "text": _esc(warning),
                "xref": "paper",
                "yref": "paper",
                "x": 1,
                "y": 1,
                "xanchor": "right",
                "yanchor": "bottom",
                # In a lane of its own above the markers.
                "yshift": 3 + lanes * LANE_PX,
                "showarrow": False,
                "bgcolor": NHS_WARM_YELLOW,
                "bordercolor": NHS_BLACK,
                "borderwidth": 1,
                "borderpad": 3,
                "font": {"size": 12, "color": NHS_BLACK},
            }
        )

    axis = {
        "showgrid": True,
        "gridcolor": NHS_PALE_GREY,
        "linecolor": NHS_DARK_GREY,
        "zeroline": False,
        "automargin": True,
        "tickfont": {"size": 11 if compact else 13},
    }
    xaxis: dict[str, Any] = {**axis, "type": "date"}
    if rng is not None:
        xaxis.update(range=[_iso(rng[0]), _iso(rng[1])], autorange=False)
    yaxis: dict[str, Any] = {**axis, "title": {"text": _esc(unit_label or "Value")}}
    y_rng = _y_range(drawn, bounds)
    if y_rng is not None:
        yaxis.update(range=y_rng, autorange=False)
    title_px = 8 if compact else 40
    layout: dict[str, Any] = {
        "title": {
            # Small multiples sit under their site's heading.
            "text": "" if compact else _esc(title),
            "x": 0,
            "xanchor": "left",
            "xref": "paper",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 8},
            "font": {"size": 14 if compact else 18},
        },
        "font": {"family": FONT_FAMILY, "size": 12 if compact else 14, "color": NHS_BLACK},
        "hovermode": "closest",
        "hoverlabel": {"font": {"size": 14}, "bgcolor": NHS_WHITE, "bordercolor": NHS_DARK_GREY},
        "paper_bgcolor": NHS_WHITE,
        "plot_bgcolor": NHS_WHITE,
        "xaxis": xaxis,
        "yaxis": yaxis,
        "shapes": shapes,
        "annotations": notes,
        "meta": {"filename": _slug(title) or "chart", "lanes": lanes},
    }
    lanes_drawn = lanes + (1 if warning else 0)
    top = title_px + lanes_drawn * LANE_PX + (6 if lanes_drawn else 0)
    if compact:
        layout["showlegend"] = False
        layout["height"] = 300 + lanes_drawn * LANE_PX
        layout["margin"] = {"l": 48, "r": 16, "t": top, "b": 32}
        layout["xaxis"]["nticks"] = 5
        layout["yaxis"]["title"] = {"text": ""}
    else:
        layout["showlegend"] = True
        layout["height"] = 520 + lanes_drawn * LANE_PX
        layout["margin"] = {"l": 72, "r": 24, "t": top, "b": 40}
        layout["xaxis"]["title"] = {"text": "Month" if period == "month" else "Week commencing"}
        # Anchored to the bottom of the whole figure, so that the legend
        # pushes the margin instead of covering the x axis title.
        layout["legend"] = {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yref": "container",
            "yanchor": "bottom",
            "font": {"size": 13},
        }
    return {"data": data, "layout": layout}


def _annotation_layers(
    key: Sequence[KeyEntry],
    *,
    rng: tuple[_dt.datetime, _dt.datetime] | None,
    dates: Sequence[_dt.date],
    compact: bool,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """layout.shapes and layout.annotations for what is marked on the chart: a band or line
    at its dates and a lettered marker in its lane above the plot, its full title on hover."""
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    if rng is None or not key:
        return shapes, notes
    lo, hi = rng
    step = _dt.timedelta(days=_step_days(dates))
    for entry in key:
        a = entry.annotation
        start = max(_dt.datetime.combine(a.date, _dt.time()), lo)
        x0 = _iso(start)
        if a.kind == "pdsa":
            end = _dt.datetime.combine(a.end or a.date + step, _dt.time())
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": x0,
                    "x1": _iso(min(end, hi)),
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": style.PDSA_BAND["color"],
                    "opacity": style.PDSA_BAND["opacity"],
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
        else:
            shapes.append(
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": x0,
                    "x1": x0,
                    "y0": 0,
                    "y1": 1,
                    "line": {
                        "color": NHS_DARK_GREY,
                        "dash": "dash" if a.kind == "rebase" else "dot",
                        "width": 1.5 if a.kind == "rebase" else 1,
                    },
                }
            )
        notes.append(
            {
                "name": f"marker-{entry.marker}",
                "text": _esc(_marker_text(entry)),
                "hovertext": _esc(f"{entry.marker}: {entry.line}"),
                "x": x0,
                "xref": "x",
                "xanchor": "left",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": 3 + entry.lane * LANE_PX,
                "showarrow": False,
                "font": {"size": 11 if compact else 12, "color": NHS_BLACK},
                "bgcolor": NHS_WHITE,
                "bordercolor": style.ANNOTATION_COLOURS[a.kind],
                "borderwidth": 1,
                "borderpad": 2,
            }
        )
    return shapes, notes


def _slug(s: str) -> str:
    out = []
    dash = False
    for ch in s.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")[:60]


def build_figure(
    *,
    result: SPCResult,
    dates: Sequence[_dt.date],
    title: str,
    unit_label: str,
    improvement: str | None,
    annotations: Sequence[Annotation] = (),
    target: float | None = None,
    show_limits: bool | None = None,
    bounds: Bounds = (None, None),
    period: str = "week",
    provisional: Mapping[int, float] | None = None,
) -> dict[str, Any]:
    """A plotly figure for one measure as a JSON-serialisable dict.

    ``dates`` gives the date (week commencing) of each point of ``result``; ``target`` and
    ``bounds`` are on the plotted scale. Which signals are improvement or concern was settled
    by ``analyse(improvement=...)``; ``improvement`` is kept for callers that pass it.
    ``show_limits`` None shows process limits on every chart that has them (not run charts);
    False hides them. Near limits are drawn but hidden until switched on in the legend.
    ``provisional`` maps the index of a period not yet over (analysed as missing) to its figure
    so far, drawn as a hollow point.
    """
    return _figure(
        result=result,
        dates=dates,
        title=title,
        unit_label=unit_label,
        improvement=improvement,
        annotations=annotations,
        target=target,
        show_limits=show_limits,
        compact=False,
        bounds=bounds,
        period=period,
        provisional=provisional,
    )


def small_multiple_figure(
    *,
    result: SPCResult,
    dates: Sequence[_dt.date],
    site_name: str,
    unit_label: str = "",
    improvement: str | None = None,
    annotations: Sequence[Annotation] = (),
    target: float | None = None,
    warning: str | None = None,
    show_limits: bool | None = None,
    bounds: Bounds = (None, None),
    period: str = "week",
    skip_kinds: tuple[str, ...] = ("note",),
    provisional: Mapping[int, float] | None = None,
) -> dict[str, Any]:
    """A compact figure for one site in a grid of small multiples: the same colours, shapes
    and markers as the full chart (notes left out, the others keeping their letters), no
    legend (the page shows one key for the grid), small margins, the site name as title, and
    ``warning`` (e.g. "Definition differs") as a badge."""
    return _figure(
        result=result,
        dates=dates,
        title=site_name,
        unit_label=unit_label,
        improvement=improvement,
        annotations=annotations,
        target=target,
        show_limits=show_limits,
        compact=True,
        bounds=bounds,
        period=period,
        warning=warning,
        skip_kinds=skip_kinds,
        provisional=provisional,
    )


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------


def _csv_num(v: float | None) -> float | str:
    # Rounded to drop float noise (0.30000000000000004) without losing meaning.
    return "" if v is None or not math.isfinite(v) else round(v, 6)


def chart_csv_rows(
    *,
    result: SPCResult,
    dates: Sequence[_dt.date],
    annotations: Sequence[Annotation] = (),
    bounds: Bounds = (None, None),
    provisional: Mapping[int, float] | None = None,
) -> list[list[Any]]:
    """Rows for the CSV download: ``CSV_HEADER`` then one row per point.

    ``lower``/``upper`` are the limits as computed, ``lower_drawn``/``upper_drawn`` as drawn
    within ``bounds``; ``part`` is 1-based (as the page shows it); ``excluded`` and
    ``provisional`` are "yes"/"no" (a provisional figure is its value so far, left out of the
    analysis);
    ``signals`` are the spc signal names separated by semicolons; ``signal_direction`` is
    "higher" or "lower" for a flagged point; ``note`` holds the annotations dated within that
    week, or "no data" for a missing week. Cells are plain values: the caller makes them safe
    from formula injection.
    """
    _check_dates(result, dates)
    notes: dict[int, list[str]] = {}
    if annotations and dates:
        for a in annotations:
            for i, d in enumerate(dates):
                nxt = dates[i + 1] if i + 1 < len(dates) else d + _dt.timedelta(days=7)
                if d <= a.date < nxt:
                    notes.setdefault(i, []).append(a.title)
                    break
    directions = _signal_directions(result)
    rows: list[list[Any]] = [list(CSV_HEADER)]
    for i, (p, d) in enumerate(zip(result.points, dates, strict=True)):
        note = list(notes.get(i, ()))
        value = p.value
        if provisional and i in provisional:
            value = provisional[i]
        elif value is None:
            note.insert(0, "no data")
        direction = directions.get(i)
        lower, upper = _csv_num(p.lower), _csv_num(p.upper)
        lower_drawn, upper_drawn = _clip(p.lower, bounds), _clip(p.upper, bounds)
        rows.append(
            [
                d.isoformat(),
                _csv_num(value),
                _csv_num(p.centre),
                lower,
                upper,
                lower if lower_drawn == p.lower else _csv_num(lower_drawn),
                upper if upper_drawn == p.upper else _csv_num(upper_drawn),
                _csv_num(p.near_lower),
                _csv_num(p.near_upper),
                p.part + 1,
                "yes" if p.excluded else "no",
                "yes" if provisional and i in provisional else "no",
                ";".join(p.signals),
                p.variation or "",
                "" if direction is None else ("higher" if direction > 0 else "lower"),
                "; ".join(note),
            ]
        )
    return rows
