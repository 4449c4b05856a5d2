"""`make tour`: every demo role's main pages in headless Chromium, as a person would see them.

Starts gunicorn with debug off (production settings, whitenoise's hashed static files) on a free
port against a fresh temporary SQLite database holding the demo, signs in as each demo role
through the login form, and from the home page follows the links a person would follow (the site
dashboard, the project, its phases and steps, the toolkit, PDSA cycles, measures, charts,
uploads, events, the learning library, the account page), one page of each kind. Each page is
photographed full-page at 1280 px and 390 px into `var/tour/<role>/<page>-<width>.png`.

Lists, and exits 1 on, any console error, uncaught page error, failed request for the page's
own assets (tests/e2e/page_checks.PageWatch, as the browser tests use) and any page wider than
the window. Look at the pictures too: the checks do not see everything.

    .venv/bin/python scripts/tour.py [--out DIR] [--max-pages N] [--roles lead,pm,...]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, FloatRect, Page  # noqa: E402
from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from benchmarks import served  # noqa: E402
from tests.e2e.page_checks import CHROMIUM, CHROMIUM_ARGS, PageWatch  # noqa: E402

WIDTHS = (1280, 390)
SLICE = 1600
SITE = "NGT"  # the demo's first site; its people sign in for the site roles
ROLES = {
    "lead": "demo-lead",
    "pm": f"demo-pm-{SITE.lower()}",
    "info": f"demo-info-{SITE.lower()}",
    "stakeholder": f"demo-stakeholder-{SITE.lower()}",
}
# Pages each role is taken to as well as those it finds, so that a page reached only through a
# form or from deep in a page (issue 18's equity view and the programme's gap comparison) is
# always seen.
EQUITY = f"/sites/{SITE}/measures/median_wait_days/equity/"
ALSO = {
    "lead": [EQUITY, "/programme/measures/median_wait_days/equity/"],
    "pm": [EQUITY],
    "info": [EQUITY],
    "stakeholder": [EQUITY],
}
# A shared link to the site's dashboard, opened signed out: the dashboard and its equity view.
SHARED_PAGES = ("", "equity/median_wait_days/")
# Links the tour does not follow: leaving, downloads, the admin, forms that change something.
SKIP = re.compile(
    r"/logout|/admin/|/api/|/shared/|/reset/|/password/|\.(pdf|csv|xlsx|ics|json|png|svg)$"
    r"|/export|/chart-data/|/preferences/|/print/|/history/|/sharing/|/new/|/edit/|/remove/|/revoke/|/done/|/delete/|/end-others/|/static/|/media/"
)
# The kind of page a path is: ids and site codes stand for any.
SITE_SEGMENT = re.compile(r"/sites/[^/]+/")
MEASURE_SEGMENT = re.compile(r"/(measures|dictionary)/[^/]+/")
NUMBER = re.compile(r"\d+")

FITS_JS = "() => document.documentElement.scrollWidth <= window.innerWidth"
OVERFLOW_JS = "() => document.documentElement.scrollWidth - window.innerWidth"
DEMO_PASSWORD = re.compile(r'^DEMO_PASSWORD = "([^"]+)"', re.M)
LINKS_JS = "() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"


def page_kind(path: str) -> str:
    path = MEASURE_SEGMENT.sub(r"/\1/X/", SITE_SEGMENT.sub("/sites/X/", path))
    return NUMBER.sub("N", path)


def page_name(path: str) -> str:
    name = path.strip("/").replace("/", "-").replace(".", "-")
    return re.sub(r"[^A-Za-z0-9_-]", "", name) or "home"


def prepare_database(tmp: Path) -> str:
    """A fresh SQLite database with the demo in it (loaded with debug on, as load_demo asks)."""
    url = f"sqlite:///{tmp / 'tour.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "1",
        "DJANGO_FAST_PASSWORD_HASHER": "0",
        "DJANGO_MEDIA_ROOT": str(tmp / "media"),
    }
    env.pop("CELERY_BROKER_URL", None)
    env.pop("CACHE_URL", None)
    for command in (["migrate", "--noinput", "-v", "0"], ["load_demo"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            sys.stderr.write(result.stdout + result.stderr)
            raise SystemExit(f"manage.py {command[0]} failed")
    return url


def _shoot(page: Page, label: str, folder: Path, name: str, *, slices: bool) -> list[str]:
    """Screenshots of the open page at each width; what did not fit."""
    findings: list[str] = []
    for width in WIDTHS:
        if width != WIDTHS[0]:
            # Opened afresh at this width, as a phone would: the header's "More" menu and
            # the charts lay themselves out when the page loads, not always on a resize.
            page.set_viewport_size({"width": width, "height": 900})
            page.reload()
        # A chart may still redraw for the width a moment after the page has loaded.
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(FITS_JS, timeout=1500)
        overflow = page.evaluate(OVERFLOW_JS)
        if overflow > 0:
            findings.append(f"{label}: {overflow} px wider than a {width} px window")
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
        if slices:  # a tall page in pieces a picture viewer can show at full size
            height = page.evaluate("() => document.documentElement.scrollHeight")
            for n, top in enumerate(range(0, height, SLICE)):
                clip = FloatRect(x=0, y=top, width=width, height=min(SLICE, height - top))
                shot = folder / "slices" / f"{name}-{width}-{n}.png"
                page.screenshot(path=str(shot), full_page=True, clip=clip)
    return findings


def shared_link_token(database_url: str) -> str:
    """A shared link to the demo site's dashboard, made as its project manager would."""
    code = (
        "from django.contrib.auth import get_user_model; from projects.models import Site; "
        "from projects.services import shared_link_create; "
        f"site = Site.objects.get(code={SITE!r}); "
        f"user = get_user_model().objects.get(username={ROLES['pm']!r}); "
        "print(shared_link_create(site=site, user=user, label='Tour', days=1)[1])"
    )
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "1"}
    env.pop("CELERY_BROKER_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def tour_role(
    browser: Browser,
    base: str,
    role: str,
    username: str | None,
    out: Path,
    max_pages: int,
    slices: bool,
    start: list[str] | None = None,
) -> tuple[list[str], list[str]]:
    """Signed in as `username` (None: signed out, from the `start` pages only)."""
    watch = PageWatch(base)
    context = watch.watch_context(
        browser.new_context(base_url=base, locale="en-GB", timezone_id="Europe/London")
    )
    page = context.new_page()
    if username is not None:
        found = DEMO_PASSWORD.search((ROOT / "projects" / "demo.py").read_text())
        if found is None:
            raise RuntimeError("projects/demo.py names no demo password")
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(found.group(1))
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        if "/accounts/login/" in page.url:
            raise RuntimeError(f"{username} could not sign in")

    findings: list[str] = []
    seen_kinds: set[str] = set()
    queue: deque[str] = deque(start or ["/", *ALSO.get(role, [])])
    visited: list[str] = []
    (out / role / "slices").mkdir(parents=True, exist_ok=True)
    while queue and len(visited) < max_pages:
        path = queue.popleft()
        kind = page_kind(path)
        if kind in seen_kinds:
            continue
        seen_kinds.add(kind)
        before = len(watch.problems)
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        try:
            response = page.goto(path)
        except PlaywrightError as error:  # a download, not a page
            findings.append(f"{role} {path}: not a page ({error.message.splitlines()[0]})")
            continue
        status = response.status if response else 0
        if status >= 400:
            findings.append(f"{role} {path}: answered {status}")
        visited.append(path)
        name = page_name(path)
        links = page.evaluate(LINKS_JS)
        findings += _shoot(page, f"{role} {path}", out / role, name, slices=slices)
        findings.extend(f"{role} {problem}" for problem in watch.problems[before:])
        for link in links:
            url = urldefrag(link).url
            parts = urlsplit(url)
            if parts.netloc != urlsplit(base).netloc or parts.query or SKIP.search(parts.path):
                continue
            if page_kind(parts.path) not in seen_kinds:
                queue.append(parts.path)
    context.close()
    return visited, findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "tour")
    parser.add_argument("--max-pages", type=int, default=60, help="per role")
    parser.add_argument(
        "--slices", action="store_true", help=f"also save each page in {SLICE} px tall pieces"
    )
    parser.add_argument(
        "--roles", default=",".join([*ROLES, "shared"]), help="comma-separated; shared: signed out"
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    (ROOT / "var").mkdir(exist_ok=True)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        url = prepare_database(Path(tmp))
        served.prepare_environment(url)
        os.environ["DJANGO_MEDIA_ROOT"] = str(Path(tmp) / "media")
        findings: list[str] = []
        total = 0
        with served.served() as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for role in args.roles.split(","):
                if role == "shared":
                    token = shared_link_token(url)
                    start = [f"/shared/{token}/{page}" for page in SHARED_PAGES]
                    visited, found = tour_role(
                        browser, base, role, None, args.out, args.max_pages, args.slices, start
                    )
                else:
                    visited, found = tour_role(
                        browser, base, role, ROLES[role], args.out, args.max_pages, args.slices
                    )
                total += len(visited)
                findings.extend(found)
                print(f"{role} ({ROLES.get(role, 'signed out')}): {len(visited)} pages")
                for path in visited:
                    print(f"  {path}")
            browser.close()
    print(f"\n{total} pages x {len(WIDTHS)} widths in {time.monotonic() - started:.0f} s")
    print(f"Screenshots: {args.out}")
    if findings:
        print(f"\n{len(findings)} finding(s):")
        for finding in findings:
            print(f"  {finding}")
        return 1
    print("No console errors, failed requests or pages wider than the window.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
