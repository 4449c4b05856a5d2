"""Errors answer in the service's own layout with a way back, debug on or off."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

NHS_HEADER = b"nhsuk-header"


@pytest.mark.parametrize("debug", [False, True])
def test_a_refused_page_answers_403_in_the_service_layout(world, client_as, debug):
    with override_settings(DEBUG=debug):
        response = client_as(world.a.stakeholder).get(f"/sites/{world.a.site.code}/sharing/")
    assert response.status_code == 403
    assert NHS_HEADER in response.content
    assert b"You cannot do this" in response.content
    assert b"Go to your sites" in response.content


@override_settings(DEBUG=False)
def test_a_missing_page_answers_404_in_the_service_layout(world, client_as):
    response = client_as(world.a.pm).get("/no-such-page/")
    assert response.status_code == 404
    assert NHS_HEADER in response.content
    assert b"Page not found" in response.content


@override_settings(DEBUG=False)
def test_a_form_sent_without_its_token_explains_what_to_do(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a.pm)
    response = client.post("/accounts/")
    assert response.status_code == 403
    assert NHS_HEADER in response.content
    assert b"Your form has expired" in response.content


def test_the_server_error_page_renders_without_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in html
    assert "nhsuk-header" in html
    assert "Sorry, there is a problem with the request" in render_to_string("400.html")


@pytest.mark.parametrize(
    ("debug", "debug_pages", "helper"),
    [(False, True, False), (True, False, False), (True, True, True)],
)
def test_htmx_failures_reach_django_error_pages_only_where_a_developer_asked(
    client, debug, debug_pages, helper
):
    """django-htmx's debug helper replaces the whole page with the error answer before
    htmx_errors.js can say in place what failed: only with DJANGO_HTMX_DEBUG_ERROR_PAGES."""
    with override_settings(DEBUG=debug, HTMX_DEBUG_ERROR_PAGES=debug_pages):
        page = client.get("/accounts/login/").content.decode()
    assert page.count("django_htmx/htmx-2.min.js") == 1
    assert page.count("js/htmx_errors.js") == 1
    assert ("django_htmx/django-htmx.js" in page) is helper
