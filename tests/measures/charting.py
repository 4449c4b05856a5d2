"""Helpers for chart tests: weekly figures written through the store, as an upload writes
them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from django.db import transaction

from measures import store
from measures.models import Frequency, Measure, Upload

from .factories import UploadFactory

START = dt.date(2024, 1, 1)  # a Monday


def weeks(n: int, start: dt.date = START) -> list[dt.date]:
    return [start + dt.timedelta(weeks=i) for i in range(n)]


def put_series(
    site, code: str, values: Sequence[float | None], start: dt.date = START
) -> list[dt.date]:
    """Weekly values of measure `code` from `start`; None leaves the week out."""
    dates = weeks(len(values), start)
    put_figures(
        site,
        Measure.objects.get(code=code),
        {d: v for d, v in zip(dates, values, strict=True) if v is not None},
        UploadFactory(site=site),
    )
    return dates


def put_figures(
    site, measure: Measure, values: dict[dt.date, float], upload: Upload, frequency=Frequency.WEEKLY
) -> store.StoreCounts:
    """Store `values` (period -> value) as `upload`'s figures for `site` and `measure`."""
    frame = pd.DataFrame(
        {
            "site_id": site.pk,
            "measure_id": measure.pk,
            "period": pd.to_datetime(list(values)),
            "value": [float(v) for v in values.values()],
        }
    )
    with transaction.atomic():
        return store.points_store(upload=upload, frame=frame, frequency=frequency)


# 20 weeks around 10, then 8 weeks at 20: a run above the mean and points above the limit.
STEADY = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 10, 11, 9, 10, 12, 8, 10, 11, 9, 10]
JUMP = STEADY + [20] * 8
