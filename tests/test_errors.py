"""When the server fails: a database outage is a clean 503 (a page, or JSON under /api/) wherever
it struck, the app recovers by itself, and the API never answers with an HTML page."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from projects import services as project_services

from .measures.factories import UploadFactory

pytestmark = pytest.mark.django_db

DOWN = OperationalError('connection to server at "127.0.0.1", port 5432 failed: refused')


@pytest.fixture
def production(settings):
    """As in production: Django's own error handling (not the debug page), no re-raising."""
    settings.DEBUG = False


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def bearer(user) -> dict[str, str]:
    _token, key = project_services.api_token_create(user=user, name="script")
    return {"Authorization": f"Bearer {key}"}


def test_a_page_answers_503_while_the_database_is_down_and_recovers(world, production):
    client = signed_in(world.a.pm)
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load", side_effect=DOWN
    ):  # the first thing a signed-in request asks the database
        response = client.get("/sites/AAA/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "unavailable for a moment" in html
    assert "Nothing you saved before is lost" in html
    assert response["Content-Security-Policy"]
    # The database is back: the next request is served, no restart.
    assert client.get("/sites/AAA/").status_code == 200


@pytest.mark.parametrize("error", [DOWN, InterfaceError("connection already closed")])
def test_a_view_that_loses_the_database_answers_503(world, production, error):
    with mock.patch("projects.views.selectors.landing_url", side_effect=error):
        response = signed_in(world.a.pm).get("/")
    assert response.status_code == 503


def test_api_answers_json_503_when_the_database_is_down_even_before_the_view(world, production):
    """The token lookup (a middleware) is the first to fail: still JSON, never a page."""
    headers = bearer(world.a.info)
    client = Client(raise_request_exception=False)
    with mock.patch("projects.services.api_token_authenticate", side_effect=DOWN):
        response = client.get("/api/v1/uploads/1", headers=headers)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "30"
    assert "database cannot be reached" in response.json()["detail"]
    assert "5432" not in response.content.decode()  # nothing of the server's set-up leaks


def test_api_answers_json_500_on_an_unexpected_error(world, production, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = UploadFactory(site=world.a.site)
    with mock.patch("measures.api.upload_json", side_effect=RuntimeError("a defect")):
        response = Client(raise_request_exception=False).get(
            f"/api/v1/uploads/{upload.pk}", headers=bearer(world.a.info)
        )
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "Something went wrong on the server. It has been logged; try again later."
    }


def test_a_page_with_an_unexpected_error_keeps_the_ordinary_500(world, production):
    with mock.patch("projects.views.selectors.landing_url", side_effect=RuntimeError("x")):
        response = signed_in(world.a.pm).get("/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
