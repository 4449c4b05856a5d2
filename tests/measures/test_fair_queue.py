"""Sites take turns at the workers (measures.recovery.site_turn): one upload of a site read at a
time, the site served longest ago first. The real worker's side is in tests/faults/."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from measures import recovery, services, tasks
from measures.models import Upload
from tests.factories import SiteFactory

from .conftest import tidy

pytestmark = pytest.mark.django_db


def queued(site, *, created_ago: int = 0, started_ago: int | None = None, **fields) -> Upload:
    """An upload of the site waiting in the queue (or, with fields, in another state)."""
    upload = services.upload_create(
        user=None,
        site=site,
        source="cli",
        enqueue=False,
        file=ContentFile(tidy([(site.code, "2025-01-06", "dnas", 1)]).encode(), name="x.csv"),
    )
    now = timezone.now()
    Upload.objects.filter(pk=upload.pk).update(
        created_at=now - dt.timedelta(seconds=created_ago),
        enqueued_at=now,
        started_at=None if started_ago is None else now - dt.timedelta(seconds=started_ago),
        **fields,
    )
    upload.refresh_from_db()
    return upload


@pytest.fixture
def sites(world):
    return world.a.site, world.b.site


def test_a_site_alone_in_the_queue_is_never_kept_waiting(sites):
    a, _b = sites
    first = queued(a, created_ago=30)
    queued(a, created_ago=20)
    assert not recovery.site_owed_a_turn(first)


def test_the_oldest_waiting_upload_goes_first_between_sites_never_served(sites):
    a, b = sites
    older = queued(a, created_ago=30)
    newer = queued(b, created_ago=10)
    assert not recovery.site_owed_a_turn(older)
    assert recovery.site_owed_a_turn(newer)


def test_a_site_just_served_waits_for_a_site_not_served(sites):
    a, b = sites
    queued(a, created_ago=60, started_ago=5, status=Upload.Status.DONE)
    backlog = queued(a, created_ago=59)
    latecomer = queued(b, created_ago=1)
    assert recovery.site_owed_a_turn(backlog)
    assert not recovery.site_owed_a_turn(latecomer)


def test_the_site_served_longest_ago_goes_first(sites):
    a, b = sites
    queued(a, created_ago=100, started_ago=50, status=Upload.Status.DONE)
    queued(b, created_ago=100, started_ago=10, status=Upload.Status.DONE)
    a_next, b_next = queued(a, created_ago=1), queued(b, created_ago=90)
    assert not recovery.site_owed_a_turn(a_next)
    assert recovery.site_owed_a_turn(b_next)


def test_a_site_being_read_is_not_waited_for(sites):
    """Its own next upload would wait for the one being read: waiting for it too would leave a
    worker slot idle."""
    a, b = sites
    queued(a, created_ago=60, started_ago=50, status=Upload.Status.PROCESSING)
    queued(a, created_ago=59)
    b_next = queued(b, created_ago=1, started_ago=None)
    queued(b, created_ago=100, started_ago=10, status=Upload.Status.DONE)
    assert not recovery.site_owed_a_turn(b_next)


def test_an_upload_whose_message_was_lost_is_not_waited_for(sites, settings):
    """It is the sweep's to hand over; waiting for it would hold every other site up."""
    a, b = sites
    lost = queued(a, created_ago=300)
    Upload.objects.filter(pk=lost.pk).update(enqueued_at=timezone.now() - dt.timedelta(hours=1))
    assert not recovery.site_owed_a_turn(queued(b, created_ago=1))


def test_uploads_of_other_programmes_sites_take_turns_too(sites):
    a, _b = sites
    elsewhere = SiteFactory(code="ZZZ")
    queued(elsewhere, created_ago=100)
    assert recovery.site_owed_a_turn(queued(a, created_ago=1))


def test_in_process_tasks_never_wait(sites):
    """Eager tasks (no broker) run one at a time in the request: nothing to share."""
    a, b = sites
    queued(b, created_ago=100)
    upload = queued(a, created_ago=1)
    with recovery.site_turn(upload) as turn:
        assert turn
    assert services.upload_process(upload_id=upload.pk).status == Upload.Status.DONE


postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the site lock is a PostgreSQL advisory lock"
)


@pytest.fixture
def with_a_broker(settings):
    """As in a real worker: tasks not eager (the tasks' apply_async is replaced)."""
    from thrive_site.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    with mock.patch.object(tasks.ingest_upload, "apply_async") as apply_async:
        yield apply_async
    app.conf.task_always_eager = previous


@postgres_only
def test_a_site_being_read_sends_its_next_upload_back_to_wait(sites, with_a_broker, settings):
    import psycopg

    a, _b = sites
    settings.UPLOAD_SITE_WAIT_SECONDS = 7
    upload = queued(a, created_ago=1)
    Upload.objects.filter(pk=upload.pk).update(enqueued_at=None)
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    key = (recovery.SITE_LOCK_SPACE << 32) | a.pk
    with psycopg.connect(**params, autocommit=True) as other:
        # Another session holds the site's lock, as a worker reading another upload of it would.
        other.execute("SELECT pg_advisory_lock(%s)", [key])
        result = services.upload_process(upload_id=upload.pk)
        # That worker finishes. (Unlocked here: a closed session's backend may take a moment
        # to end and free its locks on a busy machine.)
        other.execute("SELECT pg_advisory_unlock(%s)", [key])
    assert result.status == Upload.Status.QUEUED
    assert result.attempts == 0  # waiting is not a start
    assert result.enqueued_at is not None  # handed back, so the sweep leaves it
    # Tried again a second later, the first time it waits.
    with_a_broker.assert_called_once_with((upload.pk,), {"deferrals": 1}, countdown=1)
    # Its turn comes: read once.
    assert services.upload_process(upload_id=upload.pk).status == Upload.Status.DONE


@pytest.mark.parametrize(("deferrals", "countdown"), [(0, 1), (1, 2), (2, 4), (3, 7), (40, 7)])
def test_an_upload_that_keeps_waiting_waits_longer_up_to_the_setting(
    with_a_broker, settings, deferrals, countdown
):
    settings.UPLOAD_SITE_WAIT_SECONDS = 7
    recovery.upload_defer(upload_id=123, deferrals=deferrals)
    with_a_broker.assert_called_once_with((123,), {"deferrals": deferrals + 1}, countdown=countdown)


@postgres_only
def test_an_upload_owed_to_another_site_waits_and_a_system_upload_does_not(sites, with_a_broker):
    a, b = sites
    queued(b, created_ago=100)
    upload = queued(a, created_ago=1)
    assert services.upload_process(upload_id=upload.pk).status == Upload.Status.QUEUED
    assert with_a_broker.call_count == 1
    system = services.upload_create(
        user=None,
        site=None,
        source="cli",
        enqueue=False,
        file=ContentFile(tidy([("AAA", "2025-01-13", "dnas", 1)]).encode(), name="y.csv"),
    )
    assert services.upload_process(upload_id=system.pk).status == Upload.Status.DONE
    assert with_a_broker.call_count == 1
