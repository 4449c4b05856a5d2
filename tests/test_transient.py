"""Tasks retry on one list of transient failures: lost connections and an unreachable broker,
never a DatabaseError that would fail the same way again."""

from __future__ import annotations

import pytest
from celery import current_app
from django.db import DatabaseError, DataError, IntegrityError, OperationalError, ProgrammingError
from kombu.exceptions import OperationalError as BrokerOperationalError

from thrive_site.transient import TRANSIENT_ERRORS


def retrying_tasks() -> list:
    current_app.loader.import_default_modules()
    return sorted(
        (task for name, task in current_app.tasks.items() if not name.startswith("celery.")),
        key=lambda task: task.name,
    )


def test_transient_errors_are_connection_and_broker_errors_only():
    assert OperationalError in TRANSIENT_ERRORS
    assert BrokerOperationalError in TRANSIENT_ERRORS
    for error in (DatabaseError, IntegrityError, DataError, ProgrammingError, ValueError):
        assert not issubclass(error, TRANSIENT_ERRORS), error


@pytest.mark.parametrize("task", retrying_tasks(), ids=lambda task: task.name)
def test_every_retrying_task_uses_the_one_list(task):
    retried = tuple(getattr(task, "autoretry_for", ()))
    assert retried in ((), TRANSIENT_ERRORS)
