"""Login, rate limiting, landing pages and API tokens."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from projects import services
from projects.models import ApiToken
from tests.factories import PASSWORD


def post_login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_with_the_right_password_lands_a_project_manager_on_their_site(world, client):
    response = post_login(client, world.a.pm.username, PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == (
        f"/sites/{world.a.site.code}/"
    )


def test_programme_lead_lands_on_the_programme_page(world, client_as):
    response = client_as(world.lead).get("/")
    assert response["Location"] == reverse("projects:programme")


def test_user_without_a_role_lands_on_an_empty_site_list(world, client_as):
    response = client_as(world.outsider).get("/", follow=True)
    assert response.status_code == 200
    assert b"do not have a role on any site" in response.content


def test_login_is_locked_after_repeated_failures_even_with_the_right_password(
    world, client, settings
):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        assert post_login(client, world.a.pm.username, "wrong").status_code == 200
    response = post_login(client, world.a.pm.username, PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_failures_for_one_user_do_not_lock_another(world, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        post_login(client, world.a.pm.username, "wrong")
    assert post_login(client, world.a.info.username, PASSWORD).status_code == 302


def test_signed_out_visitor_is_sent_to_log_in(world, client):
    response = client.get(f"/sites/{world.a.site.code}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_password_reset_sends_an_email_with_a_link(world, client, mailoutbox):
    world.a.pm.email = "pm@example.nhs.uk"
    world.a.pm.save()
    client.post(reverse("password_reset"), {"email": "pm@example.nhs.uk"})
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


def test_api_token_is_shown_once_and_stored_only_as_a_hash(world, client_as):
    response = client_as(world.a.info).post(reverse("account"), {"name": "weekly script"})
    key = response.context["new_key"]
    token = ApiToken.objects.get(user=world.a.info)
    assert key not in (token.key_hash, token.prefix)
    assert token.key_hash == ApiToken.hash_key(key)
    assert services.api_token_authenticate(key=key) == world.a.info


def test_revoked_token_no_longer_authenticates(world, client_as):
    token, key = services.api_token_create(user=world.a.info, name="script")
    client_as(world.a.info).post(reverse("api-token-revoke", args=[token.pk]))
    assert services.api_token_authenticate(key=key) is None


def test_a_user_cannot_revoke_another_users_token(world, client_as):
    token, key = services.api_token_create(user=world.b.info, name="script")
    response = client_as(world.a.info).post(reverse("api-token-revoke", args=[token.pk]))
    assert response.status_code == 404
    assert services.api_token_authenticate(key=key) == world.b.info


def test_bad_bearer_token_on_the_api_is_refused_with_401(client, db):
    response = client.get("/api/v1/anything", HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401


@pytest.mark.parametrize("role", ["pm", "info", "stakeholder"])
def test_site_roles_read_their_own_site(world, client_as, role):
    response = client_as(world.a.user(role)).get(f"/sites/{world.a.site.code}/")
    assert response.status_code == 200
    assert world.a.project.title.encode() in response.content


def test_stakeholder_cannot_create_a_project(world, client_as):
    response = client_as(world.a.stakeholder).post(
        f"/sites/{world.a.site.code}/projects/new/",
        {
            "title": "X",
            "thrive_focus": "thriving",
            "start_date": "2025-01-06",
            "status": "planning",
        },
    )
    assert response.status_code == 403
    assert world.a.site.projects.count() == 1


def test_project_manager_creates_a_project_and_whole_system_needs_a_theme(world, client_as):
    client = client_as(world.a.pm)
    url = f"/sites/{world.a.site.code}/projects/new/"
    data = {
        "title": "Care planning",
        "thrive_focus": "whole_system",
        "start_date": "2025-01-06",
        "status": "planning",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert b"Name the whole-system theme" in response.content
    response = client.post(url, {**data, "whole_system_theme": "Care planning"})
    assert response.status_code == 302
    assert world.a.site.projects.filter(title="Care planning").exists()


def test_programme_lead_reads_every_site_but_cannot_edit_projects(world, client_as):
    client = client_as(world.lead)
    assert client.get(f"/sites/{world.b.site.code}/").status_code == 200
    edit = f"/sites/{world.b.site.code}/projects/{world.b.project.pk}/edit/"
    assert client.post(edit, {"title": "changed"}).status_code == 403


def test_view_without_a_permission_decorator_is_refused(rf, world):
    """The middleware refuses any view that did not declare who may use it."""
    from django.core.exceptions import PermissionDenied

    from projects.middleware import DenyByDefaultMiddleware

    def undeclared(request):  # pragma: no cover - never called
        raise AssertionError

    middleware = DenyByDefaultMiddleware(lambda request: None)
    request = rf.get("/x")
    request.user = world.a.pm
    with pytest.raises(PermissionDenied):
        middleware.process_view(request, undeclared, (), {})
