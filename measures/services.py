"""Writes for measures: uploads and their processing, undo, column mappings, definitions."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import DatabaseError, transaction
from django.db.models import Count, F
from django.db.models.functions import Greatest
from django.utils import timezone

from projects.audit import audit_record
from projects.models import AuditEvent, Site
from projects.permissions import Capability, can
from thrive_site.transient import DATABASE_UNAVAILABLE

from . import recovery, store
from .charts import services as chart_services
from .ingest import IGNORE, ParseOptions, ParseResult, normalise_label, parse_extract
from .models import (
    ColumnMapping,
    DataPointHistory,
    FigureSeries,
    LocalDefinition,
    Measure,
    Upload,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

ALLOWED_EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls")
MAX_CHANGES_LISTED = 50


def upload_max_bytes() -> int:
    return int(settings.UPLOAD_MAX_BYTES)


def upload_max_rows() -> int:
    return int(settings.UPLOAD_MAX_ROWS)


def upload_max_uncompressed_bytes() -> int:
    return int(settings.UPLOAD_MAX_UNCOMPRESSED_BYTES)


def upload_time_limit_seconds() -> int:
    return int(getattr(settings, "UPLOAD_TIME_LIMIT_SECONDS", 60))


def upload_max_attempts() -> int:
    """Starts of an upload after which a file that keeps stopping its worker is given up."""
    return int(getattr(settings, "UPLOAD_MAX_ATTEMPTS", 3))


def upload_check_file(*, name: str, size: int) -> None:
    """Refuse a file by its name and size alone, before anything is stored."""
    if size > upload_max_bytes():
        raise ValidationError(
            f"The file is {size / 1_048_576:.1f} MB; the largest file that can be uploaded is "
            f"{upload_max_bytes() / 1_048_576:.0f} MB. Split it into smaller extracts.",
            code="too_large",
        )
    if not name.lower().endswith(ALLOWED_EXTENSIONS):
        raise ValidationError(
            f"{name} is not a CSV or Excel file: upload a .csv, .xlsx or .xls file.",
            code="file_type",
        )


@transaction.atomic
def upload_create(
    *,
    user: User | None,
    site: Site | None,
    file: File,
    source: str,
    enqueue: bool = True,
    replace: bool = False,
) -> Upload:
    """Store the file and queue it for processing. `user` None is a system action (command
    line, demo loader), allowed for any site. While the broker cannot be reached the upload is
    kept, queued (`Upload.is_waiting_for_queue`), and handed over by recovery.work_sweep.
    A web or API upload that would change stored figures stops at a preview until its sender
    confirms (upload_confirm), unless sent with `replace` by a script that means it."""
    name = os.path.basename(getattr(file, "name", "") or "upload")
    upload_check_file(name=name, size=file.size or 0)
    if user is not None and (site is None or not can(user, Capability.UPLOAD, site)):
        raise PermissionDenied("Your role does not allow uploads for this site.")
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    upload = Upload(
        site=site,
        uploaded_by=user,
        source=source,
        original_name=name[:255],
        sha256=digest.hexdigest(),
        size=file.size or 0,
        replace=replace,
    )
    upload.file.save(name, file, save=False)
    upload.save()
    if user is not None:
        audit_record(
            action=AuditEvent.Action.UPLOAD,
            user=user,
            site=site,
            what=f"upload #{upload.pk} {upload.original_name} ({upload.get_source_display()})",
        )
    if enqueue:
        recovery.upload_enqueue_on_commit(upload_id=upload.pk)
    return upload


# Processing -------------------------------------------------------------------------------


def _site_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    localities: dict[str, list[str]] = {}
    for code, name, locality in Site.objects.values_list("code", "name", "locality"):
        aliases[normalise_label(name)] = code
        if locality:
            localities.setdefault(normalise_label(locality), []).append(code)
    # A locality is a name only when one site has it.
    for key, codes in localities.items():
        if len(codes) == 1:
            aliases.setdefault(key, codes[0])
    for code in Site.objects.values_list("code", flat=True):
        aliases[normalise_label(code)] = code
    return aliases


def measure_aliases(*, site: Site | None) -> dict[str, str]:
    """Label -> measure code (IGNORE for a column to skip): the standard names, then the site's
    local terms, then the labels its uploads mapped on the mapping screen (the most specific)."""
    aliases: dict[str, str] = {}
    for code, name in Measure.objects.values_list("code", "name"):
        aliases[normalise_label(name)] = code
        aliases[normalise_label(code)] = code
    if site is not None:
        for term, code in LocalDefinition.objects.filter(site=site).values_list(
            "local_term", "measure__code"
        ):
            aliases[normalise_label(term)] = code
        for label, code in ColumnMapping.objects.filter(site=site).values_list(
            "label", "measure__code"
        ):
            aliases[label] = code or IGNORE
    return aliases


def parse_options(*, site: Site | None) -> ParseOptions:
    return ParseOptions(
        site_aliases=_site_aliases(),
        measure_aliases=measure_aliases(site=site),
        count_measures=frozenset(
            Measure.objects.filter(unit=Measure.Unit.COUNT).values_list("code", flat=True)
        ),
        default_site=site.code if site else None,
        today=timezone.localdate(),
        max_rows=upload_max_rows(),
        max_uncompressed_bytes=upload_max_uncompressed_bytes(),
        max_cells=int(getattr(settings, "UPLOAD_MAX_CELLS", 3_000_000)),
        max_columns=int(getattr(settings, "UPLOAD_MAX_COLUMNS", 16_384)),
        max_field_bytes=int(getattr(settings, "UPLOAD_MAX_FIELD_BYTES", 128 * 1024)),
    )


def _problem(
    file: str,
    reason: str,
    code: str,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
) -> dict[str, Any]:
    where = [file] + [
        part
        for part in (
            f"sheet '{sheet}'" if sheet is not None else None,
            f"row {row}" if row is not None else None,
            f"column '{column}'" if column is not None else None,
        )
        if part
    ]
    return {
        "file": file,
        "sheet": sheet,
        "row": row,
        "column": column,
        "reason": reason,
        "code": code,
        "message": f"{', '.join(where)}: {reason}",
    }


def _problems(result: ParseResult) -> list[dict[str, Any]]:
    return [
        {
            "file": p.file,
            "sheet": p.sheet,
            "row": p.row,
            "column": p.column,
            "reason": p.reason,
            "code": p.code,
            "message": str(p),
            "site": p.site,
        }
        for p in result.problems
    ]


def _set_progress(upload: Upload, progress: int) -> None:
    # Outside the write transaction, so the status page can see it while the work goes on.
    Upload.objects.filter(pk=upload.pk).update(progress=progress)


def _finish(upload: Upload, status: str, **fields: Any) -> None:
    fields.update(status=status, progress=100, finished_at=timezone.now())
    Upload.objects.filter(pk=upload.pk).update(**fields)


def _refused_sites(upload: Upload, codes: list[str]) -> list[Site]:
    sites = list(Site.objects.filter(code__in=codes).order_by("code"))
    if upload.uploaded_by is None:
        return []
    return [s for s in sites if not can(upload.uploaded_by, Capability.UPLOAD, s)]


def read_summary(obs: pd.DataFrame, frequency: str) -> dict[str, Any]:
    by_site = obs.groupby("site", sort=True, observed=True)
    spans = by_site["period"].agg(["nunique", "min", "max", "size"])
    measures = by_site["measure"].unique()
    per_site = [
        {
            "site": str(code),
            "measures": sorted(str(m) for m in measures[code]),
            "periods": int(row["nunique"]),
            "first": row["min"].date().isoformat(),
            "last": row["max"].date().isoformat(),
            "values": int(row["size"]),
        }
        for code, row in spans.iterrows()
    ]
    return {
        "sites": sorted(str(c) for c in obs["site"].unique()),
        "measures": sorted(str(m) for m in obs["measure"].unique()),
        "periods": int(obs["period"].nunique()),
        "first": obs["period"].min().date().isoformat() if len(obs) else None,
        "last": obs["period"].max().date().isoformat() if len(obs) else None,
        "values": len(obs),
        "frequency": frequency,
        "per_site": per_site,
    }


def _ids(labels: pd.Series, ids: dict[str, int]) -> np.ndarray:
    """Database ids for a column of codes, looked up once per distinct code."""
    codes, uniques = pd.factorize(labels)
    return np.array([ids[str(u)] for u in uniques], dtype="int64")[codes]


def upload_process(*, upload_id: int, deferrals: int = 0) -> Upload:
    """Parse, validate and store one upload: all of it or nothing. Safe to run twice, and at
    once on two workers: the second finds the first holding the upload's lock and leaves it.
    Waits its site's turn (recovery.site_turn): handed back to the queue, not counted as a start."""
    with recovery.upload_lock(upload_id) as mine:
        if not mine:
            return Upload.objects.get(pk=upload_id)
        try:
            with recovery.site_turn(Upload.objects.get(pk=upload_id)) as turn:
                if not turn:  # another upload of its site is read, or another site goes first
                    recovery.upload_defer(upload_id=upload_id, deferrals=deferrals)
                    return Upload.objects.get(pk=upload_id)
                return _upload_process(upload_id=upload_id)
        except DATABASE_UNAVAILABLE:
            _upload_release(upload_id=upload_id)
            raise
        except SoftTimeLimitExceeded:
            # Raised by the worker into whatever was running, the store's atomic block
            # included (which it rolls back): the file failed, nothing of it is kept.
            return _upload_timed_out(upload_id=upload_id)


def _upload_timed_out(*, upload_id: int) -> Upload:
    seconds = upload_time_limit_seconds()
    upload = Upload.objects.get(pk=upload_id)
    reason = (
        f"the file took longer than {seconds} s to read, the most one upload may take, so "
        "nothing was stored. Split it into smaller extracts (for example one year, or a few "
        "sites, each) and send those"
    )
    # Only while still processing: a limit that falls just after the store committed (or while
    # the upload waited for its site's turn) leaves the upload as it is, true to what is stored.
    Upload.objects.filter(pk=upload_id, status=Upload.Status.PROCESSING).update(
        status=Upload.Status.FAILED,
        progress=100,
        finished_at=timezone.now(),
        problems=[_problem(upload.original_name, reason, "too_slow")],
    )
    return Upload.objects.get(pk=upload_id)


def _upload_release(*, upload_id: int) -> None:
    """After a transient failure (the task retries): back to queued, and this start not counted
    against the file. Best effort: the database may be the thing that failed."""
    try:
        Upload.objects.filter(pk=upload_id, status=Upload.Status.PROCESSING).update(
            status=Upload.Status.QUEUED, progress=0, attempts=Greatest(F("attempts") - 1, 0)
        )
    except DatabaseError:
        logger.warning("Upload %s: left processing; the sweeper will start it again", upload_id)


def _upload_give_up(*, upload_id: int) -> int:
    attempts = upload_max_attempts()
    reason = (
        f"the worker reading this file stopped {attempts} "
        f"{'time' if attempts == 1 else 'times'} before it finished, so it was not tried again "
        "and nothing was stored. The file is probably too large to read in one go: split it "
        "into smaller extracts (for example one year, or a few sites, each) and send those"
    )
    return Upload.objects.filter(
        pk=upload_id, status__in=[Upload.Status.QUEUED, Upload.Status.PROCESSING]
    ).update(
        status=Upload.Status.FAILED,
        progress=100,
        finished_at=timezone.now(),
        problems=[
            _problem(
                Upload.objects.values_list("original_name", flat=True).get(pk=upload_id),
                reason,
                "stopped_worker",
            )
        ],
    )


def _upload_process(*, upload_id: int) -> Upload:
    # Each start is counted: a start that never finished (its worker died) counts against
    # the file, and past the limit the file is given up rather than started again.
    claimed = Upload.objects.filter(
        pk=upload_id,
        status__in=[Upload.Status.QUEUED, Upload.Status.PROCESSING],
        attempts__lt=upload_max_attempts(),
    ).update(
        status=Upload.Status.PROCESSING,
        started_at=timezone.now(),
        progress=10,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        _upload_give_up(upload_id=upload_id)  # no-op unless the attempts ran out
    upload = Upload.objects.select_related("site", "uploaded_by").get(pk=upload_id)
    if not claimed:
        return upload  # already done, failed or waiting for a mapping
    try:
        with upload.file.open("rb") as handle:
            data = handle.read()
        result = parse_extract(data, upload.original_name, parse_options(site=upload.site))
    except (DatabaseError, SoftTimeLimitExceeded):
        raise
    except Exception:  # a defect in the parser must not leave the upload spinning forever
        logger.exception("Upload %s could not be parsed", upload_id)
        _finish(
            upload,
            Upload.Status.FAILED,
            problems=[
                _problem(
                    upload.original_name,
                    "the file could not be read; check it opens in a spreadsheet and send it "
                    "again, or ask the programme team for help",
                    "unreadable",
                )
            ],
        )
        return Upload.objects.get(pk=upload_id)
    _set_progress(upload, 60)
    obs = result.observations
    fields: dict[str, Any] = {"layout": result.layout[:16], "frequency": result.frequency[:8]}
    report: dict[str, Any] = {
        "notes": result.notes,
        "sheets": result.sheets,
        # Who may read which part of this report: every site the file names.
        "file_sites": sorted({*result.sites, *(str(c) for c in obs["site"].unique())}),
    }
    if result.problems:
        _finish(upload, Upload.Status.FAILED, problems=_problems(result), report=report, **fields)
        return Upload.objects.get(pk=upload_id)
    refused = _refused_sites(upload, sorted(obs["site"].unique().tolist()))
    if refused:
        names = ", ".join(f"{s.code} ({s.name})" for s in refused)
        reason = (
            f"the file holds figures for {names}, and you may not upload for "
            f"{'that site' if len(refused) == 1 else 'those sites'}; nothing was stored. "
            "Remove those rows, or ask the programme lead to upload the file."
        )
        _finish(
            upload,
            Upload.Status.FAILED,
            problems=[_problem(upload.original_name, reason, "site_not_allowed")],
            report=report,
            **fields,
        )
        return Upload.objects.get(pk=upload_id)
    if result.unmapped:
        report["unmapped"] = [
            {
                "label": u.label,
                "normalised": u.normalised,
                "where": u.where,
                "sheet": u.sheet,
                "row": u.row,
                "column": u.column,
                "occurrences": u.occurrences,
            }
            for u in result.unmapped
        ]
        _finish(upload, Upload.Status.NEEDS_MAPPING, problems=[], report=report, **fields)
        return Upload.objects.get(pk=upload_id)
    report["read"] = read_summary(obs, result.frequency)
    _set_progress(upload, 75)
    _store(
        upload=upload,
        obs=obs,
        frequency=result.frequency,
        report=report,
        fields=fields,
        grouped=result.grouped,
    )
    return Upload.objects.get(pk=upload_id)


def frame_from_observations(obs: pd.DataFrame) -> pd.DataFrame:
    """Observations (site and measure codes) as the store's frame (database ids)."""
    site_ids = dict(Site.objects.values_list("code", "id"))
    measure_ids = dict(Measure.objects.values_list("code", "id"))
    return pd.DataFrame(
        {
            "site_id": _ids(obs["site"], site_ids),
            "measure_id": _ids(obs["measure"], measure_ids),
            "period": pd.to_datetime(obs["period"]),
            "value": obs["value"].astype("float64"),
        }
    )


def grouped_frame(grouped: pd.DataFrame) -> pd.DataFrame:
    """Figures per group (site and measure codes) as the store's frame (database ids)."""
    site_ids = dict(Site.objects.values_list("code", "id"))
    measure_ids = dict(Measure.objects.values_list("code", "id"))
    return pd.DataFrame(
        {
            "site_id": _ids(grouped["site"], site_ids),
            "measure_id": _ids(grouped["measure"], measure_ids),
            # categorical as the ingest writes them (store.groups_store reads their codes)
            "by": grouped["by"].array,
            "group": grouped["group"].array,
            "period": pd.to_datetime(grouped["period"]),
            "value": grouped["value"].astype("float64"),
            "records": grouped["records"].astype("int64"),
        }
    )


def _store(
    *,
    upload: Upload,
    obs: pd.DataFrame,
    frequency: str,
    report: dict,
    fields: dict,
    grouped: pd.DataFrame | None = None,
) -> None:
    frame = frame_from_observations(obs)
    groups = grouped_frame(grouped) if grouped is not None and len(grouped) else None
    with transaction.atomic():
        locked = Upload.objects.select_for_update().get(pk=upload.pk)
        if locked.status != Upload.Status.PROCESSING:
            return  # another run of the task finished it first
        if not locked.replace and locked.source in Upload.CONFIRMED_SOURCES:
            changed, new = store.points_diff(frame=frame, frequency=frequency)
            if len(changed):
                # Stored figures would change: nothing is written until the sender confirms.
                report["preview"] = changes_preview(changed=changed, new=new, values=len(frame))
                _finish(
                    locked,
                    Upload.Status.NEEDS_CONFIRMATION,
                    counts=_frame_counts(frame, new=new, changed=len(changed)),
                    report=report,
                    problems=[],
                    **fields,
                )
                return
        points_write(
            locked=locked,
            frame=frame,
            frequency=frequency,
            report=report,
            fields=fields,
            groups=groups,
        )


def _frame_counts(frame: pd.DataFrame, *, new: int, changed: int) -> dict[str, int]:
    return {
        "values": len(frame),
        "new": new,
        "changed": changed,
        "unchanged": len(frame) - new - changed,
        "sites": int(frame["site_id"].nunique()),
        "measures": int(frame["measure_id"].nunique()),
        "periods": int(frame["period"].nunique()),
    }


MAX_PREVIEW_ROWS = 20


def changes_preview(*, changed: pd.DataFrame, new: int, values: int) -> dict[str, Any]:
    """What storing would change, for the sender to read before confirming: how many values
    per site and measure, the largest changes with before and after, and the earlier uploads
    the replaced values came from."""
    if changed.empty:
        return {
            "changed": 0,
            "new": int(new),
            "unchanged": int(values - new),
            "per_measure": [],
            "largest": [],
            "earlier_uploads": [],
        }
    sites = dict(Site.objects.values_list("id", "code"))
    measures = {m.pk: m for m in Measure.objects.only("id", "code", "name", "order")}
    groups = changed.groupby(["site_id", "measure_id"], sort=True)["period"].agg(
        ["size", "min", "max"]
    )
    per_measure = [
        {
            "site": sites[int(site_id)],
            "measure": measures[int(measure_id)].code,
            "measure_name": measures[int(measure_id)].name,
            "changed": int(row["size"]),
            "first": row["min"].date().isoformat(),
            "last": row["max"].date().isoformat(),
        }
        for (site_id, measure_id), row in groups.iterrows()
    ]
    order = {m.code: (m.order, m.code) for m in measures.values()}
    per_measure.sort(key=lambda r: (r["site"], order[r["measure"]]))
    size = (changed["value"] - changed["old_value"]).abs()
    largest = changed.assign(size=size).sort_values(
        ["size", "site_id", "measure_id", "period"], ascending=[False, True, True, True]
    )[:MAX_PREVIEW_ROWS]
    earlier_counts = changed.groupby("old_upload")["site_id"].agg(["size", "unique"])
    earlier_ids = [int(i) for i in earlier_counts.sort_values("size", ascending=False).index]
    uploads = Upload.objects.select_related("uploaded_by").in_bulk(earlier_ids[:MAX_PREVIEW_ROWS])
    return {
        "changed": len(changed),
        "new": int(new),
        "unchanged": int(values - new - len(changed)),
        "per_measure": per_measure,
        "largest": [
            {
                "site": sites[int(r.site_id)],
                "measure": measures[int(r.measure_id)].code,
                "measure_name": measures[int(r.measure_id)].name,
                "period": pd.Timestamp(r.period).date().isoformat(),
                "before": float(r.old_value),
                "after": float(r.value),
                "before_upload": int(r.old_upload),
            }
            for r in largest.itertuples(index=False)
        ],
        "earlier_uploads": [
            {
                "id": pk,
                "file": uploads[pk].original_name,
                "source": uploads[pk].source,
                "by": uploads[pk].uploader_label,
                "at": uploads[pk].created_at.isoformat(),
                "values": int(earlier_counts.loc[pk, "size"]),
                "sites": sorted(sites[int(s)] for s in earlier_counts.loc[pk, "unique"]),
            }
            for pk in earlier_ids[:MAX_PREVIEW_ROWS]
            if pk in uploads
        ],
    }


def points_write(
    *,
    locked: Upload,
    frame: pd.DataFrame,
    frequency: str,
    report: dict,
    fields: dict,
    groups: pd.DataFrame | None = None,
) -> None:
    """Write `frame` as `upload`'s figures (and `groups`, its figures per group) and finish
    the upload as done, with its report; charts are rebuilt once the transaction commits.
    `locked` is locked by the caller."""
    with transaction.atomic():
        counts = store.points_store(upload=locked, frame=frame, frequency=frequency)
        if groups is not None:
            report["grouped"] = {
                "values": store.groups_store(upload=locked, frame=groups, frequency=frequency),
                "by": sorted(groups["by"].unique().tolist()),
            }
        earlier = (
            Upload.objects.filter(
                sha256=locked.sha256, status=Upload.Status.DONE, undone_at__isnull=True
            )
            .exclude(pk=locked.pk)
            .order_by("-finished_at")
            .first()
        )
        report["identical_to"] = earlier.pk if earlier else None
        report["changes"] = _changes(upload=locked)
        report["changed_by_measure"] = _changed_by_measure(upload=locked) if counts.changed else []
        report["nothing_new"] = counts.new == 0 and counts.changed == 0
        touched = sorted(frame["site_id"].unique().tolist())
        locked.sites.set(touched)
        if locked.site_id is None and len(touched) == 1:
            fields["site_id"] = touched[0]
        _finish(
            locked,
            Upload.Status.DONE,
            counts=_frame_counts(frame, new=counts.new, changed=counts.changed),
            report=report,
            problems=[],
            **fields,
        )
        # Charts whose figures changed; and, with figures per group (which keep no history
        # to compare with), every chart of their measures: its glance holds the gaps.
        changed = [frame] if counts.new or counts.changed else []
        if groups is not None and len(groups):
            changed.append(groups)
        changes: dict[int, set[int]] = {}
        for part in changed:
            for site, ids in part.groupby("site_id")["measure_id"].unique().items():
                changes.setdefault(int(site), set()).update(int(m) for m in ids)
        if changes:
            chart_services.charts_rebuild_request(changes=changes)


def _changes(*, upload: Upload) -> list[dict[str, Any]]:
    """The first values this upload changed: before, after, and where the earlier came from."""
    history = (
        DataPointHistory.objects.filter(replaced_by=upload)
        .select_related("site", "measure")
        .order_by("site__code", "measure__order", "period")[:MAX_CHANGES_LISTED]
    )
    rows = list(history)
    keys = {(h.site_id, h.measure_id, h.frequency) for h in rows}
    current = {
        (row.site_id, row.measure_id, row.frequency, period): value
        for row in FigureSeries.objects.filter(
            site_id__in={k[0] for k in keys}, measure_id__in={k[1] for k in keys}
        )
        if (row.site_id, row.measure_id, row.frequency) in keys
        for period, value, upload_id in row.points()
        if upload_id == upload.pk
    }
    return [
        {
            "site": h.site.code,
            "measure": h.measure.code,
            "measure_name": h.measure.name,
            "period": h.period.isoformat(),
            "before": h.value,
            "after": current.get((h.site_id, h.measure_id, h.frequency, h.period)),
            "before_upload": h.upload_id,
        }
        for h in rows
    ]


def _changed_by_measure(*, upload: Upload) -> list[dict[str, Any]]:
    """How many stored values `upload` replaced, per site and measure."""
    return [
        {"site": site, "measure": code, "measure_name": name, "changed": n}
        for site, code, name, n in DataPointHistory.objects.filter(replaced_by=upload)
        .values_list("site__code", "measure__code", "measure__name")
        .annotate(n=Count("pk"))
        .order_by("site__code", "measure__order", "measure__code")
    ]


@dataclass(frozen=True)
class ExtractPreview:
    """What a file would do, read without storing anything (ingest_extract --dry-run)."""

    problems: list[dict[str, Any]]
    unmapped: list[str]
    values: int
    preview: dict[str, Any]


def extract_preview(*, data: bytes, name: str, site: Site | None) -> ExtractPreview:
    """The upload path's checks and what storing would change, with no row written."""
    upload_check_file(name=name, size=len(data))
    result = parse_extract(data, name, parse_options(site=site))
    empty = changes_preview(changed=pd.DataFrame(), new=0, values=0)
    if result.problems:
        return ExtractPreview(_problems(result), [], 0, empty)
    if result.unmapped:
        return ExtractPreview([], [u.label for u in result.unmapped], 0, empty)
    frame = frame_from_observations(result.observations)
    changed, new = store.points_diff(frame=frame, frequency=result.frequency)
    return ExtractPreview(
        [], [], len(frame), changes_preview(changed=changed, new=new, values=len(frame))
    )


# Mapping, undo -----------------------------------------------------------------------------


@transaction.atomic
def column_mappings_save(
    *, upload: Upload, user: User, choices: Mapping[str, Measure | None]
) -> Upload:
    """Remember each label of `upload` as a measure (None: ignore the column) for its site,
    then process the upload again."""
    if upload.status != Upload.Status.NEEDS_MAPPING or upload.site is None:
        raise ValidationError("This upload is not waiting for its columns to be mapped.")
    for label, measure in choices.items():
        ColumnMapping.objects.update_or_create(
            site=upload.site,
            label=normalise_label(label),
            defaults={"measure": measure, "created_by": user},
        )
    Upload.objects.filter(pk=upload.pk).update(
        status=Upload.Status.QUEUED,
        progress=0,
        started_at=None,
        finished_at=None,
        problems=[],
        enqueued_at=None,
        attempts=0,
    )
    recovery.upload_enqueue_on_commit(upload_id=upload.pk)
    audit_record(
        action=AuditEvent.Action.UPLOAD_COLUMNS,
        user=user,
        site=upload.site,
        what=f"upload #{upload.pk}: "
        + ", ".join(
            f"{label} = {measure.code if measure else 'ignored'}"
            for label, measure in choices.items()
        ),
    )
    upload.refresh_from_db()
    return upload


def upload_may_decide(*, upload: Upload, user: User) -> bool:
    """Whether `user` may confirm or cancel `upload`'s preview: its sender, or whoever may
    upload for every site its file holds."""
    if user is None:
        return True
    if upload.uploaded_by_id is not None and upload.uploaded_by_id == user.pk:
        return True
    codes = set(upload.report.get("file_sites") or []) | (
        {upload.site.code} if upload.site else set()
    )
    sites = list(Site.objects.filter(code__in=codes))
    return bool(sites) and all(can(user, Capability.UPLOAD, s) for s in sites)


class DecisionRefused(Exception):
    """An upload is not waiting for its sender to confirm or cancel it."""


def _decision_start(*, upload: Upload, user: User) -> Upload:
    locked = Upload.objects.select_for_update(of=("self",)).select_related("site").get(pk=upload.pk)
    if locked.status != Upload.Status.NEEDS_CONFIRMATION:
        raise DecisionRefused(
            f"Upload #{locked.pk} is not waiting for confirmation: it is "
            f"{locked.get_status_display().lower()}."
        )
    if not upload_may_decide(upload=locked, user=user):
        raise PermissionDenied(
            "Only the person who sent this file, or the programme lead, may do this."
        )
    return locked


@transaction.atomic
def upload_confirm(*, upload: Upload, user: User) -> Upload:
    """The sender read the preview and wants the stored figures replaced: read the file again
    and store it (what is stored by then is replaced, and kept in the history)."""
    locked = _decision_start(upload=upload, user=user)
    Upload.objects.filter(pk=locked.pk).update(
        replace=True,
        status=Upload.Status.QUEUED,
        progress=0,
        started_at=None,
        finished_at=None,
        enqueued_at=None,
        attempts=0,
    )
    audit_record(
        action=AuditEvent.Action.UPLOAD_CONFIRMED,
        user=user,
        site=locked.site,
        what=f"upload #{locked.pk} {locked.original_name}: confirmed, replacing "
        f"{locked.counts.get('changed', 0):,} stored values",
    )
    recovery.upload_enqueue_on_commit(upload_id=locked.pk)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def upload_cancel(*, upload: Upload, user: User) -> Upload:
    """The sender does not want the stored figures replaced: nothing from the file is stored."""
    locked = _decision_start(upload=upload, user=user)
    Upload.objects.filter(pk=locked.pk).update(
        status=Upload.Status.CANCELLED, finished_at=timezone.now()
    )
    audit_record(
        action=AuditEvent.Action.UPLOAD_CANCELLED,
        user=user,
        site=locked.site,
        what=f"upload #{locked.pk} {locked.original_name}: cancelled at the preview, "
        "nothing stored",
    )
    locked.refresh_from_db()
    return locked


def undo_capability(upload: Upload) -> Capability:
    """Figures typed in by hand are undone by those who may type them; files by uploaders."""
    return Capability.ENTER_DATA if upload.source == Upload.Source.HAND else Capability.UPLOAD


class UndoRefused(Exception):
    """An upload cannot be undone (e.g. a later upload replaced some of its values)."""


def upload_undo(*, upload: Upload, user: User) -> int:
    """Put back the values `upload` replaced and remove the ones it added. Returns how many
    values were affected. Refused while a later upload has replaced any of its values."""
    with transaction.atomic():
        upload = Upload.objects.select_for_update().get(pk=upload.pk)
        if upload.status != Upload.Status.DONE or upload.undone_at is not None:
            raise UndoRefused(
                "Only an upload that stored figures, and is not undone, can be undone."
            )
        if user is not None:
            for site in upload.sites.all():
                if not can(user, undo_capability(upload), site):
                    raise PermissionDenied(f"You may not change figures for {site.code}.")
        later = sorted(
            set(
                DataPointHistory.objects.filter(
                    upload=upload, replaced_by__undone_at__isnull=True
                ).values_list("replaced_by_id", flat=True)
            )
        )
        if later:
            raise UndoRefused(
                "Later uploads replaced some of these figures: undo upload "
                + ", ".join(f"#{pk}" for pk in later)
                + " first."
            )
        points = store.points_remove(upload=upload)
        n_restored, n_removed = points.restored, points.removed
        grouped = store.groups_remove(upload=upload)
        Upload.objects.filter(pk=upload.pk).update(undone_at=timezone.now(), undone_by=user)
        audit_record(
            action=AuditEvent.Action.UPLOAD_UNDO,
            user=user,
            site=upload.site,
            what=f"upload #{upload.pk} {upload.original_name}: "
            f"{n_restored} values put back, {n_removed} removed",
        )
        # Charts whose figures went back, and those whose figures per group were removed
        # (their glances hold the gaps).
        by_site: dict[int, set[int]] = {s: set(ids) for s, ids in grouped.touched.items()}
        for site_id, measure_ids in points.touched.items():
            by_site.setdefault(site_id, set()).update(measure_ids)
        chart_services.charts_rebuild_request(changes=by_site)
    return n_restored + n_removed


# Programme and site settings ---------------------------------------------------------------


@transaction.atomic
def measure_update(*, measure: Measure, **fields: Any) -> Measure:
    for name, value in fields.items():
        setattr(measure, name, value)
    measure.full_clean()
    measure.save()
    chart_services.measure_charts_rebuild_request(measure=measure)
    return measure


@transaction.atomic
def local_definition_save(*, site: Site, measure: Measure, **fields: Any) -> LocalDefinition:
    definition, _ = LocalDefinition.objects.update_or_create(
        site=site, measure=measure, defaults=fields
    )
    return definition
