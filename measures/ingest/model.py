"""Public data types of the extract parser, and the problem log that caps reporting."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pandas as pd

# A measure alias that maps to this code tells the parser to skip the label silently
# (e.g. a "Target" or "RAG" column the mapping screen marked as "not a measure").
IGNORE = ""

MAX_PROBLEMS = 200

OBSERVATION_COLUMNS = ["site", "period", "measure", "value", "sheet", "row"]


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    reason: str
    code: str
    # The site of the row, where the row's site is known: a reader of the report sees a
    # row's problem only if they may see its site.
    site: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet is not None:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        if len(where) == 1 and self.reason.startswith(self.file):
            return self.reason  # file-level reasons that already name the file
        return f"{', '.join(where)}: {self.reason}"


@dataclass(frozen=True)
class UnmappedLabel:
    """A label that looks like a measure name but is not in measure_aliases."""

    label: str  # as written in the file
    normalised: str  # key to add to measure_aliases
    where: str  # "column" (wide header), "row" (pivot row label) or "value" (tidy measure cell)
    sheet: str | None
    row: int | None  # first place it was seen, 1-based
    column: str | None
    occurrences: int = 1  # number of values that will load once it is mapped


@dataclass
class ParseOptions:
    site_aliases: dict[str, str]
    measure_aliases: dict[str, str]
    count_measures: frozenset[str] = frozenset()
    default_site: str | None = None
    # default_factory so a long-running worker does not keep the import date forever
    today: datetime.date = field(default_factory=datetime.date.today)
    max_rows: int = 2_000_000
    max_uncompressed_bytes: int = 500 * 1024 * 1024
    max_cells: int = 3_000_000  # workbook cells read, all sheets together
    max_columns: int = 16_384  # fields on one line or row (Excel's own limit)
    max_field_bytes: int = 128 * 1024  # one CSV cell
    # measures allowed to go below zero (e.g. a change in caseload); all others must be >= 0
    signed_measures: frozenset[str] = frozenset()
    max_problems: int = MAX_PROBLEMS


@dataclass
class ParseResult:
    file: str
    layout: str
    frequency: str
    observations: pd.DataFrame
    problems: list[Problem]
    unmapped: list[UnmappedLabel]
    sheets: list[str]
    # human-readable notes on what was skipped (total rows, comment columns, hidden sheets)
    notes: list[str] = field(default_factory=list)
    # Every site the file names (site columns, sheet names, titles, the default site), whether
    # or not its rows were usable.
    sites: list[str] = field(default_factory=list)
    # Record-level extracts with grouping columns: weekly figures per group, columns site,
    # period, measure, by, group, value, records (see ingest.groups); empty otherwise.
    grouped: pd.DataFrame = field(default_factory=lambda: empty_grouped())

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unmapped


def empty_observations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site": pd.Series(dtype=object),
            "period": pd.Series(dtype="datetime64[ns]"),
            "measure": pd.Series(dtype=object),
            "value": pd.Series(dtype="float64"),
            "sheet": pd.Series(dtype=object),
            "row": pd.Series(dtype="int64"),
        }
    )


GROUPED_COLUMNS = ["site", "period", "measure", "by", "group", "value", "records"]


def empty_grouped() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site": pd.Series(dtype=object),
            "period": pd.Series(dtype="datetime64[ns]"),
            "measure": pd.Series(dtype=object),
            "by": pd.Series(dtype=object),
            "group": pd.Series(dtype=object),
            "value": pd.Series(dtype="float64"),
            "records": pd.Series(dtype="int64"),
        }
    )


class ProblemLog:
    """Collects problems; each kind keeps at most `cap` objects but counts every occurrence.

    Vectorised checks can find a million bad cells; building a million Problem objects
    would cost more than the parse itself, so callers pass the total and a few examples.
    """

    def __init__(self, file: str, cap: int = MAX_PROBLEMS) -> None:
        self.file = file
        self.cap = cap
        self._items: list[tuple[int, Problem]] = []
        self.total = 0
        self._order = 0
        self.sheet_order: dict[str | None, int] = {}

    def add(
        self,
        code: str,
        reason: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        site: str | None = None,
    ) -> None:
        self.total += 1
        if len(self._items) < self.cap * 4:
            problem = Problem(self.file, sheet, row, column, reason, code, site)
            self._items.append((self._order, problem))
            self._order += 1

    def counted(self, n: int) -> None:
        """Record n further problems that were not built as objects."""
        self.total += n

    def __bool__(self) -> bool:
        return self.total > 0

    def has(self, code: str) -> bool:
        return any(p.code == code for _, p in self._items)

    def result(self) -> list[Problem]:
        def key(item: tuple[int, Problem]) -> tuple:
            _, p = item
            sheet_rank = self.sheet_order.get(p.sheet, -1 if p.sheet is None else 10**6)
            return (p.row is not None, sheet_rank, p.row or 0, item[0])

        items = [p for _, p in sorted(self._items, key=key)]
        shown = items[: self.cap]
        hidden = self.total - len(shown)
        if hidden > 0:
            shown.append(
                Problem(
                    self.file,
                    None,
                    None,
                    None,
                    f"and {hidden:,} more problem{'s' if hidden != 1 else ''} not listed "
                    "(fix the ones above and upload again to see the rest)",
                    "more_problems",
                )
            )
        return shown
