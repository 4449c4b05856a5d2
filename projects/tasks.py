"""Scheduled e-mails (Celery beat): the weekly digest and daily alerts."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from thrive_site.transient import TRANSIENT_ERRORS

from . import audit, notifications


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=5)
def send_weekly_digests() -> int:
    return notifications.digest_send_all(today=timezone.localdate())


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=5)
def send_daily_alerts() -> int:
    return notifications.alerts_send_all(today=timezone.localdate())


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=5)
def prune_audit_trail() -> int:
    return audit.audit_prune()
