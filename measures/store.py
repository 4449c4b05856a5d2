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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Q

from .models import DataPoint, DataPointHistory, GroupedDataPoint, Upload

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


def _groups_copy(
    *, upload: Upload, frame: pd.DataFrame, periods: pd.Series, frequency: str
) -> None:
    """Figures per group in one binary COPY, built with numpy as for DataPoint: the grouping
    and group labels are text of varying width, so the rows go in one block per (grouping,
    group), within which every field has a fixed width; each block in key order."""
    table = GroupedDataPoint._meta.db_table
    # Each (grouping, group) pair as one code: the two labels factorised apart and their codes
    # combined (a MultiIndex factorised whole took four times as long).
    by_codes, by_labels = pd.factorize(frame["by"])
    group_codes, group_labels = pd.factorize(frame["group"])
    pair_codes, pair_uniques = pd.factorize(by_codes * len(group_labels) + group_codes)
    pairs = pair_codes
    labels = [
        (by_labels[code // len(group_labels)], group_labels[code % len(group_labels)])
        for code in pair_uniques
    ]
    site = frame["site_id"].to_numpy(dtype="int64")
    measure = frame["measure_id"].to_numpy(dtype="int64")
    days = _days(periods)
    value = frame["value"].to_numpy(dtype="float64")
    records = frame["records"].to_numpy(dtype="int64")
    order = np.lexsort((days, pairs, measure, site))
    pairs_in_order = pairs[order]
    blocks = []
    for i, (by, group) in enumerate(labels):
        rows = order[pairs_in_order == i]
        blocks.append(
            _binary_rows(
                [
                    (site[rows], _int_format(GroupedDataPoint, "site")),
                    (measure[rows], _int_format(GroupedDataPoint, "measure")),
                    (str(by).encode(), None),
                    (str(group).encode(), None),
                    (frequency.encode(), None),
                    (days[rows], ">i4"),
                    (value[rows], ">f8"),
                    (records[rows], ">i4"),
                    (upload.pk, _int_format(GroupedDataPoint, "upload")),
                ],
                len(rows),
            )
        )
    names = ("site_id", "measure_id", "by", "group", "frequency", "period", "value", "records")
    with connection.cursor() as django_cursor:
        _copy_blocks(django_cursor.cursor, table, [*names, "upload_id"], blocks)


def _binary_rows(columns: Sequence[tuple[object, str | None]], n: int) -> np.ndarray:
    """`n` rows of PostgreSQL's binary COPY format as one structured array: each column is
    (values or a constant, numpy big-endian format), or (bytes, None) for a constant text
    (its width fixed by its length; an empty one is a field of length 0)."""
    layout = [("fields", ">i2")]
    for i, (values, fmt) in enumerate(columns):
        width = len(values) if fmt is None and isinstance(values, bytes) else None
        layout.append((f"len{i}", ">i4"))
        if width != 0:
            layout.append((f"val{i}", f"S{width}" if fmt is None else fmt))
    rows = np.empty(n, dtype=layout)
    rows["fields"] = len(columns)
    for i, (values, fmt) in enumerate(columns):
        if fmt is None:
            assert isinstance(values, bytes)
            rows[f"len{i}"] = len(values)
            if values:
                rows[f"val{i}"] = values
        else:
            rows[f"len{i}"] = np.dtype(fmt).itemsize
            rows[f"val{i}"] = values
    return rows


def _copy_blocks(cursor, table: str, names: Sequence[str], blocks: Sequence[np.ndarray]) -> None:
    """COPY binary rows (from _binary_rows) into `table`'s columns `names`, in one statement."""
    quoted = ", ".join(connection.ops.quote_name(name) for name in names)
    with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN (FORMAT binary)") as copy:
        copy.write(_COPY_SIGNATURE + struct.pack(">ii", 0, 0))
        step = 8 << 20
        for rows in blocks:
            view = rows.data.cast("B")
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
    """Write `frame` (site_id, measure_id, by, group, period, value, records) as `upload`'s figures per
    group, replacing what is stored for the same sites, measures and groupings over the weeks
    it covers: a record-level extract states every group of every week it holds, so a group
    missing from it now had no referrals. Call inside a transaction. Returns rows written."""
    if frame.empty:
        return 0
    periods = pd.to_datetime(frame["period"])
    first, last = periods.min().date(), periods.max().date()
    # One DELETE per site, naming exactly the measures and groupings it sends (a statement per
    # site, measure and grouping was hundreds for a programme's extract).
    keys = frame[["site_id", "measure_id", "by"]].drop_duplicates()
    for site_id, of_site in keys.groupby("site_id", sort=True):
        which = Q()
        for measure_id, by in zip(of_site["measure_id"], of_site["by"], strict=True):
            which |= Q(measure_id=int(measure_id), by=by)
        GroupedDataPoint.objects.filter(
            which, site_id=int(site_id), frequency=frequency, period__range=(first, last)
        ).delete()
    if connection.vendor == "postgresql":
        _groups_copy(upload=upload, frame=frame, periods=periods, frequency=frequency)
        return len(frame)
    days = periods.dt.date.to_numpy()
    rows = zip(
        frame["site_id"].tolist(),
        frame["measure_id"].tolist(),
        frame["by"].tolist(),
        frame["group"].tolist(),
        days,
        frame["value"].tolist(),
        frame["records"].tolist(),
        strict=True,
    )
    GroupedDataPoint.objects.bulk_create(
        (
            GroupedDataPoint(
                site_id=site_id,
                measure_id=measure_id,
                by=by,
                group=group,
                frequency=frequency,
                period=day,
                value=value,
                records=n,
                upload=upload,
            )
            for site_id, measure_id, by, group, day, value, n in rows
        ),
        batch_size=BATCH,
    )
    return len(frame)
