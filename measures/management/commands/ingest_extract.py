"""Load an extract from the command line (back-loading history) through the upload path."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from measures import services
from measures.models import Upload
from projects.models import Site


class Command(BaseCommand):
    # A back-loading script runs this once per file: the system checks (URLs, templates, every
    # app's views imported) cost about a second of start-up and check nothing the upload uses.
    requires_system_checks: list[str] = []
    help = (
        "Validate and store an extract file as a system upload ('command line'), with the same "
        "checks as a web upload. Returns once the figures are committed; exits non-zero, "
        "listing the problems, when the file is refused."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="CSV, .xlsx or .xls file")
        parser.add_argument(
            "--site", help="Site code for figures the file does not label with a site"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and check the file and say what it would change; store nothing.",
        )

    def handle(
        self, *args: Any, path: str, site: str | None, dry_run: bool = False, **options: Any
    ) -> None:
        # What is loaded by now (Django, pandas, the apps) lives as long as the process: out of
        # the collector's way, its passes over the extract's objects do not walk it again each
        # time (0.2 s of a million-referral extract).
        # https://docs.python.org/3/library/gc.html#gc.freeze
        gc.freeze()
        file_path = Path(path)
        if not file_path.is_file():
            raise CommandError(f"{path}: no such file")
        site_obj = None
        if site:
            site_obj = Site.objects.filter(code=site.strip().upper()).first()
            if site_obj is None:
                raise CommandError(f"{site}: no such site")
        if dry_run:
            self._dry_run(file_path, site_obj)
            return
        upload = ingest_file(file_path, site=site_obj, source=Upload.Source.CLI)
        if upload.status == Upload.Status.DONE:
            counts = upload.counts
            self.stdout.write(
                self.style.SUCCESS(
                    f"{file_path.name}: upload #{upload.pk} stored. {counts['values']:,} values "
                    f"read: {counts['new']:,} new, {counts['changed']:,} changed, "
                    f"{counts['unchanged']:,} unchanged."
                )
            )
            self._changed_lines(upload.report.get("changed_by_measure", []), "changed")
            return
        self._refused(file_path, upload)

    def _changed_lines(self, rows: list[dict[str, Any]], verb: str) -> None:
        for row in rows:
            self.stdout.write(
                f"  {row['site']} {row['measure']}: {row['changed']:,} values {verb}"
                + (f" ({row['first']} to {row['last']})" if "first" in row else "")
            )

    def _dry_run(self, file_path: Path, site: Site | None) -> None:
        """Everything the upload path checks, and what storing would change; no row written."""
        try:
            outcome = services.extract_preview(
                data=file_path.read_bytes(), name=file_path.name, site=site
            )
        except ValidationError as error:
            raise CommandError(f"{file_path.name}: {' '.join(error.messages)}") from error
        if outcome.problems:
            lines = "\n".join(f"  - {p['message']}" for p in outcome.problems)
            raise CommandError(f"{file_path.name}: would be refused:\n{lines}")
        if outcome.unmapped:
            labels = ", ".join(f"'{label}'" for label in outcome.unmapped)
            raise CommandError(
                f"{file_path.name}: would be refused: these labels are not known measures: "
                f"{labels}."
            )
        preview = outcome.preview
        self.stdout.write(
            f"{file_path.name}: dry run, nothing stored. {outcome.values:,} values read: "
            f"{preview['new']:,} new, {preview['changed']:,} would change, "
            f"{preview['unchanged']:,} unchanged."
        )
        self._changed_lines(preview["per_measure"], "would change")
        for row in preview["largest"][:10]:
            self.stdout.write(
                f"  {row['site']} {row['measure']} {row['period']}: {row['before']:g} -> "
                f"{row['after']:g} (stored by upload #{row['before_upload']})"
            )

    def _refused(self, file_path: Path, upload: Upload) -> None:
        if upload.status == Upload.Status.NEEDS_MAPPING:
            labels = ", ".join(f"'{u['label']}'" for u in upload.report.get("unmapped", []))
            raise CommandError(
                f"{file_path.name}: upload #{upload.pk} refused: these labels are not known "
                f"measures: {labels}. Map them once on the upload's page (or add them to the "
                "site's data dictionary) and run the command again."
            )
        lines = "\n".join(f"  - {p['message']}" for p in upload.problems)
        raise CommandError(
            f"{file_path.name}: upload #{upload.pk} refused, nothing was stored:\n{lines}"
        )


def ingest_file(file_path: Path, *, site: Site | None, source: str) -> Upload:
    """Create a system upload of `file_path` and process it now, in this process."""
    with file_path.open("rb") as handle:
        try:
            upload = services.upload_create(
                user=None,
                site=site,
                file=File(handle, name=file_path.name),
                source=source,
                enqueue=False,
            )
        except ValidationError as error:
            raise CommandError(f"{file_path.name}: {' '.join(error.messages)}") from error
    return services.upload_process(upload_id=upload.pk)
