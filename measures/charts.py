"""Plotly figures and plain-English chart summaries for THRIVE Tracker.

Pure Python, no Django import: ``measures.spc`` turns numbers into statistics
and signals; this module turns an ``SPCResult`` into

* a plotly figure as a plain JSON-serialisable dict (``build_figure``,
  ``small_multiple_figure``) that the template emits with ``json_script`` and
  ``static/js/charts.js`` draws with plotly.js;
* the words and Making Data Count icons shown beside it (``chart_summary``);
* the rows of the CSV download (``chart_csv_rows``).

Figures are built from plain dicts because ``plotly.graph_objects`` validates
every property on construction and is two orders of magnitude slower; the tests
check that ``plotly.graph_objects.Figure`` accepts what is built here.

Charts must not rely on colour alone (analytics.md, "What users see"): each
kind of signal has its own marker symbol and legend entry, every point's hover
text names its rule in words, and the summary says the same in sentences.

Public API::

    Annotation(date, text, kind, end=None)
    build_figure(*, result, dates, title, unit_label, improvement, ...) -> dict
    small_multiple_figure(*, result, dates, site_name, ...) -> dict
    chart_summary(*, result, dates, improvement, target, measure_name, ...) -> ChartSummary
    chart_csv_rows(*, result, dates, annotations=()) -> list[list]
    ICON_FILES, ICON_LABELS: icon key -> static path / plain words
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from measures.spc import (
    MIN_POINTS_LIMITS,
    MIN_POINTS_RUNS,
    SIGNALS,
    Episode,
    SPCResult,
    assurance,
    point_labels,
    summarise,
)

__all__ = [
    "ANNOTATION_KINDS",
    "ASSURANCE_FAIL",
    "ASSURANCE_HIT_AND_MISS",
    "ASSURANCE_PASS",
    "CSV_HEADER",
    "ICON_FILES",
    "ICON_LABELS",
    "VARIATION_COMMON_CAUSE",
    "VARIATION_CONCERN_HIGH",
    "VARIATION_CONCERN_LOW",
    "VARIATION_IMPROVEMENT_HIGH",
    "VARIATION_IMPROVEMENT_LOW",
    "VARIATION_NEITHER_HIGH",
    "VARIATION_NEITHER_LOW",
    "VARIATION_TOO_FEW",
    "Annotation",
    "ChartSummary",
    "build_figure",
    "chart_csv_rows",
    "chart_summary",
    "small_multiple_figure",
]

# --------------------------------------------------------------------------
# Palette: NHS identity colours (https://www.england.nhs.uk/nhsidentity/
# identity-guidelines/colours/).  Every line and marker colour used on white
# has at least 3:1 contrast (WCAG 1.4.11) except orange (2.4:1), which is
# therefore always drawn with a dark outline.
# --------------------------------------------------------------------------
NHS_BLUE = "#005EB8"
NHS_DARK_GREY = "#425563"
NHS_MID_GREY = "#768692"
NHS_ORANGE = "#ED8B00"
NHS_PURPLE = "#330072"
NHS_BLACK = "#212B32"
NHS_PALE_GREY = "#E8EDEE"
NHS_WARM_YELLOW = "#FFB81C"
NHS_WHITE = "#FFFFFF"

FONT_FAMILY = "Frutiger W01, Arial, sans-serif"

# --------------------------------------------------------------------------
# Making Data Count icons (NHS England, "Making Data Count: getting started",
# 2019): variation icons say what the latest point shows, assurance icons
# whether the target can be relied on.  Orange = concern, blue = improvement,
# grey = common cause, purple = special cause that is neither; H/L = higher or
# lower values; P/F = passing/failing.
# --------------------------------------------------------------------------
VARIATION_COMMON_CAUSE = "common_cause"
VARIATION_IMPROVEMENT_HIGH = "special_cause_improvement_high"
VARIATION_IMPROVEMENT_LOW = "special_cause_improvement_low"
VARIATION_CONCERN_HIGH = "special_cause_concern_high"
VARIATION_CONCERN_LOW = "special_cause_concern_low"
VARIATION_NEITHER_HIGH = "special_cause_neither_high"
VARIATION_NEITHER_LOW = "special_cause_neither_low"
# Not a Making Data Count icon: shown instead of claiming any variation when
# the latest part has too few points to judge (analytics.md: "A chart with too
# few points says so instead of claiming a signal").
VARIATION_TOO_FEW = "too_few_points"
ASSURANCE_PASS = "assurance_pass"
ASSURANCE_FAIL = "assurance_fail"
ASSURANCE_HIT_AND_MISS = "assurance_hit_and_miss"

ICON_FILES: dict[str, str] = {
    VARIATION_COMMON_CAUSE: "img/mdc/variation-common-cause.svg",
    VARIATION_IMPROVEMENT_HIGH: "img/mdc/variation-improvement-high.svg",
    VARIATION_IMPROVEMENT_LOW: "img/mdc/variation-improvement-low.svg",
    VARIATION_CONCERN_HIGH: "img/mdc/variation-concern-high.svg",
    VARIATION_CONCERN_LOW: "img/mdc/variation-concern-low.svg",
    VARIATION_NEITHER_HIGH: "img/mdc/variation-neither-high.svg",
    VARIATION_NEITHER_LOW: "img/mdc/variation-neither-low.svg",
    VARIATION_TOO_FEW: "img/mdc/variation-too-few-points.svg",
    ASSURANCE_PASS: "img/mdc/assurance-pass.svg",
    ASSURANCE_FAIL: "img/mdc/assurance-fail.svg",
    ASSURANCE_HIT_AND_MISS: "img/mdc/assurance-hit-and-miss.svg",
}

ICON_LABELS: dict[str, str] = {
    VARIATION_COMMON_CAUSE: "Common cause variation: no significant change",
    VARIATION_IMPROVEMENT_HIGH: "Special cause variation: improvement, with higher values",
    VARIATION_IMPROVEMENT_LOW: "Special cause variation: improvement, with lower values",
    VARIATION_CONCERN_HIGH: "Special cause variation: concern, with higher values",
    VARIATION_CONCERN_LOW: "Special cause variation: concern, with lower values",
    VARIATION_NEITHER_HIGH: (
        "Special cause variation: higher values, neither improvement nor concern"
    ),
    VARIATION_NEITHER_LOW: "Special cause variation: lower values, neither improvement nor concern",
    VARIATION_TOO_FEW: "Too few points to judge the variation",
    ASSURANCE_PASS: "Assurance: the target is consistently met",
    ASSURANCE_FAIL: "Assurance: the target is consistently not met",
    ASSURANCE_HIT_AND_MISS: "Assurance: hit and miss, the target is sometimes met and sometimes not",
}

_VARIATION_ICON = {
    ("special_cause_improvement", 1): VARIATION_IMPROVEMENT_HIGH,
    ("special_cause_improvement", -1): VARIATION_IMPROVEMENT_LOW,
    ("special_cause_concern", 1): VARIATION_CONCERN_HIGH,
    ("special_cause_concern", -1): VARIATION_CONCERN_LOW,
    ("special_cause_neutral", 1): VARIATION_NEITHER_HIGH,
    ("special_cause_neutral", -1): VARIATION_NEITHER_LOW,
}
_ASSURANCE_ICON = {
    "pass": ASSURANCE_PASS,
    "fail": ASSURANCE_FAIL,
    "hit_and_miss": ASSURANCE_HIT_AND_MISS,
}

# Signal markers: symbol AND colour AND legend name differ per kind.
_SIGNAL_STYLE: dict[str, dict[str, Any]] = {
    "special_cause_improvement": {
        "name": "Special cause: improvement",
        "color": NHS_BLUE,
        "symbols": {1: "triangle-up", -1: "triangle-down"},
        "line": NHS_WHITE,
    },
    "special_cause_concern": {
        "name": "Special cause: concern",
        "color": NHS_ORANGE,
        "symbols": {1: "diamond", -1: "diamond"},
        "line": NHS_BLACK,
    },
    "special_cause_neutral": {
        "name": "Special cause: neither improvement nor concern",
        "color": NHS_PURPLE,
        "symbols": {1: "square", -1: "square"},
        "line": NHS_WHITE,
    },
}

ANNOTATION_KINDS = ("pdsa", "rebase", "note", "exclusion")

CSV_HEADER = [
    "week",
    "value",
    "centre",
    "lower",
    "upper",
    "near_lower",
    "near_upper",
    "part",
    "excluded",
    "signals",
    "variation",
    "note",
]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class Annotation:
    """Something that happened at a date, drawn on the chart.

    ``kind`` is "pdsa" (a PDSA cycle: a shaded band from ``date`` to ``end``,
    one week when ``end`` is None), "rebase" (a vertical dashed line), "note"
    or "exclusion" (a labelled marker at the date).
    """

    date: _dt.date
    text: str
    kind: str = "note"
    end: _dt.date | None = None

    def __post_init__(self) -> None:
        if self.kind not in ANNOTATION_KINDS:
            raise ValueError(f"kind must be one of {ANNOTATION_KINDS}, not {self.kind!r}")
        if self.end is not None and self.end < self.date:
            raise ValueError("an annotation cannot end before it starts")


@dataclass(slots=True)
class ChartSummary:
    """What the chart shows, in words, for the text beside it."""

    sentences: list[str]
    variation_icon: str
    assurance_icon: str | None
    latest_signal: str | None
    last_value: float | None
    last_date: _dt.date | None

    @property
    def variation_label(self) -> str:
        return ICON_LABELS[self.variation_icon]

    @property
    def variation_file(self) -> str:
        return ICON_FILES[self.variation_icon]

    @property
    def assurance_label(self) -> str | None:
        return ICON_LABELS[self.assurance_icon] if self.assurance_icon else None

    @property
    def assurance_file(self) -> str | None:
        return ICON_FILES[self.assurance_icon] if self.assurance_icon else None


# --------------------------------------------------------------------------
# Formatting helpers
# --------------------------------------------------------------------------


def _fmt_date(d: _dt.date) -> str:
    # Not strftime: locale-independent and several times faster.
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _fmt_week(d: _dt.date) -> str:
    return f"w/c {d.day} {_MONTHS[d.month - 1]} {d.year}"


def _fmt_num(v: float) -> str:
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v):,}"
    a = abs(v)
    if a >= 100:
        s = f"{v:,.1f}"
    elif a >= 1:
        s = f"{v:,.2f}"
    else:
        s = f"{v:.3g}"
        return s
    return s.rstrip("0").rstrip(".")


def _with_unit(v: float, unit: str) -> str:
    n = _fmt_num(v)
    if not unit:
        return n
    return n + unit if unit == "%" else f"{n} {unit}"


def _esc(s: str) -> str:
    """User text for plotly's pseudo-HTML: entities are decoded by plotly.js,
    so escaping stops a "<" in a note from being read as a tag."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _esc_template(s: str) -> str:
    """User text inside a hovertemplate, where "%{...}" would be substituted."""
    return _esc(s).replace("{", "&#123;").replace("}", "&#125;")


def _short(s: str, n: int = 40) -> str:
    """At most `n` characters, cut between words (never inside one unless it is all there is)."""
    if len(s) <= n:
        return s
    cut = s[: n - 1]
    if " " in cut and s[n - 1] != " ":
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "\u2026"


def _check_dates(result: SPCResult, dates: Sequence[_dt.date]) -> None:
    if len(dates) != len(result.points):
        raise ValueError("one date per point is needed")


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


def _episode_phrase(result: SPCResult, ep: Episode, dates: Sequence[_dt.date]) -> str:
    """Short words for one episode: what happened and since when."""
    cw = "median" if result.chart == "run" else "mean"
    side = "above" if ep.direction > 0 else "below"
    k = len(ep.indices)
    since = _fmt_date(dates[ep.indices[0]])
    if ep.signal == "outside_limits":
        return f"{side} the {'upper' if ep.direction > 0 else 'lower'} limit".capitalize()
    if ep.signal == "trend":
        way = "rising" if ep.direction > 0 else "falling"
        return f"{k} points in a row {way} since {since} (trend)"
    if ep.signal == "two_of_three":
        near = "upper" if ep.direction > 0 else "lower"
        return f"{k} of 3 points close to the {near} limit since {since} (two out of three)"
    if result.rules == "anhoej":
        return f"{k} points {side} the {cw} since {since} (unusually long run)"
    return f"{k} points {side} the {cw} since {since} (shift)"


def _hover_texts(
    result: SPCResult, dates: Sequence[_dt.date], unit: str
) -> tuple[list[str], list[str]]:
    """Hover text per point (escaped for plotly) and ISO dates."""
    labels = point_labels(result)
    phrases: dict[int, list[str]] = {}
    order = {s: n for n, s in enumerate(SIGNALS)}
    for ep in sorted(result.episodes, key=lambda e: order[e.signal]):
        phrase = None
        for i in ep.indices:
            if phrase is None:
                phrase = _episode_phrase(result, ep, dates)
            phrases.setdefault(i, []).append(phrase)
    texts: list[str] = []
    xs: list[str] = []
    for i, (p, d, label) in enumerate(zip(result.points, dates, labels, strict=True)):
        xs.append(d.isoformat())
        if p.value is None:
            texts.append(f"{_fmt_week(d)}<br>No data")
            continue
        t = f"{_fmt_week(d)}<br>{_esc(_with_unit(p.value, unit))}<br>{label}"
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
    diffs = [(b - a).days for a, b in zip(dates, dates[1:], strict=False)]
    step = min((d for d in diffs if d > 0), default=0)
    if step <= 0:
        return []
    limit = step * 1.5
    return [i + 1 for i, d in enumerate(diffs) if d > limit]


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
) -> dict[str, Any]:
    unit_part = ("" if unit == "%" else " ") + _esc_template(unit) if unit else ""
    trace: dict[str, Any] = {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": xs,
        "y": ys,
        "line": {"color": color, "dash": dash, "width": width, "shape": "hvh"},
        "hovertemplate": f"{hover_name}: %{{y:,.3~f}}{unit_part}<extra></extra>",
        "showlegend": showlegend,
        "connectgaps": False,
    }
    if legendgroup:
        trace["legendgroup"] = legendgroup
    if visible is not True:
        trace["visible"] = visible
    return trace


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
    warning: str | None = None,
) -> dict[str, Any]:
    _check_dates(result, dates)
    if improvement is None:
        improvement = result.improvement
    unit = unit_label or ""
    points = result.points
    n = len(points)
    texts, xs = _hover_texts(result, dates, unit)
    values = [p.value for p in points]
    starts = [part.start for part in result.parts]
    limits_shown = result.chart != "run" and (show_limits is None or show_limits)
    centre_name = "Median" if result.chart == "run" else "Mean"

    # Values: a line that breaks at missing weeks (None) and at left-out weeks.
    vx, vy, vt = xs, values, texts
    gaps = _date_gaps(dates)
    if gaps:
        vx, vy, vt = [], [], []
        prev = 0
        for g in gaps:
            vx += xs[prev:g] + [xs[g]]
            vy += values[prev:g] + [None]
            vt += texts[prev:g] + [""]
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
            "line": {"color": NHS_DARK_GREY, "width": 1.5 if compact else 2},
            "marker": {"color": NHS_DARK_GREY, "size": 4 if compact else 6, "symbol": "circle"},
        }
    ]

    # Centre line, one step per part.
    cx, cy = _broken(xs, [p.centre for p in points], starts)
    data.append(
        _line(
            centre_name,
            cx,
            cy,
            color=NHS_BLACK,
            width=1.5,
            hover_name=centre_name,
            unit=unit,
        )
    )

    if limits_shown:
        for key, name, hover, group, show, dash, visible in (
            ("upper", "Process limits", "Upper process limit", "limits", True, "dash", True),
            ("lower", "Process limits", "Lower process limit", "limits", False, "dash", True),
            ("near_upper", "Near limits", "Upper near limit", "near", True, "dot", "legendonly"),
            ("near_lower", "Near limits", "Lower near limit", "near", False, "dot", "legendonly"),
        ):
            if compact and group == "near":
                continue
            lx, ly = _broken(xs, [getattr(p, key) for p in points], starts)
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
                )
            )

    # Signals: one trace per kind, told apart by symbol as well as colour.
    directions = _signal_directions(result)
    by_kind: dict[str, tuple[list, list, list, list]] = {}
    excluded: tuple[list, list, list] = ([], [], [])
    for i in range(n):
        p = points[i]
        if p.value is None:
            continue
        if p.excluded:
            excluded[0].append(xs[i])
            excluded[1].append(p.value)
            excluded[2].append(texts[i])
        if p.signals and p.variation in _SIGNAL_STYLE:
            bucket = by_kind.setdefault(p.variation, ([], [], [], []))
            bucket[0].append(xs[i])
            bucket[1].append(p.value)
            bucket[2].append(texts[i])
            bucket[3].append(_SIGNAL_STYLE[p.variation]["symbols"][directions.get(i, 1)])
    for kind, style in _SIGNAL_STYLE.items():
        if kind not in by_kind:
            continue
        bx, by, bt, bs = by_kind[kind]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": style["name"],
                "x": bx,
                "y": by,
                "hovertext": bt,
                "hoverinfo": "text",
                "marker": {
                    "color": style["color"],
                    "symbol": bs,
                    "size": 9 if compact else 13,
                    "line": {"color": style["line"], "width": 1},
                },
            }
        )
    if excluded[0]:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Excluded from calculations",
                "x": excluded[0],
                "y": excluded[1],
                "hovertext": excluded[2],
                "hoverinfo": "text",
                "marker": {
                    "color": NHS_MID_GREY,
                    "symbol": "x-open",
                    "size": 10 if compact else 14,
                    "line": {"color": NHS_MID_GREY, "width": 2},
                },
            }
        )

    if target is not None and n:
        label = f"Target: {_with_unit(target, unit)}"
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": _esc(label),
                "x": [xs[0], xs[-1]],
                "y": [target, target],
                "line": {"color": NHS_PURPLE, "dash": "dot", "width": 2},
                "hovertext": [_esc(label)] * 2,
                "hoverinfo": "text",
            }
        )

    shapes, notes = _annotation_layers(
        annotations, dates=dates, values=values, compact=compact, target=target, unit=unit
    )
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
    layout: dict[str, Any] = {
        "title": {
            "text": _esc(title),
            "x": 0,
            "xanchor": "left",
            "font": {"size": 14 if compact else 18},
        },
        "font": {"family": FONT_FAMILY, "size": 12 if compact else 14, "color": NHS_BLACK},
        "hovermode": "closest",
        "hoverlabel": {"font": {"size": 14}, "bgcolor": NHS_WHITE, "bordercolor": NHS_DARK_GREY},
        "paper_bgcolor": NHS_WHITE,
        "plot_bgcolor": NHS_WHITE,
        "xaxis": {**axis, "type": "date"},
        "yaxis": {**axis, "title": {"text": _esc(unit_label or "Value")}},
        "shapes": shapes,
        "annotations": notes,
        "meta": {"filename": _slug(title) or "chart"},
    }
    if compact:
        layout["showlegend"] = False
        layout["height"] = 240
        layout["margin"] = {"l": 48, "r": 8, "t": 40, "b": 32}
        layout["xaxis"]["nticks"] = 4
        layout["yaxis"]["title"] = {"text": ""}
    else:
        layout["showlegend"] = True
        layout["height"] = 520
        layout["margin"] = {"l": 72, "r": 24, "t": 72, "b": 40}
        layout["xaxis"]["title"] = {"text": "Week commencing"}
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
    annotations: Sequence[Annotation],
    *,
    dates: Sequence[_dt.date],
    values: list[float | None],
    compact: bool,
    target: float | None,
    unit: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """layout.shapes and layout.annotations for annotations and the target."""
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    value_at = {d: v for d, v in zip(dates, values, strict=True) if v is not None}
    # Labels along the top go down a row when the previous one in that row
    # is too close (a label is about a quarter of the chart wide).
    span = (dates[-1] - dates[0]).days if len(dates) > 1 else 7
    gap = max(span, 7) * (0.1 if compact else 0.25)
    rows: list[list[_dt.date]] = [[], [], []]
    font = {"size": 11 if compact else 12, "color": NHS_BLACK}
    for a in annotations:
        x0 = a.date.isoformat()
        if a.kind == "pdsa":
            end = a.end or (a.date + _dt.timedelta(days=7))
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": x0,
                    "x1": end.isoformat(),
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": NHS_BLUE,
                    "opacity": 0.12,
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
            text = "PDSA" if compact else f"PDSA: {_short(a.text)}"
        elif a.kind == "rebase":
            shapes.append(
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": x0,
                    "x1": x0,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": NHS_DARK_GREY, "dash": "dash", "width": 1.5},
                }
            )
            text = "Rebased" if compact else f"Rebased: {_short(a.text)}"
        else:
            # A note or exclusion points at the value of its week when there is one.
            prefix = "Note" if a.kind == "note" else "Excluded"
            text = prefix if compact else f"{prefix}: {_short(a.text)}"
            v = value_at.get(a.date)
            note: dict[str, Any] = {
                "text": _esc(text),
                "hovertext": _esc(f"{prefix}: {a.text}"),
                "x": x0,
                "xref": "x",
                "showarrow": True,
                "arrowhead": 2,
                "arrowsize": 1,
                "arrowwidth": 1,
                "arrowcolor": NHS_DARK_GREY,
                "ax": 0,
                "ay": -28 if compact else -40,
                "font": font,
                "bgcolor": NHS_WHITE,
                "bordercolor": NHS_DARK_GREY,
                "borderwidth": 1,
                "borderpad": 2,
            }
            if v is not None:
                note.update({"y": v, "yref": "y"})
            else:
                note.update({"y": 0, "yref": "paper", "ay": -24})
            notes.append(note)
            continue
        notes.append(
            {
                "text": _esc(text),
                "hovertext": _esc(f"{text.split(':')[0]}: {a.text}"),
                "x": x0,
                "xref": "x",
                "xanchor": "left",
                "y": 1 - 0.07 * _row_for(rows, a.date, gap),
                "yref": "paper",
                "yanchor": "top",
                "showarrow": False,
                "font": font,
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    if target is not None and not compact:
        notes.append(
            {
                "text": _esc(f"Target: {_with_unit(target, unit)}"),
                "x": 1,
                "xref": "paper",
                "xanchor": "right",
                "y": target,
                "yref": "y",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 12, "color": NHS_PURPLE},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    return shapes, notes


def _row_for(rows: list[list[_dt.date]], d: _dt.date, gap: float) -> int:
    """First row with no label within ``gap`` days of ``d`` (the last row if all are busy)."""
    for r, placed in enumerate(rows):
        if all(abs((d - other).days) >= gap for other in placed):
            placed.append(d)
            return r
    rows[-1].append(d)
    return len(rows) - 1


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
) -> dict[str, Any]:
    """A plotly figure for one measure as a JSON-serialisable dict.

    ``dates`` gives the date (week commencing) of each point of ``result``;
    ``target`` is on the plotted scale.  Which signals are improvement or
    concern was settled by ``analyse(improvement=...)``; pass the same
    ``improvement`` here (None falls back to the result's).  ``show_limits`` None shows process
    limits on every chart that has them (not run charts); False hides them.
    Near limits are drawn but hidden until switched on in the legend.
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
) -> dict[str, Any]:
    """A compact figure for one site in a grid of small multiples.

    No legend (the page shows one key for the grid), small margins, the site
    name as title, and ``warning`` (e.g. "Definition differs") as a badge.
    """
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
        warning=warning,
    )


# --------------------------------------------------------------------------
# Summary in words
# --------------------------------------------------------------------------


def _part_too_few(result: SPCResult, part_no: int) -> bool:
    # Same test as spc.summarise: too few useful points for runs, or too few
    # baseline points for limits.
    part = result.parts[part_no]
    if part.n_useful < MIN_POINTS_RUNS:
        return True
    return result.chart != "run" and part.n_baseline < MIN_POINTS_LIMITS


def _is_signal_sentence(s: str) -> bool:
    return "Too few points to judge" not in s and "No special cause" not in s


def chart_summary(
    *,
    result: SPCResult,
    dates: Sequence[_dt.date],
    improvement: str | None,
    target: float | None = None,
    measure_name: str,
    unit_label: str = "",
) -> ChartSummary:
    """Sentences, Making Data Count icons and the latest signal for a chart.

    The variation icon follows the latest point with data, as Making Data
    Count does; assurance compares ``target`` (plotted scale) with the process
    limits of the latest part.  Neither is claimed when the latest part has
    too few points to judge.
    """
    _check_dates(result, dates)
    if improvement is None:
        improvement = result.improvement
    unit = unit_label or ""
    base = [s if s.endswith(".") else s + "." for s in summarise(result, dates, improvement)]
    signal_sentences = [s for s in base if _is_signal_sentence(s)]
    latest_signal = signal_sentences[-1] if signal_sentences else None

    last = next(
        (i for i in range(len(result.points) - 1, -1, -1) if result.points[i].value is not None),
        None,
    )
    sentences: list[str] = []
    if last is None:
        sentences.append(f"{measure_name}: no data yet.")
        return ChartSummary(
            sentences=sentences,
            variation_icon=VARIATION_TOO_FEW,
            assurance_icon=None,
            latest_signal=None,
            last_value=None,
            last_date=None,
        )
    lp = result.points[last]
    last_value = lp.value
    last_date = dates[last]
    sentences.append(
        f"{measure_name}: latest value {_with_unit(last_value, unit)} ({_fmt_week(last_date)})."
    )
    sentences.extend(base)

    too_few = _part_too_few(result, lp.part)
    if too_few:
        variation_icon = VARIATION_TOO_FEW
        sentences.append("Variation: too few points to judge.")
    elif lp.variation in (
        "special_cause_improvement",
        "special_cause_concern",
        "special_cause_neutral",
    ):
        direction = _signal_directions(result).get(last, 1)
        variation_icon = _VARIATION_ICON[(lp.variation, direction)]
        words = {
            "special_cause_improvement": "special cause improvement",
            "special_cause_concern": "special cause concern",
            "special_cause_neutral": "special cause, neither improvement nor concern",
        }[lp.variation]
        sentences.append(f"Variation: {words} ({'higher' if direction > 0 else 'lower'} values).")
    else:
        variation_icon = VARIATION_COMMON_CAUSE
        sentences.append("Variation: common cause, no significant change.")

    assurance_icon: str | None = None
    if target is not None:
        t = _with_unit(target, unit)
        verdict = None if too_few else assurance(result, target, improvement)
        if too_few:
            sentences.append(f"Assurance: too few points to judge against the target of {t}.")
        elif verdict is None:
            why = (
                "a run chart has no process limits"
                if result.chart == "run"
                else "no improvement direction is set"
                if improvement is None
                else "there are no process limits"
            )
            sentences.append(f"Assurance: not judged against the target of {t} ({why}).")
        else:
            assurance_icon = _ASSURANCE_ICON[verdict]
            sentences.append(
                {
                    "pass": f"Assurance: the target of {t} is consistently met.",
                    "fail": f"Assurance: the target of {t} is consistently not met.",
                    "hit_and_miss": (
                        f"Assurance: hit and miss; the target of {t} will sometimes be met"
                        " and sometimes not."
                    ),
                }[verdict]
            )
    return ChartSummary(
        sentences=sentences,
        variation_icon=variation_icon,
        assurance_icon=assurance_icon,
        latest_signal=latest_signal,
        last_value=last_value,
        last_date=last_date,
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
) -> list[list[Any]]:
    """Rows for the CSV download: ``CSV_HEADER`` then one row per point.

    ``part`` is 1-based (as the page shows it); ``excluded`` is "yes"/"no";
    ``signals`` are the spc signal names separated by semicolons; ``note`` holds
    the annotations dated within that week, or "no data" for a missing week.
    Cells are plain values: the caller makes them safe from formula injection.
    """
    _check_dates(result, dates)
    notes: dict[int, list[str]] = {}
    if annotations and dates:
        for a in annotations:
            for i, d in enumerate(dates):
                nxt = dates[i + 1] if i + 1 < len(dates) else d + _dt.timedelta(days=7)
                if d <= a.date < nxt:
                    label = {"pdsa": "PDSA", "rebase": "Rebased", "note": "Note"}.get(
                        a.kind, "Excluded"
                    )
                    notes.setdefault(i, []).append(f"{label}: {a.text}")
                    break
    rows: list[list[Any]] = [list(CSV_HEADER)]
    for i, (p, d) in enumerate(zip(result.points, dates, strict=True)):
        note = list(notes.get(i, ()))
        if p.value is None:
            note.insert(0, "no data")
        rows.append(
            [
                d.isoformat(),
                _csv_num(p.value),
                _csv_num(p.centre),
                _csv_num(p.lower),
                _csv_num(p.upper),
                _csv_num(p.near_lower),
                _csv_num(p.near_upper),
                p.part + 1,
                "yes" if p.excluded else "no",
                ";".join(p.signals),
                p.variation or "",
                "; ".join(note),
            ]
        )
    return rows
