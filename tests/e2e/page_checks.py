"""What a person would see go wrong on a page that axe-core does not look for: console errors,
uncaught exceptions, Content-Security-Policy violations and the page's own requests that fail.

Used by the browser tests (the `page` fixture in conftest.py) and by `make tour`; no Django.
"""

from __future__ import annotations

import os
import shutil
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# Console errors and uncaught exceptions known today, each allowed until the change that
# removes it lands (matched as a substring of the message). None now.
KNOWN_CONSOLE_ERRORS: tuple[str, ...] = ()

# Chromium reports a violation in the console too, but not one of a report-only policy, and
# not in the same words across versions: the page's own event says it plainly.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    `CSP violation: ${event.effectiveDirective} refused ${event.blockedURI || "inline code"}` +
      ` (${event.disposition})`
  );
});
"""

# Chromium logs every response >= 400 as "Failed to load resource"; the request rules below
# judge those instead, since they know the request's origin and whether it was a navigation.
FAILED_LOAD_PREFIX = "Failed to load resource:"
# A request the page itself gave up on (navigating away, a download): not the server failing.
ABORTED = "net::ERR_ABORTED"


def origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


class PageWatch:
    """Collects problems on every page of the browser contexts it watches; `check()` fails with
    one line per problem, each naming the page it happened on.

    - any console error and any uncaught exception (except KNOWN_CONSOLE_ERRORS);
    - any CSP violation, enforced or report-only;
    - any request to the site's own origin that fails (network error) or answers 4xx/5xx,
      except a 4xx answer to the page's own navigation, which a test may be asking for (a
      refused page, a form sent back with its errors). A 5xx navigation is always a problem.
    """

    def __init__(self, base_url: str, allowed: tuple[str, ...] = KNOWN_CONSOLE_ERRORS) -> None:
        self.origin = origin(base_url)
        self.allowed = allowed
        self.problems: list[str] = []

    def watch_context(self, context: Any) -> Any:
        """Watch every page this context opens from now on (popups too)."""
        context.add_init_script(CSP_LISTENER)
        context.on("page", self.watch_page)
        return context

    def watch_page(self, page: Any) -> Any:
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self._page_error(page, error))
        page.on("requestfailed", lambda request: self._request_failed(page, request))
        page.on("response", lambda response: self._response(page, response))
        return page

    def check(self) -> None:
        assert not self.problems, "the browser saw problems a person would see:\n" + "\n".join(
            f"  {problem}" for problem in self.problems
        )

    def _add(self, page: Any, problem: str) -> None:
        self.problems.append(f"on {page.url}: {problem}")

    def _is_allowed(self, text: str) -> bool:
        return any(known in text for known in self.allowed)

    def _console(self, page: Any, message: Any) -> None:
        if message.type != "error" or message.text.startswith(FAILED_LOAD_PREFIX):
            return
        if not self._is_allowed(message.text):
            source = message.location.get("url") or ""
            self._add(page, f"console error: {message.text}" + (f" ({source})" if source else ""))

    def _page_error(self, page: Any, error: Any) -> None:
        text = f"{error.name}: {error.message}"
        if not self._is_allowed(text):
            self._add(page, f"uncaught {text}")

    def _request_failed(self, page: Any, request: Any) -> None:
        failure = request.failure or "failed"
        if origin(request.url) == self.origin and ABORTED not in failure:
            self._add(page, f"{request.method} {request.url} failed: {failure}")

    def _response(self, page: Any, response: Any) -> None:
        if response.status < 400 or origin(response.url) != self.origin:
            return
        request = response.request
        own_navigation = request.is_navigation_request() and request.frame.parent_frame is None
        if response.status >= 500 or not own_navigation:
            self._add(page, f"{request.method} {response.url} answered {response.status}")
