"""Median time of measures.spc.analyse on 260 weekly points (five years).

Run from the repository root:  python benchmarks/bench_spc.py
"""

import random
import statistics
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from measures.spc import analyse  # noqa: E402

N = 260
REPEAT = 200


def main() -> None:
    rng = random.Random(2025)
    values = [rng.gauss(50, 5) + (8 if i > 180 else 0) for i in range(N)]
    counts = [rng.randint(5, 40) for _ in range(N)]
    sizes = [rng.randint(80, 120) for _ in range(N)]
    cases = {
        "run / anhoej": lambda: analyse(values, chart="run", rules="anhoej"),
        "xmr / mdc": lambda: analyse(values, chart="xmr", rules="mdc", improvement="increase"),
        "p / anhoej": lambda: analyse(counts, chart="p", denominators=sizes),
    }
    for name, fn in cases.items():
        fn()  # warm caches (crossings_min)
        times = timeit.repeat(fn, number=1, repeat=REPEAT)
        print(
            f"{name:14s} median {statistics.median(times) * 1000:.3f} ms "
            f"(min {min(times) * 1000:.3f} ms, {REPEAT} runs, {N} points)"
        )


if __name__ == "__main__":
    main()
