"""The write path for figures: write only new or changed values, keeping what they replaced.

Figures are stored a series per row (FigureSeries: one site, measure and frequency). An upload
reads the stored series of the sites and measures it sends, sets its figures against them
column-wise in numpy (values compared bit for bit), and rewrites only the series it changes:
new periods added, changed values replaced and their earlier values kept in
DataPointHistory. Re-sending a file is therefore free: no row, no history. On PostgreSQL
writers take a table lock that still lets readers in, so what is stored cannot change under
an upload, and the series go in with one COPY ("copy"); elsewhere, and as the "orm" method
on PostgreSQL, with bulk_create. Both run inside the caller's transaction and return the
same counts.

Figures per group (GroupedSeries) are written the same way, but replace the weeks an
upload covers (groups_store).
"""

from __future__ import annotations

import datetime as dt
import struct
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import orjson
import pandas as pd
from django.db import connection, models
from django.db.models import Q

from .models import DataPointHistory, FigureSeries, GroupedSeries, SeriesField, Upload

BATCH = 5_000
_PG_EPOCH = np.datetime64("2000-01-01", "D")
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_INT_FORMATS = {"bigint": ">i8", "integer": ">i4", "smallint": ">i2"}


@dataclass(frozen=True)
class StoreCounts:
    new: int
    changed: int
    unchanged: int


def store_methods() -> list[str]:
    """The implementations that can run on the current database (tests run each)."""
    return ["copy", "orm"] if connection.vendor == "postgresql" else ["orm"]


def points_store(
    *, upload: Upload, frame: pd.DataFrame, frequency: str, method: str | None = None
) -> StoreCounts:
    """Write `frame` (columns site_id, measure_id, period datetime64, value) as `upload`'s
    figures. Call inside a transaction; (site, measure, period) must be unique in `frame`."""
    _lock()  # figures per group, written next, rely on it too
    if frame.empty:
        return StoreCounts(0, 0, 0)
    if frame["value"].isna().any():
        raise ValueError("a value to store is missing")
    method = method or store_methods()[0]
    merge = _Merge(_incoming(frame), frequency, upload.pk)
    if merge.n_new or merge.n_changed:
        _history_write(merge.changed(), frequency=frequency, upload=upload, method=method)
        keys = ("site_id", "measure_id")
        _series_delete(FigureSeries, keys, merge.stored_keys(), frequency)
        _series_write(
            FigureSeries,
            keys,
            merge.rewritten(),
            lists=("periods", "values", "uploads"),
            frequency=frequency,
            method=method,
        )
    return StoreCounts(
        new=merge.n_new,
        changed=merge.n_changed,
        unchanged=len(frame) - merge.n_new - merge.n_changed,
    )


def _lock() -> None:
    """On PostgreSQL, writers of figures (uploads, hand entry, undo) take turns: what is
    stored stays as read until the transaction commits. Readers are not blocked."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {FigureSeries._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")


def points_diff(*, frame: pd.DataFrame, frequency: str) -> tuple[pd.DataFrame, int]:
    """What storing `frame` now would do, without writing: the values it would change
    (site_id, measure_id, period, value, old_value, old_upload, in key order) and how many
    values would be new."""
    if frame.empty:
        return _incoming(frame).assign(old_value=0.0, old_upload=0), 0
    merge = _Merge(_incoming(frame), frequency, 0)
    return merge.changed(), merge.n_new


def _incoming(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site_id": frame["site_id"].to_numpy(dtype="int64"),
            "measure_id": frame["measure_id"].to_numpy(dtype="int64"),
            "period": pd.to_datetime(frame["period"]).to_numpy(dtype="datetime64[ns]"),
            "value": frame["value"].to_numpy(dtype="float64"),
        }
    )


def _in_key_order(incoming: pd.DataFrame) -> pd.DataFrame:
    """`incoming` sorted by (site, measure, period). The three columns are packed into one
    integer when their spans allow (they always do for real ids and weeks), which sorts twice
    as fast as pandas' sort on three columns, and a frame already in order is kept as it is."""
    if len(incoming) < 2:
        return incoming
    site = incoming["site_id"].to_numpy()
    measure = incoming["measure_id"].to_numpy()
    day = incoming["period"].to_numpy().astype("datetime64[D]").view("int64")
    spans = [int(a.max()) - int(a.min()) + 1 for a in (site, measure, day)]
    if spans[0] * spans[1] * spans[2] >= 1 << 62:
        return incoming.sort_values(["site_id", "measure_id", "period"], kind="stable")
    key = ((site - site.min()) * spans[1] + (measure - measure.min())) * spans[2] + (
        day - day.min()
    )
    if bool((key[1:] >= key[:-1]).all()):
        return incoming
    return incoming.take(np.argsort(key, kind="stable"))


def _int_format(model, name: str) -> str:
    return _INT_FORMATS[model._meta.get_field(name).db_type(connection)]


def _days(period: pd.Series | np.ndarray) -> np.ndarray:
    """Dates as PostgreSQL's binary date: days since 2000-01-01."""
    return (np.asarray(period).astype("datetime64[D]") - _PG_EPOCH).astype(np.int32)


def _copy_in(cursor, table: str, columns: Sequence[tuple[str, Any, str]]) -> None:
    """COPY rows into `table` in PostgreSQL's binary format, built column-wise with numpy:
    every field here has a fixed width, so each row is one record of a structured array.
    `columns` is (name, values or a constant, numpy big-endian format)."""
    n = max(np.size(values) for _, values, _ in columns)
    layout = [("fields", ">i2")]
    for i, (_, _, fmt) in enumerate(columns):
        layout += [(f"len{i}", ">i4"), (f"val{i}", fmt)]
    rows = np.empty(n, dtype=layout)
    rows["fields"] = len(columns)
    for i, (_, values, fmt) in enumerate(columns):
        rows[f"len{i}"] = np.dtype(fmt).itemsize
        rows[f"val{i}"] = values  # an array, or a constant numpy repeats
    names = ", ".join(connection.ops.quote_name(name) for name, _, _ in columns)
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT binary)") as copy:
        copy.write(_COPY_SIGNATURE + struct.pack(">ii", 0, 0))
        view = rows.data.cast("B")
        step = 8 << 20
        for start in range(0, len(view), step):
            copy.write(view[start : start + step])
        copy.write(struct.pack(">h", -1))


class _Merge:
    """The incoming figures (one frame, unique per site, measure and period) set against the
    stored series they belong to. Stored values are compared bit for bit: a figure sent again
    unchanged is neither new nor changed, and keeps the upload it came from. Everything is
    column-wise: each series' position in the sorted list of keys sent, and each figure's
    day, packed into one integer key per figure."""

    def __init__(self, incoming: pd.DataFrame, frequency: str, upload_id: int) -> None:
        incoming = _in_key_order(incoming)
        self.upload_id = upload_id
        site = incoming["site_id"].to_numpy()
        measure = incoming["measure_id"].to_numpy()
        starts = np.flatnonzero(
            np.r_[True, (site[1:] != site[:-1]) | (measure[1:] != measure[:-1])]
        )
        self.keys = list(zip(site[starts].tolist(), measure[starts].tolist(), strict=True))
        index = {key: i for i, key in enumerate(self.keys)}
        self.in_series = np.repeat(
            np.arange(len(starts), dtype=np.int64), np.diff(np.r_[starts, len(site)])
        )
        self.in_day = incoming["period"].to_numpy().astype("datetime64[D]").view("int64")
        self.in_value = incoming["value"].to_numpy(dtype="float64")
        # The stored series of the keys sent, in key order.
        stored = sorted(
            (
                (index[(row[0], row[1])], row[2], row[3], row[4])
                for row in _stored_series(self.keys, frequency)
                if (row[0], row[1]) in index
            ),
            key=lambda row: row[0],
        )
        self.stored_series = [row[0] for row in stored]
        lengths = np.array([len(row[1]) for row in stored], dtype=np.int64)
        self.st_series = np.repeat(np.array(self.stored_series, dtype=np.int64), lengths)
        self.st_day = _days_of([row[1] for row in stored])
        n = int(lengths.sum())
        self.st_value = np.fromiter(chain.from_iterable(r[2] for r in stored), np.float64, n)
        self.st_upload = np.fromiter(chain.from_iterable(r[3] for r in stored), np.int64, n)
        low = int(min(self.in_day.min(), self.st_day.min() if len(self.st_day) else 0))
        high = int(max(self.in_day.max(), self.st_day.max() if len(self.st_day) else 0))
        self.low, self.span = low, high - low + 1
        in_key = self.in_series * self.span + (self.in_day - low)
        st_key = self.st_series * self.span + (self.st_day - low)
        if len(st_key):
            at = np.minimum(np.searchsorted(st_key, in_key), len(st_key) - 1)
            found = st_key[at] == in_key
            self.is_changed = found & (self.st_value[at] != self.in_value)
        else:  # nothing stored yet for the series sent: every figure is new
            at = np.zeros(len(in_key), dtype=np.int64)
            found = self.is_changed = np.zeros(len(in_key), dtype=bool)
        self.is_new = ~found
        self.at = at
        self.n_new = int(self.is_new.sum())
        self.n_changed = int(self.is_changed.sum())

    def stored_keys(self) -> list[tuple[int, int]]:
        """The keys of stored series that are rewritten."""
        touched = set(self.in_series[self.is_new | self.is_changed].tolist())
        return [self.keys[i] for i in self.stored_series if i in touched]

    def changed(self) -> pd.DataFrame:
        """The figures that replace stored ones, with what they replace, in key order."""
        c = self.is_changed
        at = self.at[c]
        keys = np.array(self.keys, dtype=np.int64).reshape(-1, 2)[self.in_series[c]]
        return pd.DataFrame(
            {
                "site_id": keys[:, 0],
                "measure_id": keys[:, 1],
                "period": self.in_day[c].astype("datetime64[D]").astype("datetime64[ns]"),
                "value": self.in_value[c],
                "old_value": self.st_value[at],
                "old_upload": self.st_upload[at],
            }
        )

    def rewritten(self) -> list[tuple[tuple, list, list, list]]:
        """Each series the upload changes, whole: ((site, measure), ISO periods, values,
        uploads) with its stored figures, the changed ones replaced, and the new ones."""
        value, upload = self.st_value.copy(), self.st_upload.copy()
        value[self.at[self.is_changed]] = self.in_value[self.is_changed]
        upload[self.at[self.is_changed]] = self.upload_id
        new = self.is_new
        series = np.r_[self.st_series, self.in_series[new]]
        day = np.r_[self.st_day, self.in_day[new]]
        value = np.r_[value, self.in_value[new]]
        upload = np.r_[upload, np.full(self.n_new, self.upload_id, dtype=np.int64)]
        touched = np.zeros(len(self.keys), dtype=bool)
        touched[self.in_series[new | self.is_changed]] = True
        keep = touched[series]
        series, day, value, upload = series[keep], day[keep], value[keep], upload[keep]
        order = np.argsort(series * self.span + (day - self.low), kind="stable")
        series, day, value, upload = series[order], day[order], value[order], upload[order]
        return _as_series(self.keys, series, day, value, upload)


def _days_of(periods: list[list[str]]) -> np.ndarray:
    """Days since 1970 of every ISO date in `periods`, flattened (numpy parses ISO dates)."""
    if not periods:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([np.array(row, dtype="datetime64[D]") for row in periods]).view("int64")


def _as_series(
    keys: list[tuple], series: np.ndarray, day: np.ndarray, value: np.ndarray, upload: np.ndarray
) -> list[tuple[tuple, list, list, list]]:
    """Figures sorted by series and day, sliced into one (key, ISO periods, values, uploads)
    per series; each distinct day turned into text once."""
    if not len(series):
        return []
    day_codes, day_uniques = pd.factorize(day, sort=True)
    text = np.datetime_as_string(day_uniques.astype("datetime64[D]")).astype(object)[day_codes]
    starts = np.flatnonzero(np.r_[True, series[1:] != series[:-1]])
    bounds = np.r_[starts, len(series)].tolist()
    out = []
    for i, s in enumerate(series[starts].tolist()):
        a, b = bounds[i], bounds[i + 1]
        out.append((keys[s], text[a:b].tolist(), value[a:b].tolist(), upload[a:b].tolist()))
    return out


def _stored_series(keys: list[tuple[int, int]], frequency: str) -> list[tuple]:
    """(site, measure, periods, values, uploads) of the stored series among `keys`' sites
    and measures (a superset of the keys: the caller keeps those it sent)."""
    return list(
        FigureSeries.objects.filter(
            site_id__in=sorted({site for site, _ in keys}),
            measure_id__in=sorted({measure for _, measure in keys}),
            frequency=frequency,
        )
        .order_by()
        .values_list("site_id", "measure_id", "periods", "values", "uploads")
    )


def _history_write(changed: pd.DataFrame, *, frequency: str, upload: Upload, method: str) -> None:
    """Keep the values `upload` replaces, and where they came from, so it can be undone."""
    if changed.empty:
        return
    if method == "copy":
        with connection.cursor() as cursor:
            _copy_in(
                cursor.cursor,
                DataPointHistory._meta.db_table,
                [
                    ("site_id", changed["site_id"], _int_format(DataPointHistory, "site")),
                    ("measure_id", changed["measure_id"], _int_format(DataPointHistory, "measure")),
                    ("frequency", frequency.encode(), f"S{len(frequency.encode())}"),
                    ("period", _days(changed["period"]), ">i4"),
                    ("value", changed["old_value"], ">f8"),
                    ("upload_id", changed["old_upload"], _int_format(DataPointHistory, "upload")),
                    ("replaced_by_id", upload.pk, _int_format(DataPointHistory, "replaced_by")),
                ],
            )
        return
    DataPointHistory.objects.bulk_create(
        (
            DataPointHistory(
                site_id=site_id,
                measure_id=measure_id,
                frequency=frequency,
                period=period.date(),
                value=old_value,
                upload_id=old_upload,
                replaced_by=upload,
            )
            for site_id, measure_id, period, old_value, old_upload in zip(
                changed["site_id"].tolist(),
                changed["measure_id"].tolist(),
                changed["period"],
                changed["old_value"].tolist(),
                changed["old_upload"].tolist(),
                strict=True,
            )
        ),
        batch_size=BATCH,
    )


def _series_delete(
    model: type[models.Model], names: tuple[str, ...], keys: list[tuple], frequency: str
) -> None:
    """Delete the stored series at `frequency` whose leading key columns (`names`, the site
    first) are among `keys`: one DELETE per site."""
    by_site: dict[int, list[tuple]] = {}
    for key in keys:
        by_site.setdefault(key[0], []).append(key[1:])
    for site_id, rest in sorted(by_site.items()):
        which = Q()
        for values in sorted(rest):
            which |= Q(**dict(zip(names[1:], values, strict=True)))
        model._default_manager.filter(which, site_id=site_id, frequency=frequency).delete()


def _series_write(
    model: type[models.Model],
    key_names: tuple[str, ...],
    rows: list[tuple],
    *,
    lists: tuple[str, ...],
    frequency: str,
    method: str,
) -> None:
    """Write `rows`, each (key, then the lists named by `lists`, periods first): one COPY on
    PostgreSQL, the lists written as JSON by orjson (bulk_create sends each column as an
    array, and quoting every JSON text as an array element took longer than storing it; the
    standard library's encoder took 0.2 s for 700,000 figures), or bulk_create."""
    if not rows:
        return
    if method == "copy":
        names = ", ".join(
            connection.ops.quote_name(n) for n in (*key_names, "frequency", "first", "last", *lists)
        )
        with (
            connection.cursor() as django_cursor,
            django_cursor.cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy,
        ):
            for key, *series in rows:
                copy.write_row(
                    (
                        *key,
                        frequency,
                        series[0][0],
                        series[0][-1],
                        *(orjson.dumps(values).decode() for values in series),
                    )
                )
        return
    model._default_manager.bulk_create(
        (
            model(
                **dict(zip(key_names, key, strict=True)),
                frequency=frequency,
                first=series[0][0],
                last=series[0][-1],
                **dict(zip(lists, series, strict=True)),
            )
            for key, *series in rows
        ),
        batch_size=500,
    )


def _series_put_back(
    model: type[models.Model], key_names: tuple[str, ...], changed: list, emptied: list
) -> None:
    """After an undo: write back the series it changed (their spans follow their periods)
    and delete those it emptied, one DELETE per site and frequency rather than one per row."""
    for row in changed:
        row.first, row.last = (dt.date.fromisoformat(row.periods[i]) for i in (0, -1))
    by_frequency: dict[str, list[tuple]] = {}
    for row in emptied:
        key = tuple(getattr(row, name) for name in key_names)
        by_frequency.setdefault(row.frequency, []).append(key)
    for frequency, keys in sorted(by_frequency.items()):
        _series_delete(model, key_names, keys, frequency)
    lists = [f.name for f in model._meta.fields if isinstance(f, SeriesField)]
    model._default_manager.bulk_update(changed, ["first", "last", *lists], batch_size=500)


@dataclass(frozen=True)
class PointsRemoved:
    restored: int
    removed: int
    touched: dict[int, set[int]]  # site id -> measure ids whose figures changed


def points_remove(*, upload: Upload) -> PointsRemoved:
    """Undo `upload`'s figures: each value it replaced is put back (with the upload it came
    from), and each it added is removed. Only the upload's sites are read."""
    _lock()
    earlier: dict[tuple[int, int, str, str], tuple[float | None, int]] = {
        (site_id, measure_id, frequency, period.isoformat()): (value, upload_id)
        for site_id, measure_id, frequency, period, value, upload_id in DataPointHistory.objects.filter(
            replaced_by=upload
        )
        .order_by("pk")  # the latest wins
        .values_list("site_id", "measure_id", "frequency", "period", "value", "upload_id")
    }
    restored = removed = 0
    touched: dict[int, set[int]] = {}
    changed: list[FigureSeries] = []
    emptied: list[FigureSeries] = []
    for row in FigureSeries.objects.filter(site__in=upload.sites.all()).order_by():
        if upload.pk not in row.uploads:
            continue
        touched.setdefault(row.site_id, set()).add(row.measure_id)
        periods, values, uploads = [], [], []
        for period, value, upload_id in zip(row.periods, row.values, row.uploads, strict=True):
            if upload_id == upload.pk:
                before = earlier.get((row.site_id, row.measure_id, row.frequency, period))
                if before is None:
                    removed += 1
                    continue
                value, upload_id = before
                restored += 1
            periods.append(period)
            values.append(value)
            uploads.append(upload_id)
        row.periods, row.values, row.uploads = periods, values, uploads
        (changed if periods else emptied).append(row)
    _series_put_back(FigureSeries, ("site_id", "measure_id"), changed, emptied)
    return PointsRemoved(restored=restored, removed=removed, touched=touched)


# ---------------------------------------------------------------- figures per group


def groups_store(*, upload: Upload, frame: pd.DataFrame, frequency: str) -> int:
    """Write `frame` (site_id, measure_id, by, group, period, value, records) as `upload`'s
    figures per group, replacing what is stored for the same sites, measures and groupings
    over the weeks it covers: a record-level extract states every group of every week it
    holds, so a group missing from it now had no referrals. Each series is one GroupedSeries
    row: the stored series the upload meets keep their weeks outside its span, around the
    new figures, and are written back. Call inside a transaction (on PostgreSQL, after
    points_store, whose table lock keeps uploads from writing these rows at once). Returns
    the figures written."""
    if frame.empty:
        return 0
    if frame["value"].isna().any():
        raise ValueError("a value to store is missing")
    periods = pd.to_datetime(frame["period"])
    first, last = periods.min().date().isoformat(), periods.max().date().isoformat()
    incoming = _series_of(frame, periods, upload.pk)
    sent = {key[:3] for key in incoming}
    in_range = GroupedSeries.objects.filter(
        site_id__in=sorted({site for site, _, _ in sent}),
        measure_id__in=sorted({measure for _, measure, _ in sent}),
        by__in=sorted({by for _, _, by in sent}),
        frequency=frequency,
    ).order_by()
    # A stored series wholly inside the upload's weeks is replaced unread; one reaching
    # beyond them is read, and keeps its weeks outside them around the new figures.
    stored = any(key in sent for key in in_range.values_list("site_id", "measure_id", "by"))
    first_day, last_day = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    reaching = [
        row
        for row in in_range.filter(Q(first__lt=first_day) | Q(last__gt=last_day))
        if (row.site_id, row.measure_id, row.by) in sent
    ]
    # Each series to write as ((site, measure, grouping, group), its four lists).
    rows: list[tuple[tuple, list, list, list, list]] = []
    for row in reaching:
        lo, hi = bisect_left(row.periods, first), bisect_right(row.periods, last)
        key = (row.site_id, row.measure_id, row.by, row.group)
        new = incoming.pop(key, ([], [], [], []))
        lists = [
            old[:lo] + added + old[hi:]
            for old, added in zip(
                (row.periods, row.values, row.records, row.uploads), new, strict=True
            )
        ]
        rows.append((key, *lists))  # never empty: it reaches beyond the upload's weeks
    rows.extend((key, *lists) for key, lists in incoming.items())
    if stored:
        # Exactly the measures and groupings it sends, every group of them.
        _series_delete(GroupedSeries, ("site_id", "measure_id", "by"), sorted(sent), frequency)
    _series_write(
        GroupedSeries,
        ("site_id", "measure_id", "by", "group"),
        rows,
        lists=("periods", "values", "records", "uploads"),
        frequency=frequency,
        method=store_methods()[0],
    )
    return len(frame)


@dataclass(frozen=True)
class GroupsRemoved:
    figures: int
    touched: dict[int, set[int]]  # site id -> measure ids whose figures per group changed


def groups_remove(*, upload: Upload) -> GroupsRemoved:
    """Remove the figures per group that `upload` wrote (figures per group keep no history:
    the next record-level extract for those weeks writes them again)."""
    removed = 0
    touched: dict[int, set[int]] = {}
    changed: list[GroupedSeries] = []
    emptied: list[GroupedSeries] = []
    for row in GroupedSeries.objects.filter(site__in=upload.sites.all()).order_by():
        keep = [i for i, pk in enumerate(row.uploads) if pk != upload.pk]
        if len(keep) == len(row.uploads):
            continue
        removed += len(row.uploads) - len(keep)
        touched.setdefault(row.site_id, set()).add(row.measure_id)
        row.periods, row.values, row.records, row.uploads = (
            [values[i] for i in keep]
            for values in (row.periods, row.values, row.records, row.uploads)
        )
        (changed if keep else emptied).append(row)
    _series_put_back(GroupedSeries, ("site_id", "measure_id", "by", "group"), changed, emptied)
    return GroupsRemoved(figures=removed, touched=touched)


def _series_of(
    frame: pd.DataFrame, periods: pd.Series, upload_id: int
) -> dict[tuple[int, int, str, str], tuple[list, list, list, list]]:
    """`frame`'s figures as series: (site, measure, grouping, group) -> (ISO weeks, values,
    records, uploads), each in week order. One sort of the whole frame, then a slice per
    series (the grouping and group labels factorised, the weeks turned into text once each)."""
    site = frame["site_id"].to_numpy(dtype="int64")
    measure = frame["measure_id"].to_numpy(dtype="int64")
    by_codes, by_uniques = pd.factorize(frame["by"])
    group_codes, group_uniques = pd.factorize(frame["group"])
    # as plain lists: a categorical's labels cost a boxing each time one is read
    by_labels, group_labels = [str(b) for b in by_uniques], [str(g) for g in group_uniques]
    days = np.asarray(periods).astype("datetime64[D]")
    day_codes, day_uniques = pd.factorize(days, sort=True)
    weeks = np.datetime_as_string(np.asarray(day_uniques, dtype="datetime64[D]")).astype(object)
    # In key order: the five columns packed into one integer when their spans allow (they
    # do for real ids and weeks), one sort instead of a lexsort over five columns.
    columns = [site, measure, by_codes, group_codes, day_codes]
    lows = [int(c.min()) for c in columns]
    spans = [int(c.max()) - low + 1 for c, low in zip(columns, lows, strict=True)]
    if float(np.prod(np.array(spans, dtype=float))) < 2.0**62:
        packed = np.zeros(len(site), dtype=np.int64)
        for c, low, span in zip(columns, lows, spans, strict=True):
            packed *= span
            packed += c - low
        order = np.argsort(packed, kind="stable")
    else:
        order = np.lexsort((day_codes, group_codes, by_codes, measure, site))
    site, measure = site[order], measure[order]
    by_codes, group_codes = by_codes[order], group_codes[order]
    week_text = weeks[day_codes[order]]
    value = frame["value"].to_numpy(dtype="float64")[order]
    records = frame["records"].to_numpy(dtype="int64")[order]
    starts = np.flatnonzero(
        np.r_[
            True,
            (site[1:] != site[:-1])
            | (measure[1:] != measure[:-1])
            | (by_codes[1:] != by_codes[:-1])
            | (group_codes[1:] != group_codes[:-1]),
        ]
    )
    bounds = np.r_[starts, len(site)].tolist()
    keys = zip(
        site[starts].tolist(),
        measure[starts].tolist(),
        (by_labels[c] for c in by_codes[starts].tolist()),
        (group_labels[c] for c in group_codes[starts].tolist()),
        strict=True,
    )
    out = {}
    for i, key in enumerate(keys):
        a, b = bounds[i], bounds[i + 1]
        out[key] = (
            week_text[a:b].tolist(),
            value[a:b].tolist(),
            records[a:b].tolist(),
            [upload_id] * (b - a),
        )
    return out
