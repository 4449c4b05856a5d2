"""State shared by the layout readers while one file is parsed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .model import ParseOptions, ProblemLog, UnmappedLabel
from .text import AliasTable

# What pd.factorize gives: the codes (intp, -1 for missing) and the distinct values (an Index or
# array: pandas has no type stubs here, so Any).
Factorized = tuple[np.ndarray, Any]


def column_letter(index: int) -> str:
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Coded:
    """A column of repeated labels as integer codes into a short array of labels.

    Labels may repeat (two spellings of a site map to the same code); a million-row column
    costs an integer array instead of a million object references to compare and hash.
    """

    codes: np.ndarray  # intp: index into labels, per row
    labels: np.ndarray  # object

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, key) -> Coded:
        return Coded(self.codes[key], self.labels)

    def values(self) -> np.ndarray:
        return self.labels[self.codes]


def as_coded(values: np.ndarray | Coded | str | None, n: int) -> Coded:
    """Codes and labels for a piece's column given as labels per row, Coded, or one label."""
    if isinstance(values, Coded):
        return values
    if values is None or isinstance(values, str):
        return Coded(np.zeros(n, np.intp), np.array([values], dtype=object))
    codes, uniques = pd.factorize(pd.Series(values, dtype=object, copy=False))
    labels = np.asarray(uniques, dtype=object)
    if (codes < 0).any():  # keep None (a cell with no kind) as a label of its own
        labels = np.append(labels, np.array([None], dtype=object))
        codes = np.where(codes < 0, len(labels) - 1, codes)
    return Coded(codes, labels)


@dataclass
class Piece:
    """Observations from one block of cells, before validation (arrays of equal length).

    site, measure, kind and column hold a label per row, as an object array or as Coded;
    column may also be a single header text for every row.
    """

    site: np.ndarray | Coded  # site code
    date: np.ndarray  # datetime64[D]: the date as written (not yet a period start)
    kind: np.ndarray | Coded  # "commencing" | "ending" | "month" | None per cell
    measure: np.ndarray | Coded  # measure code
    value: np.ndarray  # float64
    row: np.ndarray  # int64: 1-based row in the sheet
    column: np.ndarray | Coded | str  # column header text, for messages
    sheet: str | None
    header_kind: str | None  # "commencing" | "ending" | None from the column header
    frequency_hint: str | None  # "week" | "month" | "date" | None
    # Record-level extracts: weekly figures per group (site, period, measure, by, group, value)
    grouped: pd.DataFrame | None = None


@dataclass
class Context:
    file: str
    options: ParseOptions
    sites: AliasTable
    measures: AliasTable
    log: ProblemLog
    notes: list[str] = field(default_factory=list)
    unmapped: dict[str, UnmappedLabel] = field(default_factory=dict)
    # pd.factorize of a sheet's columns, shared by the checks that read the same column
    _factorized: dict[tuple[int, int], tuple[pd.DataFrame, np.ndarray, Any]] = field(
        default_factory=dict, repr=False
    )

    def factorized(self, frame: pd.DataFrame, index: int) -> Factorized | None:
        """(codes, uniques) of pd.factorize(frame[index]) for an object column, else None.

        Computed once per column of a sheet's frame; forget_sheet() drops them.
        """
        col = frame[index]
        categorical = isinstance(col.dtype, pd.CategoricalDtype)
        if col.dtype != object and not categorical:
            return None
        key = (id(frame), index)
        hit = self._factorized.get(key)
        if hit is None or hit[0] is not frame:
            if categorical:
                codes, uniques = _factorize_categorical(col.array)
            else:
                codes, uniques = pd.factorize(col, use_na_sentinel=True)
            hit = self._factorized[key] = (frame, codes, uniques)
        return hit[1], hit[2]

    def forget_sheet(self) -> None:
        self._factorized.clear()

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


def _factorize_categorical(cat: pd.Categorical) -> tuple[np.ndarray, np.ndarray]:
    """What pd.factorize gives for the same cells held as text: codes numbered in order of
    first appearance (-1 for a missing cell) and the distinct texts in that order."""
    codes = cat.codes
    order = pd.unique(codes[codes >= 0])  # category numbers in order of first appearance
    rank = np.full(len(cat.categories) + 1, -1, dtype=np.intp)  # last entry: code -1
    rank[order] = np.arange(len(order))
    uniques = np.asarray(cat.categories, dtype=object)[order]
    return rank[codes], uniques


def also_rows(n: int) -> str:
    """Suffix for grouped problems: '' or ' (and 3 more rows)'."""
    if n <= 1:
        return ""
    return f" (and {n - 1:,} more row{'s' if n > 2 else ''})"
