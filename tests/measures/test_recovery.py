"""Faults around the worker queue: a broker that is down, a message that is lost, a worker that
dies, a file that keeps stopping its worker, a database that blinks. Nothing is lost, nothing is
stored twice, and every upload ends done or failed with a reason."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, OperationalError, connection
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from measures import recovery, services, tasks
from measures.models import ChartState, DataPoint, Measure, Upload
from projects import services as project_services

from .conftest import tidy

pytestmark = pytest.mark.django_db

CONTENT = tidy([("AAA", "2025-01-06", "referrals_received", 7)])
BROKER_DOWN = BrokerOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def broker_down():
    return mock.patch.object(tasks.ingest_upload, "delay", side_effect=BROKER_DOWN)


def age(upload: Upload, **fields_ago: dt.timedelta) -> None:
    """Move the upload's timestamps into the past."""
    now = timezone.now()
    Upload.objects.filter(pk=upload.pk).update(**{f: now - ago for f, ago in fields_ago.items()})


def test_web_upload_is_kept_and_the_user_told_when_the_broker_is_down(
    world, client_as, django_capture_on_commit_callbacks
):
    client = client_as(world.a.info)
    url = reverse("measures:upload-create", kwargs={"site_code": "AAA"})
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": SimpleUploadedFile("x.csv", CONTENT.encode())})
    upload = Upload.objects.get()
    assert response.status_code == 302
    assert upload.status == Upload.Status.QUEUED
    assert upload.enqueued_at is None
    assert upload.file.read() == CONTENT.encode()
    page = client.get(response["Location"]).content.decode()
    assert "it will be read as soon as the worker queue is back" in page
    assert "You need not send it again" in page


def test_api_upload_answers_202_with_a_notice_when_the_broker_is_down(
    world, client, django_capture_on_commit_callbacks
):
    _token, key = project_services.api_token_create(user=world.a.info, name="script")
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/uploads",
            {"file": SimpleUploadedFile("x.csv", CONTENT.encode()), "site": "AAA"},
            headers={"Authorization": f"Bearer {key}"},
        )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert body["notice"] == "Received; it will be read as soon as the worker queue is back."


def test_an_upload_handed_over_has_no_notice(world, send):
    upload = send(world.a.info, world.a.site, CONTENT)
    assert upload.status == Upload.Status.DONE
    assert upload.enqueued_at is not None
    assert upload.attempts == 1
    assert not upload.is_waiting_for_queue


def test_sweep_hands_over_an_upload_the_broker_could_not_take(
    world, django_capture_on_commit_callbacks
):
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        upload = services.upload_create(
            user=world.a.info, site=world.a.site, file=_file(), source="web"
        )
    # Broker still down: the sweep keeps it and says so.
    age(upload, created_at=dt.timedelta(seconds=30))
    with broker_down():
        assert recovery.work_sweep().broker_down
    upload.refresh_from_db()
    assert upload.status == Upload.Status.QUEUED
    # Broker back (tasks run in-process here): the next sweep gets it read.
    result = recovery.work_sweep()
    upload.refresh_from_db()
    assert result.handed_over == [upload.pk]
    assert upload.status == Upload.Status.DONE
    assert DataPoint.objects.count() == 1


def test_sweep_leaves_a_fresh_upload_to_the_request_that_made_it(world):
    upload = Upload.objects.create(site=world.a.site, file=_file(), original_name="x.csv")
    with mock.patch.object(tasks.ingest_upload, "delay") as delay:
        assert recovery.work_sweep().handed_over == []
    delay.assert_not_called()
    assert upload.status == Upload.Status.QUEUED


def test_sweep_hands_over_again_an_upload_whose_message_was_lost(world, settings):
    """Handed over, never started: after UPLOAD_REQUEUE_AFTER_SECONDS it is sent again, once
    per period (a long queue gets one extra message per upload, not one per sweep)."""
    settings.UPLOAD_REQUEUE_AFTER_SECONDS = 120
    upload = Upload.objects.create(site=world.a.site, file=_file(), original_name="x.csv")
    age(upload, created_at=dt.timedelta(minutes=5), enqueued_at=dt.timedelta(seconds=60))
    with mock.patch.object(tasks.ingest_upload, "delay") as delay:
        recovery.work_sweep()
        delay.assert_not_called()
        age(upload, enqueued_at=dt.timedelta(seconds=121))
        recovery.work_sweep()
        recovery.work_sweep()
    delay.assert_called_once_with(upload.pk)


def test_an_upload_left_processing_by_a_dead_worker_is_started_again_and_stored_once(
    world, settings
):
    settings.UPLOAD_ABANDONED_AFTER_SECONDS = 600
    upload = services.upload_create(
        user=world.a.info, site=world.a.site, file=_file(), source="web", enqueue=False
    )
    # A worker claimed it and died (its status and first attempt stay behind).
    Upload.objects.filter(pk=upload.pk).update(
        status=Upload.Status.PROCESSING, attempts=1, progress=75
    )
    age(upload, started_at=dt.timedelta(minutes=5))
    on_sqlite = connection.vendor != "postgresql"
    if on_sqlite:  # no lock to tell a dead worker at once: only the age does
        assert recovery.work_sweep().restarted == []
        age(upload, started_at=dt.timedelta(minutes=11))
    assert recovery.work_sweep().restarted == [upload.pk]
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE
    assert upload.attempts == 2
    assert DataPoint.objects.count() == 1
    # The dead worker's own message, delivered again later, finds nothing to do.
    tasks.ingest_upload.delay(upload.pk)
    upload.refresh_from_db()
    assert upload.attempts == 2
    assert DataPoint.objects.count() == 1


def test_a_file_that_keeps_stopping_its_worker_is_given_up_with_a_reason(world, settings):
    settings.UPLOAD_MAX_ATTEMPTS = 3
    upload = services.upload_create(
        user=world.a.info, site=world.a.site, file=_file(), source="web", enqueue=False
    )
    Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.PROCESSING, attempts=3)
    upload = services.upload_process(upload_id=upload.pk)
    assert upload.status == Upload.Status.FAILED
    assert upload.finished_at is not None
    (problem,) = upload.problems
    assert problem["code"] == "stopped_worker"
    assert "stopped 3 times before it finished" in problem["message"]
    assert "too large to read in one go" in problem["message"]
    assert "split it into smaller extracts" in problem["message"]
    assert DataPoint.objects.count() == 0


def test_each_start_counts_and_the_last_allowed_start_still_reads_the_file(world, settings):
    settings.UPLOAD_MAX_ATTEMPTS = 3
    upload = services.upload_create(
        user=world.a.info, site=world.a.site, file=_file(), source="web", enqueue=False
    )
    Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.PROCESSING, attempts=2)
    upload = services.upload_process(upload_id=upload.pk)
    assert upload.status == Upload.Status.DONE
    assert upload.attempts == 3


def test_a_database_blink_while_reading_is_retried_and_not_counted(world):
    upload = services.upload_create(
        user=world.a.info, site=world.a.site, file=_file(), source="web", enqueue=False
    )
    blink = OperationalError("server closed the connection unexpectedly")
    with (
        mock.patch("measures.services.parse_extract", side_effect=blink),
        pytest.raises(OperationalError),
    ):
        services.upload_process(upload_id=upload.pk)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.QUEUED
    assert upload.attempts == 0
    assert services.upload_process(upload_id=upload.pk).status == Upload.Status.DONE


def test_tasks_retry_transient_errors_only():
    for task in (tasks.ingest_upload, tasks.rebuild_chart):
        assert OperationalError in task.autoretry_for
        assert BrokerOperationalError in task.autoretry_for
        assert not any(issubclass(IntegrityError, e) for e in task.autoretry_for)
        assert task.acks_late
        assert task.reject_on_worker_lost


def test_a_chart_page_works_when_the_broker_is_down_and_the_sweep_asks_again(
    world, client_as, django_capture_on_commit_callbacks
):
    measure = Measure.objects.get(code="median_wait_days")
    url = reverse("measures:chart", kwargs={"site_code": "AAA", "measure_code": "median_wait_days"})
    ChartState.objects.create(site=world.a.site, measure=measure, requested_version=2)
    ChartState.objects.filter(site=world.a.site).update(
        requested_at=timezone.now() - dt.timedelta(minutes=10)
    )
    down = mock.patch.object(tasks.rebuild_chart, "delay", side_effect=BROKER_DOWN)
    with down, django_capture_on_commit_callbacks(execute=True):
        response = client_as(world.a.pm).get(url)
    assert response.status_code == 200
    ChartState.objects.filter(site=world.a.site).update(
        requested_at=timezone.now() - dt.timedelta(minutes=10)
    )
    with mock.patch.object(tasks.rebuild_chart, "delay") as delay:
        assert recovery.work_sweep().charts == 1
        assert recovery.work_sweep().charts == 0  # asked again: not again for a while
    delay.assert_called_once_with(world.a.site.pk, measure.pk)


def test_a_worker_that_starts_sweeps_at_once():
    with mock.patch.object(tasks.sweep_work, "delay") as delay:
        tasks.sweep_when_a_worker_starts(sender=None)
    delay.assert_called_once_with()


def test_the_sweep_runs_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-work"]
    assert entry["task"] == "measures.tasks.sweep_work"
    assert entry["schedule"] <= 60


def test_visibility_timeout_outlasts_the_longest_retry_countdown(settings):
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    longest_countdown = tasks.ingest_upload.retry_backoff_max
    assert options["visibility_timeout"] > longest_countdown
    assert options["socket_connect_timeout"] <= 5


# PostgreSQL: the worker's session lock tells a live worker from a dead one ---------------------

postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="advisory locks are PostgreSQL's"
)


@pytest.fixture
def other_session():
    """A second PostgreSQL session, as another worker process would hold."""
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as conn:
        yield conn


@postgres_only
def test_a_live_worker_keeps_its_upload_and_a_second_delivery_leaves_it(world, other_session):
    upload = services.upload_create(
        user=world.a.info, site=world.a.site, file=_file(), source="web", enqueue=False
    )
    Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.PROCESSING, attempts=1)
    age(upload, started_at=dt.timedelta(hours=1))
    key = recovery._lock_key(upload.pk)
    other_session.execute("SELECT pg_advisory_lock(%s)", [key])
    assert recovery.upload_is_being_read(upload.pk)
    assert recovery.work_sweep().restarted == []
    assert services.upload_process(upload_id=upload.pk).status == Upload.Status.PROCESSING
    upload.refresh_from_db()
    assert upload.attempts == 1
    # The worker dies: its session ends, its lock with it, and the sweep starts the upload again.
    other_session.execute("SELECT pg_advisory_unlock(%s)", [key])
    assert recovery.work_sweep().restarted == [upload.pk]
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE
    assert upload.attempts == 2


def _file() -> SimpleUploadedFile:
    return SimpleUploadedFile("x.csv", CONTENT.encode())
