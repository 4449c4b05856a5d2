"""Celery tasks of measures: an id in, one service call."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

from . import services
from .charts import services as chart_services

# Only transient failures are retried: a bad file is a result (status failed), not an error.
TRANSIENT = (OperationalError, InterfaceError, BrokerOperationalError, ConnectionError)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def ingest_upload(upload_id: int) -> None:
    services.upload_process(upload_id=upload_id)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def rebuild_chart(site_id: int, measure_id: int) -> None:
    chart_services.chart_rebuild(site_id=site_id, measure_id=measure_id)
