"""Run every benchmark module (or those named on the command line): `python -m benchmarks [spc]`.

Each module runs in its own process, since some configure Django with their own database.
"""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    wanted = [n for n in names if not argv or n.removeprefix("bench_") in argv]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "thrive_site.settings"}
    env.setdefault("DJANGO_DEBUG", "1")
    failures = 0
    for name in wanted:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"\n## {name.removeprefix('bench_')} (load average {load})", flush=True)
        started = time.perf_counter()
        code = f"import benchmarks.{name} as bench; bench.main()"
        result = subprocess.run([sys.executable, "-c", code], cwd=here.parent, env=env)
        failures += result.returncode != 0
        outcome = "a target MISSED" if result.returncode else "targets met"
        print(f"({time.perf_counter() - started:.1f} s, {outcome})", flush=True)
    print(f"\n{failures} benchmark(s) missed a target" if failures else "\nevery target met")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
