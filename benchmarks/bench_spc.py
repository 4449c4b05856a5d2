"""Median time of measures.spc.analyse on 260 weekly points (five years), every rule set.

Target: under 0.5 ms each (a chart rebuild analyses once per chart and per group).

Run from the repository root:  python benchmarks/bench_spc.py
"""

import random
import statistics
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from measures.spc import analyse

N = 260
REPEAT = 200
TARGET_MS = 0.5


def main() -> None:
    rng = random.Random(2025)
    values = [rng.gauss(50, 5) + (8 if i > 180 else 0) for i in range(N)]
    counts = [rng.randint(5, 40) for _ in range(N)]
    sizes = [rng.randint(80, 120) for _ in range(N)]
    cases = {
        "run / anhoej": lambda: analyse(values, chart="run", rules="anhoej"),
        "run / ihi": lambda: analyse(values, chart="run", rules="ihi"),
        "xmr / anhoej": lambda: analyse(values, chart="xmr", rules="anhoej"),
        "xmr / ihi": lambda: analyse(values, chart="xmr", rules="ihi"),
        "xmr / mdc": lambda: analyse(values, chart="xmr", rules="mdc", improvement="increase"),
        "p / anhoej": lambda: analyse(counts, chart="p", denominators=sizes),
        "p / mdc": lambda: analyse(counts, chart="p", rules="mdc", denominators=sizes),
    }
    missed = 0
    for name, fn in cases.items():
        fn()  # warm caches (crossings_min)
        times = timeit.repeat(fn, number=1, repeat=REPEAT)
        median = statistics.median(times) * 1000
        met = median < TARGET_MS
        missed += not met
        print(
            f"{name:14s} median {median:.3f} ms (target < {TARGET_MS} ms) "
            f"{'OK' if met else 'MISSED'} (min {min(times) * 1000:.3f} ms, {REPEAT} runs, "
            f"{N} points)"
        )
    if missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
