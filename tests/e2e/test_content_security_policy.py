"""No page breaks its own Content-Security-Policy: a browser crawls the demo as the programme
lead and as a project manager, and any violation fails, as Chromium's console reports it and as
the page's `securitypolicyviolation` event sees it (registered before any script of the page
runs, so a blocked style counts even when nothing looks broken). An uncaught page error fails
too: a script the policy broke may say so only that way.
"""

from __future__ import annotations

from collections import deque
from typing import Any
from urllib.parse import urldefrag, urlparse

import pytest
from playwright.sync_api import ConsoleMessage
from playwright.sync_api import Error as PlaywrightError

pytestmark = pytest.mark.e2e

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(
    `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ` +
    `${e.sourceFile}:${e.lineNumber} ${e.sample}`
  );
});
"""
# Downloads and actions: a GET of these leaves the page or starts a file, not a page to check.
SKIP = ("/logout", "/admin", ".csv", ".ics", ".pdf", ".png", ".svg", ".xlsx", "download", "export")
MAX_PAGES = 45


def crawl(page: Any, starts: list[str], origin: str) -> tuple[list[str], list[str]]:
    """Visit the pages reachable by links from `starts`, breadth first; return the pages
    visited and every problem found."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            problems.append(f"{page.url}: console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    queue, seen = deque(starts), set(starts)
    visited: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        try:
            response = page.goto(url)
        except PlaywrightError as error:  # a link that turned out to be a download
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        visited.append(url)
        problems += [f"{url}: {v}" for v in page.evaluate("window.__violations")]
        for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"):
            href = urldefrag(href).url
            parsed = urlparse(href)
            if f"{parsed.scheme}://{parsed.netloc}" != origin or href in seen:
                continue
            if any(part in parsed.path for part in SKIP):
                continue
            seen.add(href)
            queue.append(href)
    return visited, problems


CHART = "/sites/NGT/measures/median_wait_days/"


@pytest.mark.parametrize("username", ["demo-lead", "demo-pm-ngt"])
def test_pages_keep_to_the_content_security_policy(page, demo, login, live_url, username):
    page.add_init_script(WATCH)
    login(page, username)
    # The pages that draw with script first (a run chart and the comparison), then the rest.
    starts = [live_url + CHART, live_url + CHART + "compare/", live_url + "/"]
    visited, problems = crawl(page, starts, live_url)
    assert len(visited) > 20, visited
    assert problems == []
