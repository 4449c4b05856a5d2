"""Vectorised reading of numbers and UK dates from mixed-type cells.

Cells arrive as strings (CSV), or as int/float/datetime/str/None (Excel). Dates and labels
repeat heavily, so each distinct value is parsed once in Python and the results are mapped
back with numpy indexing; numbers go through pandas' C converter first and only the
leftovers ("1,234", "12%") are cleaned one distinct value at a time.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from .context import Coded

# Status codes per cell
OK, BLANK, BAD, EXCEL_ERROR, IMPOSSIBLE = 0, 1, 2, 3, 4

# NHS extracts suppress small numbers with "*" and mark not-applicable with "-" or "n/a";
# these are missing values, not errors.
MISSING_MARKERS = frozenset(
    {
        "",
        "-",
        "--",
        "*",
        "**",
        ".",
        "n/a",
        "na",
        "n.a.",
        "null",
        "none",
        "nan",
        "nil",
        "not available",
        "suppressed",
        "x",
        "..",
        "—",
        "–",
    }
)
EXCEL_ERRORS = frozenset(
    {
        "#n/a",
        "#div/0!",
        "#ref!",
        "#value!",
        "#name?",
        "#num!",
        "#null!",
        "#spill!",
        "#calc!",
        "#getting_data",
        "#field!",
        "#blocked!",
        "#unknown!",
        "#busy!",
    }
)

_NUM_CLEAN = re.compile(r"[\s\u00a0\u202f£$€']")
# "1,234" and "12,345.6" group thousands (the UK reading); any other single comma between digits,
# as in "22,2" or "1234,5" from a European-locale export, is a decimal comma.
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$")


def parse_number(raw: object) -> tuple[float, int]:
    """One cell (text or number) as (value, status): "1,234", "(5)", "12%" and "22,5" read as
    an extract's cell would; bools and other types are BAD."""
    if isinstance(raw, bool):
        return np.nan, BAD
    if isinstance(raw, int | float | np.integer | np.floating):
        return float(raw), OK
    if not isinstance(raw, str):
        return np.nan, BAD
    s = raw.strip().lower()
    if s in MISSING_MARKERS:
        return np.nan, BLANK
    if s in EXCEL_ERRORS:
        return np.nan, EXCEL_ERROR
    negative = False
    if s.startswith("(") and s.endswith(")"):  # accounting style negative
        negative, s = True, s[1:-1]
    s = s.replace("\u2212", "-")  # unicode minus from Word/Excel copy-paste
    if s.endswith("%"):
        s = s[:-1]
    s = _NUM_CLEAN.sub("", s)
    if "," in s:
        if _THOUSANDS.match(s):
            s = s.replace(",", "")
        elif _DECIMAL_COMMA.match(s):
            s = s.replace(",", ".")
        else:
            return np.nan, BAD
    if not _NUMBER.match(s):
        return np.nan, BAD
    value = float(s)
    return (-value if negative else value), OK


def to_numbers(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return (float64 values, status codes) for a column of cells."""
    n = len(col)
    status = np.zeros(n, dtype=np.int8)
    if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        values = col.to_numpy(dtype="float64", na_value=np.nan)
        status[np.isnan(values)] = BLANK
        return values, status
    raw = col.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(raw, skipna=True) == "string":
        # Text cells (CSV) repeat heavily: convert each distinct text once. The C converter
        # gives the same number for a text wherever it appears, so this is the same result.
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        u_values, u_status = _convert(pd.Series(uniques, dtype=object))
        u_values = np.append(u_values, np.nan)  # code -1: a missing cell
        u_status = np.append(u_status, np.int8(BLANK))
        return u_values[codes], u_status[codes]
    return _convert(col)


def _convert(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """pandas' C converter first, then the leftovers one distinct value at a time."""
    status = np.zeros(len(col), dtype=np.int8)
    raw = col.to_numpy(dtype=object)
    values = pd.to_numeric(col, errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan, copy=True
    )
    todo = np.isnan(values)
    if todo.any():
        idx = np.flatnonzero(todo)
        codes, uniques = pd.factorize(pd.Series(raw[idx], dtype=object), use_na_sentinel=True)
        parsed = [parse_number(u) for u in uniques]
        u_val = np.array([p[0] for p in parsed] + [np.nan], dtype="float64")
        u_status = np.array([p[1] for p in parsed] + [BLANK], dtype=np.int8)
        values[idx] = u_val[codes]
        status[idx] = u_status[codes]
    return values, status


# ---------------------------------------------------------------- dates

MONTHS = {
    name: i
    for i in range(1, 13)
    for name in {
        calendar.month_name[i].lower(),
        calendar.month_abbr[i].lower(),
        calendar.month_name[i].lower()[:4],
    }
}
MONTHS["sept"] = 9
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))

_PREFIX_COMMENCING = re.compile(
    r"^(?:w/?c|w/?b|wk\s*c(?:omm)?|week\s+(?:commencing|beginning|starting)|"
    r"wk\s+(?:commencing|beginning|starting)|w\.c\.|w\.b\.)\s*:?\s*"
)
_PREFIX_ENDING = re.compile(
    r"^(?:w/?e|wk\s*e(?:nding)?|week\s+end(?:ing)?|wk\s+end(?:ing)?|w\.e\.)\s*:?\s*"
)
_WEEKDAY = re.compile(
    r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\.?,?\s+"
)
_TIME_SUFFIX = re.compile(r"[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})$")
_D_MON_Y = re.compile(
    rf"^(\d{{1,2}})(?:st|nd|rd|th)?[\s\-/.]*({_MONTH_NAMES})\.?[\s\-/.,']*(\d{{4}}|\d{{2}})$"
)
_MON_D_Y = re.compile(rf"^({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})$")
_MON_Y = re.compile(rf"^({_MONTH_NAMES})\.?[\s\-/.,']*(\d{{4}}|\d{{2}})$")
_Y_MON = re.compile(rf"^(\d{{4}})[\s\-/.]*({_MONTH_NAMES})$")
_Y_M = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_M_Y = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_ISO_WEEK = re.compile(r"^(\d{4})[\s\-]*w(?:k|eek)?\s*(\d{1,2})$")
_YYYYMMDD = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
SERIAL_MIN, SERIAL_MAX = 25_000, 80_000  # 1968 .. 2119: a count is never this large here
YEAR_MIN, YEAR_MAX = 1990, 2100


@dataclass(frozen=True)
class ParsedDate:
    value: dt.date | None
    kind: str | None = None  # "commencing" | "ending" | "month" | None
    status: int = OK
    why: str = ""


def _year(text: str) -> int:
    y = int(text)
    return 2000 + y if len(text) == 2 else y


def _make(y: int, m: int, d: int, kind: str | None, raw: str) -> ParsedDate:
    if not YEAR_MIN <= y <= YEAR_MAX:
        return ParsedDate(None, status=BAD, why=f"the year {y} is not plausible")
    if not 1 <= m <= 12:
        return ParsedDate(
            None,
            status=IMPOSSIBLE,
            why=f"there is no month {m} (dates are read day first, as dd/mm/yyyy)",
        )
    last = calendar.monthrange(y, m)[1]
    if not 1 <= d <= last:
        return ParsedDate(
            None,
            status=IMPOSSIBLE,
            why=f"{calendar.month_name[m]} {y} has {last} days",
        )
    return ParsedDate(dt.date(y, m, d), kind)


def parse_date_text(raw: object) -> ParsedDate:
    """Parse one cell. Day first always: 06/01/2025 is 6 January 2025."""
    if raw is None or (isinstance(raw, float) and np.isnan(raw)):
        return ParsedDate(None, status=BLANK)
    if isinstance(raw, pd.Timestamp):
        raw = raw.to_pydatetime()
    if isinstance(raw, dt.datetime):
        return _make(raw.year, raw.month, raw.day, None, str(raw))
    if isinstance(raw, dt.date):
        return _make(raw.year, raw.month, raw.day, None, str(raw))
    if isinstance(raw, bool):
        return ParsedDate(None, status=BAD)
    if isinstance(raw, int | float | np.integer | np.floating):
        return _from_serial(float(raw))
    if not isinstance(raw, str):
        return ParsedDate(None, status=BAD)
    s = " ".join(raw.strip().lower().split())
    if s in MISSING_MARKERS:
        return ParsedDate(None, status=BLANK)
    kind = None
    m = _PREFIX_COMMENCING.match(s)
    if m:
        kind, s = "commencing", s[m.end() :]
    else:
        m = _PREFIX_ENDING.match(s)
        if m:
            kind, s = "ending", s[m.end() :]
    s = _WEEKDAY.sub("", s)
    s = _TIME_SUFFIX.sub("", s).strip()
    if m := _ISO.match(s):
        return _make(int(m[1]), int(m[2]), int(m[3]), kind, raw)
    if m := _DMY.match(s):
        return _make(_year(m[3]), int(m[2]), int(m[1]), kind, raw)
    if m := _D_MON_Y.match(s):
        return _make(_year(m[3]), MONTHS[m[2]], int(m[1]), kind, raw)
    if m := _MON_D_Y.match(s):
        return _make(int(m[3]), MONTHS[m[1]], int(m[2]), kind, raw)
    if m := _MON_Y.match(s):
        return _make(_year(m[2]), MONTHS[m[1]], 1, "month", raw)
    if m := _Y_MON.match(s):
        return _make(int(m[1]), MONTHS[m[2]], 1, "month", raw)
    if m := _Y_M.match(s):
        return _make(int(m[1]), int(m[2]), 1, "month", raw)
    if m := _M_Y.match(s):
        return _make(int(m[2]), int(m[1]), 1, "month", raw)
    if m := _ISO_WEEK.match(s):
        y, w = int(m[1]), int(m[2])
        try:
            return ParsedDate(dt.date.fromisocalendar(y, w, 1), "commencing")
        except ValueError:
            return ParsedDate(None, status=IMPOSSIBLE, why=f"{y} has no week {w}")
    if m := _YYYYMMDD.match(s):
        return _make(int(m[1]), int(m[2]), int(m[3]), kind, raw)
    if _SERIAL.match(s):
        return _from_serial(float(s))
    return ParsedDate(None, status=BAD)


def _from_serial(x: float) -> ParsedDate:
    if SERIAL_MIN <= x <= SERIAL_MAX:
        d = (EXCEL_EPOCH + dt.timedelta(days=int(x))).date()
        return ParsedDate(d, None)
    return ParsedDate(None, status=BAD)


def looks_like_date(raw: object) -> bool:
    """For header detection: real dates and date-ish text, but not bare numbers."""
    if isinstance(raw, dt.date | pd.Timestamp):
        return True
    if isinstance(raw, str):
        return parse_date_text(raw).status == OK and not raw.strip().isdigit()
    return False


class DateColumn:
    """Parsed dates of a column: per-cell dates and status, and per distinct cell the kind
    and the reason it was refused (read per cell through kind and why)."""

    def __init__(self, codes: np.ndarray, parsed: list[ParsedDate]) -> None:
        self.codes = codes  # index into the distinct cells, per cell
        u_dates = np.array(
            [np.datetime64(p.value, "D") if p.value else np.datetime64("NaT", "D") for p in parsed],
            dtype="datetime64[D]",
        )
        self.u_kind = np.array([p.kind for p in parsed], dtype=object)
        self.u_status = np.array([p.status for p in parsed], dtype=np.int8)
        self.u_why = np.array([p.why for p in parsed], dtype=object)
        self.dates = u_dates[codes]  # datetime64[D]; NaT where not parsed
        self.status = self.u_status[codes]  # int8

    @cached_property
    def kind(self) -> np.ndarray:
        """Object array of kinds per cell."""
        return self.u_kind[self.codes]

    def why(self, i: int) -> str:
        """Why cell i was refused (only meaningful where status != OK)."""
        return self.u_why[self.codes[i]]

    def kind_coded(self, keep: np.ndarray) -> Coded:
        return Coded(self.codes[keep], self.u_kind)


def to_dates(
    col: pd.Series, factorized: tuple[np.ndarray, list[object]] | None = None
) -> DateColumn:
    """Parse a column of date cells; factorized = (codes, uniques) when already known."""
    if factorized is None:
        raw = col.to_numpy(dtype=object)
        codes, uniques = pd.factorize(pd.Series(raw, dtype=object), use_na_sentinel=True)
    else:
        codes, uniques = factorized
    parsed = [parse_date_text(u) for u in uniques]
    parsed.append(ParsedDate(None, status=BLANK))
    # codes of -1 (missing cells) index the final BLANK entry
    return DateColumn(codes, parsed)


# ---------------------------------------------------------------- periods

_MONDAY_OFFSET = 3  # 1970-01-01 was a Thursday: (days + 3) % 7 == 0 on Mondays


def iso_monday(days: np.ndarray) -> np.ndarray:
    """Monday of the ISO week for datetime64[D] values."""
    d = days.astype("datetime64[D]", copy=False).view(np.int64)
    monday = d + _MONDAY_OFFSET
    monday %= 7
    np.subtract(d, monday, out=monday)
    return monday.view("datetime64[D]")


def _kind_is(kind: np.ndarray | Coded, wanted: str) -> np.ndarray:
    if isinstance(kind, Coded):
        return (kind.labels == wanted)[kind.codes]
    return kind == wanted


def week_start(dates: np.ndarray, kind: np.ndarray | Coded, header_kind: str | None) -> np.ndarray:
    """Normalise week labels to the Monday that starts the week.

    - "week commencing" dates go to the nearest Monday, so a Sunday-to-Saturday week
      starting Sunday 05/01/2025 is the week of Monday 06/01/2025.
    - "week ending" dates: the week ends on that day, so it started six days earlier;
      that start goes to the nearest Monday (ending Sun 12/01/2025, Sat 11/01/2025 or
      Fri 10/01/2025 all give Monday 06/01/2025).
    - Plain dates go to the Monday of their ISO week.
    """
    d = dates.astype("datetime64[D]")
    ending = _kind_is(kind, "ending")
    commencing = _kind_is(kind, "commencing")
    plain = ~(ending | commencing)
    if header_kind == "ending":
        ending |= plain
    elif header_kind == "commencing":
        commencing |= plain
    plain = ~(ending | commencing)
    for same, shift in ((plain, 0), (commencing, 3), (ending, -3)):
        if same.all():  # one kind throughout (the usual case): no masks needed
            return iso_monday(d + np.timedelta64(shift, "D"))
    out = np.empty_like(d)
    out[plain] = iso_monday(d[plain])
    out[commencing] = iso_monday(d[commencing] + np.timedelta64(3, "D"))
    out[ending] = iso_monday(d[ending] - np.timedelta64(3, "D"))
    return out


def month_start(dates: np.ndarray) -> np.ndarray:
    return dates.astype("datetime64[M]").astype("datetime64[D]")


def guess_frequency(dates: np.ndarray, kind: np.ndarray | Coded, header_hint: str | None) -> str:
    """ "monthly" or "weekly" from the header, the labels, then the spacing of the dates."""
    if header_hint in ("week", "commencing", "ending"):
        return "weekly"
    if header_hint == "month":
        return "monthly"
    valid = ~np.isnat(dates)
    if not valid.any():
        return "weekly"
    if isinstance(kind, Coded):
        kinds = set(kind.labels[np.unique(kind.codes[valid])].tolist())
    else:
        kinds = set(kind[valid].tolist())
    if kinds == {"month"}:
        return "monthly"
    if kinds & {"commencing", "ending"}:
        return "weekly"
    uniq = np.unique(dates[valid].astype("datetime64[D]"))
    days = pd.DatetimeIndex(uniq)
    first = bool((days.day == 1).all())
    last = bool(days.is_month_end.all())
    if (first or last) and len(uniq) >= 2 and np.diff(uniq).astype(int).min() >= 28:
        return "monthly"
    if first and len(uniq) == 1 and days[0].day_of_week != 0:
        return "monthly"
    return "weekly"
