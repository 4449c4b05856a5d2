"""A chart page in headless Chromium, as a person waits for it (issue 12.7).

The demo in a temporary SQLite database, served by gunicorn with debug off (benchmarks.served,
whitenoise's compressed static files); a project manager's chart page opened 5 times, each in
a fresh browser context (cold cache). Targets: the chart drawn (plotly's SVG in the chart's
box) within 1.5 s of the navigation starting, median of 5; and the JavaScript the page loads
under 1.5 MB before compression.
"""

from __future__ import annotations

import functools
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks import served

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5
CHART_PAGE = "/sites/NGT/measures/median_wait_days/"
USER = "demo-pm-ngt"
DRAWN = "[data-chart] .main-svg"
TARGET_MS = 1500
TARGET_JS_BYTES = 1.5 * 1024 * 1024

if TYPE_CHECKING:
    from playwright.sync_api import Response


def _count_script(into: list[int], response: Response) -> None:
    if response.request.resource_type == "script":
        into.append(len(response.body()))


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from scripts.tour import prepare_database
    from tests.e2e.page_checks import CHROMIUM, CHROMIUM_ARGS

    with tempfile.TemporaryDirectory() as tmp:
        url = prepare_database(Path(tmp))
        served.prepare_environment(url)
        os.environ["DJANGO_MEDIA_ROOT"] = str(Path(tmp) / "media")
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from playwright.sync_api import sync_playwright

        cookie = served.signed_in_cookie(get_user_model().objects.get(username=USER))
        name, value = cookie.split("=", 1)
        times: list[float] = []
        js_bytes: list[int] = []
        with served.served() as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(RUNS):
                context = browser.new_context(base_url=base)  # a cold cache each time
                context.add_cookies([{"name": name, "value": value, "url": base}])
                page = context.new_page()
                scripts: list[int] = []
                page.on("response", functools.partial(_count_script, scripts))
                response = page.goto(CHART_PAGE)
                if response is None or response.status != 200:
                    raise RuntimeError(f"{CHART_PAGE} answered {response and response.status}")
                page.wait_for_selector(DRAWN, timeout=30_000)
                times.append(page.evaluate("() => performance.now()"))
                page.wait_for_load_state("networkidle")
                js_bytes.append(sum(scripts))
                context.close()
            browser.close()
    median = statistics.median(times)
    print(f"chart page {CHART_PAGE}, {RUNS} cold loads: " + ", ".join(f"{t:.0f}" for t in times))
    ok = served.verdict("chart drawn, median", median, TARGET_MS)
    ok &= served.verdict("JavaScript loaded", max(js_bytes) / 1024, TARGET_JS_BYTES / 1024, "KB")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
