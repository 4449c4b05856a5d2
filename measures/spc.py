"""Run charts and statistical process control (SPC) for THRIVE Tracker.

Pure numpy, no Django import: the same functions serve the chart page, the
dashboards, the API and the tests.  The rules are fixed in
``shared/design/analytics.md``; the arithmetic reproduces the R packages that
NHS analysts trust:

* qicharts2 (Jacob Anhøj): Anhøj runs analysis, Shewhart I, P, U and C charts
  (``R/helper.functions.R``: ``runs.analysis``, ``qic.run``, ``qic.i``,
  ``qic.p``, ``qic.u``, ``qic.c``);
* NHSRplotthedots (NHS-R community): Making Data Count XmR charts
  (``R/ptd_spc_standard.R``, ``R/ptd_calculate_point_type.R``,
  ``R/ptd_calculate_assurance_type.R``);
* IHI run chart rules (Perla, Provost & Murray, BMJ Qual Saf 2011;20:46-51).

Public API::

    analyse(values, chart="run", rules="anhoej", ...) -> SPCResult
    assurance(result, target, improvement=None) -> "pass" | "fail" | "hit_and_miss" | None

What the results mean in words is ``measures.charts.words``' business.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = [
    "CHARTS",
    "MIN_POINTS_LIMITS",
    "MIN_POINTS_RUNS",
    "RULES",
    "SIGNALS",
    "Episode",
    "Part",
    "Point",
    "SPCResult",
    "analyse",
    "assurance",
    "crossings_min",
    "ihi_runs_limits",
    "longest_run_max",
]

CHARTS = ("run", "xmr", "p", "u", "c")
RULES = ("anhoej", "ihi", "mdc")
# Order is the precedence of a point's single label (analytics.md, and the
# case_when in NHSRplotthedots ptd_special_cause_type).
SIGNALS = ("outside_limits", "trend", "two_of_three", "shift")

# Below this many useful points (points not on the centre line) the runs
# analysis is not judged: the Anhøj limits are tabulated from n = 10 (qicharts2
# vignette, Appendix 2) and so is the IHI runs table (Perla et al. 2011).
MIN_POINTS_RUNS = 10
# Below this many points in the baseline of a part the limits are too unstable
# to claim a signal against them.  NHSRplotthedots warns when a rebase group is
# shorter than 12 points (ptd_add_short_group_warnings); Making Data Count
# guidance asks for 15-20, so 12 is the floor, not a recommendation.
MIN_POINTS_LIMITS = 12

# Shewhart/Nelson constants as the R packages spell them.
_D2 = 1.128  # qicharts2 qic.i: stdev <- amr / 1.128
_MR_SCREEN = 3.267  # both packages: keep moving ranges < 3.267 x average
_MDC_LIMIT = 2.66  # NHSRplotthedots ptd_spc_standard: limit <- 2.66
_MDC_NEAR = 2 * (_MDC_LIMIT / 3)  # limitclose <- 2 * (limit / 3)

# IHI "too few / too many runs" table: number of useful observations (points not
# on the median) -> (lower limit, upper limit); fewer runs than the lower limit,
# or more than the upper limit, is a signal.  Table 1 of Perla RJ, Provost LP,
# Murray SK. The run chart: a simple analytical tool for learning from variation
# in healthcare processes. BMJ Qual Saf 2011;20:46-51 (after Swed & Eisenhart
# 1943).  NOTE: transcribed from the paper; no machine-readable copy could be
# found to cross-check it, so rows should be verified against the printed table
# before clinical use.
IHI_RUNS_TABLE: dict[int, tuple[int, int]] = {
    10: (3, 9),
    11: (3, 10),
    12: (3, 11),
    13: (4, 11),
    14: (4, 12),
    15: (5, 12),
    16: (5, 13),
    17: (5, 13),
    18: (6, 14),
    19: (6, 15),
    20: (6, 16),
    21: (7, 16),
    22: (7, 17),
    23: (7, 17),
    24: (8, 18),
    25: (8, 18),
    26: (9, 19),
    27: (10, 19),
    28: (10, 20),
    29: (10, 20),
    30: (11, 21),
    31: (11, 22),
    32: (11, 22),
    33: (11, 23),
    34: (12, 23),
    35: (13, 24),
    36: (13, 24),
    37: (13, 25),
    38: (14, 26),
    39: (14, 26),
    40: (15, 27),
    41: (16, 27),
    42: (16, 28),
    43: (17, 28),
    44: (17, 29),
    45: (17, 30),
    46: (17, 31),
    47: (18, 31),
    48: (18, 32),
    49: (19, 32),
    50: (19, 33),
    51: (20, 33),
    52: (20, 34),
    53: (21, 34),
    54: (21, 35),
    55: (22, 35),
    56: (22, 36),
    57: (23, 36),
    58: (23, 37),
    59: (24, 38),
    60: (24, 38),
}

_IHI_SHIFT = 6
_IHI_TREND = 5
_MDC_RUN = 7


# --------------------------------------------------------------------------
# Anhøj limits
# --------------------------------------------------------------------------


def longest_run_max(n_useful: int) -> int:
    """Upper 95% prediction limit for the longest run: round(log2(n)) + 3.

    Python's round() is half-to-even like R's round(), which qicharts2 uses.
    """
    if n_useful <= 0:
        return 0
    return round(math.log2(n_useful)) + 3


@lru_cache(maxsize=4096)
def crossings_min(n_useful: int) -> int:
    """Lower 5% prediction limit for crossings: qbinom(0.05, n - 1, 0.5).

    qbinom returns the smallest k with P(X <= k) >= 0.05.  Exact integer
    arithmetic is used: P(X <= k) >= 1/20  <=>  20 * sum C(m, i) >= 2^m.
    The cdf can never equal 1/20 exactly (2^m has no factor 5), so R's fuzz
    factor in qbinom cannot change the answer.
    """
    m = max(n_useful - 1, 0)
    total = 1 << m
    acc = 0
    for k in range(m + 1):
        acc += math.comb(m, k)
        if 20 * acc >= total:
            return k
    return m


def ihi_runs_limits(n_useful: int) -> tuple[int, int] | None:
    """(lower, upper) runs limits from Perla et al. 2011, or None off the table."""
    return IHI_RUNS_TABLE.get(n_useful)


# --------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------


@dataclass(slots=True)
class Point:
    value: float | None
    centre: float | None
    lower: float | None
    upper: float | None
    near_lower: float | None
    near_upper: float | None
    part: int
    excluded: bool
    signals: list[str]
    variation: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "centre": self.centre,
            "lower": self.lower,
            "upper": self.upper,
            "near_lower": self.near_lower,
            "near_upper": self.near_upper,
            "part": self.part,
            "excluded": self.excluded,
            "signals": list(self.signals),
            "variation": self.variation,
        }


@dataclass(slots=True)
class Part:
    start: int
    end: int
    centre: float | None
    n_useful: int
    longest_run: int
    longest_run_max: int
    crossings: int
    crossings_min: int
    runs_signal: bool
    n_baseline: int = 0  # points the centre/limits were computed from
    runs: int | None = None  # IHI: number of runs (crossings + 1)
    runs_min: int | None = None
    runs_max: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "centre": self.centre,
            "n_useful": self.n_useful,
            "longest_run": self.longest_run,
            "longest_run_max": self.longest_run_max,
            "crossings": self.crossings,
            "crossings_min": self.crossings_min,
            "runs_signal": self.runs_signal,
            "n_baseline": self.n_baseline,
            "runs": self.runs,
            "runs_min": self.runs_min,
            "runs_max": self.runs_max,
        }


@dataclass(slots=True)
class Episode:
    """One pattern found by a rule: the points it covers and where it points.

    ``direction`` is +1 (above the centre / increasing) or -1.
    """

    part: int
    signal: str
    indices: list[int]
    direction: int


@dataclass(slots=True)
class SPCResult:
    points: list[Point]
    parts: list[Part]
    chart: str
    rules: str
    improvement: str | None
    multiply: float
    episodes: list[Episode] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "points": [p.to_dict() for p in self.points],
            "parts": [p.to_dict() for p in self.parts],
        }


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _as_float_array(values: Iterable[Any] | None, n: int | None = None) -> np.ndarray:
    if values is None:
        return np.full(n or 0, np.nan)
    values = values if isinstance(values, list | tuple | np.ndarray) else list(values)
    # numpy reads None as NaN and converts as float() does, a few times faster than a loop
    out = np.array(values, dtype=float)
    if out.ndim != 1:
        raise ValueError("values must be a flat sequence of numbers")
    return out


def _opt(x: float) -> float | None:
    """numpy float -> Python float, with NaN/inf as None (JSON-friendly)."""
    if x is None or not math.isfinite(x):
        return None
    return float(x)


def _to_list(a: np.ndarray) -> list[float | None]:
    """Array -> list of Python floats, with NaN/inf as None, without a per-item call."""
    finite = np.isfinite(a)
    if finite.all():
        return a.tolist()
    return [None if x != x else x for x in np.where(np.isfinite(a), a, np.nan).tolist()]


def _runs_of_sign(sides: Sequence[int] | np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of each run of equal values in a sequence."""
    a = np.asarray(sides)
    if a.size == 0:
        return []
    starts = np.flatnonzero(np.concatenate(([True], a[1:] != a[:-1])))
    return list(zip(starts.tolist(), np.diff(starts, append=a.size).tolist(), strict=True))


def _long_runs(a: np.ndarray, min_length: int) -> list[tuple[int, int]]:
    """(start, length) of each run of equal, non-zero values at least `min_length` long:
    the runs a rule flags, found without visiting the short ones in Python."""
    if a.size == 0:
        return []
    # (np.concatenate rather than np.r_, which costs more than the rest of this)
    starts = np.flatnonzero(np.concatenate(([True], a[1:] != a[:-1])))
    lengths = np.diff(starts, append=a.size)
    keep = (lengths >= min_length) & (a[starts] != 0)
    return list(zip(starts[keep].tolist(), lengths[keep].tolist(), strict=True))


def _variation(direction: int, improvement: str | None) -> str:
    if improvement is None:
        return "special_cause_neutral"
    good = 1 if improvement == "increase" else -1
    return "special_cause_improvement" if direction == good else "special_cause_concern"


# --------------------------------------------------------------------------
# Centre and limits for one part
# --------------------------------------------------------------------------


def _mean_moving_range(seq: np.ndarray, screen: bool) -> float:
    """Average moving range of ``seq``; NaN values break the range.

    As in both R packages: ranges touching a missing value are dropped
    (na.rm), and with screening the ranges >= 3.267 x their average are dropped
    and the average recomputed once.
    """
    if seq.size < 2:
        return math.nan
    mr = np.abs(np.diff(seq))
    mr = mr[~np.isnan(mr)]
    if mr.size == 0:
        return math.nan
    amr = float(mr.mean())
    if screen:
        kept = mr[mr < _MR_SCREEN * amr]
        amr = float(kept.mean()) if kept.size else math.nan
    return amr


def _limits(
    chart: str,
    rules: str,
    cl: float,
    y_base_seq: np.ndarray,
    den: np.ndarray,
    screen: bool,
    m: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lower, upper, near lower, near upper for the m points of a part."""
    nan = np.full(m, np.nan)
    if chart == "run":
        return nan, nan, nan.copy(), nan.copy()
    if chart == "xmr":
        amr = _mean_moving_range(y_base_seq, screen)
        if rules == "mdc":
            # NHSRplotthedots: mean +/- 2.66 x mean moving range, near zone at 2/3.
            half, near = _MDC_LIMIT * amr, _MDC_NEAR * amr
        else:
            # qicharts2 qic.i: sigma = amr / 1.128, limits at 3 and 2 sigma.
            sigma = amr / _D2
            half, near = 3 * sigma, 2 * sigma
        lo = np.full(m, cl - half)
        hi = np.full(m, cl + half)
        return lo, hi, np.full(m, cl - near), np.full(m, cl + near)
    with np.errstate(divide="ignore", invalid="ignore"):
        if chart == "p":
            sd = np.sqrt(cl * (1 - cl) / den)
        elif chart == "u":
            sd = np.sqrt(cl / den)
        else:  # c
            sd = np.full(m, math.sqrt(cl) if cl >= 0 else math.nan)
    lo, hi = cl - 3 * sd, cl + 3 * sd
    nlo, nhi = cl - 2 * sd, cl + 2 * sd
    # qicharts2 floors lower limits at 0 for P, U and C, and caps P at 1.
    lo = np.where(lo < 0, 0.0, lo)
    nlo = np.where(nlo < 0, 0.0, nlo)
    if chart == "p":
        hi = np.where(hi > 1, 1.0, hi)
        nhi = np.where(nhi > 1, 1.0, nhi)
    return lo, hi, nlo, nhi


# --------------------------------------------------------------------------
# Rules over the sequence of useful points of one part
# --------------------------------------------------------------------------


def _mdc_episodes(
    y: np.ndarray, rel: np.ndarray, close: np.ndarray
) -> dict[str, list[tuple[list[int], int]]]:
    """Trend, two-in-three and shift as NHSRplotthedots computes them.

    Arguments are the values, side of the mean (-1/0/1) and near-limit flags of
    the included, non-missing points of one part, in order.  Returns, per
    signal, (positions in the sequence, direction) for each episode.
    """
    k = y.size
    found: dict[str, list[tuple[list[int], int]]] = {"trend": [], "two_of_three": [], "shift": []}

    # Trend (ptd_seven_point_trend): 6 consecutive strict moves the same way;
    # an equal value breaks it.  Every point of a 7-point window is flagged, so
    # a run of r >= 6 same-way moves flags its r + 1 points.
    if k >= _MDC_RUN:
        moves = np.sign(np.diff(y)).astype(int)
        for start, length in _long_runs(moves, _MDC_RUN - 1):
            found["trend"].append((list(range(start, start + length + 1)), int(moves[start])))

    # Two of three (ptd_two_in_three / ptd_part_of_two_in_three): a window of 3
    # with >= 2 near-limit points, all 3 on the same side; only the near-limit
    # points are flagged.
    if k >= 3:
        rl = rel.tolist()
        near = close.astype(bool)
        sides = rel.astype(int)
        windows = (near[:-2].astype(int) + near[1:-1] + near[2:] >= 2) & (
            np.abs(sides[:-2] + sides[1:-1] + sides[2:]) == 3
        )
        hit = np.zeros(k, dtype=bool)
        for offset in range(3):
            hit[offset : k - 2 + offset] |= windows
        # Group flagged points on one side, at most 2 apart, into one episode.
        group: list[int] = []
        for i in np.flatnonzero(hit & near).tolist():
            if group and (i - group[-1] > 2 or rl[i] != rl[group[-1]]):
                found["two_of_three"].append((group, rl[group[0]]))
                group = []
            group.append(i)
        if group:
            found["two_of_three"].append((group, rl[group[0]]))

    # Shift (ptd_seven_point_one_side_mean): 7 or more on one side; a point on
    # the mean breaks the run.
    for start, length in _long_runs(rel, _MDC_RUN):
        found["shift"].append((list(range(start, start + length)), int(rel[start])))
    return found


def _ihi_episodes(y: np.ndarray, rel: np.ndarray) -> dict[str, list[tuple[list[int], int]]]:
    """IHI shift (>= 6 one side, median points skipped) and trend (>= 5 points
    going one way, repeated values skipped)."""
    found: dict[str, list[tuple[list[int], int]]] = {"trend": [], "shift": []}
    useful = np.flatnonzero(rel != 0)
    sides = rel[useful]
    for start, length in _long_runs(sides, _IHI_SHIFT):
        found["shift"].append((useful[start : start + length].tolist(), int(sides[start])))

    # Trend: drop points equal to their predecessor, then count runs of moves
    # in one direction; a run of d moves covers d + 1 points.  Like values
    # neither make nor break a trend but belong to it (Perla et al. 2011): the
    # trend covers every point from its first to its last counted point, and
    # the repeats of its last value.
    keep = np.flatnonzero(np.concatenate(([True], y[1:] != y[:-1]))).tolist() if y.size else []
    if len(keep) >= _IHI_TREND:
        kv = y[keep]
        # no move is 0: equal neighbours were dropped
        moves = np.sign(np.diff(kv)).astype(int)
        for start, length in _long_runs(moves, _IHI_TREND - 1):
            first, after = keep[start], start + length + 1
            last = keep[after] - 1 if after < len(keep) else y.size - 1
            found["trend"].append((list(range(first, last + 1)), int(moves[start])))
    return found


def _anhoej_runs(rel_useful: Sequence[int] | np.ndarray) -> tuple[int, int, list[tuple[int, int]]]:
    """longest run, crossings and the runs themselves (qicharts2 runs.analysis)."""
    runs = _runs_of_sign(rel_useful)
    if not runs:
        return 0, 0, runs
    longest = max(length for _, length in runs)
    return longest, len(runs) - 1, runs


# --------------------------------------------------------------------------
# analyse
# --------------------------------------------------------------------------


def analyse(
    values: Sequence[float | None],
    chart: str = "run",
    rules: str = "anhoej",
    denominators: Sequence[float | None] | None = None,
    freeze: int | None = None,
    centre: float | None = None,
    parts: Iterable[int] = (),
    exclude: Iterable[int] = (),
    screen_outliers: bool = True,
    improvement: str | None = None,
    multiply: float = 1,
) -> SPCResult:
    """Analyse a series for special cause variation (see analytics.md).

    ``values`` are counts (numerators) when ``denominators`` are given, and the
    plotted value is value / denominator x multiply.  ``centre`` is on the
    plotted scale.  ``freeze`` counts positions from the start of each part.
    """
    if chart not in CHARTS:
        raise ValueError(f"chart must be one of {CHARTS}, not {chart!r}")
    if rules not in RULES:
        raise ValueError(f"rules must be one of {RULES}, not {rules!r}")
    if improvement not in (None, "increase", "decrease"):
        raise ValueError("improvement must be 'increase', 'decrease' or None")
    if chart in ("p", "u") and denominators is None:
        raise ValueError(f"a {chart} chart needs denominators")
    if freeze is not None and freeze < 1:
        raise ValueError("freeze must be a positive number of points")
    if not multiply:
        raise ValueError("multiply must be non-zero")

    num = _as_float_array(values)
    n = num.size
    if denominators is not None:
        den = _as_float_array(denominators)
        if den.size != n:
            raise ValueError("values and denominators differ in length")
        # qicharts2 blanks both when either is missing (complete.cases).  A zero
        # or negative denominator has no rate, so it counts as missing too
        # (R would plot Inf/NaN).
        bad = np.isnan(num) | np.isnan(den) | (den <= 0)
        num = np.where(bad, np.nan, num)
        den = np.where(bad, np.nan, den)
        with np.errstate(divide="ignore", invalid="ignore"):
            y = num / den
    else:
        den = np.full(n, np.nan)
        y = num.copy()
        if chart == "c":
            den = np.where(np.isnan(num), np.nan, 1.0)

    excluded = np.zeros(n, dtype=bool)
    for i in exclude:
        if 0 <= i < n:
            excluded[i] = True
    starts = sorted({0, *(i for i in parts if 0 < i < n)}) if n else []
    valid = ~np.isnan(y)
    valid_list = valid.tolist()
    variation_of = {d: _variation(d, improvement) for d in (-1, 0, 1)}

    point_centre = np.full(n, np.nan)
    lower = np.full(n, np.nan)
    upper = np.full(n, np.nan)
    near_lower = np.full(n, np.nan)
    near_upper = np.full(n, np.nan)
    part_no = np.zeros(n, dtype=int)
    signals: list[list[str]] = [[] for _ in range(n)]
    variation: list[str | None] = [None] * n
    direction_of: list[int] = [0] * n
    part_list: list[Part] = []
    episodes: list[Episode] = []

    for p_idx, s in enumerate(starts):
        e = starts[p_idx + 1] - 1 if p_idx + 1 < len(starts) else n - 1
        m = e - s + 1
        part_no[s : e + 1] = p_idx
        ys = y[s : e + 1]
        ns = den[s : e + 1]
        nums = num[s : e + 1]
        inc = ~excluded[s : e + 1]
        ok = valid[s : e + 1]
        in_base = np.ones(m, dtype=bool) if freeze is None else (np.arange(m) < freeze)
        base = in_base & inc
        base_ok = base & ok

        # Centre line (qic.run / qic.i / qic.p / qic.u / qic.c).
        if centre is not None:
            cl = float(centre) / multiply
        elif not base_ok.any():
            cl = math.nan
        elif chart == "run":
            cl = float(np.median(ys[base_ok]))
        elif chart in ("xmr",):
            cl = float(ys[base_ok].mean())
        elif chart == "c":
            cl = float(nums[base_ok].mean())
        else:  # p, u: pooled
            cl = float(nums[base_ok].sum() / ns[base_ok].sum())

        # Moving ranges: qicharts2 takes y[base] (dropping excluded points,
        # so ranges bridge them, but keeping NAs, which break ranges).
        lo, hi, nlo, nhi = _limits(chart, rules, cl, ys[base], ns, screen_outliers, m)
        if chart in ("p", "u"):
            # Limits depend on the denominator; none where it is missing.
            for arr in (lo, hi, nlo, nhi):
                arr[~ok] = np.nan

        point_centre[s : e + 1] = cl
        lower[s : e + 1] = lo
        upper[s : e + 1] = hi
        near_lower[s : e + 1] = nlo
        near_upper[s : e + 1] = nhi

        # Sequence for runs analysis and pattern rules: included, non-missing.
        seq = np.flatnonzero(inc & ok)
        yq = ys[seq]
        with np.errstate(invalid="ignore"):
            rel = np.sign(yq - cl).astype(int) if math.isfinite(cl) else np.zeros(seq.size, int)
        useful = rel != 0
        rel_useful_array = rel[useful]
        rel_useful = rel_useful_array.tolist()
        useful_pos = seq[useful].tolist()
        n_useful = len(rel_useful)
        longest, crossings, runs = _anhoej_runs(rel_useful_array)
        lr_max = longest_run_max(n_useful)
        cr_min = crossings_min(n_useful) if n_useful else 0
        runs_signal = bool(n_useful) and (longest > lr_max or crossings < cr_min)
        part = Part(
            start=s,
            end=e,
            centre=_opt(cl * multiply),
            n_useful=n_useful,
            longest_run=longest,
            longest_run_max=lr_max,
            crossings=crossings,
            crossings_min=cr_min,
            runs_signal=runs_signal,
            n_baseline=int(base_ok.sum()),
        )

        part_eps: list[tuple[str, list[int], int]] = []  # signal, absolute idx, dir
        if chart != "run":
            with np.errstate(invalid="ignore"):
                out = ok & ((ys > hi) | (ys < lo))
            for i in np.flatnonzero(out).tolist():
                # NHSRplotthedots labels by side of the mean ("Above UCL").
                d = 1 if ys[i] > cl else -1
                part_eps.append(("outside_limits", [s + i], d))

        if rules == "anhoej":
            if n_useful:
                pos = 0
                for start, length in runs:
                    if length > lr_max:
                        idx = [s + useful_pos[j] for j in range(pos + 0, pos + length)]
                        part_eps.append(("shift", idx, rel_useful[start]))
                    pos += length
        elif rules == "ihi":
            part.runs = crossings + 1 if n_useful else 0
            lim = ihi_runs_limits(n_useful)
            if lim is not None:
                part.runs_min, part.runs_max = lim
                part.runs_signal = part.runs < lim[0] or part.runs > lim[1]
            else:
                part.runs_signal = False
            for sig, eps in _ihi_episodes(yq, rel).items():
                for idx, d in eps:
                    part_eps.append((sig, [s + int(seq[j]) for j in idx], d))
        else:  # mdc
            with np.errstate(invalid="ignore"):
                close_all = ok & ~((ys > hi) | (ys < lo)) & ((ys < nlo) | (ys > nhi))
            close = close_all[seq]
            for sig, eps in _mdc_episodes(yq, rel, close).items():
                for idx, d in eps:
                    part_eps.append((sig, [s + int(seq[j]) for j in idx], d))

        for sig, idx, d in part_eps:
            episodes.append(Episode(part=p_idx, signal=sig, indices=idx, direction=d))
            for i in idx:
                signals[i].append(sig)

        # For a trend point the label follows the trend's direction
        # (NHSRplotthedots "7 Point Trend (Increasing)"); for the others the side.
        dir_by_sig: dict[tuple[int, str], int] = {}
        for sig, idx, d in part_eps:
            for i in idx:
                dir_by_sig[(i, sig)] = d
        # Every point with a value is common cause, but those a signal marks.
        variation[s : e + 1] = ["common_cause" if v else None for v in valid_list[s : e + 1]]
        for i in {i for _, idx, _ in part_eps for i in idx}:
            if not valid_list[i]:
                continue
            if len(signals[i]) > 1:
                signals[i] = [sg for sg in SIGNALS if sg in signals[i]]
            d = dir_by_sig[(i, signals[i][0])]
            direction_of[i] = d
            variation[i] = variation_of[d]
        part_list.append(part)

    scale = float(multiply)
    cols = [_to_list(a * scale) for a in (y, point_centre, lower, upper, near_lower, near_upper)]
    # Every column holds n items by construction; map builds the points without unpacking.
    pts = list(map(Point, *cols, part_no.tolist(), excluded.tolist(), signals, variation))
    return SPCResult(
        points=pts,
        parts=part_list,
        chart=chart,
        rules=rules,
        improvement=improvement,
        multiply=scale,
        episodes=episodes,
    )


# --------------------------------------------------------------------------
# Assurance (Making Data Count icons)
# --------------------------------------------------------------------------


def assurance(
    result: SPCResult, target: float | None, improvement: str | None = None
) -> str | None:
    """Can the process be relied on to meet ``target`` (plotted scale)?

    As NHSRplotthedots ptd_calculate_assurance_type: judged on the limits of
    the last point of the last part.  Returns "pass" (consistently passing),
    "fail" (consistently failing), "hit_and_miss", or None when there is no
    target, no improvement direction, or no limits (run charts).
    """
    improvement = improvement if improvement is not None else result.improvement
    if target is None or improvement is None or not result.points:
        return None
    last_part = result.parts[-1]
    lo = hi = None
    for p in reversed(result.points[last_part.start : last_part.end + 1]):
        if p.lower is not None and p.upper is not None:
            lo, hi = p.lower, p.upper
            break
    if lo is None or hi is None:
        return None
    increasing = improvement == "increase"
    if target > hi:
        return "fail" if increasing else "pass"
    if target < lo:
        return "pass" if increasing else "fail"
    return "hit_and_miss"
