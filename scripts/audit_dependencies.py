"""`make audit`: pip-audit of a lock file, less the reviewed exceptions in .ci/pip-audit-ignore.

Exit 0: no known vulnerability (or only reviewed ones). Exit 1: a known vulnerability, a package
the vulnerability service could not answer for, or an exception without a reason. Exit 3: the
vulnerability service could not be reached for any package, so nothing was audited; exit 0
instead, saying so loudly, with AUDIT_OFFLINE_OK=1 (for a machine that reaches the package index
but no vulnerability service).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORE_FILE = ROOT / ".ci" / "pip-audit-ignore"
UNREACHABLE = 3


def reviewed_exceptions(path: Path) -> dict[str, str]:
    """{advisory id: reason}; an id without a reason is refused."""
    exceptions: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        advisory, _, reason = line.partition(" ")
        if not reason.strip():
            sys.exit(f"{path.name}:{number}: {advisory} has no reason; say why it is let through")
        exceptions[advisory] = reason.strip()
    return exceptions


def main(lock: str) -> int:
    exceptions = reviewed_exceptions(IGNORE_FILE)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        command = [
            str(Path(sys.executable).parent / "pip-audit"),
            "--requirement",
            lock,
            "--require-hashes",
            "--no-deps",
            "--disable-pip",
            "--vulnerability-service",
            "pypi",
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "--output",
            str(report),
            *(arg for advisory in exceptions for arg in ("--ignore-vuln", advisory)),
        ]
        run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if not report.exists():
            print(run.stdout, run.stderr, sep="\n", file=sys.stderr)
            return 1
        dependencies = json.loads(report.read_text())["dependencies"]
    took = time.monotonic() - started

    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
            print(f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
            print(f"    {(vuln.get('description') or '').strip()[:300]}")
    if vulnerable:
        print(
            f"pip-audit: {sum(len(d['vulns']) for d in vulnerable)} known vulnerabilities in "
            f"{len(vulnerable)} of {len(dependencies)} pinned packages ({took:.1f} s). Move the "
            "lock past them (`make lock UPGRADE=1`, or a tighter bound in pyproject.toml), or "
            f"add each to {IGNORE_FILE.relative_to(ROOT)} with the reason it cannot reach us."
        )
        return 1
    if skipped and len(skipped) == len(dependencies):
        print(
            f"pip-audit: NOT AUDITED: the vulnerability service answered for none of the "
            f"{len(dependencies)} pinned packages ({skipped[0]['skip_reason']}; {took:.1f} s)."
        )
        return 0 if os.environ.get("AUDIT_OFFLINE_OK") == "1" else UNREACHABLE
    if skipped:
        for dependency in skipped:
            print(f"{dependency['name']} {dependency['version']}: {dependency['skip_reason']}")
        print(f"pip-audit: {len(skipped)} pinned packages could not be audited ({took:.1f} s).")
        return 1
    print(
        f"pip-audit: no known vulnerabilities in {len(dependencies)} pinned packages "
        f"({len(exceptions)} reviewed exceptions; {took:.1f} s)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "requirements-dev.lock"))
