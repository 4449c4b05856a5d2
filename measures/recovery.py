"""Handing work to the worker queue, and taking it back when the queue or a worker fails.

- A broker that cannot be reached does not fail the request that asked for work: the row that
  records the work (an Upload, a stale ChartState) is committed, and `work_sweep` hands it
  over once the broker is back.
- On PostgreSQL a worker holds a session lock on the upload it reads, so a dead worker (its
  connection closed, its lock gone) is told from a slow one at once, without guessing from the
  time taken; `work_sweep` starts the upload again. Each start is counted (Upload.attempts),
  and a file that keeps stopping its worker is given up (services.upload_process).
- Sites take turns (`site_turn`): while one upload of a site is read, its site's other uploads
  wait, and a site served less recently than another goes first; an upload that must wait is
  handed back to the queue with a countdown (`upload_defer`), leaving its worker slot to other
  sites. So a site's backlog holds at most one worker slot, and never keeps another site waiting
  for more than the upload being read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Max, Min, Q
from django.utils import timezone

from thrive_site.transient import BROKER_UNAVAILABLE

from .models import ChartState, Upload

logger = logging.getLogger(__name__)

# Advisory lock keys of uploads: this number in the high 32 bits, the upload's id in the low.
UPLOAD_LOCK_SPACE = 0x75706C64  # "upld"
# ... and of sites, for their turns: this number in the high 32 bits, the site's id in the low.
SITE_LOCK_SPACE = 0x73697465  # "site"
# An upload that was never handed over is left this long for the request that made it.
NOT_HANDED_OVER_GRACE = timedelta(seconds=10)


def requeue_after() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "UPLOAD_REQUEUE_AFTER_SECONDS", 120)))


def abandoned_after() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "UPLOAD_ABANDONED_AFTER_SECONDS", 600)))


def site_wait_seconds() -> int:
    return int(getattr(settings, "UPLOAD_SITE_WAIT_SECONDS", 5))


def send(task: Any, *args: Any) -> bool:
    """task.delay(*args); False, logged, when the broker cannot be reached."""
    try:
        task.delay(*args)
    except BROKER_UNAVAILABLE:
        logger.warning("Worker queue unreachable: %s%s kept for the sweeper", task.name, args)
        return False
    return True


def send_on_commit(task: Any, *args: Any) -> None:
    """task.delay_on_commit(*args), without turning a broker outage into an error of a request
    whose transaction has already committed."""
    transaction.on_commit(lambda: send(task, *args))


def upload_enqueue(*, upload_id: int) -> bool:
    """Hand the upload to the worker queue and note when; False while the broker is down
    (the upload stays queued and `work_sweep` tries again)."""
    from .tasks import ingest_upload

    sent_at = timezone.now()
    if not send(ingest_upload, upload_id):
        return False
    Upload.objects.filter(pk=upload_id).update(enqueued_at=sent_at)
    return True


def upload_enqueue_on_commit(*, upload_id: int) -> None:
    transaction.on_commit(lambda: upload_enqueue(upload_id=upload_id))


# Worker liveness ------------------------------------------------------------------------------


def _lock_key(upload_id: int) -> int:
    return (UPLOAD_LOCK_SPACE << 32) | (upload_id & 0xFFFFFFFF)


@contextmanager
def _advisory_lock(key: int) -> Iterator[bool]:
    """A PostgreSQL session lock, held until the block ends or the connection dies; yields
    False when another session holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            except DatabaseError:  # the connection is gone, and the lock with it
                logger.warning("Could not release advisory lock %x", key)


@contextmanager
def upload_lock(upload_id: int) -> Iterator[bool]:
    """Hold the upload's session lock while reading it; yields False when another live worker
    holds it. Other databases (SQLite: one process, tasks in-process) always yield True."""
    if connection.vendor != "postgresql":
        yield True
        return
    with _advisory_lock(_lock_key(upload_id)) as held:
        yield held


def upload_is_being_read(upload_id: int) -> bool:
    """Whether a live worker holds the upload's lock (PostgreSQL only)."""
    with upload_lock(upload_id) as free:
        return not free


# Sites take turns -----------------------------------------------------------------------------


def site_owed_a_turn(upload: Upload) -> bool:
    """Whether another site is owed the next turn before this upload's site: it has an upload
    waiting in the queue, none being read, and was last served before this site was (never
    served counts as longest ago), or as long ago and its oldest waiting upload is older. Only
    uploads handed to the queue lately count as waiting: one whose message was lost is the
    sweep's to hand over."""
    site_id_of_upload = upload.site_id
    if site_id_of_upload is None:  # a file of several sites: no one site's turn to take
        return False
    waiting = Upload.objects.filter(
        status=Upload.Status.QUEUED,
        site__isnull=False,
        enqueued_at__gte=timezone.now() - requeue_after(),
    )
    oldest = dict(
        waiting.values("site_id")
        .annotate(oldest=Min("created_at"))
        .values_list("site_id", "oldest")
    )
    oldest[site_id_of_upload] = min(
        oldest.get(site_id_of_upload, upload.created_at), upload.created_at
    )
    if len(oldest) == 1:
        return False
    last = dict(
        Upload.objects.filter(site_id__in=oldest, started_at__isnull=False)
        .values("site_id")
        .annotate(last=Max("started_at"))
        .values_list("site_id", "last")
    )

    def turn(site_id: int) -> tuple[Any, ...]:
        served = last.get(site_id)
        return (served is not None, served or oldest[site_id], oldest[site_id], site_id)

    # A site already being read is served; waiting for it would leave a worker slot idle.
    busy = set(
        Upload.objects.filter(status=Upload.Status.PROCESSING, site_id__in=oldest).values_list(
            "site_id", flat=True
        )
    )
    mine = turn(site_id_of_upload)
    return any(
        turn(site_id) < mine for site_id in oldest if site_id not in busy | {site_id_of_upload}
    )


@contextmanager
def site_turn(upload: Upload) -> Iterator[bool]:
    """Whether this upload may be read now, holding its site's lock while it is: False while
    another upload of its site is being read, or while another site is owed a turn first.
    Always True for a system upload (no site), an upload started again after its worker died
    (the sweep's to finish), and where tasks run in-process or the database is not PostgreSQL."""
    from thrive_site.celery import app

    if (
        connection.vendor != "postgresql"
        or app.conf.task_always_eager
        or upload.site_id is None
        or upload.status != Upload.Status.QUEUED
    ):
        yield True
        return
    with _advisory_lock((SITE_LOCK_SPACE << 32) | (upload.site_id & 0xFFFFFFFF)) as free:
        yield free and not site_owed_a_turn(upload)


def upload_defer(*, upload_id: int, deferrals: int = 0) -> None:
    """Hand the upload back to the queue; its worker slot goes to the next message. It is tried
    again after 1 s, then 2, 4... (`deferrals`: how often it has waited already), at most
    UPLOAD_SITE_WAIT_SECONDS: the upload its site waits for is often read within a second. A
    broker that fails now leaves it to the sweep."""
    from .tasks import ingest_upload

    countdown = min(site_wait_seconds(), 2 ** min(deferrals, 16))
    try:
        ingest_upload.apply_async((upload_id,), {"deferrals": deferrals + 1}, countdown=countdown)
    except BROKER_UNAVAILABLE:
        logger.warning("Upload %s: could not be handed back; kept for the sweeper", upload_id)
        return
    Upload.objects.filter(pk=upload_id).update(enqueued_at=timezone.now())


# The sweep ------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    handed_over: list[int]
    restarted: list[int]
    charts: int
    broker_down: bool = False


def _stale_uploads(now: Any) -> tuple[list[int], list[int]]:
    queued = list(
        Upload.objects.filter(status=Upload.Status.QUEUED)
        .filter(
            Q(enqueued_at__isnull=True, created_at__lt=now - NOT_HANDED_OVER_GRACE)
            | Q(enqueued_at__lt=now - requeue_after())
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    processing = Upload.objects.filter(status=Upload.Status.PROCESSING).order_by("started_at")
    if connection.vendor == "postgresql":
        # A worker takes the lock before it marks the upload processing and lets go after it
        # marks it finished: processing without the lock is abandoned, however recently.
        pks = processing.values_list("pk", flat=True)
        abandoned = [pk for pk in pks if not upload_is_being_read(pk)]
    else:
        abandoned = list(
            processing.filter(started_at__lt=now - abandoned_after()).values_list("pk", flat=True)
        )
    return queued, abandoned


def work_sweep() -> SweepResult:
    """Hand over again the work a broker outage, a lost message or a dead worker left behind:
    uploads queued but not started, uploads whose worker died, charts left stale. Safe to run
    at any time, on any number of workers: each task does its work once."""
    from .tasks import ingest_upload, rebuild_chart

    now = timezone.now()
    queued, abandoned = _stale_uploads(now)
    result = SweepResult(handed_over=[], restarted=[], charts=0)
    for upload_id in queued + abandoned:
        if not send(ingest_upload, upload_id):
            result.broker_down = True
            return result
        Upload.objects.filter(pk=upload_id).update(enqueued_at=now)
        (result.restarted if upload_id in abandoned else result.handed_over).append(upload_id)
    stale_charts = ChartState.objects.filter(
        built_version__lt=F("requested_version"), requested_at__lt=now - requeue_after()
    )
    for site_id, measure_id in set(stale_charts.values_list("site_id", "measure_id")):
        if not send(rebuild_chart, site_id, measure_id):
            result.broker_down = True
            return result
        # As a chart page does (measures.charts.views._ensure_fresh): asked again, so not again for a while.
        stale_charts.filter(site_id=site_id, measure_id=measure_id).update(requested_at=now)
        result.charts += 1
    if result.handed_over or result.restarted or result.charts:
        logger.warning(
            "Sweep: handed over uploads %s, restarted uploads %s, rebuilt %s stale charts",
            result.handed_over,
            result.restarted,
            result.charts,
        )
    return result
