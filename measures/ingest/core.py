"""parse_extract: from uploaded bytes to validated observations and a list of problems."""

from __future__ import annotations

import os
from collections import Counter

import numpy as np
import pandas as pd

from .context import Coded, Context, Piece, as_coded
from .groups import grouping_of_header
from .header import Header, find_header
from .layouts import (
    SheetContext,
    _blank_rows,
    _fast_blank,
    find_date_column,
    read_pivot,
    read_tidy,
    read_wide,
)
from .model import (
    ParseOptions,
    ParseResult,
    ProblemLog,
    empty_observations,
)
from .readers import FileRefused, Limits, Sheet, read_workbook
from .records import read_records
from .text import AliasTable, normalise_label
from .values import guess_frequency, month_start, week_start

# Sheets that usually explain or summarise rather than hold the figures.
NON_DATA_SHEETS = frozenset(
    {
        "notes",
        "readme",
        "read me",
        "contents",
        "index",
        "summary",
        "chart",
        "charts",
        "lookup",
        "lookups",
        "metadata",
        "definitions",
        "data dictionary",
        "dictionary",
        "guidance",
        "instructions",
        "about",
        "cover",
        "front page",
        "info",
        "information",
    }
)


def parse_extract(data: bytes, filename: str, options: ParseOptions) -> ParseResult:
    file = os.path.basename(filename) or "upload"
    ctx = Context(
        file=file,
        options=options,
        sites=AliasTable(options.site_aliases),
        measures=AliasTable(options.measure_aliases),
        log=ProblemLog(file, options.max_problems),
    )
    try:
        book = read_workbook(
            data,
            file,
            options.max_rows,
            options.max_uncompressed_bytes,
            Limits(
                max_cells=options.max_cells,
                max_columns=options.max_columns,
                max_field_bytes=options.max_field_bytes,
            ),
        )
    except FileRefused as refused:
        ctx.log.add(refused.code, refused.reason)
        return _result(ctx, "unknown", "unknown", empty_observations(), [])
    sheet_names = [s.name for s in book.sheets if s.name is not None]
    ctx.log.sheet_order = {name: i for i, name in enumerate(sheet_names)}

    pieces: list[Piece] = []
    layouts: list[str] = []
    header_only: list[tuple[Sheet, Header]] = []
    unrecognised: list[Sheet] = []
    many = len(book.sheets) > 1
    for sheet in book.sheets:
        where = f"sheet '{sheet.name}'" if sheet.name is not None else file
        if sheet.hidden and many:
            ctx.notes.append(f"{where} is hidden and was skipped")
            continue
        if many and normalise_label(sheet.name) in NON_DATA_SHEETS:
            ctx.notes.append(f"{where} looks like notes or a summary and was skipped")
            continue
        if not any(sheet.preamble):
            if many:
                ctx.notes.append(f"{where} is empty")
            continue
        header = find_header(sheet, ctx)
        if header is None:
            unrecognised.append(sheet)
            continue
        width = max(len(r) for r in sheet.preamble)
        value_col, label_cols = _tidy_columns(header)
        try:
            frame, rows = sheet.body(header.index, width, options.max_rows, value_col, label_cols)
        except FileRefused as refused:
            ctx.log.add(refused.code, refused.reason, sheet=sheet.name)
            return _result(ctx, "unknown", "unknown", empty_observations(), sheet_names)
        if sheet.truncated or sum(len(p.row) for p in pieces) + len(frame) > options.max_rows:
            ctx.log.add(
                "too_many_rows",
                f"the file has more than {options.max_rows:,} rows of data, the most that "
                "can be loaded at once; split it into smaller extracts (e.g. a year each)",
                sheet=sheet.name,
            )
            return _result(ctx, "unknown", "unknown", empty_observations(), sheet_names)
        if sheet.raw_lengths:
            _surplus_fields(ctx, sheet, frame, rows, sheet.raw_lengths[header.index])
        if not len(frame) or _blank_rows(frame, list(frame.columns)).all():
            header_only.append((sheet, header))
            continue
        layout, piece = _read_sheet(ctx, sheet, frame, rows, header)
        ctx.forget_sheet()
        if layout is None:
            unrecognised.append(sheet)
            continue
        layouts.append(layout)
        if piece is not None:
            pieces.append(piece)

    if not layouts and not ctx.log:
        _nothing_found(ctx, book.kind, header_only, unrecognised)
        return _result(ctx, "unknown", "unknown", empty_observations(), sheet_names)
    for sheet in unrecognised:
        ctx.notes.append(f"sheet '{sheet.name}' has no recognisable table and was skipped")
    layout = Counter(layouts).most_common(1)[0][0] if layouts else "unknown"
    observations, frequency = _finish(ctx, pieces)
    result = _result(ctx, layout, frequency, observations, sheet_names)
    grouped = [p.grouped for p in pieces if p.grouped is not None and len(p.grouped)]
    if grouped:
        result.grouped = pd.concat(grouped, ignore_index=True)
        result.grouped["period"] = pd.to_datetime(result.grouped["period"])
    return result


def _surplus_fields(ctx: Context, sheet: Sheet, frame, rows, header_width: int) -> None:
    """CSV rows with more fields than the header: usually an unquoted 1,200."""
    extra = [c for c in frame.columns if c >= header_width]
    if not extra:
        return
    mask = np.zeros(len(frame), bool)
    for c in extra:
        mask |= ~_fast_blank(frame[c])
    ctx.emit_rows(
        mask,
        "extra_fields",
        sheet.name,
        rows,
        None,
        lambda i: (
            f"this row has more fields than the header row ({header_width}); a number "
            "written with a comma, such as 1,200, must be in quotes or written as 1200"
        ),
    )


def _nothing_found(ctx: Context, kind: str, header_only, unrecognised) -> None:
    if header_only:
        sheet, header = header_only[0]
        ctx.log.add(
            "header_only",
            f"the file has a header row (row {header.row_number}) but no data rows below it",
            sheet=sheet.name,
            row=header.row_number,
        )
    elif unrecognised:
        sheet = unrecognised[0]
        ctx.log.add(
            "no_layout",
            "no table of figures was recognised: expected a header row with columns such as "
            "site, week_commencing, measure and value; or a week column and a column per "
            "measure; or a measure column and a column per week",
            sheet=sheet.name,
        )
    else:
        what = "workbook has no data in any sheet" if kind != "csv" else "file has no data"
        ctx.log.add("empty_file", f"the {what}")


def _sheet_context(ctx: Context, sheet: Sheet, header: Header) -> SheetContext:
    site = measure = None
    source = ""
    if sheet.name is not None:
        site = ctx.sites.lookup(sheet.name)
        measure = ctx.measures.lookup(sheet.name)
        source = "sheet name" if site else ""
    if site is None:
        site = ctx.sites.find_in(header.titles)
        source = "title" if site else source
    if site is None and ctx.options.default_site:
        site, source = ctx.options.default_site, "default"
    if site is None:
        stem = os.path.splitext(ctx.file)[0]
        site = ctx.sites.find_in([stem])
        source = "file name" if site else source
    if measure is None:
        measure = ctx.measures.find_in(header.titles)
    return SheetContext(sheet.name, site, measure or None, source)


def _layout_by_header(header: Header) -> str | None:
    """The layout the header row alone decides; None leaves it to the cells (wide or none)."""
    roles = {c.role for c in header.columns}
    if len(header.date_columns) >= 2:
        return "pivot"
    if "referral_date" in roles and roles & {"outcome", "first_contact_date", "closure_date"}:
        return "records"
    if "measure" in roles:
        return "tidy"
    return None


def _tidy_columns(header: Header) -> tuple[int | None, tuple[int, ...]]:
    """For a tidy table: the column read_tidy takes its numbers from, and the label columns
    (sites, measures, periods) it reads only through ctx.factorized and as text. For a
    referral-level extract: its columns of repeated labels (site, dates, outcome, groupings),
    which the parser then hands over already coded instead of as a million strings to
    factorise again."""
    layout = _layout_by_header(header)
    if layout == "records":
        labels = tuple(
            c.index
            for c in header.columns
            if c.role in ("site", "referral_date", "first_contact_date", "closure_date", "outcome")
            or (c.role is None and not c.total and grouping_of_header(c.norm) is not None)
        )
        return None, labels
    if layout != "tidy":
        return None, ()
    values = header.by_role("value")
    labels = tuple(c.index for c in header.columns if c.role in ("site", "measure", "period"))
    return (values[0].index if values else None), labels


def _read_sheet(ctx, sheet, frame, rows, header) -> tuple[str | None, Piece | None]:
    sc = _sheet_context(ctx, sheet, header)
    roles = {c.role for c in header.columns}
    layout = _layout_by_header(header)
    if layout == "pivot":
        return "pivot", read_pivot(ctx, frame, rows, header, sc)
    if layout == "records":
        return "records", read_records(ctx, frame, rows, header, sc)
    if layout == "tidy":
        return "tidy", read_tidy(ctx, frame, rows, header, sc)
    if "period" in roles or find_date_column(frame, header) is not None:
        return "wide", read_wide(ctx, frame, rows, header, sc)
    return None, None


def _merge(columns: list[Coded]) -> tuple[np.ndarray, np.ndarray]:
    """Codes into one array of distinct labels for the pieces' label columns, end to end."""
    index: dict[object, int] = {}
    codes = []
    for col in columns:
        ids = np.array([index.setdefault(label, len(index)) for label in col.labels], np.intp)
        codes.append(ids[col.codes] if len(ids) else col.codes)
    labels = np.empty(len(index), dtype=object)
    labels[:] = list(index)
    return np.concatenate(codes), labels


def _labels_column(codes: np.ndarray, labels: np.ndarray) -> pd.Categorical | np.ndarray:
    """A categorical of the labels in use, sorted so it orders and groups like the strings."""
    used = np.flatnonzero(np.bincount(codes, minlength=len(labels)))
    present = labels[used]
    if not all(isinstance(x, str) for x in present):
        return labels[codes]
    order = np.argsort(present.astype(str), kind="stable")
    rank = np.empty(len(labels), np.intp)
    rank[used[order]] = np.arange(len(used))
    return pd.Categorical.from_codes(rank[codes], categories=present[order])


def _all_distinct(
    site: np.ndarray, period: np.ndarray, measure: np.ndarray, n_sites: int, n_measures: int
) -> bool:
    """True when no (site, period, measure) repeats, found by counting when that is cheap.

    False means "look with DataFrame.duplicated": there may be repeats, or too many
    possible keys to count them in a small array.
    """
    n = len(site)
    if not n:
        return True
    day = period.astype("int64")
    first = int(day.min())
    step = 7 if ((day - first) % 7 == 0).all() else 1  # weekly periods are all Mondays
    span = (int(day.max()) - first) // step + 1
    if n_sites * n_measures * span > 4 * n + 1024:
        return False
    key = (site.astype(np.int64) * n_measures + measure) * span + (day - first) // step
    return int(np.bincount(key).max()) <= 1


def _finish(ctx: Context, pieces: list[Piece]) -> tuple[pd.DataFrame, str]:
    if not pieces:
        return empty_observations(), "unknown"
    freqs = []
    periods = []
    for p in pieces:
        hint = p.header_kind or p.frequency_hint
        freq = guess_frequency(p.date, p.kind, hint)
        freqs.append(freq)
        if freq == "monthly":
            periods.append(month_start(p.date))
        else:
            periods.append(week_start(p.date, p.kind, p.header_kind))
    frequency = Counter(freqs).most_common(1)[0][0]
    if len(set(freqs)) > 1:
        ctx.log.add(
            "mixed_frequency",
            "some sheets hold weekly figures and others monthly; upload them separately",
        )
    period = np.concatenate(periods)
    # Sites, measures, columns and sheets repeat: they are carried as integer codes into
    # short arrays of labels, and the labels are looked up only to word a problem.
    lengths = [len(p.row) for p in pieces]
    site, site_labels = _merge([as_coded(p.site, k) for p, k in zip(pieces, lengths, strict=True)])
    measure, measure_labels = _merge(
        [as_coded(p.measure, k) for p, k in zip(pieces, lengths, strict=True)]
    )
    column, column_labels = _merge(
        [as_coded(p.column, k) for p, k in zip(pieces, lengths, strict=True)]
    )
    sheet, sheet_labels = _merge(
        [as_coded(p.sheet, k) for p, k in zip(pieces, lengths, strict=True)]
    )
    value = np.concatenate([p.value for p in pieces])
    row = np.concatenate([p.row for p in pieces]).astype("int64")
    opts = ctx.options

    def site_of(i: int) -> object:
        return site_labels[site[i]]

    def measure_of(i: int) -> object:
        return measure_labels[measure[i]]

    def sheet_of(i: int) -> str | None:
        return _text_or_none(sheet_labels[sheet[i]])

    def column_of(i: int) -> str | None:
        return _text_or_none(column_labels[column[i]])

    def label(i: int) -> str:
        return f"{pd.Timestamp(period[i]):%d/%m/%Y}"

    period_word = "month starting" if frequency == "monthly" else "week commencing"

    def emit(mask: np.ndarray, code: str, reason) -> None:
        idx = np.flatnonzero(mask)
        built = idx[: ctx.log.cap]
        for i in built:
            i = int(i)
            ctx.log.add(
                code,
                reason(i),
                sheet=sheet_of(i),
                row=int(row[i]),
                column=column_of(i),
                site=_text_or_none(site_of(i)),
            )
        ctx.log.counted(len(idx) - len(built))

    # values below zero
    signed = np.isin(measure_labels, list(opts.signed_measures))[measure]
    negative = (value < 0) & ~signed
    emit(
        negative,
        "negative_value",
        lambda i: f"{_num(float(value[i]))} is negative, but {measure_of(i)} cannot be below zero",
    )
    if opts.count_measures:
        counts = np.isin(measure_labels, list(opts.count_measures))[measure]
        fractional = counts & ~negative & (np.floor(value) != value)
        emit(
            fractional,
            "fractional_count",
            lambda i: (
                f"{_num(float(value[i]))} is not a whole number, but {measure_of(i)} is a count"
            ),
        )

    # periods in the future: one problem per sheet, period and site
    today = np.datetime64(opts.today, "D")
    future = period > today
    if future.any():
        idx = np.flatnonzero(future)
        seen: dict[tuple, list[int]] = {}
        for i in map(int, idx):
            seen.setdefault((sheet_of(i), period[i], site_of(i)), []).append(i)
        for (sh, _, _), members in seen.items():
            first = members[0]
            more = len(members) - 1
            ctx.log.add(
                "future_period",
                f"the {period_word} {label(first)} is in the future (today is "
                f"{opts.today:%d/%m/%Y})"
                + (f" (and {more:,} more value{'s' if more > 1 else ''})" if more else ""),
                sheet=sh,
                row=int(row[first]),
                column=column_of(first),
                site=_text_or_none(site_of(first)),
            )

    # duplicates: the same site, period and measure more than once
    if _all_distinct(site, period, measure, len(site_labels), len(measure_labels)):
        dup_later = np.zeros(len(site), bool)
    else:
        keys = pd.DataFrame({"site": site, "period": period.astype("int64"), "measure": measure})
        dup_later = keys.duplicated(keep="first").to_numpy()
    if dup_later.any():
        dup_any = keys.duplicated(keep=False).to_numpy()
        group = keys.groupby(["site", "period", "measure"], sort=False).ngroup().to_numpy()
        _, first_in_group = np.unique(group, return_index=True)

        def dup_reason(i: int) -> str:
            j = int(first_in_group[group[i]])
            where = f"row {row[j]}"
            if sheet_of(j) != sheet_of(i):
                where = f"sheet '{sheet_of(j)}', {where}"
            if row[j] == row[i] or column_of(j) != column_of(i):
                where += f", column '{column_of(j)}'"
            return (
                f"{measure_of(i)} for site {site_of(i)}, {period_word} {label(i)}, appears more "
                f"than once: on row {row[i]} and again on {where}"
            )

        emit(dup_later, "duplicate", dup_reason)

    # Rows with problems stay out of the observations, so a caller that ignores
    # ParseResult.ok still never stores a value known to be wrong.
    rejected = negative | future
    if opts.count_measures:
        rejected |= fractional
    if dup_later.any():
        rejected |= dup_any
    if rejected.any():
        keep = ~rejected
        site, period, measure, value = site[keep], period[keep], measure[keep], value[keep]
        sheet, row = sheet[keep], row[keep]
    obs = pd.DataFrame(
        {
            "site": _labels_column(site, site_labels),
            "period": pd.to_datetime(period),
            "measure": _labels_column(measure, measure_labels),
            "value": value.astype("float64"),
            "sheet": sheet_labels[sheet],
            "row": row,
        }
    )
    return obs, frequency


def _text_or_none(label: object) -> str | None:
    return None if label is None else str(label)


def _num(x: float) -> str:
    return f"{x:g}"


def _result(ctx, layout, frequency, observations, sheets) -> ParseResult:
    return ParseResult(
        file=ctx.file,
        layout=layout,
        frequency=frequency,
        observations=observations,
        problems=ctx.log.result(),
        unmapped=list(ctx.unmapped.values()),
        sheets=sheets,
        notes=ctx.notes,
        sites=sorted(ctx.sites.found | ({ctx.options.default_site} - {None})),
    )
