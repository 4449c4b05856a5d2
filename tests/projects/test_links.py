"""Links people type (event presentations, evidence) never lead off site by a trick the
browser reads as another host."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from projects import links

OFF_SITE = [
    "/\\evil.example/",
    "/\t/evil.example",
    "/\n/evil.example",
    "//evil.example/",
    "/ /evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "https://evil.example/",
    "sites/NGT/",
    "/%09/evil.example",
]


@pytest.mark.parametrize("link", OFF_SITE)
def test_site_path_refuses_links_a_browser_would_follow_elsewhere(link):
    if link == "/%09/evil.example":
        # Percent-encoded characters stay in the path: browsers do not decode them to a host.
        assert links.site_path(link) == link
        return
    with pytest.raises(ValidationError):
        links.site_path(link)


@pytest.mark.parametrize("link", ["/sites/NGT/", "/library/?q=triage", "/sites/NGT/pdsa/3/#study"])
def test_site_path_keeps_pages_of_this_site(link):
    assert links.site_path(link) == link


@pytest.mark.parametrize(
    "url",
    [
        "http://example.nhs.uk/doc",
        "javascript:alert(1)",
        "https://ex ample.nhs.uk/",
        "https:/\\evil",
        "https://\tevil.example",
        "ftp://example.nhs.uk/",
        "/sites/NGT/",
    ],
)
def test_https_url_refuses_anything_but_an_https_address(url):
    with pytest.raises(ValidationError):
        links.https_url(url)


def test_https_url_keeps_an_https_address():
    url = "https://future.nhs.uk/THRIVE/view?objectId=123"
    assert links.https_url(url) == url


@pytest.mark.django_db
@pytest.mark.parametrize("link", ["/\\evil.example/", "/\t/evil.example"])
def test_event_presentation_refuses_off_site_links(world, client_as, link):
    from projects.models import EventPresentation
    from tests.projects.test_dashboards import make_event

    event = make_event(world.programme, days=-1)
    response = client_as(world.a.pm).post(
        f"/sites/{world.a.site.code}/events/{event.pk}/",
        {"presentation-title": "x", "presentation-link": link},
    )
    assert response.status_code == 200
    assert b"Paste the address of a THRIVE Tracker page" in response.content
    assert not EventPresentation.objects.exists()
    from projects import services

    with pytest.raises(ValidationError):
        services.event_presentation_add(
            event=event, site=world.a.site, user=world.a.pm, title="x", link=link
        )
