"""The JSON API: token or session, the same role checks as the pages, OpenAPI description."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse
from openapi_spec_validator import validate

from measures.models import DataPoint, Upload
from measures.openapi import openapi_document
from projects import services as project_services

from .conftest import tidy
from .factories import UploadFactory

pytestmark = pytest.mark.django_db

UPLOADS = "/api/v1/uploads"


def bearer(user) -> dict[str, str]:
    _token, key = project_services.api_token_create(user=user, name="script")
    return {"Authorization": f"Bearer {key}"}


def csv_file(content: str, name: str = "extract.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def push(client, headers, site_code, content, capture):
    with capture(execute=True):
        return client.post(UPLOADS, {"file": csv_file(content), "site": site_code}, headers=headers)


def test_token_upload_answers_202_with_id_and_url(
    world, client, django_capture_on_commit_callbacks
):
    content = tidy([("AAA", "2025-01-06", "referrals_received", 9)])
    response = push(
        client, bearer(world.a.info), "AAA", content, django_capture_on_commit_callbacks
    )
    assert response.status_code == 202
    body = response.json()
    upload = Upload.objects.get()
    assert body["id"] == upload.pk
    assert body["url"].endswith(f"/api/v1/uploads/{upload.pk}")
    assert response["Location"] == body["url"]
    assert upload.source == "api"
    assert upload.uploaded_by == world.a.info


def test_upload_status_gives_counts_and_problems(world, client, django_capture_on_commit_callbacks):
    headers = bearer(world.a.info)
    good = push(
        client,
        headers,
        "AAA",
        tidy([("AAA", "2025-01-06", "dnas", 2)]),
        django_capture_on_commit_callbacks,
    ).json()
    status = client.get(f"{UPLOADS}/{good['id']}", headers=headers).json()
    assert status["status"] == "done"
    assert status["counts"]["new"] == 1
    assert status["problems"] == []
    bad = push(
        client,
        headers,
        "AAA",
        tidy([("AAA", "2025-01-06", "dnas", "two")]),
        django_capture_on_commit_callbacks,
    ).json()
    status = client.get(bad["url"], headers=headers).json()
    assert status["status"] == "failed"
    assert "'two' is not a number" in status["problems"][0]
    assert status["problem_details"][0]["row"] == 2


def test_series_gives_points_by_monday(world, client, send):
    send(
        world.a.info,
        world.a.site,
        tidy(
            [
                ("AAA", "2025-01-08", "referrals_received", 34),
                ("AAA", "2025-01-13", "referrals_received", 30),
            ]
        ),
    )
    response = client.get(
        "/api/v1/sites/AAA/measures/referrals_received/series", headers=bearer(world.a.stakeholder)
    )
    assert response.status_code == 200
    assert response.json()["points"] == [
        {"week": "2025-01-06", "value": 34.0},
        {"week": "2025-01-13", "value": 30.0},
    ]


def test_api_without_credentials_is_401_json(world, client):
    for response in (
        client.get("/api/v1/sites/AAA/measures/dnas/series"),
        client.post(UPLOADS, {"site": "AAA"}),
        client.get(f"{UPLOADS}/1"),
    ):
        assert response.status_code == 401
        assert response.json()["detail"]
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_401(world, client):
    token, key = project_services.api_token_create(user=world.a.info, name="old")
    project_services.api_token_revoke(user=world.a.info, token_id=token.pk)
    response = client.get(f"{UPLOADS}/1", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401


def test_informatics_of_a_pushing_for_b_is_404(world, client):
    response = client.post(
        UPLOADS, {"file": csv_file("x"), "site": "BBB"}, headers=bearer(world.a.info)
    )
    assert response.status_code == 404
    assert not Upload.objects.exists()


def test_stakeholder_pushing_is_403(world, client):
    response = client.post(
        UPLOADS, {"file": csv_file("x"), "site": "AAA"}, headers=bearer(world.a.stakeholder)
    )
    assert response.status_code == 403
    assert response.json()["detail"]


def test_other_sites_upload_and_series_are_404(world, client):
    upload = UploadFactory(site=world.b.site)
    headers = bearer(world.a.info)
    assert client.get(f"{UPLOADS}/{upload.pk}", headers=headers).status_code == 404
    response = client.get("/api/v1/sites/BBB/measures/dnas/series", headers=headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_unknown_measure_is_404(world, client):
    response = client.get("/api/v1/sites/AAA/measures/nope/series", headers=bearer(world.a.pm))
    assert response.status_code == 404


def test_upload_needs_a_site_and_a_file(world, client):
    headers = bearer(world.a.info)
    assert client.post(UPLOADS, {"file": csv_file("x")}, headers=headers).status_code == 400
    assert client.post(UPLOADS, {"site": "AAA"}, headers=headers).status_code == 400


def test_oversized_push_is_413_and_not_stored(world, client, settings):
    settings.UPLOAD_MAX_BYTES = 5
    response = client.post(
        UPLOADS, {"file": csv_file("0123456789"), "site": "AAA"}, headers=bearer(world.a.info)
    )
    assert response.status_code == 413
    assert not Upload.objects.exists()


def test_unreadable_multipart_body_is_400_json_and_not_stored(world, client):
    # A part whose headers run past Django's limit: Django itself would answer its HTML 400 page.
    boundary = "XyZ"
    body = (
        f"--{boundary}\r\n" + "X-Padding: " + "a" * 9000 + "\r\n"
        'Content-Disposition: form-data; name="site"\r\n\r\nAAA\r\n'
        f"--{boundary}--\r\n"
    )
    response = client.post(
        UPLOADS,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=bearer(world.a.info),
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "could not be read" in response.json()["detail"]
    assert not Upload.objects.exists()


def test_session_post_needs_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a.info)
    response = client.post(UPLOADS, {"file": csv_file("x"), "site": "AAA"})
    assert response.status_code == 403
    assert not Upload.objects.exists()


def test_session_with_csrf_may_push(world, django_capture_on_commit_callbacks):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a.info)
    client.get(reverse("measures:upload-create", kwargs={"site_code": "AAA"}))
    token = client.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            UPLOADS,
            {"file": csv_file(tidy([("AAA", "2025-01-06", "dnas", 1)])), "site": "AAA"},
            headers={"X-CSRFToken": token},
        )
    assert response.status_code == 202
    assert DataPoint.objects.count() == 1


def test_token_requests_skip_csrf(world, django_capture_on_commit_callbacks):
    client = Client(enforce_csrf_checks=True)
    response = push(
        client,
        bearer(world.lead),
        "BBB",
        tidy([("BBB", "2025-01-06", "dnas", 1)]),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 202


def test_wrong_method_is_405_json(world, client):
    response = client.delete(UPLOADS, headers=bearer(world.a.info))
    assert response.status_code == 405
    assert response.json()["detail"] == "Method not allowed."


def test_openapi_document_validates_and_describes_every_route(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    resolver = get_resolver()
    api_routes = {
        str(p.pattern)
        for r in resolver.url_patterns
        if str(getattr(r, "pattern", "")) == "api/v1/"
        for p in r.url_patterns
        if p.name != "not-found"  # the JSON 404 for every other address
    }
    described = {
        path.lstrip("/")
        .replace("{upload_id}", "<int:upload_id>")
        .replace("{site}", "<str:site_code>")
        .replace("{measure}", "<str:measure_code>")
        for path in document["paths"]
    }
    assert api_routes == described
    assert openapi_document()["openapi"] == "3.1.0"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/uploads/-5/confirm",
        "/api/v1/uploads/x",
        "/api/v1/nothing-here",
        "/api/v1/uploads/%0Aq/cancel",  # a line break in the path
    ],
)
def test_api_address_that_matches_no_route_answers_json_404(client, world, path):
    """Found by Schemathesis: a negative upload id answered the site's HTML 404 page."""
    response = client.post(path, headers=bearer(world.a.info))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith("Not found")
