"""Median time of measures.charts.figures and .words on 260 weekly points (five years) with 5 annotations.

Run from the repository root:  python -m benchmarks charts
The target is well under 5 ms per figure (a measure page may draw several).
"""

import datetime as dt
import json
import random
import statistics
import sys
import timeit
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from measures.charts.figures import (
    Annotation,
    build_figure,
    chart_csv_rows,
    small_multiple_figure,
)
from measures.charts.words import chart_summary
from measures.spc import analyse

N = 260
REPEAT = 200


def main() -> None:
    rng = random.Random(2025)
    values: list[float | None] = [rng.gauss(50, 5) + (8 if i > 180 else 0) for i in range(N)]
    for i in (17, 90, 200):
        values[i] = None  # missing weeks
    dates = [dt.date(2020, 1, 6) + dt.timedelta(weeks=i) for i in range(N)]
    annotations = [
        Annotation(dates[40], "Triage huddle", "pdsa", end=dates[48]),
        Annotation(dates[100], "Text reminders", "pdsa", end=dates[110]),
        Annotation(dates[181], "New referral form", "rebase"),
        Annotation(dates[150], "IT outage", "note"),
        Annotation(dates[60], "Data error", "exclusion"),
    ]
    mdc = analyse(
        values, chart="xmr", rules="mdc", improvement="increase", parts=[181], exclude=[60]
    )
    run = analyse(values, chart="run", rules="anhoej", improvement="increase")
    common: dict[str, Any] = {"dates": dates, "improvement": "increase"}
    cases = {
        "figure xmr/mdc": lambda: build_figure(
            result=mdc,
            title="Referrals received",
            unit_label="referrals",
            annotations=annotations,
            target=55,
            **common,
        ),
        "figure run": lambda: build_figure(
            result=run,
            title="Referrals received",
            unit_label="referrals",
            annotations=annotations,
            **common,
        ),
        "small multiple": lambda: small_multiple_figure(
            result=mdc, site_name="North Gate", warning="Definition differs", **common
        ),
        "summary": lambda: chart_summary(
            result=mdc,
            target=55,
            measure_name="Referrals received",
            annotations=annotations,
            **common,
        ),
        "csv rows": lambda: chart_csv_rows(result=mdc, dates=dates, annotations=annotations),
    }
    for name, fn in cases.items():
        fn()
        times = timeit.repeat(fn, number=1, repeat=REPEAT)
        print(
            f"{name:16s} median {statistics.median(times) * 1000:.3f} ms "
            f"(min {min(times) * 1000:.3f} ms, {REPEAT} runs, {N} points)"
        )
    fig = cases["figure xmr/mdc"]()
    times = timeit.repeat(lambda: json.dumps(fig), number=1, repeat=REPEAT)
    print(
        f"{'json.dumps':16s} median {statistics.median(times) * 1000:.3f} ms "
        f"({len(json.dumps(fig)) / 1024:.0f} KiB)"
    )


if __name__ == "__main__":
    main()
