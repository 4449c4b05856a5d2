"""What a chart shows, in plain words: the one home of every sentence about a chart.

Built from the fields of the analysis result (``measures.spc.SPCResult``: its points, parts and
episodes), never from other sentences, so the headline, the details, the hover text of the
figure and the Making Data Count icons cannot disagree:

* the **headline**: one or two sentences a stakeholder reads first, agreeing with the variation
  icon (it follows the latest point, as Making Data Count does), naming the latest signal and
  the adopted PDSA cycle that may explain it, then what it means for the target;
* the **details**: the latest three signals, then "and N earlier", each in words before the
  name of the rule that found it.

Pure: no Django import.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from measures.spc import MIN_POINTS_LIMITS, MIN_POINTS_RUNS, SIGNALS, SPCResult, assurance

if TYPE_CHECKING:
    from measures.charts.figures import Annotation

__all__ = [
    "ASSURANCE_FAIL",
    "ASSURANCE_HIT_AND_MISS",
    "ASSURANCE_PASS",
    "ICON_FILES",
    "ICON_LABELS",
    "PROVISIONAL_LABEL",
    "VARIATION_COMMON_CAUSE",
    "VARIATION_CONCERN_HIGH",
    "VARIATION_CONCERN_LOW",
    "VARIATION_IMPROVEMENT_HIGH",
    "VARIATION_IMPROVEMENT_LOW",
    "VARIATION_NEITHER_HIGH",
    "VARIATION_NEITHER_LOW",
    "VARIATION_TOO_FEW",
    "ChartSummary",
    "Finding",
    "chart_summary",
    "findings",
    "fmt_date",
    "fmt_num",
    "fmt_period",
    "in_precedence",
    "point_findings",
    "point_labels",
    "subject",
    "with_unit",
]

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

_ICON_KIND = {
    "special_cause_improvement": "special_cause_improvement",
    "special_cause_concern": "special_cause_concern",
    "special_cause_neutral": "special_cause_neither",
}
_ASSURANCE_ICON = {
    "pass": ASSURANCE_PASS,
    "fail": ASSURANCE_FAIL,
    "hit_and_miss": ASSURANCE_HIT_AND_MISS,
}

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
PROVISIONAL_LABEL = (
    "Provisional: not over when its figures were uploaded, so left out of the rules until"
    " the next upload"
)
# Details list this many signals, then "and N earlier".
DETAILS_SHOWN = 3
# A PDSA cycle may explain a signal that starts within this many periods of its end.
CYCLE_LOOKBACK = 13


# --------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------


def fmt_date(d: _dt.date) -> str:
    # Not strftime: locale-independent and several times faster.
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def fmt_month(d: _dt.date) -> str:
    return f"{_MONTH_NAMES[d.month - 1]} {d.year}"


def fmt_period(d: _dt.date, period: str = "week") -> str:
    """The name of the period starting on ``d``: "w/c 3 Mar 2025" or "March 2025"."""
    return fmt_month(d) if period == "month" else f"w/c {fmt_date(d)}"


def fmt_span(a: _dt.date, b: _dt.date) -> str:
    """ "3 to 24 Mar 2025", "3 Mar to 7 Apr 2025", "3 Nov 2025 to 5 Jan 2026"."""
    if a == b:
        return fmt_date(a)
    if a.year != b.year:
        return f"{fmt_date(a)} to {fmt_date(b)}"
    if a.month != b.month:
        return f"{a.day} {_MONTHS[a.month - 1]} to {fmt_date(b)}"
    return f"{a.day} to {fmt_date(b)}"


def fmt_num(v: float) -> str:
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v):,}"
    a = abs(v)
    if a >= 100:
        s = f"{v:,.1f}"
    elif a >= 1:
        s = f"{v:,.2f}"
    else:
        return f"{v:.3g}"
    return s.rstrip("0").rstrip(".")


def with_unit(v: float, unit: str) -> str:
    n = fmt_num(v)
    if not unit:
        return n
    return n + unit if unit == "%" else f"{n} {unit}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def subject(measure_name: str) -> str:
    """The measure as the subject of a sentence: its name without a trailing unit in brackets
    ("Median wait to first contact (days)" -> "Median wait to first contact")."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", measure_name).strip() or measure_name


# --------------------------------------------------------------------------
# Findings: what the rules found, grouped as a reader would tell it
# --------------------------------------------------------------------------


@dataclass(slots=True)
class Finding:
    """One thing to tell: a pattern the rules found, at the points ``indices``.

    ``signal`` is a point rule of ``measures.spc.SIGNALS`` or, for the runs analysis of a part,
    "crossings" (Anhøj: too few crossings of the centre) or "runs_few"/"runs_many" (IHI).
    ``direction`` is +1 (higher, rising), -1 (lower, falling) or 0 (a part's runs).
    Points outside the limits on one side, with no point on the other side of the centre
    between them, are one finding ("below the lower limit in 7 weeks"), not one each.
    """

    signal: str
    part: int
    indices: list[int]
    direction: int
    variation: str | None

    @property
    def first(self) -> int:
        return self.indices[0]

    @property
    def last(self) -> int:
        return self.indices[-1]


def _too_few_reason(result: SPCResult, part_no: int, period: str) -> str | None:
    part = result.parts[part_no]
    if part.n_useful < MIN_POINTS_RUNS:
        return (
            f"{_plural(part.n_useful, period)} of figures off the centre line, and at least"
            f" {MIN_POINTS_RUNS} are needed"
        )
    if result.chart != "run" and part.n_baseline < MIN_POINTS_LIMITS:
        return (
            f"the limits rest on {_plural(part.n_baseline, period)}, and at least"
            f" {MIN_POINTS_LIMITS} are needed"
        )
    return None


def _variation(direction: int, improvement: str | None) -> str:
    if improvement is None:
        return "special_cause_neutral"
    good = 1 if improvement == "increase" else -1
    return "special_cause_improvement" if direction == good else "special_cause_concern"


def findings(result: SPCResult, improvement: str | None = None) -> list[Finding]:
    """Every finding of the parts with enough points to judge, oldest first."""
    improvement = improvement if improvement is not None else result.improvement
    judged = {i for i in range(len(result.parts)) if _too_few_reason(result, i, "week") is None}
    out: list[Finding] = []
    for ep in result.episodes:
        if ep.part not in judged:
            continue
        variation = _variation(ep.direction, improvement)
        out.append(Finding(ep.signal, ep.part, list(ep.indices), ep.direction, variation))
    out = _merge_outside_limits(result, out)
    for p_no in sorted(judged):
        part = result.parts[p_no]
        span = [i for i in range(part.start, part.end + 1) if result.points[i].value is not None]
        if not span:
            continue
        if result.rules == "anhoej" and part.n_useful and part.crossings < part.crossings_min:
            out.append(Finding("crossings", p_no, span, 0, None))
        if result.rules == "ihi" and part.runs is not None and part.runs_min is not None:
            if part.runs < part.runs_min:
                out.append(Finding("runs_few", p_no, span, 0, None))
            elif part.runs_max is not None and part.runs > part.runs_max:
                out.append(Finding("runs_many", p_no, span, 0, None))
    order = {s: n for n, s in enumerate(SIGNALS)}
    out.sort(key=lambda f: (f.first, f.last, order.get(f.signal, 9)))
    return out


def _merge_outside_limits(result: SPCResult, found: list[Finding]) -> list[Finding]:
    """Join points outside the limits on one side while no point between them is on the
    other side of the centre line."""
    others = [f for f in found if f.signal != "outside_limits"]
    outside = sorted((f for f in found if f.signal == "outside_limits"), key=lambda f: f.first)
    merged: list[Finding] = []
    for f in outside:
        prev = merged[-1] if merged else None
        if prev is not None and prev.part == f.part and prev.direction == f.direction:
            between = result.points[prev.last + 1 : f.first]
            if not any(
                p.value is not None
                and p.centre is not None
                and (p.value - p.centre) * f.direction < 0
                for p in between
            ):
                prev.indices.extend(f.indices)
                continue
        merged.append(Finding(f.signal, f.part, list(f.indices), f.direction, f.variation))
    return others + merged


def in_precedence(found: list[Finding]) -> list[Finding]:
    """The point-rule findings, in the precedence of their rules (a point's label first)."""
    order = {s: n for n, s in enumerate(SIGNALS)}
    return sorted((f for f in found if f.signal in order), key=lambda f: order[f.signal])


def point_findings(result: SPCResult, improvement: str | None = None) -> dict[int, list[Finding]]:
    """Point index -> the point-rule findings that include it, in rule precedence."""
    out: dict[int, list[Finding]] = {}
    for f in in_precedence(findings(result, improvement)):
        for i in f.indices:
            out.setdefault(i, []).append(f)
    return out


# --------------------------------------------------------------------------
# Words for one point (the hover text and the data table)
# --------------------------------------------------------------------------


def point_labels(result: SPCResult) -> list[str]:
    """Hover text per point naming each rule that flags it, in words."""
    cw = "median" if result.chart == "run" else "mean"
    words = {
        "outside_limits": "outside the limits",
        "trend": "part of a trend",
        "two_of_three": "2 of 3 points close to a limit",
        "shift": (
            f"part of an unusually long run on one side of the {cw}"
            if result.rules == "anhoej"
            else f"part of a shift on one side of the {cw}"
        ),
    }
    labels: list[str] = []
    for p in result.points:
        if p.value is None:
            labels.append("No data")
            continue
        bits: list[str] = []
        if p.signals:
            bits.append("; ".join(words[s] for s in p.signals).capitalize())
            bits.append(_variation_words(p.variation))
        else:
            bits.append("Common cause variation")
        if p.excluded:
            bits.append("excluded from the calculations")
        labels.append(": ".join(bits[:2]) + ("; " + bits[2] if len(bits) > 2 else ""))
    return labels


def _variation_words(v: str | None) -> str:
    return {
        "special_cause_improvement": "special cause, improvement",
        "special_cause_concern": "special cause, concern",
        "special_cause_neutral": "special cause",
        "common_cause": "common cause variation",
    }.get(v or "", "")


# --------------------------------------------------------------------------
# Words for one finding
# --------------------------------------------------------------------------


@dataclass(slots=True)
class _Context:
    result: SPCResult
    dates: Sequence[_dt.date]
    period: str
    last_index: int | None  # the latest point with a value

    @property
    def centre_word(self) -> str:
        return "median" if self.result.chart == "run" else "mean"


def _when(f: Finding, ctx: _Context) -> str:
    a, b = ctx.dates[f.first], ctx.dates[f.last]
    if f.first == f.last:
        return f"on {fmt_date(a)}" if ctx.period == "week" else f"in {fmt_month(a)}"
    if f.last == ctx.last_index:
        return f"since {fmt_date(a)}" if ctx.period == "week" else f"since {fmt_month(a)}"
    return f"from {fmt_span(a, b)}"


def _span_periods(f: Finding) -> int:
    return f.last - f.first + 1


def _what(f: Finding, ctx: _Context) -> str:
    """What happened, in words, capitalised: "Lower than usual for 20 weeks, since 6 Jul 2026"."""
    k = len(f.indices)
    up = f.direction > 0
    when = _when(f, ctx)
    if f.signal == "shift":
        return f"{'Higher' if up else 'Lower'} than usual for {_plural(k, ctx.period)}, {when}"
    if f.signal == "trend":
        return f"{'Rising' if up else 'Falling'} for {_plural(k, ctx.period)} in a row, {when}"
    if f.signal == "two_of_three":
        limit = "upper" if up else "lower"
        m = _span_periods(f)
        if k == 2 and m <= 3:
            return f"Close to the {limit} limit in 2 of 3 {ctx.period}s, {when}"
        return f"Close to the {limit} limit in {_plural(k, ctx.period)}, {when}"
    if f.signal == "outside_limits":
        where = "Above the upper" if up else "Below the lower"
        if k == 1:
            return f"{where} process limit {when}"
        return f"{where} process limit in {_plural(k, ctx.period)}, {when}"
    part = ctx.result.parts[f.part]
    if f.signal == "crossings":
        return (
            f"Crossing the {ctx.centre_word} only {_plural(part.crossings, 'time')} in"
            f" {_plural(len(f.indices), ctx.period)}, fewer than the {part.crossings_min}"
            " expected by chance"
        )
    if f.signal == "runs_few":
        return (
            f"Only {_plural(part.runs or 0, 'run')} above and below the {ctx.centre_word},"
            f" fewer than the {part.runs_min} expected by chance"
        )
    return (
        f"{_plural(part.runs or 0, 'run')} above and below the {ctx.centre_word}, more than"
        f" the {part.runs_max} expected by chance"
    )


def _rule(f: Finding, ctx: _Context) -> str:
    """The rule's name with what it asks for."""
    r = ctx.result.rules
    side = "above" if f.direction > 0 else "below"
    if f.signal == "shift":
        if r == "anhoej":
            part = ctx.result.parts[f.part]
            return (
                f"unusually long run: more than {part.longest_run_max} points in a row {side}"
                f" the {ctx.centre_word}"
            )
        n = 6 if r == "ihi" else 7
        return f"shift: {n} or more points in a row {side} the {ctx.centre_word}"
    if f.signal == "trend":
        way = "higher" if f.direction > 0 else "lower"
        if r == "ihi":
            return f"trend: 5 or more points in a row each {way} than the last, repeats not counted"
        return f"trend: 7 points in a row each {way} than the last"
    if f.signal == "two_of_three":
        return "2 of 3 points in a row close to a process limit"
    if f.signal == "outside_limits":
        return "outside the process limits"
    if f.signal == "crossings":
        return "Anhøj crossings rule"
    return "IHI runs rule"


def _rule_short(f: Finding) -> str:
    return {
        "shift": "shift",
        "trend": "trend",
        "two_of_three": "2 of 3 close to a limit",
        "outside_limits": "outside the limits",
    }.get(f.signal, "runs")


def _judgement(f: Finding) -> str:
    return {
        "special_cause_improvement": "an improvement",
        "special_cause_concern": "a concern",
        "special_cause_neutral": "neither improvement nor concern",
    }.get(f.variation or "", "a change is likely")


def hover_phrase(f: Finding, ctx: _Context) -> str:
    """Short words for the hover text of a flagged point."""
    return f"{_what(f, ctx)} ({_rule_short(f)})"


def _detail(f: Finding, ctx: _Context) -> str:
    return f"{_what(f, ctx)}: {_judgement(f)} ({_rule(f, ctx)})."


def finding_words(
    result: SPCResult, dates: Sequence[_dt.date], *, period: str = "week"
) -> tuple[_Context, list[Finding]]:
    """The context for hover phrases and the findings, for ``measures.charts.figures``."""
    return _context(result, dates, period), findings(result)


def _context(result: SPCResult, dates: Sequence[_dt.date], period: str) -> _Context:
    if len(dates) != len(result.points):
        raise ValueError("one date per point is needed")
    last = next(
        (i for i in range(len(result.points) - 1, -1, -1) if result.points[i].value is not None),
        None,
    )
    return _Context(result, dates, period, last)


# --------------------------------------------------------------------------
# The summary
# --------------------------------------------------------------------------


@dataclass(slots=True)
class ChartSummary:
    """What the chart shows, in words, for the text under it."""

    headline: list[str]
    details: list[str]
    latest: str | None
    variation_icon: str
    assurance_icon: str | None
    latest_signal: str | None
    last_value: float | None
    last_date: _dt.date | None
    target: str | None = None  # what the chart means for the target, after the headline
    cycle: str | None = None  # the title of the adopted PDSA cycle the headline names
    # A sustained shift after an adopted cycle: recalculate the limits from this date, citing it.
    rebase_offer: tuple[_dt.date, Annotation] | None = None
    earlier: int = 0  # signals left out of the details
    remarks: list[str] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        """Everything as one list (the small multiples, dashboards)."""
        return [
            *self.remarks,
            *self.headline,
            *([self.target] if self.target else []),
            *([self.latest] if self.latest else []),
            *self.details,
        ]

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


def _headline_finding(
    result: SPCResult, found: list[Finding], last: int, direction: int
) -> Finding | None:
    """The finding the headline tells: one that includes the latest point and points the way
    its icon does, the longest-lasting kind first."""
    preference = ("shift", "trend", "two_of_three", "outside_limits")
    candidates = [f for f in found if last in f.indices and f.direction == direction]
    candidates.sort(key=lambda f: preference.index(f.signal) if f.signal in preference else 9)
    return candidates[0] if candidates else None


def _label_direction(result: SPCResult, i: int) -> int:
    """Direction of the signal that labels point ``i`` (its first signal in precedence)."""
    sig = result.points[i].signals[0]
    for ep in result.episodes:
        if ep.signal == sig and i in ep.indices:
            return ep.direction
    return 1


def _cycle_for(f: Finding, ctx: _Context, annotations: Sequence[Annotation]) -> Annotation | None:
    """The adopted PDSA cycle that may explain ``f``: one that began by the finding's last
    point and ran during it or ended shortly before it, the closest start first."""
    start, end = ctx.dates[f.first], ctx.dates[f.last]
    step = 31 if ctx.period == "month" else 7
    window = _dt.timedelta(days=step * CYCLE_LOOKBACK)
    fits = [
        a
        for a in annotations
        if a.kind == "pdsa"
        and a.outcome == "adopt"
        and a.date <= end
        and (a.end or a.date) >= start - window
    ]
    if not fits:
        return None
    return min(fits, key=lambda a: (abs((a.date - start).days), -a.date.toordinal()))


def _sustained(result: SPCResult, f: Finding) -> bool:
    """A shift long enough to compute new limits from, that began after its part did: Making
    Data Count's case for recalculating the limits from where it began."""
    return (
        f.signal == "shift"
        and len(f.indices) >= MIN_POINTS_LIMITS
        and f.first > result.parts[f.part].start
    )


def _cycle_sentence(a: Annotation) -> str:
    if a.label and a.text in ("", a.label):  # a shared view names a cycle by its label only
        name = a.label
    elif a.label:
        name = f"{a.label} \u2018{a.text}\u2019"
    else:
        name = f"The PDSA cycle \u2018{a.text}\u2019"
    return f"{name} began on {fmt_date(a.date)} and was adopted; it may explain this."


def _headline_signal(f: Finding, ctx: _Context, name: str, unit: str) -> str:
    k = len(f.indices)
    up = f.direction > 0
    a = ctx.dates[f.first]
    since = fmt_month(a)
    p = ctx.period
    judged = _judgement(f)
    if f.signal == "shift":
        return f"{name} has been {'higher' if up else 'lower'} than usual for {_plural(k, p)}, since {since}: {judged}."
    if f.signal == "trend":
        return f"{name} has been {'rising' if up else 'falling'} for {_plural(k, p)} in a row, since {since}: {judged}."
    if f.signal == "two_of_three":
        limit = "upper" if up else "lower"
        return (
            f"{name} has been close to its {limit} limit in {k} of the last"
            f" {_span_periods(f)} {p}s: {judged}."
        )
    # outside the limits
    high = "high" if up else "low"
    limit = "upper" if up else "lower"
    if k == 1:
        value = ctx.result.points[f.last].value
        shown = f" ({with_unit(value, unit)})" if value is not None else ""
        return (
            f"{name} was unusually {high} in the latest {p}{shown}, beyond its {limit} process"
            f" limit: {judged}."
        )
    return (
        f"{name} has been beyond its {limit} process limit in {_plural(k, p)} since {since},"
        f" the latest among them: {judged}."
    )


def _target_sentence(
    result: SPCResult, target: float, improvement: str | None, unit: str, too_few: bool
) -> tuple[str, str | None]:
    t = with_unit(target, unit)
    if too_few:
        return f"There are too few figures yet to judge the target of {t}.", None
    verdict = assurance(result, target, improvement)
    if verdict is None:
        why = (
            "a run chart has no process limits"
            if result.chart == "run"
            else "no improvement direction is set"
            if improvement is None
            else "there are no process limits"
        )
        return f"The target of {t} is not judged ({why}).", None
    words = {
        "pass": f"The target of {t} is being met consistently: all of the usual range is on its"
        " right side.",
        "fail": f"The target of {t} is consistently not met: the whole of the usual range is on"
        " its wrong side, so it will not be met without a change.",
        "hit_and_miss": f"The target of {t} will sometimes be met and sometimes not (hit and"
        " miss): it lies within the usual range.",
    }[verdict]
    return words, _ASSURANCE_ICON[verdict]


def chart_summary(
    *,
    result: SPCResult,
    dates: Sequence[_dt.date],
    improvement: str | None,
    target: float | None = None,
    measure_name: str,
    unit_label: str = "",
    annotations: Sequence[Annotation] = (),
    period: str = "week",
    provisional: Mapping[int, float] | None = None,
) -> ChartSummary:
    """Headline, details and Making Data Count icons for a chart.

    The variation icon follows the latest point with data, as Making Data Count does, and the
    headline tells the same; assurance compares ``target`` (plotted scale) with the process
    limits of the latest part. Neither is claimed when the latest part has too few points to
    judge. ``annotations`` are what the chart marks: an adopted PDSA cycle among them that ran
    during the latest signal, or shortly before it, is named as what may explain it.
    """
    if improvement is None:
        improvement = result.improvement
    ctx = _context(result, dates, period)
    unit = unit_label or ""
    name = subject(measure_name)
    found = findings(result, improvement)
    # The latest first; of two ending together, the one that began first (the longer story).
    newest_first = sorted(found, key=lambda f: (-f.last, f.first))
    details = [_detail(f, ctx) for f in newest_first[:DETAILS_SHOWN]]
    earlier = max(len(newest_first) - DETAILS_SHOWN, 0)
    if earlier:
        details.append(f"And {_plural(earlier, 'earlier signal')}.")
    # Parts too short to judge say so (their signals are not claimed).
    for p_no in range(len(result.parts)):
        reason = _too_few_reason(result, p_no, period)
        if reason is not None and len(result.parts) > 1:
            start = fmt_date(dates[result.parts[p_no].start])
            details.append(f"From {start} there are too few figures to judge: {reason}.")
    latest_signal = details[0] if newest_first else None

    last = ctx.last_index
    if last is None:
        return ChartSummary(
            headline=[f"No figures yet for {name}."],
            details=[],
            latest=None,
            variation_icon=VARIATION_TOO_FEW,
            assurance_icon=None,
            latest_signal=None,
            last_value=None,
            last_date=None,
        )
    lp = result.points[last]
    # last_index is the newest point with a value
    shown = "no figure" if lp.value is None else with_unit(lp.value, unit)
    latest = f"Latest {period}: {shown} ({fmt_period(dates[last], period)})."
    if provisional:
        i = max(provisional)
        latest = (
            f"Latest complete {period}: {shown}"
            f" ({fmt_period(dates[last], period)}). {fmt_period(dates[i], period)} is"
            f" provisional ({with_unit(provisional[i], unit)} so far): it was not over when its"
            " figures were uploaded, so it is left out until the next upload."
        )
    headline: list[str] = []
    cycle_title = None
    rebase_offer = None
    reason = _too_few_reason(result, lp.part, period)
    if reason is not None:
        variation_icon = VARIATION_TOO_FEW
        headline.append(f"There are too few figures yet to judge {name}: {reason}.")
    elif lp.variation in _ICON_KIND:
        direction = _label_direction(result, last)
        variation_icon = f"{_ICON_KIND[lp.variation]}_{'high' if direction > 0 else 'low'}"
        f = _headline_finding(result, found, last, direction)
        if f is None:  # cannot happen: the latest point is flagged, so a finding holds it
            f = Finding(lp.signals[0], lp.part, [last], direction, lp.variation)
        headline.append(_headline_signal(f, ctx, name, unit))
        cycle = _cycle_for(f, ctx, annotations)
        if cycle is not None:
            headline.append(_cycle_sentence(cycle))
            cycle_title = f"{cycle.label}: {cycle.text}" if cycle.label else cycle.text
            if _sustained(result, f):
                rebase_offer = (dates[f.first], cycle)
    else:
        variation_icon = VARIATION_COMMON_CAUSE
        headline.append(
            f"{name} shows no unusual change in the latest {period}: its variation is common"
            " cause, within the usual range."
        )
        runs = [f for f in found if f.direction == 0 and f.part == lp.part]
        if runs:
            headline.append(
                f"Over the whole period since {fmt_date(dates[result.parts[lp.part].start])},"
                f" though: {_what(runs[-1], ctx)[0].lower()}{_what(runs[-1], ctx)[1:]}, so a"
                " sustained change is likely."
            )
        elif newest_first:
            f = newest_first[0]
            headline.append(
                f"The last unusual pattern ended in {fmt_month(dates[f.last])}:"
                f" {_what(f, ctx)[0].lower()}{_what(f, ctx)[1:]} ({_judgement(f)})."
            )

    assurance_icon: str | None = None
    target_words = None
    if target is not None:
        target_words, assurance_icon = _target_sentence(
            result, target, improvement, unit, variation_icon == VARIATION_TOO_FEW
        )
    return ChartSummary(
        headline=headline,
        details=details,
        latest=latest,
        variation_icon=variation_icon,
        assurance_icon=assurance_icon,
        latest_signal=latest_signal,
        last_value=lp.value,
        last_date=dates[last],
        target=target_words,
        cycle=cycle_title,
        rebase_offer=rebase_offer,
        earlier=earlier,
    )
