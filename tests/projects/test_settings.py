"""Configuration comes from the environment only, and production refuses unsafe settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x7#kPq2!vN9@wLz4$Rt8^Ym3&Hs6*Jd1(Fb5)Gc0_Ae-Ui+Oo=Pl~Kk|Mn;Bv:Cx",
    "DJANGO_ALLOWED_HOSTS": "thrive.example.nhs.uk",
    "DATABASE_URL": "sqlite:////tmp/thrive-deploy-check.sqlite3",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_debug_off_with_the_development_key_refuses_to_start():
    env = {**PRODUCTION}
    del env["DJANGO_SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_debug_must_be_one_or_zero():
    result = manage("check", env={**PRODUCTION, "DJANGO_DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be 1 or 0" in result.stderr


def test_load_demo_refuses_to_run_with_debug_off():
    result = manage("load_demo", env=PRODUCTION)
    assert result.returncode != 0
    assert "refuses to run with DJANGO_DEBUG=0" in result.stderr


def test_upload_limits_come_from_the_environment():
    """The largest upload is a setting an administrator can raise (a 1M-row record extract is
    about 80 MB), not a constant in the code."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='thrive_site.settings'; "
        "django.setup(); from measures import services as s; "
        "print(s.upload_max_bytes(), s.upload_max_rows(), s.upload_max_uncompressed_bytes())"
    )
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "UPLOAD_MAX_BYTES": "123456789",
        "UPLOAD_MAX_ROWS": "3000000",
        "UPLOAD_MAX_UNCOMPRESSED_BYTES": "999",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["123456789", "3000000", "999"]
