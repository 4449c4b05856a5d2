"""Every response carries the browser-side defences: a Content-Security-Policy that allows no
inline script, framing refused, a referrer policy, features switched off, no MIME sniffing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from thrive_site.middleware import csp_header_value

from .test_permission_walk import all_patterns, build_path, builders, pattern_kwargs


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def assert_defended(response: Any, where: str, page: bool = True) -> None:
    csp = response.headers.get("Content-Security-Policy")
    assert csp, f"{where}: no Content-Security-Policy"
    policy = directives(csp)
    script_src = policy.get("script-src", policy.get("default-src"))
    assert script_src == ["'self'"], f"{where}: script-src {script_src}"
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "unsafe-eval" not in csp
    if page:  # static files rely on frame-ancestors alone
        assert response.headers.get("X-Frame-Options") == "DENY", where
    assert response.headers.get("Referrer-Policy") == "same-origin", where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    permissions = response.headers.get("Permissions-Policy", "")
    for feature in ("camera", "microphone", "geolocation"):
        assert f"{feature}=()" in permissions, f"{where}: {permissions}"


def own_site_urls(world: Any) -> list[str]:
    """Every URL pattern filled with the signed-in user's own site and objects."""
    known = builders()
    urls = []
    for route, _ns, pattern in all_patterns():
        values = {
            name: (world.a.site.code if name == "site_code" else known[name](world.a))
            for name in pattern_kwargs(pattern)
        }
        urls.append(build_path(route, pattern, values))
    return urls


@pytest.fixture
def production_errors(settings):
    """Django's debug pages (DEBUG on) are left without a policy; the walk sees what
    production sends."""
    settings.DEBUG = False


def test_every_page_carries_the_security_headers(world, production_errors):
    """Walks every URL pattern as the programme lead (who may open the most pages) asking for
    whole pages, and as a project manager asking for htmx fragments, on their own site: pages,
    fragments, downloads, the API, refusals. (Each user asking both ways doubled the walk, to
    26 s on PostgreSQL, for the same middleware.)"""
    urls = own_site_urls(world)
    assert len(urls) > 100
    statuses: dict[int, int] = {}
    for user, headers in ((world.lead, {}), (world.a.pm, {"HX-Request": "true"})):
        # A view's error is answered as a 500 page here: that page needs the headers too.
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for url in urls:
            response = client.get(url, headers=headers)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert_defended(response, f"GET {url} {headers}")
    # The walk reached real pages, not only refusals.
    assert statuses.get(200, 0) > 100, statuses


def test_signed_out_pages_and_refusals_carry_the_security_headers(world, client, settings):
    settings.DEBUG = False
    for url in ("/accounts/login/", "/healthz", "/sites/AAA/", "/no-such-page/", "/api/v1/x"):
        assert_defended(client.get(url), url)
    assert_defended(client.post("/accounts/login/", {"username": "x", "password": "y"}), "login")


def test_static_files_carry_the_security_headers(client, settings):
    """Whitenoise answers before the views; an SVG opened on its own must not run script."""
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = client.get("/static/css/thrive.css")
    assert response.status_code == 200
    assert_defended(response, "static", page=False)


def test_policy_allows_no_inline_script_anywhere(settings):
    csp = csp_header_value(settings.SECURE_CSP)
    assert "'unsafe-inline'" not in directives(csp)["script-src"]
    assert "'unsafe-inline'" not in directives(csp)["default-src"]
    assert csp_header_value({"a": ["x", "y"], "b": [], "c": True}) == "a x y; c"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=|\shx-on[:-]|javascript:", re.IGNORECASE)


def test_templates_hold_no_inline_script_or_handler():
    """The policy would block them; a template that needs one is a defect to fix, not a policy
    to relax. JSON data (`json_script`) is not script and is allowed."""
    from pathlib import Path

    found = []
    for path in Path("templates").rglob("*.html"):
        text = path.read_text()
        for match in INLINE_SCRIPT.finditer(text):
            if 'type="application/json"' not in match.group(0):
                found.append(f"{path}: {match.group(0)}")
        found += [f"{path}: {m.group(0)}" for m in INLINE_HANDLER.finditer(text)]
        if re.search(r"\sstyle\s*=", text) or "<style" in text:
            found.append(f"{path}: inline style")
    assert found == []
