"""An htmx request that fails shows an error message in place, never nothing (issue 12.2):
static/js/htmx_errors.js, loaded on every page by the base template."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

ERROR_PAGE = (
    "<!doctype html><html><body><main><h1>Sorry, there is a problem with the service</h1>"
    "<p>Something went wrong on our side. It has been logged.</p></main></body></html>"
)


def _fail_htmx(page, how: str) -> None:
    def handle(route) -> None:
        if route.request.headers.get("hx-request") != "true":
            route.continue_()
        elif how == "500":
            route.fulfill(status=500, content_type="text/html; charset=utf-8", body=ERROR_PAGE)
        else:
            route.abort("internetdisconnected")

    page.route(re.compile(r"/library/\?"), handle)


def _expected_only(page_watch) -> None:
    """The failures this test made happen (the requests, and htmx's own console lines about
    them) are the only problems the watch saw."""
    made = ("/library/?", "/static/django_htmx/htmx")
    unexpected = [p for p in page_watch.problems if not any(m in p for m in made)]
    assert len(unexpected) < len(page_watch.problems), "the failure was not seen at all"
    page_watch.problems[:] = unexpected


def test_a_failed_htmx_request_says_so_in_place(page, page_watch, demo, login, axe):
    login(page, "demo-stakeholder-ngt")
    page.goto("/library/")
    results = page.locator("#results")
    expect(results.locator("h2")).to_contain_text("results")

    _fail_htmx(page, "500")
    page.get_by_role("textbox", name=re.compile("^Search")).fill("drop-in")
    page.get_by_role("button", name="Show results").click()
    message = page.locator(".thrive-htmx-error")
    expect(message).to_have_count(1)
    expect(message).to_have_text(
        "Error: Sorry, there is a problem with the service. "
        "Something went wrong on our side. It has been logged. Try again."
    )
    expect(message).to_have_attribute("role", "alert")
    expect(message).to_have_class(re.compile("nhsuk-error-message"))
    axe(page)

    # The server out of reach: a message of its own, replacing the first.
    page.unroute(re.compile(r"/library/\?"))
    _fail_htmx(page, "offline")
    page.get_by_role("button", name="Show results").click()
    expect(message).to_have_count(1)
    expect(message).to_contain_text("You are offline or the server could not be reached")

    # Back to normal: the message goes when a request succeeds.
    page.unroute(re.compile(r"/library/\?"))
    page.get_by_role("button", name="Show results").click()
    expect(results).to_contain_text("Saturday drop-in")
    expect(message).to_have_count(0)
    _expected_only(page_watch)
