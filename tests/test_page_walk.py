"""Walk the pages each role reaches by following links from its dashboards, as a person would,
and check what the pages offer: nothing the reader's role refuses, and forms that speak the
design system's voice.

Site A holds one of every object the permission walk builds (tests/<app>/url_kwargs.py) and a
chart with a recent signal, so edit, add and delete links have something to appear on.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from measures.charts import services as chart_services
from measures.models import Measure
from tests.measures.charting import JUMP, put_series

from .conftest import World
from .test_permission_walk import builders

# Files and pages that are not a page to read: downloads, the admin, the API, signing out.
SKIP = re.compile(
    r"^/(admin|api|static|media|shared)/|/logout/|\.(pdf|csv|xlsx|ics|png|svg)$|/export|/download"
    r"|/evidence/\d+/$"
)
PAGE_LIMIT = 250
PER_KIND = 2
DJANGO_REQUIRED = "This field is required."
# Proper names that a careless `|lower` or `.title()` gets wrong.
MISCASED = re.compile(r"\b(Swot|swot|Pdsa|pdsa|Nhs|Thrive Tracker|Camhs)\b")


@dataclass
class Form:
    action: str
    method: str
    radios: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)


class Page(HTMLParser):
    """What a page offers: links, forms (with their radio groups), htmx requests, labels."""

    def __init__(self, url: str, status: int, html: str) -> None:
        super().__init__()
        self.url, self.status, self.html = url, status, html
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.requests: list[tuple[str, str]] = []  # (method, url) of hx-get, hx-post...
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append(
                Form(action=a.get("action") or self.url, method=(a.get("method") or "get").lower())
            )
        elif tag == "input" and a.get("type") == "radio" and self.forms:
            group = self.forms[-1].radios.setdefault(a.get("name", ""), [])
            group.append((a.get("value", ""), "required" in a))
        for method in ("get", "post", "put", "patch", "delete"):
            if a.get(f"hx-{method}"):
                self.requests.append((method, a[f"hx-{method}"]))

    def offers(self) -> list[tuple[str, str]]:
        """Every (method, path) the page invites the reader to use."""
        found = [("get", href) for href in self.links]
        found += [(form.method, form.action) for form in self.forms]
        return [(m, _path(u, self.url)) for m, u in found + self.requests if _path(u, self.url)]


def _path(url: str, base: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return ""
    path = parts.path or urlsplit(base).path
    if not path.startswith("/"):
        return ""
    return path + (f"?{parts.query}" if parts.query else "")


def crawl(client: Any, roots: list[str], limit: int = PAGE_LIMIT) -> dict[str, Page]:
    """GET every page reachable from `roots` by links (and redirects), up to `limit` pages and
    `PER_KIND` pages of each kind (addresses that differ only in their numbers)."""
    pages: dict[str, Page] = {}
    kinds: dict[str, int] = {}
    queue = list(roots)
    while queue and len(pages) < limit:
        url = queue.pop(0)
        if url in pages or SKIP.search(urlsplit(url).path):
            continue
        kind = re.sub(r"\d+", "N", url)
        if kinds.get(kind, 0) >= PER_KIND:
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        response = client.get(url)
        if response.status_code in (301, 302):
            queue.insert(0, _path(response["Location"], url))
            pages[url] = Page(url, response.status_code, "")
            continue
        html = response.content.decode() if "html" in response.get("Content-Type", "") else ""
        page = pages[url] = Page(url, response.status_code, html)
        queue += [path for method, path in page.offers() if method == "get" and path not in pages]
    return pages


def roots(world: World, role: str) -> list[str]:
    """Where a role starts: its dashboards (and, for a programme lead, the programme's)."""
    site = world.a.site
    programme = [reverse("projects:programme")] if role == "lead" else []
    return [
        *programme,
        "/",
        site.get_absolute_url(),
        world.a.project.get_absolute_url(),
        reverse("toolkit:index", args=[site.code, world.a.project.pk]),
        reverse("measures:site-data", args=[site.code]),
        reverse("measures:chart", args=[site.code, "median_wait_days"]),
        reverse("account"),
        reverse("measures:measure-list"),
    ]


@pytest.fixture
def filled(world: World, settings: Any, tmp_path: Any) -> World:
    """Site A with one of everything, and a chart whose latest weeks signal."""
    settings.MEDIA_ROOT = tmp_path / "media"
    for build in builders().values():
        build(world.a)
    start = dt.date.today() - dt.timedelta(weeks=len(JUMP) + 1)
    start -= dt.timedelta(days=start.weekday())
    put_series(world.a.site, "median_wait_days", JUMP, start=start)
    wait = Measure.objects.get(code="median_wait_days")
    chart_services.chart_rebuild(site_id=world.a.site.pk, measure_id=wait.pk, force=True)
    return world


def refused_offers(client: Any, pages: dict[str, Page]) -> list[tuple[str, str]]:
    """Every link, form and htmx request on the pages that answers the reader 403."""
    refused = [("get", url) for url, page in pages.items() if page.status == 403]
    tried: set[tuple[str, str]] = set()
    for page in pages.values():
        for method, path in page.offers():
            if method == "get" or (method, path) in tried or SKIP.search(path):
                continue
            tried.add((method, path))
            if getattr(client, method)(path, {"walk": "1"}).status_code == 403:
                refused.append((method, f"{path} (offered on {page.url})"))
    return refused


def user_of(world: World, role: str) -> Any:
    return world.lead if role == "lead" else world.a.user(role)


@pytest.mark.parametrize("role", ["stakeholder", "info", "pm", "lead"])
def test_pages_offer_only_what_the_readers_role_may_do(filled, client_as, role):
    """Every link, form and htmx request on the pages a role reaches answers it, never 403."""
    client = client_as(user_of(filled, role))
    pages = crawl(client, roots(filled, role))
    assert len(pages) > 20
    assert refused_offers(client, pages) == []


def test_a_stakeholder_is_not_asked_for_a_note_they_cannot_add(filled, client_as):
    """The site dashboard asks "why did this happen?" of those who may add a note."""
    site_url = filled.a.site.get_absolute_url()
    prompt = "Add a note: why did this happen?"
    assert prompt in client_as(filled.a.pm).get(site_url).content.decode()
    assert prompt in client_as(filled.a.info).get(site_url).content.decode()
    assert prompt not in client_as(filled.a.stakeholder).get(site_url).content.decode()


@pytest.mark.parametrize("role", ["pm", "info", "lead"])
def test_forms_speak_the_design_systems_voice(filled, client_as, role):
    """No required radio group offers an empty choice, no label says "(optional)" twice, names
    keep their capitals, and no form sent empty answers "This field is required."."""
    client = client_as(user_of(filled, role))
    pages = crawl(client, roots(filled, role))
    problems = []
    posts = set()
    for url, page in pages.items():
        if "(optional) (optional)" in page.html:
            problems.append((url, "(optional) twice"))
        for match in MISCASED.finditer(re.sub(r"<[^>]+>", " ", page.html)):
            problems.append((url, f"miscased name {match.group(0)!r}"))
        for form in page.forms:
            for name, options in form.radios.items():
                if any(required for _, required in options) and any(v == "" for v, _ in options):
                    problems.append((url, f"required radios {name!r} offer an empty choice"))
            if form.method == "post" and not SKIP.search(_path(form.action, url)):
                posts.add(_path(form.action, url))
    assert len(posts) > 10
    for path in sorted(posts):
        # A key of its own makes the form bound ("request.POST or None" treats {} as unbound).
        response = client.post(path, {"walk": "1"})
        if response.status_code >= 500:
            problems.append((path, f"empty form answered {response.status_code}"))
        elif DJANGO_REQUIRED in response.content.decode(errors="replace"):
            problems.append((path, DJANGO_REQUIRED))
    assert problems == []
