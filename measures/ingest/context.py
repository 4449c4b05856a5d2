"""State shared by the layout readers while one file is parsed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .model import ParseOptions, ProblemLog, UnmappedLabel
from .text import AliasTable


def column_letter(index: int) -> str:
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Piece:
    """Observations from one block of cells, before validation (arrays of equal length)."""

    site: np.ndarray  # object: site code
    date: np.ndarray  # datetime64[D]: the date as written (not yet a period start)
    kind: np.ndarray  # object: "commencing" | "ending" | "month" | None per cell
    measure: np.ndarray  # object: measure code
    value: np.ndarray  # float64
    row: np.ndarray  # int64: 1-based row in the sheet
    column: np.ndarray  # object: column header text, for messages
    sheet: str | None
    header_kind: str | None  # "commencing" | "ending" | None from the column header
    frequency_hint: str | None  # "week" | "month" | "date" | None


@dataclass
class Context:
    file: str
    options: ParseOptions
    sites: AliasTable
    measures: AliasTable
    log: ProblemLog
    notes: list[str] = field(default_factory=list)
    unmapped: dict[str, UnmappedLabel] = field(default_factory=dict)

    def add_unmapped(self, label: UnmappedLabel) -> None:
        seen = self.unmapped.get(label.normalised)
        if seen is None:
            self.unmapped[label.normalised] = label
        else:
            self.unmapped[label.normalised] = UnmappedLabel(
                seen.label,
                seen.normalised,
                seen.where,
                seen.sheet,
                seen.row,
                seen.column,
                seen.occurrences + label.occurrences,
            )

    def emit_rows(
        self,
        mask: np.ndarray,
        code: str,
        sheet: str | None,
        rows: np.ndarray,
        column: str | Callable[[int], str] | None,
        reason: Callable[[int], str],
    ) -> int:
        """One problem per flagged row; only the first few are built as objects."""
        idx = np.flatnonzero(mask)
        built = idx[: self.log.cap]
        for i in built:
            col = column(int(i)) if callable(column) else column
            self.log.add(code, reason(int(i)), sheet=sheet, row=int(rows[i]), column=col)
        self.log.counted(len(idx) - len(built))
        return len(idx)

    def emit_grouped(
        self,
        mask: np.ndarray,
        codes: np.ndarray,
        code: str,
        sheet: str | None,
        rows: np.ndarray,
        column: str | None,
        reason: Callable[[int, int], str],
    ) -> None:
        """One problem per distinct label (codes = factorised labels), at its first row.

        reason(label_code, n_rows) builds the message.
        """
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        labels = codes[idx]
        uniq, first, counts = np.unique(labels, return_index=True, return_counts=True)
        for u, f, n in zip(uniq, first, counts, strict=True):
            self.log.add(
                code, reason(int(u), int(n)), sheet=sheet, row=int(rows[idx[f]]), column=column
            )


def also_rows(n: int) -> str:
    """Suffix for grouped problems: '' or ' (and 3 more rows)'."""
    if n <= 1:
        return ""
    return f" (and {n - 1:,} more row{'s' if n > 2 else ''})"
