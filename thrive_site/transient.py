"""Failures that pass by themselves: the one list that tasks retry on, and that pages answer
with 503 and Retry-After (thrive_site.errors)."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

# The database refused or lost the connection, timed out or broke a deadlock (Django's
# OperationalError and InterfaceError). Not every DatabaseError: an IntegrityError or DataError
# would fail the same way again, and a ProgrammingError is a bug to see, not to retry.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError)

# What publishing a message raises when the broker is down or unreachable.
BROKER_UNAVAILABLE: tuple[type[Exception], ...] = (
    BrokerOperationalError,
    ConnectionError,
    TimeoutError,
)

# Task retries (`autoretry_for`): connection and broker errors only, never bad data.
TRANSIENT_ERRORS = DATABASE_UNAVAILABLE + BROKER_UNAVAILABLE
