"""Fixtures for measures: stored files in a temporary media root, and uploads run end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile

from measures import services
from measures.models import Upload

EXTRACTS = Path(__file__).resolve().parents[1] / "fixtures" / "extracts"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The world fixture creates eight users; a slow password hash there is not what is tested.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """send(user, site, content, name, source="web", replace=False) -> the upload once its
    task has run (a web or API upload changing stored figures stops at its preview)."""

    def run(
        user: Any,
        site: Any,
        content: bytes | str,
        name: str = "extract.csv",
        source: str = "web",
        replace: bool = False,
    ) -> Upload:
        data = content.encode() if isinstance(content, str) else content
        with django_capture_on_commit_callbacks(execute=True):
            upload = services.upload_create(
                user=user,
                site=site,
                file=ContentFile(data, name=name),
                source=source,
                replace=replace,
            )
        upload.refresh_from_db()
        return upload

    return run


def extract(name: str) -> bytes:
    return (EXTRACTS / name).read_bytes()


def tidy(rows: list[tuple[str, str, str, float | str]]) -> str:
    """A tidy CSV: (site, week, measure, value) per row."""
    lines = ["site_code,week_commencing,measure,value"]
    lines += [f"{s},{w},{m},{v}" for s, w, m, v in rows]
    return "\n".join(lines) + "\n"
