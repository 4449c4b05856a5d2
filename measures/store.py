"""The write path for figures: write only new or changed values, keeping what they replaced.

Two implementations with the same meaning, chosen by database. Values are compared bit for
bit, so re-sending a file is free: no row, no history.
- PostgreSQL: writers take a table lock that still lets readers in, so what is stored cannot
  change under an upload. Where nothing is stored yet in the upload's range (a first upload,
  or new weeks only) the values go straight into the table with a binary COPY in key order
  (the primary key is the table's only index). Otherwise they are copied into a temporary
  table, one join finds what is new or changed, and set-based statements write the history
  of the changed values, update them, and insert the new ones.
- Others (SQLite): the stored values in range are read and compared in pandas, then
  bulk_create(update_conflicts=True) writes the changed and new rows.

Both run inside the caller's transaction and return the same counts.
"""

from __future__ import annotations

import datetime as dt
import struct
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pandas as pd
from django.db import connection
from django.db.models import Q

from .models import DataPoint, DataPointHistory, GroupedSeries, Upload

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
    if frame.empty:
        return StoreCounts(0, 0, 0)
    if frame["value"].isna().any():
        raise ValueError("a value to store is missing")
    method = method or store_methods()[0]
    incoming = _incoming(frame)
    if method == "copy":
        new, changed = _store_copy(upload=upload, incoming=incoming, frequency=frequency)
    else:
        new, changed = _store_orm(upload=upload, incoming=incoming, frequency=frequency)
    return StoreCounts(new=new, changed=changed, unchanged=len(frame) - new - changed)


def points_diff(*, frame: pd.DataFrame, frequency: str) -> tuple[pd.DataFrame, int]:
    """What storing `frame` now would do, without writing: the values it would change
    (site_id, measure_id, period, value, old_value, old_upload, in key order) and how many
    values would be new."""
    if frame.empty:
        return _incoming(frame).assign(old_value=0.0, old_upload=0), 0
    incoming = _incoming(frame)
    new, changed = _diff(incoming, _existing_orm(incoming, frequency))
    return changed, len(new)


def _incoming(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site_id": frame["site_id"].to_numpy(dtype="int64"),
            "measure_id": frame["measure_id"].to_numpy(dtype="int64"),
            "period": pd.to_datetime(frame["period"]).to_numpy(dtype="datetime64[ns]"),
            "value": frame["value"].to_numpy(dtype="float64"),
        }
    )


# ---------------------------------------------------------------- PostgreSQL: binary COPY


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


def _range(incoming: pd.DataFrame, frequency: str) -> dict[str, object]:
    """Query parameters naming the stored values that `incoming` could meet."""
    return {
        "freq": frequency,
        "sites": sorted(int(s) for s in pd.unique(incoming["site_id"].to_numpy())),
        "measures": sorted(int(m) for m in pd.unique(incoming["measure_id"].to_numpy())),
        "first": pd.Timestamp(incoming["period"].min()).date(),
        "last": pd.Timestamp(incoming["period"].max()).date(),
    }


def _in_key_order(incoming: pd.DataFrame) -> pd.DataFrame:
    """`incoming` sorted by (site, measure, period), the order the table's key is written
    fastest in. The three columns are packed into one integer when their spans allow (they
    always do for real ids and weeks), which sorts twice as fast as pandas' sort on three
    columns, and a frame already in order is kept as it is."""
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


_IN_RANGE = (
    "frequency = %(freq)s AND site_id = ANY(%(sites)s) AND measure_id = ANY(%(measures)s) "
    "AND period BETWEEN %(first)s AND %(last)s"
)


def _store_copy(*, upload: Upload, incoming: pd.DataFrame, frequency: str) -> tuple[int, int]:
    point = DataPoint._meta.db_table
    params = _range(incoming, frequency)
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        # Uploads write one at a time (readers are not blocked), so what is stored stays as
        # read below until commit and new rows can be plain inserts.
        cursor.execute(f"LOCK TABLE {point} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {point} WHERE {_IN_RANGE})", params)
        if cursor.fetchone()[0]:
            return _store_over(cursor, upload=upload, incoming=incoming, params=params)
        # Nothing stored where this upload lands (a first upload, or new weeks only): every
        # value is new and goes straight into the table, in key order.
        new = _in_key_order(incoming)
        _copy_in(
            cursor,
            point,
            [
                ("site_id", new["site_id"], _int_format(DataPoint, "site")),
                ("measure_id", new["measure_id"], _int_format(DataPoint, "measure")),
                ("frequency", frequency.encode(), f"S{len(frequency.encode())}"),
                ("period", _days(new["period"]), ">i4"),
                ("value", new["value"], ">f8"),
                ("upload_id", upload.pk, _int_format(DataPoint, "upload")),
            ],
        )
    return len(new), 0


def _store_over(cursor, *, upload: Upload, incoming: pd.DataFrame, params: dict) -> tuple[int, int]:
    """Values meeting stored ones: the comparison runs in the database, over a temporary
    table of the incoming values, and writes only what is new or different."""
    point = DataPoint._meta.db_table
    history = DataPointHistory._meta.db_table
    params = {**params, "upload": upload.pk}
    # The same column types as the table, so the join compares like with like.
    site_type = DataPoint._meta.get_field("site").db_type(connection)
    measure_type = DataPoint._meta.get_field("measure").db_type(connection)
    cursor.execute(
        f"CREATE TEMPORARY TABLE measures_incoming (site_id {site_type}, "
        f"measure_id {measure_type}, period date, value double precision) ON COMMIT DROP"
    )
    _copy_in(
        cursor,
        "measures_incoming",
        [
            ("site_id", incoming["site_id"], _int_format(DataPoint, "site")),
            ("measure_id", incoming["measure_id"], _int_format(DataPoint, "measure")),
            ("period", _days(incoming["period"]), ">i4"),
            ("value", incoming["value"], ">f8"),
        ],
    )
    cursor.execute("ANALYZE measures_incoming")
    # One join finds what is new or changed; an unchanged file stops here.
    cursor.execute(
        "CREATE TEMPORARY TABLE measures_diff ON COMMIT DROP AS "
        "SELECT i.site_id, i.measure_id, i.period, i.value, d.value AS old_value, "
        "d.upload_id AS old_upload FROM measures_incoming i "
        f"LEFT JOIN {point} d ON d.site_id = i.site_id AND d.measure_id = i.measure_id "
        "AND d.frequency = %(freq)s AND d.period = i.period "
        "WHERE d.upload_id IS NULL OR d.value <> i.value",
        params,
    )
    cursor.execute(
        f"INSERT INTO {history} "
        "(site_id, measure_id, frequency, period, value, upload_id, replaced_by_id) "
        "SELECT site_id, measure_id, %(freq)s, period, old_value, old_upload, %(upload)s "
        "FROM measures_diff WHERE old_upload IS NOT NULL",
        params,
    )
    changed = cursor.rowcount
    cursor.execute(
        f"UPDATE {point} AS d SET value = c.value, upload_id = %(upload)s "
        "FROM measures_diff AS c WHERE c.old_upload IS NOT NULL AND d.site_id = c.site_id "
        "AND d.measure_id = c.measure_id AND d.frequency = %(freq)s AND d.period = c.period",
        params,
    )
    cursor.execute(
        f"INSERT INTO {point} (site_id, measure_id, frequency, period, value, upload_id) "
        "SELECT site_id, measure_id, %(freq)s, period, value, %(upload)s FROM measures_diff "
        "WHERE old_upload IS NULL ORDER BY site_id, measure_id, period",
        params,
    )
    new = cursor.rowcount
    cursor.execute("DROP TABLE measures_incoming, measures_diff")
    return new, changed


# ---------------------------------------------------------------- other databases: the ORM


def _existing_orm(incoming: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """The stored values in the range of `incoming`, one query per site."""
    first, last = incoming["period"].min(), incoming["period"].max()
    measure_ids = sorted(int(m) for m in np.unique(incoming["measure_id"]))
    rows: list[tuple] = []
    for site_id in sorted(int(s) for s in np.unique(incoming["site_id"])):
        rows.extend(
            DataPoint.objects.filter(
                site_id=site_id,
                frequency=frequency,
                measure_id__in=measure_ids,
                period__range=(pd.Timestamp(first).date(), pd.Timestamp(last).date()),
            ).values_list("site_id", "measure_id", "period", "value", "upload_id")
        )
    existing = pd.DataFrame(
        rows, columns=["site_id", "measure_id", "period", "old_value", "old_upload"]
    )
    return existing.astype(
        {
            "site_id": "int64",
            "measure_id": "int64",
            "period": "datetime64[ns]",
            "old_value": "float64",
            "old_upload": "int64",
        }
    )


def _diff(incoming: pd.DataFrame, existing: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(new rows, changed rows with old_value and old_upload), both in key order."""
    incoming = _in_key_order(incoming)
    if existing.empty:
        return incoming, incoming.iloc[:0].assign(old_value=0.0, old_upload=0)
    merged = incoming.merge(existing, on=["site_id", "measure_id", "period"], how="left")
    is_new = merged["old_upload"].isna().to_numpy()
    is_changed = ~is_new & (merged["old_value"].to_numpy() != merged["value"].to_numpy())
    changed = merged[is_changed].astype({"old_upload": "int64"})
    return merged.loc[is_new, list(incoming.columns)], changed


def _store_orm(*, upload: Upload, incoming: pd.DataFrame, frequency: str) -> tuple[int, int]:
    new, changed = _diff(incoming, _existing_orm(incoming, frequency))

    def day(period) -> dt.date:
        return pd.Timestamp(period).date()

    DataPointHistory.objects.bulk_create(
        (
            DataPointHistory(
                site_id=int(r.site_id),
                measure_id=int(r.measure_id),
                frequency=frequency,
                period=day(r.period),
                value=float(r.old_value),
                upload_id=int(r.old_upload),
                replaced_by=upload,
            )
            for r in changed.itertuples(index=False)
        ),
        batch_size=BATCH,
    )
    rows = [
        DataPoint(
            site_id=int(r.site_id),
            measure_id=int(r.measure_id),
            frequency=frequency,
            period=day(r.period),
            value=float(r.value),
            upload=upload,
        )
        for part in (new, changed)
        for r in part.itertuples(index=False)
    ]
    for start in range(0, len(rows), BATCH):
        DataPoint.objects.bulk_create(
            rows[start : start + BATCH],
            update_conflicts=True,
            unique_fields=["site", "measure", "frequency", "period"],
            update_fields=["value", "upload"],
        )
    return len(new), len(changed)


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
    # Each series to write as (site, measure, grouping, group, its four lists).
    rows: list[tuple[int, int, str, str, list, list, list, list]] = []
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
        rows.append((*key, *lists))  # never empty: it reaches beyond the upload's weeks
    rows.extend((*key, *lists) for key, lists in incoming.items())
    if stored:
        # One DELETE per site, naming exactly the measures and groupings it sends.
        for site_id in sorted({site for site, _, _ in sent}):
            which = Q()
            for _, measure_id, by in sorted(key for key in sent if key[0] == site_id):
                which |= Q(measure_id=measure_id, by=by)
            GroupedSeries.objects.filter(which, site_id=site_id, frequency=frequency).delete()
    if connection.vendor == "postgresql":
        _series_copy(rows, frequency)
    else:
        GroupedSeries.objects.bulk_create(
            (
                GroupedSeries(
                    site_id=site_id,
                    measure_id=measure_id,
                    by=by,
                    group=group,
                    frequency=frequency,
                    first=periods_[0],
                    last=periods_[-1],
                    periods=periods_,
                    values=values,
                    records=records,
                    uploads=uploads,
                )
                for site_id, measure_id, by, group, periods_, values, records, uploads in rows
            ),
            batch_size=500,
        )
    return len(frame)


_SERIES_KEY = ("site_id", "measure_id", "by", "group", "frequency")


def _series_copy(rows: list[tuple], frequency: str) -> None:
    """The series in one COPY, their lists as JSON text written by orjson: bulk_create on
    PostgreSQL sends each column as an array, and quoting every JSON text as an array
    element took longer than storing it; the standard library's encoder took 0.2 s for a
    programme's 700,000 figures."""
    names = ", ".join(
        connection.ops.quote_name(n)
        for n in (*_SERIES_KEY, "first", "last", "periods", "values", "records", "uploads")
    )
    table = GroupedSeries._meta.db_table
    with (
        connection.cursor() as django_cursor,
        django_cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for site_id, measure_id, by, group, *lists in rows:
            copy.write_row(
                (
                    site_id,
                    measure_id,
                    by,
                    group,
                    frequency,
                    lists[0][0],
                    lists[0][-1],
                    *(orjson.dumps(values).decode() for values in lists),
                )
            )


@dataclass(frozen=True)
class GroupsRemoved:
    figures: int
    touched: dict[int, set[int]]  # site id -> measure ids whose figures per group changed


def groups_remove(*, upload: Upload) -> GroupsRemoved:
    """Remove the figures per group that `upload` wrote (figures per group keep no history:
    the next record-level extract for those weeks writes them again)."""
    removed = 0
    touched: dict[int, set[int]] = {}
    changed, emptied = [], []
    for row in GroupedSeries.objects.filter(site__in=upload.sites.all()).order_by():
        keep = [i for i, pk in enumerate(row.uploads) if pk != upload.pk]
        if len(keep) == len(row.uploads):
            continue
        removed += len(row.uploads) - len(keep)
        touched.setdefault(row.site_id, set()).add(row.measure_id)
        if not keep:
            emptied.append(row)
            continue
        row.periods, row.values, row.records, row.uploads = (
            [values[i] for i in keep]
            for values in (row.periods, row.values, row.records, row.uploads)
        )
        row.first, row.last = (dt.date.fromisoformat(row.periods[i]) for i in (0, -1))
        changed.append(row)
    for row in emptied:
        row.delete()
    GroupedSeries.objects.bulk_update(
        changed, ["first", "last", "periods", "values", "records", "uploads"], batch_size=500
    )
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
