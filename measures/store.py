"""The write path for figures: write only new or changed values, keeping what they replaced.

Both implementations find what is new or changed the same way: read the stored values for the
sites, measures and periods of the incoming frame, and compare in pandas (floats bit for bit,
so re-sending a file is free: no row, no history). They differ in how they write:
- PostgreSQL: writers take a table lock that still lets readers in, so the comparison stays
  true until commit; the stored values are read with a binary COPY, new values are written
  with a binary COPY straight into the table in key order (the primary key is its only index),
  replaced values are copied into the history, and changed values updated from a temporary
  table in one statement.
- Others (SQLite): bulk_create(update_conflicts=True) of the changed and new rows.

Both run inside the caller's transaction and return the same counts.
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection

from .models import DataPoint, DataPointHistory, Upload

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
    incoming = pd.DataFrame(
        {
            "site_id": frame["site_id"].to_numpy(dtype="int64"),
            "measure_id": frame["measure_id"].to_numpy(dtype="int64"),
            "period": pd.to_datetime(frame["period"]).to_numpy(dtype="datetime64[ns]"),
            "value": frame["value"].to_numpy(dtype="float64"),
        }
    )
    if method == "copy":
        new, changed = _store_copy(upload=upload, incoming=incoming, frequency=frequency)
    else:
        new, changed = _store_orm(upload=upload, incoming=incoming, frequency=frequency)
    return StoreCounts(new=new, changed=changed, unchanged=len(frame) - new - changed)


def _diff(incoming: pd.DataFrame, existing: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(new rows, changed rows with old_value and old_upload), both in key order."""
    incoming = incoming.sort_values(["site_id", "measure_id", "period"], kind="stable")
    if existing.empty:
        return incoming, incoming.iloc[:0].assign(old_value=0.0, old_upload=0)
    merged = incoming.merge(existing, on=["site_id", "measure_id", "period"], how="left")
    is_new = merged["old_upload"].isna().to_numpy()
    is_changed = ~is_new & (merged["old_value"].to_numpy() != merged["value"].to_numpy())
    changed = merged[is_changed].astype({"old_upload": "int64"})
    return merged.loc[is_new, list(incoming.columns)], changed


# ---------------------------------------------------------------- PostgreSQL: binary COPY


def _int_format(model, name: str) -> str:
    return _INT_FORMATS[model._meta.get_field(name).db_type(connection)]


def _days(period: pd.Series | np.ndarray) -> np.ndarray:
    """Dates as PostgreSQL's binary date: days since 2000-01-01."""
    return (np.asarray(period).astype("datetime64[D]") - _PG_EPOCH).astype(np.int32)


def _copy_in(cursor, table: str, columns: Sequence[tuple[str, object, str]]) -> None:
    """COPY rows into `table` in PostgreSQL's binary format, built column-wise with numpy:
    every field here has a fixed width, so each row is one record of a structured array.
    `columns` is (name, values or a constant, numpy big-endian format)."""
    n = max(len(v) for _, v, _ in columns if isinstance(v, np.ndarray | pd.Series))
    layout = [("fields", ">i2")]
    for i, (_, _, fmt) in enumerate(columns):
        layout += [(f"len{i}", ">i4"), (f"val{i}", fmt)]
    rows = np.empty(n, dtype=layout)
    rows["fields"] = len(columns)
    for i, (_, values, fmt) in enumerate(columns):
        rows[f"len{i}"] = np.dtype(fmt).itemsize
        rows[f"val{i}"] = np.asarray(values) if not isinstance(values, bytes | int) else values
    names = ", ".join(connection.ops.quote_name(name) for name, _, _ in columns)
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT binary)") as copy:
        copy.write(_COPY_SIGNATURE + struct.pack(">ii", 0, 0))
        view = memoryview(rows).cast("B")
        step = 8 << 20
        for start in range(0, len(view), step):
            copy.write(view[start : start + step])
        copy.write(struct.pack(">h", -1))


def _existing_copy(cursor, incoming: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """The stored values in the range of `incoming`, read with one binary COPY."""
    site_f, measure_f = _int_format(DataPoint, "site"), _int_format(DataPoint, "measure")
    upload_f = _int_format(DataPoint, "upload")
    query = (
        "COPY (SELECT site_id, measure_id, period, value, upload_id FROM "
        f"{DataPoint._meta.db_table} WHERE frequency = %s AND site_id = ANY(%s) "
        "AND measure_id = ANY(%s) AND period BETWEEN %s AND %s) TO STDOUT (FORMAT binary)"
    )
    first, last = incoming["period"].min(), incoming["period"].max()
    params = [
        frequency,
        sorted(int(s) for s in np.unique(incoming["site_id"])),
        sorted(int(m) for m in np.unique(incoming["measure_id"])),
        first.date() if hasattr(first, "date") else pd.Timestamp(first).date(),
        pd.Timestamp(last).date(),
    ]
    chunks = []
    with cursor.copy(query, params) as copy:
        chunks.extend(bytes(block) for block in copy)
    data = b"".join(chunks)
    layout = [("fields", ">i2")]
    for name, fmt in [
        ("site_id", site_f), ("measure_id", measure_f), ("period", ">i4"),
        ("old_value", ">f8"), ("old_upload", upload_f),
    ]:  # fmt: skip
        layout += [(f"len_{name}", ">i4"), (name, fmt)]
    header = len(_COPY_SIGNATURE) + 8
    header += int.from_bytes(data[header - 4 : header], "big") if len(data) >= header else 0
    body = data[header:-2] if len(data) > header else b""
    rows = np.frombuffer(body, dtype=layout)
    return pd.DataFrame(
        {
            "site_id": rows["site_id"].astype("int64"),
            "measure_id": rows["measure_id"].astype("int64"),
            "period": (_PG_EPOCH + rows["period"].astype("timedelta64[D]")).astype(
                "datetime64[ns]"
            ),
            "old_value": rows["old_value"].astype("float64"),
            "old_upload": rows["old_upload"].astype("int64"),
        }
    )


def _store_copy(*, upload: Upload, incoming: pd.DataFrame, frequency: str) -> tuple[int, int]:
    point = DataPoint._meta.db_table
    history = DataPointHistory._meta.db_table
    site_f, measure_f = _int_format(DataPoint, "site"), _int_format(DataPoint, "measure")
    upload_f = _int_format(DataPoint, "upload")
    freq = frequency.encode()
    freq_f = f"S{len(freq)}"
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        # Uploads write one at a time (readers are not blocked), so the comparison below
        # stays true until commit and new rows can be plain inserts.
        cursor.execute(f"LOCK TABLE {point} IN SHARE ROW EXCLUSIVE MODE")
        new, changed = _diff(incoming, _existing_copy(cursor, incoming, frequency))
        if len(new):
            _copy_in(
                cursor,
                point,
                [
                    ("site_id", new["site_id"], site_f),
                    ("measure_id", new["measure_id"], measure_f),
                    ("frequency", freq, freq_f),
                    ("period", _days(new["period"]), ">i4"),
                    ("value", new["value"], ">f8"),
                    ("upload_id", upload.pk, upload_f),
                ],
            )
        if len(changed):
            _copy_in(
                cursor,
                history,
                [
                    ("site_id", changed["site_id"], site_f),
                    ("measure_id", changed["measure_id"], measure_f),
                    ("frequency", freq, freq_f),
                    ("period", _days(changed["period"]), ">i4"),
                    ("value", changed["old_value"], ">f8"),
                    ("upload_id", changed["old_upload"], upload_f),
                    ("replaced_by_id", upload.pk, upload_f),
                ],
            )
            cursor.execute(
                "CREATE TEMPORARY TABLE measures_changed (site_id bigint, measure_id bigint, "
                "period date, value double precision) ON COMMIT DROP"
            )
            _copy_in(
                cursor,
                "measures_changed",
                [
                    ("site_id", changed["site_id"], ">i8"),
                    ("measure_id", changed["measure_id"], ">i8"),
                    ("period", _days(changed["period"]), ">i4"),
                    ("value", changed["value"], ">f8"),
                ],
            )
            cursor.execute(
                f"UPDATE {point} AS d SET value = c.value, upload_id = %s "
                "FROM measures_changed AS c WHERE d.site_id = c.site_id "
                "AND d.measure_id = c.measure_id AND d.frequency = %s AND d.period = c.period",
                [upload.pk, frequency],
            )
            cursor.execute("DROP TABLE measures_changed")
    return len(new), len(changed)


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
