"""Find the header row below any title rows and work out what each column holds."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .context import Context, column_letter
from .readers import Sheet, cell_text, is_blank
from .text import (
    COMMENCING_HEADERS,
    ENDING_HEADERS,
    MEASURE_HEADERS,
    SITE_HEADERS,
    VALUE_HEADERS,
    is_total_label,
    normalise_label,
    period_header_kind,
    record_role,
)
from .values import OK, SERIAL_MAX, SERIAL_MIN, ParsedDate, looks_like_date, parse_date_text


@dataclass
class Column:
    index: int
    name: str  # header text, or the column letter when the header is blank
    norm: str
    role: str | None = None  # site | measure | value | period | record roles
    period_kind: str | None = None  # week | month | date, for period columns
    date: ParsedDate | None = None  # pivot: the period this column holds
    total: bool = False


@dataclass
class Header:
    index: int  # position in the sheet's preamble
    row_number: int  # 1-based, as a person sees it
    columns: list[Column]
    titles: list[str] = field(default_factory=list)  # text of the rows above

    def by_role(self, role: str) -> list[Column]:
        return [c for c in self.columns if c.role == role]

    @property
    def date_columns(self) -> list[Column]:
        return [c for c in self.columns if c.date is not None]


def header_kind_of(text: str) -> str | None:
    """ "ending" / "commencing" from a header such as "Week ending" or "w/c"."""
    norm = normalise_label(text)
    if ENDING_HEADERS.search(norm):
        return "ending"
    if COMMENCING_HEADERS.search(norm):
        return "commencing"
    return None


def _serial_dates(row: list[object]) -> dict[int, ParsedDate]:
    """Excel serial numbers used as pivot headers: accepted only when evenly spaced."""
    found: dict[int, float] = {}
    for i, cell in enumerate(row):
        x: float | None = None
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            x = float(cell)
        elif isinstance(cell, str) and cell.strip().replace(".0", "", 1).isdecimal():
            x = float(cell.strip())
        if x is not None and SERIAL_MIN <= x <= SERIAL_MAX and x.is_integer():
            found[i] = x
    if len(found) < 2:
        return {}
    gaps = np.diff(sorted(found.values()))
    if not ((gaps == 7).all() or ((gaps >= 28) & (gaps <= 31)).all()):
        return {}
    return {i: parse_date_text(x) for i, x in found.items()}


def _row_dates(row: list[object]) -> dict[int, ParsedDate]:
    dates = {}
    for i, cell in enumerate(row):
        if looks_like_date(cell):
            parsed = parse_date_text(cell)
            if parsed.status == OK:
                dates[i] = parsed
    if len(dates) < 2:
        dates.update(_serial_dates(row))
    return dates


def _score(row: list[object], ctx: Context) -> float:
    cells = [c for c in row if not is_blank(c)]
    if len(cells) < 2:
        return -1.0
    score = 0.0
    dates = _row_dates(row)
    # A header of dates is a pivot; a data row has at most a few dates among other cells.
    if len(dates) >= 2 and len(dates) >= len(cells) - 3:
        score += 2 * len(dates)
    for cell in cells:
        if isinstance(cell, str):
            norm = normalise_label(cell)
            if (
                norm in SITE_HEADERS
                or norm in MEASURE_HEADERS
                or norm in VALUE_HEADERS
                or period_header_kind(norm)
                or record_role(norm)
            ):
                score += 3
            elif ctx.measures.lookup(cell) is not None:
                score += 2
            elif ctx.sites.lookup(cell) is not None and len(dates) < 2:
                score += 1
            elif not looks_like_date(cell):
                score += 0.25
        elif isinstance(cell, int | float):
            score -= 1
    return score


def find_header(sheet: Sheet, ctx: Context) -> Header | None:
    rows = sheet.preamble
    best, best_score = None, 0.5
    for i, row in enumerate(rows):
        s = _score(row, ctx)
        if s > best_score:
            best, best_score = i, s
    if best is None:
        return None
    titles = [cell_text(c) for r in rows[:best] for c in r if isinstance(c, str)]
    row_number = sheet.line_of_record[best] if sheet.line_of_record else best + 1
    return Header(best, row_number, classify(rows[best], ctx), titles)


def classify(row: list[object], ctx: Context) -> list[Column]:
    dates = _row_dates(row)
    pivot = len(dates) >= 2
    columns: list[Column] = []
    for i, cell in enumerate(row):
        text = cell_text(cell)
        norm = normalise_label(text)
        col = Column(i, text or column_letter(i), norm)
        if pivot and i in dates:
            col.date = dates[i]
        elif is_total_label(text):
            col.total = True
        elif norm in SITE_HEADERS:
            col.role = "site"
        elif norm in MEASURE_HEADERS:
            col.role = "measure"
        elif norm in VALUE_HEADERS:
            col.role = "value"
        elif (kind := period_header_kind(norm)) is not None:
            col.role, col.period_kind = "period", kind
        elif (role := record_role(norm)) is not None:
            col.role = role
        columns.append(col)
    # the site column of a record extract is often "site_code": already covered above
    return columns
