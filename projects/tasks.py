"""Scheduled e-mails (Celery beat): the weekly digest and daily alerts."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from . import audit, notifications

# A lost connection, a deadlock or an unreachable broker; not every DatabaseError (an
# IntegrityError would fail the same way again).
TRANSIENT = (OperationalError, InterfaceError, BrokerError)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def send_weekly_digests() -> int:
    return notifications.digest_send_all(today=timezone.localdate())


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def send_daily_alerts() -> int:
    return notifications.alerts_send_all(today=timezone.localdate())


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def prune_audit_trail() -> int:
    return audit.audit_prune()
