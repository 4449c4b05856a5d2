"""Browser journeys: Playwright driving Debian's Chromium against a live server, with axe-core.

Without a broker (SQLite run) the server is pytest-django's in-process live server and tasks run
eagerly. With CELERY_BROKER_URL set (PostgreSQL run) the server is gunicorn plus a real
`celery worker` process, both pointed at the test database.
"""

from __future__ import annotations

import copy
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from django.conf import settings
from django.test import override_settings
from playwright.sync_api import Error as PlaywrightError

from .page_checks import CHROMIUM, CHROMIUM_ARGS, PageWatch
from .snapshot import DatabaseSnapshot

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
# synchronous, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = Path(__file__).with_name("vendor") / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}
# What Chromium says when a script runs on a document that a navigation is replacing.
NAVIGATING = re.compile(r"Execution context was destroyed|reading 'documentElement'|navigat")
# The worker of the broker run listens on a queue of its own; the test process sends there too.
E2E_QUEUE = f"thrive-e2e-{os.getpid()}"


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    have_browser = Path(CHROMIUM).exists()
    for item in items:
        if "tests/e2e/" not in str(item.fspath).replace(os.sep, "/"):
            continue
        item.add_marker(pytest.mark.e2e)
        # Browser tests write through a live server, so they need committed data.
        item.add_marker(pytest.mark.django_db(transaction=True))
        if not have_browser:
            if os.environ.get("E2E_REQUIRED") == "1":
                item.add_marker(pytest.mark.xfail(reason=f"no Chromium at {CHROMIUM}", strict=True))
            else:
                item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@pytest.fixture(scope="session")
def e2e_media_root(tmp_path_factory: Any) -> Iterator[Path]:
    """Uploads of the browser tests (and the demo's) go to a folder of this session's own, not
    to var/media, which parallel sessions would share."""
    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=media):
        yield media


@pytest.fixture(scope="session")
def external_server(
    django_db_setup: Any, e2e_media_root: Path, tmp_path_factory: Any
) -> Iterator[dict[str, Any]]:
    """gunicorn and a Celery worker as separate processes, on the test database."""
    from django.db import connection

    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    mail_dir = tmp_path_factory.mktemp("mail")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "1",
        # A failed htmx request shows the service's message in place, as in production, not
        # django-htmx's debug takeover by Django's technical error page.
        "DJANGO_HTMX_DEBUG_ERROR_PAGES": "0",
        # This stack lives the whole session on the xdist worker's test database, which the
        # fault tests (tests/faults) share with stacks of their own: its beat must not hand
        # their uploads to this worker (whose media folder has not got their files).
        "UPLOAD_SWEEP_EVERY_SECONDS": "86400",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CELERY_TASK_DEFAULT_QUEUE": E2E_QUEUE,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "DJANGO_MEDIA_ROOT": str(e2e_media_root),
        # The servers share the test process's cache keys (tests/conftest.py), so clearing the
        # cache before a test clears what the servers counted too.
        "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
    }
    bin_dir = Path(sys.executable).parent
    logs = tmp_path_factory.mktemp("logs")
    web = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "thrive_site.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(logs / "web.log", "w"),  # noqa: SIM115 - lives as long as the process
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [
            str(bin_dir / "celery"),
            "-A",
            "thrive_site",
            "worker",
            "--pool=solo",
            "-Q",
            env["CELERY_TASK_DEFAULT_QUEUE"],
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(logs / "worker.log", "w"),  # noqa: SIM115 - lives as long as the process
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    processes = (web, worker)
    from thrive_site.celery import app

    app.conf.task_default_queue = E2E_QUEUE
    try:
        _wait_for(f"{base_url}/healthz", web)
        yield {
            "url": base_url,
            "mail_dir": mail_dir,
            "logs": logs,
            "worker": worker,
            "env": env,
        }
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


SEEDED_APPS = {"projects", "phases", "measures", "toolkit"}


def _run_seeds() -> None:
    """Run the data migrations' seeds again: a transactional test ends with a flush that
    empties every table, including the standard steps, principles and measures."""
    from django.apps import apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    loader = MigrationLoader(connection)
    leaves = [node for node in loader.graph.leaf_nodes() if node[0] in SEEDED_APPS]
    for key in _plan(loader, leaves):
        if key[0] not in SEEDED_APPS:
            continue
        for operation in loader.graph.nodes[key].operations:
            # Data seeds are the functions named `seed`; other RunPython steps move tables
            # about (e.g. measures 0005 rebuilding DataPoint) and must not run again.
            if (
                isinstance(operation, RunPython)
                and getattr(operation.code, "__name__", "") == "seed"
            ):
                seed = cast("Callable[..., None]", operation.code)
                seed(apps, None)


def _plan(loader: Any, leaves: list[tuple[str, str]]) -> list[tuple[str, str]]:
    plan: list[tuple[str, str]] = []
    for leaf in leaves:
        for key in loader.graph.forwards_plan(leaf):
            if key not in plan:
                plan.append(key)
    return plan


@pytest.fixture(scope="session")
def demo_snapshot(
    django_db_setup: Any, django_db_blocker: Any, e2e_media_root: Path
) -> tuple[Any, DatabaseSnapshot]:
    """The demo programme, loaded once per session through the product's own services, and a
    snapshot of the whole database holding it. Its tasks (chart rebuilds) run in-process, so
    the demo is complete before any journey starts."""
    from django.core.management import call_command
    from django.db import connection

    from projects.demo import demo_load
    from thrive_site.celery import app

    with django_db_blocker.unblock():
        # From whatever earlier tests left to the state after migrations (content types and
        # permissions come back with the flush, the seeds after it), then the demo.
        call_command("flush", interactive=False, verbosity=0)
        _run_seeds()
        previous = app.conf.task_always_eager
        app.conf.task_always_eager = True
        try:
            world = demo_load()
        finally:
            app.conf.task_always_eager = previous
        return world, DatabaseSnapshot(connection)


@pytest.fixture
def demo(transactional_db: Any, demo_snapshot: tuple[Any, DatabaseSnapshot]) -> Iterator[Any]:
    """The demo programme, as loaded once per session: the database is set back to the snapshot
    before the test (which may write to it), and the test gets its own copy of the objects."""
    from django.db import connection

    world, snapshot = demo_snapshot
    _end_other_sessions(connection)
    snapshot.restore(connection)
    yield copy.deepcopy(world)
    _end_other_sessions(connection)  # before the flush that ends a transactional test


def _end_other_sessions(connection: Any) -> None:
    """End the server processes' sessions on the test database before its tables are emptied.
    A task still running after a test (a chart rebuild, an upload sent back to wait its turn)
    holds locks the flush's TRUNCATE waits on, and a deadlock fails the test (seen in CI).
    Harmless to them: they open a connection per request and per task (CONN_MAX_AGE 0) and
    check it before use (CONN_HEALTH_CHECKS)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def live_url(request: Any) -> str:
    """Base URL of the server under test (no trailing slash)."""
    if settings.CELERY_BROKER_URL:
        return request.getfixturevalue("external_server")["url"]
    return request.getfixturevalue("live_server").url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_watch(live_url: str) -> PageWatch:
    """The problems seen on every page of this test (page_checks.PageWatch says which)."""
    return PageWatch(live_url)


@pytest.fixture
def new_page(browser: Any, live_url: str, page_watch: PageWatch) -> Iterator[Callable[[], Any]]:
    """new_page() -> a page in a browser context of its own (another person), watched like
    `page`; the test fails at teardown on anything the watch saw."""
    contexts: list[Any] = []

    def open_page() -> Any:
        context = browser.new_context(base_url=live_url, accept_downloads=True)
        context.set_default_timeout(15_000)
        contexts.append(page_watch.watch_context(context))
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    page_watch.check()


@pytest.fixture
def page(new_page: Callable[[], Any]) -> Any:
    """The test's browser page. Besides what the test asserts, it fails on any console error,
    uncaught exception, CSP violation or failed request for the site's own files, on every
    page it visits."""
    return new_page()


@pytest.fixture
def axe() -> Callable[[Any], None]:
    """axe(page): fail on any serious or critical accessibility violation of the current page."""

    def run(page: Any) -> list[dict[str, Any]]:
        # Evaluated, not added as a <script> tag: the page's Content-Security-Policy refuses
        # inline scripts, as it should.
        page.wait_for_load_state()
        page.evaluate(AXE_JS.read_text())
        return page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )

    def check(page: Any) -> None:
        # A click on a link returns before the next page has replaced this one: axe can start
        # on the document being torn down. Then it runs again on the page that arrived.
        for attempt in range(3):
            try:
                violations = run(page)
                break
            except PlaywrightError as error:
                if attempt == 2 or not NAVIGATING.search(str(error)):
                    raise
                page.wait_for_timeout(200)
        blocking = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(node["target"][0] for node in v["nodes"][:3])
            for v in violations
            if v.get("impact") in BLOCKING_IMPACTS
        ]
        assert blocking == [], f"axe-core on {page.url}:\n" + "\n".join(blocking)

    return check


@pytest.fixture
def login(axe: Callable[[Any], None]) -> Callable[..., None]:
    """login(page, username): sign in through the login form (checking its accessibility)."""
    from projects.demo import DEMO_PASSWORD

    def sign_in(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
        page.goto("/accounts/login/")
        axe(page)
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, f"{username} could not log in"

    return sign_in


@pytest.fixture
def beat(external_server: dict[str, Any]) -> Iterator[subprocess.Popen]:
    """Celery beat for the test that asks for it, sending the weekly digest every few seconds
    instead of on Monday mornings. Not part of the session's stack: its digests would write
    into the shared test database under other tests (a backup's row counts, for one)."""
    logs = external_server["logs"]
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "thrive_site",
            "beat",
            "--schedule",
            str(logs / "beat-schedule"),
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env={**external_server["env"], "DIGEST_EVERY_SECONDS": "4"},
        stdout=open(logs / "beat.log", "a"),  # noqa: SIM115 - closed with the process
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
