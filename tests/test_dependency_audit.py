"""`make audit` (scripts/audit_dependencies.py): what pip-audit's answers make of the run, and
the lock files it audits. pip-audit itself is replaced by its JSON report."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("audit", ROOT / "scripts" / "audit_dependencies.py")
assert spec is not None
assert spec.loader is not None
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def pip_audit_answers(monkeypatch: Any, dependencies: list[dict]) -> list[list[str]]:
    commands: list[list[str]] = []

    def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess:
        commands.append(command)
        output = Path(command[command.index("--output") + 1])
        output.write_text(json.dumps({"dependencies": dependencies, "fixes": []}))
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(audit.subprocess, "run", run)
    return commands


def test_audit_fails_on_a_known_vulnerability(monkeypatch, capsys):
    pip_audit_answers(
        monkeypatch,
        [
            {
                "name": "django",
                "version": "5.2.0",
                "vulns": [
                    {"id": "GHSA-aaaa-bbbb-cccc", "fix_versions": ["5.2.1"], "description": "SQLi"},
                ],
            },
            {"name": "six", "version": "1.17.0", "vulns": []},
        ],
    )
    assert audit.main("requirements-dev.lock") == 1
    out = capsys.readouterr().out
    assert "django 5.2.0: GHSA-aaaa-bbbb-cccc (fixed in 5.2.1)" in out
    assert "1 known vulnerabilities in 1 of 2 pinned packages" in out


def test_audit_passes_a_clean_lock_and_sends_the_reviewed_exceptions(monkeypatch, capsys, tmp_path):
    ignore = tmp_path / "pip-audit-ignore"
    ignore.write_text(
        "# comment\nPYSEC-2026-1  reportlab: only in the PDF pack (A. B., 2026-12-05)\n"
    )
    monkeypatch.setattr(audit, "IGNORE_FILE", ignore)
    commands = pip_audit_answers(monkeypatch, [{"name": "six", "version": "1.17.0", "vulns": []}])
    assert audit.main("requirements-dev.lock") == 0
    assert commands[0][-2:] == ["--ignore-vuln", "PYSEC-2026-1"]
    assert "no known vulnerabilities in 1 pinned packages (1 reviewed exceptions" in (
        capsys.readouterr().out
    )


def test_an_exception_without_a_reason_is_refused(monkeypatch, tmp_path):
    ignore = tmp_path / "pip-audit-ignore"
    ignore.write_text("PYSEC-2026-1\n")
    monkeypatch.setattr(audit, "IGNORE_FILE", ignore)
    with pytest.raises(SystemExit, match="PYSEC-2026-1 has no reason"):
        audit.reviewed_exceptions(ignore)


def test_an_unreachable_vulnerability_service_is_not_a_pass(monkeypatch, capsys):
    not_found = "Dependency not found on PyPI and could not be audited: six (1.17.0)"
    pip_audit_answers(monkeypatch, [{"name": "six", "version": "1.17.0", "skip_reason": not_found}])
    monkeypatch.delenv("AUDIT_OFFLINE_OK", raising=False)
    assert audit.main("requirements-dev.lock") == audit.UNREACHABLE
    monkeypatch.setenv("AUDIT_OFFLINE_OK", "1")
    assert audit.main("requirements-dev.lock") == 0
    assert "NOT AUDITED" in capsys.readouterr().out


def test_one_package_left_unaudited_fails(monkeypatch):
    pip_audit_answers(
        monkeypatch,
        [
            {"name": "six", "version": "1.17.0", "vulns": []},
            {"name": "odd", "version": "1.0", "skip_reason": "Dependency not found on PyPI"},
        ],
    )
    assert audit.main("requirements-dev.lock") == 1


def test_the_ignore_file_has_a_reason_for_every_entry():
    audit.reviewed_exceptions(audit.IGNORE_FILE)


def test_every_pin_in_the_lock_files_is_exact_and_hashed():
    """What `make` and the Dockerfile install: no range, no unhashed release; the runtime lock
    agrees with the development lock on every package both hold."""
    pins: dict[str, dict[str, str]] = {}
    for name in ("requirements.lock", "requirements-dev.lock", "requirements-uv.lock"):
        text = (ROOT / name).read_text()
        entries = re.findall(
            r"^([A-Za-z0-9._-]+)==([^ ;\\\n]+)[^\n]*\\\n\s+--hash=sha256:", text, re.M
        )
        requirement_lines = re.findall(r"^[A-Za-z0-9]", text, re.M)
        assert len(entries) == len(requirement_lines), name
        pins[name] = dict(entries)
    assert {"django", "celery", "pandas"} <= set(pins["requirements.lock"])
    assert {"pytest", "pip-audit", "uv"} <= set(pins["requirements-dev.lock"])
    for package, version in pins["requirements.lock"].items():
        assert pins["requirements-dev.lock"][package] == version, package
    assert pins["requirements-uv.lock"]["uv"] == pins["requirements-dev.lock"]["uv"]
