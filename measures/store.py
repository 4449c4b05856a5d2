"""The write path for figures: upsert only new or changed values, keeping what they replaced.

Two implementations with the same meaning, chosen by database:
- PostgreSQL: COPY the incoming values into a temporary table, one join to find what is new or
  changed, then set-based statements: history of the changed values, a plain INSERT of the new
  ones (writers hold a table lock that still lets readers in) and INSERT ... ON CONFLICT DO
  UPDATE ... WHERE value IS DISTINCT FROM for the changed ones.
- Others (SQLite): one read of the existing values per site, the diff in pandas, then
  bulk_create(update_conflicts=True) of the changed and new rows only.

Both run inside the caller's transaction and return the same counts; a value that did not
change writes nothing (no row, no history), so re-sending a file is free.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd
from django.db import connection

from .models import DataPoint, DataPointHistory, Upload

BATCH = 5_000


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
    method = method or store_methods()[0]
    if method == "copy":
        new, changed = _store_copy(upload=upload, frame=frame, frequency=frequency)
    else:
        new, changed = _store_orm(upload=upload, frame=frame, frequency=frequency)
    return StoreCounts(new=new, changed=changed, unchanged=len(frame) - new - changed)


def _period_text(period: pd.Series) -> pd.Categorical:
    """ISO dates as text, formatted once per distinct period rather than once per row."""
    codes, uniques = pd.factorize(period)
    labels = pd.DatetimeIndex(uniques).strftime("%Y-%m-%d")
    return pd.Categorical.from_codes(codes, categories=pd.Index(labels).unique())


def _store_copy(*, upload: Upload, frame: pd.DataFrame, frequency: str) -> tuple[int, int]:
    point = DataPoint._meta.db_table
    history = DataPointHistory._meta.db_table
    buffer = io.StringIO()
    # Floats are written in their shortest exact form, so an unchanged value compares equal.
    pd.DataFrame(
        {
            "site_id": frame["site_id"].to_numpy(),
            "measure_id": frame["measure_id"].to_numpy(),
            "period": _period_text(frame["period"]),
            "value": frame["value"].to_numpy(),
        }
    ).to_csv(buffer, sep="\t", header=False, index=False)
    params = {"freq": frequency, "upload": upload.pk}
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE measures_incoming (site_id bigint, measure_id bigint, "
            "period date, value double precision) ON COMMIT DROP"
        )
        with cursor.cursor.copy(
            "COPY measures_incoming (site_id, measure_id, period, value) FROM STDIN"
        ) as copy:
            copy.write(buffer.getvalue())
        cursor.execute("ANALYZE measures_incoming")
        # Uploads write one at a time (readers are not blocked), so the diff below stays true
        # until commit and new rows can be plain inserts, twice as fast as ON CONFLICT.
        cursor.execute(f"LOCK TABLE {point} IN SHARE ROW EXCLUSIVE MODE")
        # One join finds what is new or changed; an unchanged file stops here.
        cursor.execute(
            "CREATE TEMPORARY TABLE measures_diff ON COMMIT DROP AS "
            "SELECT i.site_id, i.measure_id, i.period, i.value, d.id AS point_id, "
            "d.value AS old_value, d.upload_id AS old_upload FROM measures_incoming i "
            f"LEFT JOIN {point} d ON d.site_id = i.site_id AND d.measure_id = i.measure_id "
            "AND d.frequency = %(freq)s AND d.period = i.period "
            "WHERE d.id IS NULL OR d.value IS DISTINCT FROM i.value",
            params,
        )
        cursor.execute(
            f"INSERT INTO {history} "
            "(site_id, measure_id, frequency, period, value, upload_id, replaced_by_id) "
            "SELECT site_id, measure_id, %(freq)s, period, old_value, old_upload, %(upload)s "
            "FROM measures_diff WHERE point_id IS NOT NULL",
            params,
        )
        changed = cursor.rowcount
        # In key order, so the unique index is filled page by page.
        cursor.execute(
            f"INSERT INTO {point} (site_id, measure_id, frequency, period, value, upload_id) "
            "SELECT site_id, measure_id, %(freq)s, period, value, %(upload)s FROM measures_diff "
            "WHERE point_id IS NULL ORDER BY site_id, measure_id, period",
            params,
        )
        new = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {point} (site_id, measure_id, frequency, period, value, upload_id) "
            "SELECT site_id, measure_id, %(freq)s, period, value, %(upload)s FROM measures_diff "
            "WHERE point_id IS NOT NULL "
            "ON CONFLICT (site_id, measure_id, frequency, period) DO UPDATE "
            "SET value = EXCLUDED.value, upload_id = EXCLUDED.upload_id "
            f"WHERE {point}.value IS DISTINCT FROM EXCLUDED.value",
            params,
        )
        cursor.execute("DROP TABLE measures_incoming, measures_diff")
    return new, changed


def _existing(*, frame: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """The stored values for the sites, measures and periods of `frame`, one query per site."""
    first, last = frame["period"].min().date(), frame["period"].max().date()
    measure_ids = sorted(int(m) for m in frame["measure_id"].unique())
    chunks = []
    for site_id in sorted(int(s) for s in frame["site_id"].unique()):
        rows = list(
            DataPoint.objects.filter(
                site_id=site_id,
                frequency=frequency,
                measure_id__in=measure_ids,
                period__range=(first, last),
            ).values_list("site_id", "measure_id", "period", "value", "upload_id")
        )
        if rows:
            chunks.append(
                pd.DataFrame(
                    rows, columns=["site_id", "measure_id", "period", "old_value", "old_upload"]
                )
            )
    if not chunks:
        return pd.DataFrame(
            {
                "site_id": pd.Series(dtype="int64"),
                "measure_id": pd.Series(dtype="int64"),
                "period": pd.Series(dtype="datetime64[ns]"),
                "old_value": pd.Series(dtype="float64"),
                "old_upload": pd.Series(dtype="int64"),
            }
        )
    existing = pd.concat(chunks, ignore_index=True)
    existing["period"] = pd.to_datetime(existing["period"])
    return existing


def _store_orm(*, upload: Upload, frame: pd.DataFrame, frequency: str) -> tuple[int, int]:
    incoming = frame[["site_id", "measure_id", "period", "value"]].copy()
    incoming["site_id"] = incoming["site_id"].astype("int64")
    incoming["measure_id"] = incoming["measure_id"].astype("int64")
    incoming["period"] = pd.to_datetime(incoming["period"]).astype("datetime64[ns]")
    existing = _existing(frame=incoming, frequency=frequency)
    existing["period"] = existing["period"].astype("datetime64[ns]")
    merged = incoming.merge(existing, on=["site_id", "measure_id", "period"], how="left")
    is_new = merged["old_value"].isna().to_numpy()
    is_changed = ~is_new & (merged["old_value"].to_numpy() != merged["value"].to_numpy())
    changed = merged[is_changed]
    DataPointHistory.objects.bulk_create(
        (
            DataPointHistory(
                site_id=int(r.site_id),
                measure_id=int(r.measure_id),
                frequency=frequency,
                period=r.period.date(),
                value=float(r.old_value),
                upload_id=int(r.old_upload),
                replaced_by=upload,
            )
            for r in changed.itertuples(index=False)
        ),
        batch_size=BATCH,
    )
    writes = merged[is_new | is_changed]
    rows = [
        DataPoint(
            site_id=int(r.site_id),
            measure_id=int(r.measure_id),
            frequency=frequency,
            period=r.period.date(),
            value=float(r.value),
            upload=upload,
        )
        for r in writes.itertuples(index=False)
    ]
    for start in range(0, len(rows), BATCH):
        DataPoint.objects.bulk_create(
            rows[start : start + BATCH],
            update_conflicts=True,
            unique_fields=["site", "measure", "frequency", "period"],
            update_fields=["value", "upload"],
        )
    return int(is_new.sum()), int(is_changed.sum())
