"""Time parse_extract on large generated extracts.

Run from the repository root:  .venv/bin/python benchmarks/bench_ingest.py
Targets: 1,000,000-row tidy CSV well under 8 s; 50-sheet wide workbook well under 10 s.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from measures.ingest import ParseOptions, normalise_label, parse_extract

N_SITES, N_MEASURES, N_WEEKS = 50, 20, 1000
SITES = [f"S{i:02d}" for i in range(N_SITES)]
MEASURES = [f"measure_{i:02d}" for i in range(N_MEASURES)]
START = dt.date(2005, 1, 3)  # a Monday; 1000 weeks end in 2024


def options() -> ParseOptions:
    return ParseOptions(
        site_aliases={normalise_label(s): s for s in SITES},
        measure_aliases={normalise_label(m): m for m in MEASURES},
        count_measures=frozenset(MEASURES),
        today=dt.date(2026, 1, 1),
    )


def tidy_csv(path: Path, n_weeks: int = N_WEEKS) -> None:
    rng = np.random.default_rng(1)
    weeks = [(START + dt.timedelta(weeks=w)).isoformat() for w in range(n_weeks)]
    values = rng.integers(0, 500, N_SITES * N_MEASURES * n_weeks)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("site_code,week_commencing,measure,value\n")
        k = 0
        for s in SITES:
            for w in weeks:
                prefix = f"{s},{w},"
                f.write("".join(f"{prefix}{m},{values[k + j]}\n" for j, m in enumerate(MEASURES)))
                k += N_MEASURES


def wide_xlsx(path: Path, n_weeks: int = 260) -> None:
    from openpyxl import Workbook

    rng = np.random.default_rng(2)
    wb = Workbook(write_only=True)
    for s in SITES:
        ws = wb.create_sheet(title=s)
        ws.append([f"{s} weekly report"])
        ws.append([])
        ws.append(["Week commencing", *MEASURES])
        block = rng.integers(0, 500, (n_weeks, N_MEASURES)).tolist()
        for w in range(n_weeks):
            ws.append([dt.datetime.combine(START + dt.timedelta(weeks=w), dt.time()), *block[w]])
        ws.append(["Total", *[sum(col) for col in zip(*block, strict=True)]])
    wb.save(path)


def timed(label: str, path: Path) -> float:
    data = path.read_bytes()
    start = time.perf_counter()
    result = parse_extract(data, path.name, options())
    elapsed = time.perf_counter() - start
    print(
        f"{label}: {elapsed:.2f} s  ({len(data) / 1e6:.1f} MB, {len(result.observations):,} "
        f"values, layout={result.layout}, problems={len(result.problems)})"
    )
    assert result.ok, result.problems[:3]
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "tidy_1m.csv"
        xlsx_path = Path(tmp) / "wide_50_sheets.xlsx"
        t = time.perf_counter()
        tidy_csv(csv_path)
        wide_xlsx(xlsx_path)
        print(f"(generated files in {time.perf_counter() - t:.1f} s)")
        timed("tidy CSV, 1,000,000 rows", csv_path)
        timed("wide xlsx, 50 sheets x 260 weeks x 20 measures", xlsx_path)


if __name__ == "__main__":
    main()
