"""Turn one sheet's cells into observation pieces, for the tidy, wide and pivot layouts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .context import Coded, Context, Factorized, Piece, also_rows
from .header import Column, Header, header_kind_of
from .model import IGNORE, UnmappedLabel
from .readers import cell_text, is_blank
from .text import is_total_label, looks_like_formula, normalise_label, plausible_measure_label
from .values import BAD, BLANK, EXCEL_ERROR, IMPOSSIBLE, OK, to_dates, to_numbers

DATE_EXAMPLES = "for example 06/01/2025, 2025-01-06, 06-Jan-25 or w/c 06-Jan-25"


@dataclass
class SheetContext:
    """What the sheet says about itself outside the grid: its name and title rows."""

    name: str | None
    site: str | None  # site code from the sheet name, title rows or default
    measure: str | None  # measure code from the sheet name or title rows
    site_source: str


_BLANK_UNIQUES: dict[int, tuple[object, np.ndarray]] = {}


def _fast_blank(col: pd.Series, factorized: Factorized | None = None) -> np.ndarray:
    """Blank test that stays vectorised on large columns: a column of few distinct labels
    (categorical, or already factorised with few uniques) classifies each label once; a column
    of text (a CSV's, or many distinct values such as referral ids) is compared whole, without
    factorising a million uniques and testing each in Python."""
    if pd.api.types.is_numeric_dtype(col.dtype):
        return col.isna().to_numpy()
    few = factorized is not None and len(factorized[1]) * 4 < len(col)
    if not few and not isinstance(col.dtype, pd.CategoricalDtype):
        values = col.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(values, skipna=False) == "string":
            return (values == "") | _IS_SPACE(values).astype(bool)
    codes, uniques = factorized or pd.factorize(col, use_na_sentinel=True)
    cached = _BLANK_UNIQUES.get(id(uniques))
    if cached is not None and cached[0] is uniques:
        return cached[1][codes]
    if len(uniques) > 1000:
        # Identifiers have as many distinct values as rows: test them in pandas' loop, not
        # Python's (the same test as is_blank: None, NaN, or a string of whitespace).
        u = pd.Series(np.asarray(uniques, dtype=object), dtype=object, copy=False)
        u_blank = np.append(u.isna().to_numpy() | (u.str.strip() == "").to_numpy(), True)
    else:
        u_blank = np.array([is_blank(u) for u in uniques] + [True], dtype=bool)
    if factorized is not None and len(uniques) > 1000:
        # A shared factorisation (Context.factorized) is tested once, whoever asks again.
        if len(_BLANK_UNIQUES) >= 16:
            _BLANK_UNIQUES.clear()
        _BLANK_UNIQUES[id(uniques)] = (uniques, u_blank)
    return u_blank[codes]


_IS_SPACE = np.frompyfunc(str.isspace, 1, 1)


def _blank_rows(frame: pd.DataFrame, columns: list[int]) -> np.ndarray:
    """Rows blank in every one of these columns. Each column is tested only on the rows still
    blank in those before it, so a column filled on most rows (a referral id) leaves little to
    test in the others."""
    blank = np.ones(len(frame), bool)

    def coded(c: int) -> bool:
        dtype = frame[c].dtype
        return pd.api.types.is_numeric_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype)

    # Columns tested a label at a time (numbers, categories) first: a column of text is then
    # tested only on the few rows still blank (a million referral ids cost 0.15 s when first).
    for c in sorted(columns, key=lambda c: not coded(c)):
        col = frame[c]
        if not blank.any():
            break
        if pd.api.types.is_numeric_dtype(col.dtype) or isinstance(col.dtype, pd.CategoricalDtype):
            blank &= _fast_blank(col)
            continue
        values = col.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(values, skipna=False) != "string":
            blank &= _fast_blank(col)
            continue
        rest = np.flatnonzero(blank & (values != ""))
        if len(rest):
            blank[rest] = _IS_SPACE(values[rest]).astype(bool)
    return blank


# ---------------------------------------------------------------- labels


@dataclass
class LabelMap:
    """Factorised labels of one column, each classified once."""

    codes: np.ndarray  # per row, index into uniques (-1 for NaN)
    uniques: list[object]
    mapped: np.ndarray  # object: code per unique ("" when unmapped/ignored)
    status: np.ndarray  # per unique: ok | blank | total | formula | unknown | ignore

    def rows(self, *statuses: str) -> np.ndarray:
        """Per row: does the label have one of these statuses."""
        return np.isin(self.status, statuses)[self.codes]


def map_labels(
    col: pd.Series,
    table,
    *,
    allow_total: bool = True,
    factorized: Factorized | None = None,
) -> LabelMap:
    codes, uniques = factorized or pd.factorize(col, use_na_sentinel=True)
    uniques_list = [*list(uniques), None]
    codes = np.where(codes < 0, len(uniques_list) - 1, codes)
    mapped = np.empty(len(uniques_list), dtype=object)
    status = np.empty(len(uniques_list), dtype=object)
    for i, raw in enumerate(uniques_list):
        mapped[i] = ""
        if is_blank(raw):
            status[i] = "blank"
        elif looks_like_formula(raw):
            status[i] = "formula"
        elif allow_total and is_total_label(cell_text(raw)):
            status[i] = "total"
        else:
            code = table.lookup(cell_text(raw))
            if code is None:
                status[i] = "unknown"
            elif code == IGNORE:
                status[i] = "ignore"
            else:
                status[i] = "ok"
                mapped[i] = code
    return LabelMap(codes, uniques_list, mapped, status)


def _formula_reason(raw: object, what: str) -> str:
    return (
        f"the {what} '{cell_text(raw)[:60]}' looks like a spreadsheet formula; formulas are "
        "refused because they can run when the data is opened in Excel. Remove the leading "
        "'=', '+', '-' or '@'."
    )


# ---------------------------------------------------------------- shared checks


def _raw_text(raw: np.ndarray | None, i: int) -> str:
    """A cell as written, for a message (`raw` is read only when some cell is refused)."""
    return "" if raw is None else cell_text(raw[i])


def _date_problems(
    ctx: Context,
    dates,
    active: np.ndarray,
    sheet: str | None,
    rows: np.ndarray,
    column: str,
    raw: np.ndarray | None,
) -> np.ndarray:
    """Report unreadable dates among active rows; return the mask of usable dates."""
    bad = active & (dates.status == BAD)
    ctx.emit_rows(
        bad,
        "bad_date",
        sheet,
        rows,
        column,
        lambda i: f"'{_raw_text(raw, i)}' is not a date ({DATE_EXAMPLES}; day first)",
    )
    impossible = active & (dates.status == IMPOSSIBLE)
    ctx.emit_rows(
        impossible,
        "impossible_date",
        sheet,
        rows,
        column,
        lambda i: f"'{_raw_text(raw, i)}' is not a real date: {dates.why(i)}",
    )
    missing = active & (dates.status == BLANK)
    ctx.emit_rows(missing, "missing_date", sheet, rows, column, lambda i: "the date is missing")
    return active & (dates.status == OK)


def _value_problems(
    ctx: Context,
    values: np.ndarray,
    status: np.ndarray,
    active: np.ndarray,
    raw: np.ndarray | None,
    sheet: str | None,
    rows: np.ndarray,
    column: str | Callable[[int], str],
) -> np.ndarray:
    """Report non-numbers among active cells; return the mask of cells holding a number."""
    ctx.emit_rows(
        active & (status == BAD),
        "non_numeric",
        sheet,
        rows,
        column,
        lambda i: f"'{_raw_text(raw, i)[:60]}' is not a number",
    )
    ctx.emit_rows(
        active & (status == EXCEL_ERROR),
        "excel_error",
        sheet,
        rows,
        column,
        lambda i: f"the cell shows the Excel error {_raw_text(raw, i)} instead of a number",
    )
    return active & (status == OK)


def _site_codes(
    ctx: Context,
    frame: pd.DataFrame,
    rows: np.ndarray,
    active: np.ndarray,
    header: Header,
    sc: SheetContext,
) -> tuple[Coded, np.ndarray]:
    """Site per row (from a site column, else the sheet context) as codes into a short array
    of site codes; and a usable mask."""
    n = len(frame)
    site_cols = header.by_role("site")
    if not site_cols:
        if sc.site is None:
            if active.any():
                first = int(rows[np.flatnonzero(active)[0]])
                ctx.log.add(
                    "missing_site",
                    "the file does not say which site these figures are for: add a site "
                    "column, name the sheet after the site, or choose the site when uploading",
                    sheet=sc.name,
                    row=first,
                )
            return Coded(np.zeros(n, np.intp), np.array([None], dtype=object)), np.zeros(n, bool)
        return Coded(np.zeros(n, np.intp), np.array([sc.site], dtype=object)), np.ones(n, bool)
    col = site_cols[0]
    labels = map_labels(frame[col.index], ctx.sites, factorized=ctx.factorized(frame, col.index))
    # statuses are per distinct label, so a blank label stands for the sheet's site throughout
    status = labels.status.copy()
    mapped = labels.mapped.copy()
    if sc.site is not None:
        blank = status == "blank"
        mapped[blank] = sc.site
        status[blank] = "ok"

    def rows_with(*wanted: str) -> np.ndarray:
        return np.isin(status, wanted)[labels.codes]

    ctx.emit_grouped(
        active & rows_with("formula"),
        labels.codes,
        "formula_injection",
        sc.name,
        rows,
        col.name,
        lambda u, k: _formula_reason(labels.uniques[u], "site") + also_rows(k),
    )
    ctx.emit_grouped(
        active & rows_with("unknown", "ignore"),
        labels.codes,
        "unknown_site",
        sc.name,
        rows,
        col.name,
        lambda u, k: (
            f"'{cell_text(labels.uniques[u])}' is not a known site; add it as a "
            f"site alias or correct the name{also_rows(k)}"
        ),
    )
    ctx.emit_rows(
        active & rows_with("blank"),
        "missing_site",
        sc.name,
        rows,
        col.name,
        lambda i: "the site is missing",
    )
    return Coded(labels.codes, mapped), rows_with("ok")


def _total_rows(ctx: Context, frame: pd.DataFrame, label_cols: list[int]) -> np.ndarray:
    mask = np.zeros(len(frame), bool)
    for c in label_cols:
        codes, uniques = ctx.factorized(frame, c) or pd.factorize(frame[c], use_na_sentinel=True)
        u_total = np.array([is_total_label(u) for u in uniques] + [False], dtype=bool)
        mask |= u_total[codes]
    return mask


def _footnotes(frame: pd.DataFrame) -> np.ndarray:
    """Trailing rows holding one text cell each ("Source: EPR", "* provisional")."""
    mask = np.zeros(len(frame), bool)
    if not len(frame) or frame.shape[1] < 2:
        return mask
    tail = frame.iloc[-50:]
    start = len(frame) - len(tail)
    counts = np.array([sum(not is_blank(v) for v in r) for r in tail.itertuples(index=False)])
    for j in range(len(tail) - 1, -1, -1):
        if counts[j] == 0:
            continue
        first = next(v for v in tail.iloc[j] if not is_blank(v))
        if counts[j] == 1 and isinstance(first, str) and len(first.strip()) > 3:
            mask[start + j] = True
            continue
        break
    return mask


# ---------------------------------------------------------------- tidy


def read_tidy(
    ctx: Context, frame: pd.DataFrame, rows: np.ndarray, header: Header, sc: SheetContext
) -> Piece | None:
    measure_col = header.by_role("measure")[0]
    period_cols = header.by_role("period")
    value_cols = header.by_role("value")
    if not value_cols:
        others = [
            c
            for c in header.columns
            if c.role is None and not c.total and c.index != measure_col.index
        ]
        numeric = [c for c in others if (to_numbers(frame[c.index])[1] == OK).mean() > 0.5]
        if len(numeric) == 1:
            value_cols = numeric
    missing = []
    if not period_cols:
        missing.append("the week or month (e.g. 'week_commencing', 'month' or 'date')")
    if not value_cols:
        missing.append("the value (e.g. 'value' or 'count')")
    if missing:
        ctx.log.add(
            "missing_column",
            f"there is a '{measure_col.name}' column but no column for {' or '.join(missing)}",
            sheet=sc.name,
            row=header.row_number,
        )
        return None
    period_col = _best_period_column(frame, period_cols)
    value_col = value_cols[0]
    n = len(frame)

    m_labels = map_labels(
        frame[measure_col.index],
        ctx.measures,
        factorized=ctx.factorized(frame, measure_col.index),
    )
    dates = to_dates(frame[period_col.index], ctx.factorized(frame, period_col.index))
    values, v_status = to_numbers(frame[value_col.index])
    blank_row = m_labels.rows("blank") & (dates.status == BLANK) & (v_status == BLANK)
    if header.by_role("site"):
        site_index = header.by_role("site")[0].index
        blank_row &= _fast_blank(frame[site_index], ctx.factorized(frame, site_index))
    label_cols = [c.index for c in header.columns if c.role in ("site", "period")]
    total = m_labels.rows("total") | _total_rows(ctx, frame, label_cols)
    active = ~blank_row & ~total
    if total.any():
        ctx.notes.append(f"{_where(sc)}skipped {int(total.sum()):,} total/average row(s)")

    # measures
    ctx.emit_grouped(
        active & m_labels.rows("formula"),
        m_labels.codes,
        "formula_injection",
        sc.name,
        rows,
        measure_col.name,
        lambda u, k: _formula_reason(m_labels.uniques[u], "measure name") + also_rows(k),
    )
    unknown = active & m_labels.rows("unknown")
    if unknown.any():
        idx = np.flatnonzero(unknown)
        uniq, first, counts = np.unique(m_labels.codes[idx], return_index=True, return_counts=True)
        for u, f, k in zip(uniq, first, counts, strict=True):
            raw = m_labels.uniques[u]
            if plausible_measure_label(cell_text(raw)):
                ctx.add_unmapped(
                    UnmappedLabel(
                        cell_text(raw),
                        normalise_label(raw),
                        "value",
                        sc.name,
                        int(rows[idx[f]]),
                        measure_col.name,
                        int(k),
                    )
                )
            else:
                ctx.log.add(
                    "unknown_measure",
                    f"'{cell_text(raw)}' is not a measure name{also_rows(int(k))}",
                    sheet=sc.name,
                    row=int(rows[idx[f]]),
                    column=measure_col.name,
                )
    ctx.emit_rows(
        active & m_labels.rows("blank"),
        "missing_measure",
        sc.name,
        rows,
        measure_col.name,
        lambda i: "the measure name is missing",
    )
    site, site_ok = _site_codes(ctx, frame, rows, active, header, sc)
    # the cells as text, for messages only
    unreadable = np.isin(dates.status, (BAD, IMPOSSIBLE)).any()
    raw_dates = frame[period_col.index].to_numpy(dtype=object) if unreadable else None
    date_ok = _date_problems(ctx, dates, active, sc.name, rows, period_col.name, raw_dates)
    raw_values = frame[value_col.index].to_numpy(dtype=object) if (v_status >= BAD).any() else None
    value_ok = _value_problems(
        ctx, values, v_status, active, raw_values, sc.name, rows, value_col.name
    )
    keep = active & m_labels.rows("ok") & site_ok & date_ok & value_ok
    return (
        Piece(
            site=site[keep],
            date=dates.dates[keep],
            kind=dates.kind_coded(keep),
            measure=Coded(m_labels.codes[keep], m_labels.mapped),
            value=values[keep],
            row=rows[keep],
            column=value_col.name,
            sheet=sc.name,
            header_kind=header_kind_of(period_col.name),
            frequency_hint=period_col.period_kind,
        )
        if n
        else None
    )


def _best_period_column(frame: pd.DataFrame, candidates: list[Column]) -> Column:
    """With "Week no" and "w/c" both present, the one holding real dates wins."""
    if len(candidates) == 1:
        return candidates[0]
    sample = frame.iloc[:500]
    scores = [
        ((to_dates(sample[c.index]).status == OK).sum(), -k) for k, c in enumerate(candidates)
    ]
    return candidates[scores.index(max(scores))]


def _where(sc: SheetContext) -> str:
    return f"sheet '{sc.name}': " if sc.name is not None else ""


# ---------------------------------------------------------------- wide


def find_date_column(frame: pd.DataFrame, header: Header) -> Column | None:
    """For wide sheets whose period header is unrecognised: the column that holds dates."""
    sample = frame.iloc[:200]
    for col in header.columns:
        if col.total or col.role is not None:
            continue
        parsed = to_dates(sample[col.index])
        filled = parsed.status != BLANK
        if filled.sum() >= 2 and (parsed.status[filled] == OK).mean() >= 0.8:
            col.role, col.period_kind = "period", "date"
            return col
    return None


def read_wide(
    ctx: Context, frame: pd.DataFrame, rows: np.ndarray, header: Header, sc: SheetContext
) -> Piece | None:
    period_col = _best_period_column(frame, header.by_role("period"))
    label_cols = [
        c
        for c in header.columns
        if c.index != period_col.index and c.role not in ("site", "period") and not c.total
    ]
    skipped = [c.name for c in header.columns if c.total]
    n = len(frame)
    dates = to_dates(frame[period_col.index])
    numbers = {c.index: to_numbers(frame[c.index]) for c in label_cols}
    # Columns are measures, or sites when the sheet is one measure across sites.
    m_codes = {c.index: ctx.measures.lookup(c.name) for c in label_cols}
    s_codes = {c.index: ctx.sites.lookup(c.name) for c in label_cols}
    by_site = sum(v is not None for v in s_codes.values()) > sum(
        v is not None and v != IGNORE for v in m_codes.values()
    )

    any_value = np.zeros(n, bool)
    for _idx, (_, st) in numbers.items():
        any_value |= st != BLANK
    blank_row = (dates.status == BLANK) & ~any_value
    total = _total_rows(ctx, frame, [period_col.index] + [c.index for c in header.by_role("site")])
    footnote = _footnotes(frame) & (dates.status != OK)
    active = ~blank_row & ~total & ~footnote
    if total.any():
        ctx.notes.append(f"{_where(sc)}skipped {int(total.sum()):,} total/average row(s)")
    if skipped:
        ctx.notes.append(f"{_where(sc)}skipped total column(s): {', '.join(skipped)}")

    raw_dates = frame[period_col.index].to_numpy(dtype=object)
    date_ok = _date_problems(ctx, dates, active, sc.name, rows, period_col.name, raw_dates)

    if by_site:
        measure_fixed = sc.measure
        if measure_fixed is None and active.any():
            ctx.log.add(
                "missing_measure",
                "the columns are sites, but neither the sheet name nor the title says which "
                "measure the figures are; name the sheet after the measure",
                sheet=sc.name,
                row=header.row_number,
            )
            return None
        site_rows = None
        site_ok = np.ones(n, bool)
    else:
        site_coded, site_ok = _site_codes(ctx, frame, rows, active & date_ok, header, sc)
        site_rows = site_coded.values()

    parts: list[tuple[np.ndarray, ...]] = []
    for c in label_cols:
        values, st = numbers[c.index]
        has_number = st == OK
        if by_site:
            code = s_codes[c.index]
            site_col = np.full(n, code, dtype=object)
            measure = measure_fixed
        else:
            assert site_rows is not None  # the sites are a column when the columns are measures
            code = m_codes[c.index]
            site_col = site_rows
            measure = code
        if code is None or code == IGNORE:
            if code is None and looks_like_formula(c.name):
                ctx.log.add(
                    "formula_injection",
                    _formula_reason(c.name, "column header"),
                    sheet=sc.name,
                    row=header.row_number,
                    column=c.name,
                )
            elif (
                code is None
                and not by_site
                and (active & has_number).any()
                and plausible_measure_label(c.name)
                and c.norm
            ):
                ctx.add_unmapped(
                    UnmappedLabel(
                        c.name,
                        c.norm,
                        "column",
                        sc.name,
                        header.row_number,
                        c.name,
                        int((active & has_number).sum()),
                    )
                )
            elif code is None and by_site and (active & has_number).any():
                ctx.log.add(
                    "unknown_site",
                    f"the column header '{c.name}' is not a known site; add it as a site alias",
                    sheet=sc.name,
                    row=header.row_number,
                    column=c.name,
                )
            elif code is None and (active & has_number).any():
                ctx.notes.append(f"{_where(sc)}ignored column {c.name} (no usable header)")
            continue
        cell_active = active & (st != BLANK)
        raw = frame[c.index].to_numpy(dtype=object)
        ok = _value_problems(ctx, values, st, cell_active, raw, sc.name, rows, c.name)
        keep = ok & date_ok & site_ok
        parts.append(
            (
                site_col[keep],
                dates.dates[keep],
                dates.kind[keep],
                np.full(int(keep.sum()), measure, dtype=object),
                values[keep],
                rows[keep],
                np.full(int(keep.sum()), c.name, dtype=object),
            )
        )
    return _piece(parts, sc.name, header_kind_of(period_col.name), period_col.period_kind)


def _piece(parts, sheet, header_kind, hint) -> Piece | None:
    if not parts:
        return None
    cols = list(zip(*parts, strict=True))
    return Piece(
        site=np.concatenate(cols[0]),
        date=np.concatenate(cols[1]),
        kind=np.concatenate(cols[2]),
        measure=np.concatenate(cols[3]),
        value=np.concatenate(cols[4]),
        row=np.concatenate(cols[5]),
        column=np.concatenate(cols[6]),
        sheet=sheet,
        header_kind=header_kind,
        frequency_hint=hint,
    )


# ---------------------------------------------------------------- pivot


def read_pivot(
    ctx: Context, frame: pd.DataFrame, rows: np.ndarray, header: Header, sc: SheetContext
) -> Piece | None:
    date_cols = header.date_columns
    others = [c for c in header.columns if c.date is None and not c.total]
    n = len(frame)
    measure_cols = header.by_role("measure")
    site_cols = header.by_role("site")
    label_col: Column | None = measure_cols[0] if measure_cols else None
    if label_col is None:
        # The label column is the one whose cells are mostly text (usually the first).
        def text_share(c: Column) -> float:
            col = frame[c.index]
            return float(np.mean([isinstance(v, str) and bool(v.strip()) for v in col])) if n else 0

        candidates = [c for c in others if c.role != "site"]
        label_col = max(candidates, key=text_share, default=None)
    if label_col is None:
        ctx.log.add(
            "no_layout",
            "the dates are across the top, but no column names the measure for each row",
            sheet=sc.name,
            row=header.row_number,
        )
        return None

    labels_m = map_labels(frame[label_col.index], ctx.measures)
    labels_s = map_labels(frame[label_col.index], ctx.sites)
    by_site = (
        not measure_cols
        and not site_cols
        and (labels_s.status == "ok").sum() > (labels_m.status == "ok").sum()
    )
    labels = labels_s if by_site else labels_m
    st = labels.status[labels.codes]

    numbers = {c.index: to_numbers(frame[c.index]) for c in date_cols}
    any_value = np.zeros(n, bool)
    for _, s in numbers.values():
        any_value |= s != BLANK
    total = st == "total"
    active = ~((st == "blank") & ~any_value) & ~total
    if total.any():
        ctx.notes.append(f"{_where(sc)}skipped {int(total.sum()):,} total/average row(s)")
    skipped = [c.name for c in header.columns if c.total]
    if skipped:
        ctx.notes.append(f"{_where(sc)}skipped total column(s): {', '.join(skipped)}")

    what = "site" if by_site else "measure name"
    ctx.emit_grouped(
        active & (st == "formula"),
        labels.codes,
        "formula_injection",
        sc.name,
        rows,
        label_col.name,
        lambda u, k: _formula_reason(labels.uniques[u], what) + also_rows(k),
    )
    ctx.emit_rows(
        active & (st == "blank"),
        "missing_site" if by_site else "missing_measure",
        sc.name,
        rows,
        label_col.name,
        lambda i: f"this row has figures but no {what}",
    )
    unknown = active & (st == "unknown")
    for i in np.flatnonzero(unknown)[: ctx.log.cap]:
        raw = labels.uniques[labels.codes[i]]
        text = cell_text(raw)
        if by_site:
            ctx.log.add(
                "unknown_site",
                f"'{text}' is not a known site; add it as a site alias or correct the name",
                sheet=sc.name,
                row=int(rows[i]),
                column=label_col.name,
            )
        elif plausible_measure_label(text) and any_value[i]:
            ctx.add_unmapped(
                UnmappedLabel(
                    text,
                    normalise_label(text),
                    "row",
                    sc.name,
                    int(rows[i]),
                    label_col.name,
                    int(sum((numbers[c.index][1][i] == OK) for c in date_cols)),
                )
            )
        elif any_value[i]:
            ctx.log.add(
                "unknown_measure",
                f"'{text}' is not a measure name",
                sheet=sc.name,
                row=int(rows[i]),
                column=label_col.name,
            )

    if by_site:
        if sc.measure is None:
            ctx.log.add(
                "missing_measure",
                "the rows are sites, but neither the sheet name nor the title says which "
                "measure the figures are; name the sheet after the measure",
                sheet=sc.name,
                row=header.row_number,
            )
            return None
        site = labels.mapped[labels.codes]
        site_ok = st == "ok"
        measure = np.full(n, sc.measure, dtype=object)
        label_ok = np.ones(n, bool)
    else:
        site_coded, site_ok = _site_codes(ctx, frame, rows, active & (st == "ok"), header, sc)
        site = site_coded.values()
        measure = labels.mapped[labels.codes]
        label_ok = st == "ok"

    parts = []
    for c in date_cols:
        values, vst = numbers[c.index]
        cell_active = active & (vst != BLANK) & label_ok & site_ok
        raw = frame[c.index].to_numpy(dtype=object)
        ok = _value_problems(ctx, values, vst, cell_active, raw, sc.name, rows, c.name)
        k = int(ok.sum())
        assert c.date is not None
        assert c.date.value is not None
        parts.append(
            (
                site[ok],
                np.full(k, np.datetime64(c.date.value, "D")),
                np.full(k, c.date.kind, dtype=object),
                measure[ok],
                values[ok],
                rows[ok],
                np.full(k, c.name, dtype=object),
            )
        )
    title_kind = header_kind_of(" ".join([*header.titles, label_col.name]))
    return _piece(parts, sc.name, title_kind, None)
