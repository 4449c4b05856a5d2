"""`manage.py backup [--to DIR]`: the database and uploaded files, with a manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thrive_site.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write a backup folder: the database (pg_dump, or SQLite's backup API), the uploaded "
        "files, and a manifest of checksums and row counts. Restore it with `manage.py restore`."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--to", default="var/backups", help="Folder to write the backup in")

    def handle(self, *args: Any, to: str, **options: Any) -> None:
        try:
            folder = backup_create(into=Path(to))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}"))
