"""The browser tests' page watch fails on what a person would see go wrong, naming the page: a
console error, an uncaught exception, a CSP violation, one of the site's own files missing. It
stays quiet on another site's files and on a page the test asked to be refused."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .page_checks import PageWatch

ORIGIN = "http://thrive.test"
PAGES: dict[str, tuple[int, str, dict[str, str]]] = {
    "/clean/": (200, "<title>Clean</title><p>Nothing wrong here.", {}),
    "/logs-an-error/": (
        200,
        "<title>E</title><script>console.error('chart data missing')</script>",
        {},
    ),
    "/throws/": (200, "<title>T</title><script>null.draw()</script>", {}),
    "/known/": (200, "<title>K</title><script>console.error('a known message')</script>", {}),
    "/missing-asset/": (200, '<title>M</title><script src="/static/js/gone.js"></script>', {}),
    "/missing-elsewhere/": (200, '<title>X</title><img alt="" src="http://cdn.test/gone.png">', {}),
    "/refused/": (403, "<title>Refused</title><p>You cannot see this page.", {}),
    "/blocked-by-csp/": (
        200,
        '<title>C</title><img alt="" src="/static/img/logo.png">',
        {"Content-Security-Policy": "img-src 'none'"},
    ),
    "/static/img/logo.png": (200, "", {"Content-Type": "image/png"}),
}


def serve(route: Any) -> None:
    url = route.request.url
    path = url.removeprefix(ORIGIN) if url.startswith(ORIGIN) else None
    status, body, headers = PAGES.get(path or "", (404, "not here", {}))
    route.fulfill(status=status, body=body, headers={"Content-Type": "text/html", **headers})


@pytest.fixture
def visit(browser: Any) -> Iterator[Callable[[str], PageWatch]]:
    """visit(path) -> the watch, once the page at `path` has loaded and its context closed."""
    contexts: list[Any] = []

    def open_path(path: str) -> PageWatch:
        watch = PageWatch(ORIGIN, allowed=("a known message",))
        context = watch.watch_context(browser.new_context(base_url=ORIGIN))
        contexts.append(context)
        context.route("**/*", serve)
        context.new_page().goto(path)
        context.close()
        return watch

    yield open_path
    for context in contexts:
        context.close()


def failure(watch: PageWatch) -> str:
    with pytest.raises(AssertionError) as raised:
        watch.check()
    return str(raised.value)


def test_a_console_error_fails_naming_the_page_and_the_message(visit):
    message = failure(visit("/logs-an-error/"))
    assert f"on {ORIGIN}/logs-an-error/: console error: chart data missing" in message


def test_an_uncaught_exception_fails(visit):
    message = failure(visit("/throws/"))
    assert f"on {ORIGIN}/throws/: uncaught TypeError" in message


def test_a_missing_file_of_the_site_fails_naming_it_and_its_status(visit):
    message = failure(visit("/missing-asset/"))
    assert f"GET {ORIGIN}/static/js/gone.js answered 404" in message
    assert "Failed to load resource" not in message  # said once, by the request rule


def test_a_csp_violation_fails(visit):
    message = failure(visit("/blocked-by-csp/"))
    assert "CSP violation: img-src refused" in message


def test_a_clean_page_a_refused_page_and_other_sites_files_pass(visit):
    for path in ("/clean/", "/refused/", "/missing-elsewhere/", "/known/"):
        visit(path).check()
