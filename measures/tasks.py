"""Celery tasks of measures: an id in, one service call."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from thrive_site.transient import TRANSIENT_ERRORS

from . import recovery, services
from .charts import services as chart_services

# Acknowledged when done (a task lost with its worker is delivered again), retried on the
# transient failures only (a bad file is a result, status failed, not an error), with growing
# waits.
DURABLE: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 5,
}
durable_task = shared_task(**DURABLE)


@shared_task(
    **DURABLE,
    # Past the soft limit the service marks the upload failed ("took longer than N s");
    # the hard limit ends a worker stuck in C code, and counts as one of its attempts. Only
    # reading a file is limited: a large upload's chart rebuilds may rightly take longer.
    soft_time_limit=settings.UPLOAD_TIME_LIMIT_SECONDS,
    time_limit=settings.UPLOAD_TIME_LIMIT_SECONDS + 30,
)
def ingest_upload(upload_id: int, deferrals: int = 0) -> None:
    services.upload_process(upload_id=upload_id, deferrals=deferrals)


@durable_task
def rebuild_chart(site_id: int, measure_id: int) -> None:
    chart_services.chart_rebuild(site_id=site_id, measure_id=measure_id)


@durable_task
def rebuild_charts(pairs: list[list[int]]) -> None:
    """Every chart an upload (or undo, or entry) made stale: one task per upload."""
    chart_services.charts_rebuild(pairs=pairs)


# Not acks_late: a sweep lost with its worker is simply the next one's to do.
@shared_task(ignore_result=True)
def sweep_work() -> None:
    recovery.work_sweep()


@worker_ready.connect
def sweep_when_a_worker_starts(**kwargs: Any) -> None:
    """A worker that starts after a crash finds the uploads its predecessor left at once,
    not at the next scheduled sweep."""
    sweep_work.delay()
