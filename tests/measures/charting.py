"""Helpers for chart tests: weekly figures written straight to the fact table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from measures.models import DataPoint, Frequency, Measure

from .factories import UploadFactory

START = dt.date(2024, 1, 1)  # a Monday


def weeks(n: int, start: dt.date = START) -> list[dt.date]:
    return [start + dt.timedelta(weeks=i) for i in range(n)]


def put_series(
    site, code: str, values: Sequence[float | None], start: dt.date = START
) -> list[dt.date]:
    """Weekly values of measure `code` from `start`; None leaves the week out."""
    measure = Measure.objects.get(code=code)
    upload = UploadFactory(site=site)
    dates = weeks(len(values), start)
    DataPoint.objects.bulk_create(
        DataPoint(
            site=site,
            measure=measure,
            frequency=Frequency.WEEKLY,
            period=d,
            value=v,
            upload=upload,
        )
        for d, v in zip(dates, values, strict=True)
        if v is not None
    )
    return dates


# 20 weeks around 10, then 8 weeks at 20: a run above the mean and points above the limit.
STEADY = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 10, 11, 9, 10, 12, 8, 10, 11, 9, 10]
JUMP = STEADY + [20] * 8
