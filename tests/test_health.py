"""/healthz reports the database and the broker: 503 without the database (the compose health
check then sees it), 200 "degraded" without the broker (uploads are kept meanwhile)."""

from __future__ import annotations

import os
from unittest import mock

import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(settings):
    """broker(url): the broker the health check tries."""

    def use(url: str) -> None:
        settings.CELERY_BROKER_URL = url

    return use


def test_healthy_without_a_broker_says_tasks_run_in_process(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "in-process",
        "failed": [],
    }
    assert "no-cache" in response["Cache-Control"]


def test_database_down_is_503_and_named(client, settings):
    settings.CELERY_BROKER_URL = ""
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["failed"] == ["database"]


def test_broker_down_is_degraded_not_unavailable(client, broker):
    broker("redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "unavailable"
    assert response.json()["status"] == "degraded"
    assert response.json()["failed"] == ["broker"]


@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="needs a broker")
def test_broker_up_is_ok(client, broker):
    broker(os.environ["CELERY_BROKER_URL"])
    response = client.get("/healthz")
    assert response.json()["broker"] == "ok"
    assert response.json()["status"] == "ok"
