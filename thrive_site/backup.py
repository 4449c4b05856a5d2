"""Backups: the database and the uploaded files, with a manifest of checksums and row counts.

A backup is a folder holding `database.dump` (PostgreSQL's custom format from pg_dump, or a copy
of the SQLite file made with SQLite's backup API), `media.tar.gz` (everything under MEDIA_ROOT)
and `manifest.json`: when and from what it was made, each file's SHA-256 and size, and the rows
of every table. A restore checks the checksums before it touches anything, loads the database
and the files, and then counts every table again: a restore that does not give back every row
is reported as failed, naming the tables that differ.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

MANIFEST = "manifest.json"
DATABASE = "database.dump"
MEDIA = "media.tar.gz"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class RestoreResult:
    folder: Path
    tables: int
    rows: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tables() -> list[str]:
    """Every table of our models (and Django's own), in a stable order."""
    names = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    existing = set(connection.introspection.table_names())
    return sorted(names & existing)


def row_counts(alias: str = "default") -> dict[str, int]:
    conn = connections[alias]
    counts = {}
    with conn.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: dict[str, Any]) -> list[str]:
    return [
        "--host",
        str(db.get("HOST") or "127.0.0.1"),
        "--port",
        str(db.get("PORT") or 5432),
        "--username",
        str(db.get("USER") or "postgres"),
        "--dbname",
        str(db["NAME"]),
    ]


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed on this machine.") from error
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{command[0]} failed: {error.stderr.strip()[-500:]}") from error


def backup_create(*, into: Path) -> Path:
    """Write a backup folder under `into` and return it."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    folder = Path(into) / f"thrive-backup-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--file",
                str(folder / DATABASE),
                *_pg_args(db),
            ],
            env=_pg_env(db),
        )
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(folder / DATABASE)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / MEDIA, "w:gz") as tar:
        if media.exists():
            tar.add(media, arcname="media")
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "files": {
            name: {"sha256": _sha256(folder / name), "bytes": (folder / name).stat().st_size}
            for name in (DATABASE, MEDIA)
        },
        "rows": row_counts(),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return folder


def _manifest(folder: Path) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} holds no {MANIFEST}: is it a backup folder?")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} was written in format {manifest.get('format')}, not {FORMAT}.")
    for name, expected in manifest["files"].items():
        file = Path(folder) / name
        if not file.is_file():
            raise BackupError(f"{name} is missing from {folder}.")
        if _sha256(file) != expected["sha256"]:
            raise BackupError(f"{name} does not match its checksum: the backup is damaged.")
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"This backup is of a {manifest['database']} database; this one is {connection.vendor}."
        )
    return manifest


def _is_empty() -> bool:
    tables = set(connection.introspection.table_names())
    if "projects_site" not in tables:
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM projects_site")
        return cursor.fetchone()[0] == 0


def backup_restore(*, folder: Path, replace: bool = False) -> RestoreResult:
    """Load the backup in `folder` into the configured database and MEDIA_ROOT, then check
    that every table holds the rows the manifest counted. A database that already holds sites
    is refused unless `replace`."""
    folder = Path(folder)
    manifest = _manifest(folder)
    if not replace and not _is_empty():
        raise BackupError(
            "The database already holds sites: restore into an empty database, or pass "
            "--replace to overwrite it."
        )
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        connection.close()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *_pg_args(db),
                str(folder / DATABASE),
            ],
            env=_pg_env(db),
        )
    else:
        connection.ensure_connection()
        source = sqlite3.connect(folder / DATABASE)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / MEDIA, "r:gz") as tar:
        staging = media.parent / f".restore-{dt.datetime.now():%Y%m%d%H%M%S}"
        tar.extractall(staging, filter="data")
        if (staging / "media").exists():
            media.mkdir(parents=True, exist_ok=True)
            shutil.copytree(staging / "media", media, dirs_exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
    counts = row_counts()
    differ = {
        table: (rows, counts.get(table))
        for table, rows in manifest["rows"].items()
        if counts.get(table) != rows
    }
    if differ:
        listed = ", ".join(f"{t} {want} -> {got}" for t, (want, got) in sorted(differ.items()))
        raise BackupError(f"The restore did not give back every row: {listed}.")
    return RestoreResult(
        folder=folder, tables=len(manifest["rows"]), rows=sum(manifest["rows"].values())
    )
