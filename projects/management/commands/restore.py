"""`manage.py restore FOLDER [--replace]`: load a backup and check every table's rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thrive_site.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Load a backup folder written by `manage.py backup` into the configured database and "
        "MEDIA_ROOT, after checking its checksums; then check that every table holds the rows "
        "the backup counted. An empty database is expected unless --replace is given."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder", help="The backup folder (holding manifest.json)")
        parser.add_argument(
            "--replace", action="store_true", help="Overwrite a database that holds data"
        )

    def handle(self, *args: Any, folder: str, replace: bool, **options: Any) -> None:
        try:
            result = backup_restore(folder=Path(folder), replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result.folder}: {result.rows:,} rows in {result.tables} tables, "
                "each table checked against the backup's manifest."
            )
        )
