"""Walk every URL pattern as each role of site A and prove nothing of site B can be read or changed.

Each app registers how to build its URL kwargs from a site's objects in
`tests/<app>/url_kwargs.py` (`BUILDERS = {"kwarg_name": lambda site_world: value}`). A URL kwarg
with no builder fails this test, so a new view cannot escape the walk.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

import tests
from projects.permissions import ACCESS_ATTR

from .conftest import SiteWorld, World

SKIP_NAMESPACES = {"admin"}
# Objects a response may reveal only through its status: 403, 404 or 405; 302 only to log in.
REFUSED = {403, 404, 405}
# Rows the walk itself may write (sessions of the signed-in clients, the login cache, token use).
IGNORED_TABLES = {"django_session"}


def iter_patterns(
    resolvers: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in SKIP_NAMESPACES:
                continue
            yield from iter_patterns(entry.url_patterns, prefix + str(entry.pattern), ns)
        else:
            yield prefix + str(entry.pattern), namespace, entry


def builders() -> dict[str, Callable[[SiteWorld], Any]]:
    found: dict[str, Callable[[SiteWorld], Any]] = {}
    for module in pkgutil.iter_modules(tests.__path__):
        if not module.ispkg:
            continue
        try:
            kwargs_module = importlib.import_module(f"tests.{module.name}.url_kwargs")
        except ModuleNotFoundError:
            continue
        found.update(kwargs_module.BUILDERS)
    return found


def global_kwargs() -> set[str]:
    """Kwargs naming programme-wide things (e.g. a measure), declared in `GLOBAL_KWARGS` of
    tests/<app>/url_kwargs.py: they are not a site's objects, so only site B's URL is walked."""
    found: set[str] = set()
    for module in pkgutil.iter_modules(tests.__path__):
        if module.ispkg:
            try:
                found |= set(
                    importlib.import_module(f"tests.{module.name}.url_kwargs").__dict__.get(
                        "GLOBAL_KWARGS", ()
                    )
                )
            except ModuleNotFoundError:
                continue
    return found


def pattern_kwargs(pattern: URLPattern) -> list[str]:
    return list(pattern.pattern.converters.keys())


def build_path(route: str, pattern: URLPattern, values: dict[str, Any]) -> str:
    path = route
    for name, converter in pattern.pattern.converters.items():
        type_name = type(converter).__name__.removesuffix("Converter").lower()
        placeholder = f"<{ {'int': 'int', 'string': 'str', 'path': 'path', 'slug': 'slug', 'uuid': 'uuid'}.get(type_name, type_name) }:{name}>"
        if placeholder not in path:
            placeholder = f"<{name}>"
        path = path.replace(placeholder, str(values[name]))
    return "/" + path.lstrip("^").rstrip("$")


def database_fingerprint() -> dict[str, str]:
    prints = {}
    for model in apps.get_models():
        if model._meta.db_table in IGNORED_TABLES:
            continue
        rows = list(model._base_manager.order_by("pk").values_list())
        prints[model._meta.label] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return prints


def all_patterns() -> list[tuple[str, str, URLPattern]]:
    return list(iter_patterns(get_resolver().url_patterns))


def test_every_view_declares_who_may_use_it():
    """Deny by default: a view without a permission decorator is a defect."""
    unmarked = [
        route
        for route, _ns, pattern in all_patterns()
        if not getattr(pattern.callback, ACCESS_ATTR, None)
    ]
    assert unmarked == []


def test_every_url_kwarg_has_a_builder():
    known = builders()
    missing = {
        (route, name)
        for route, _ns, pattern in all_patterns()
        for name in pattern_kwargs(pattern)
        if name != "site_code" and name not in known
    }
    assert missing == set(), "register these in tests/<app>/url_kwargs.py"


def walk_urls(world: World) -> list[tuple[str, bool]]:
    """Every site-scoped or object URL, filled with site B's objects; object URLs also under
    site A's code (an object of B reached through A's URL must not be found either)."""
    known = builders()
    urls = []
    for route, _ns, pattern in all_patterns():
        names = pattern_kwargs(pattern)
        if not names:
            continue
        # Public views (password reset links, shared dashboards) carry their own token check;
        # for them the walk only proves that nothing is written.
        public = getattr(pattern.callback, ACCESS_ATTR, "") == "public"
        values = {name: known[name](world.b) for name in names if name != "site_code"}
        if "site_code" in names:
            urls.append(
                (build_path(route, pattern, {**values, "site_code": world.b.site.code}), public)
            )
            if set(names) - {"site_code"} - global_kwargs():
                urls.append(
                    (build_path(route, pattern, {**values, "site_code": world.a.site.code}), public)
                )
        else:
            urls.append((build_path(route, pattern, values), public))
    return urls


@pytest.mark.parametrize("role", ["pm", "info", "stakeholder"])
def test_site_roles_cannot_read_or_change_another_sites_objects(world, client_as, role):
    urls = walk_urls(world)
    assert len(urls) > 0
    client = client_as(world.a.user(role))
    before = database_fingerprint()
    leaks = []
    for url, public in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if not public and response.status_code not in REFUSED:
                leaks.append((method.upper(), url, response.status_code))
    assert leaks == []
    assert database_fingerprint() == before


def test_signed_out_visitors_are_sent_to_log_in_and_change_nothing(world, client):
    urls = walk_urls(world)
    before = database_fingerprint()
    leaks = []
    for url, public in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if public:
                continue
            is_login_redirect = (
                response.status_code == 302 and "/accounts/login/" in response["Location"]
            )
            if not (is_login_redirect or response.status_code in REFUSED | {401}):
                leaks.append((method.upper(), url, response.status_code))
    assert leaks == []
    assert database_fingerprint() == before


def test_programme_pages_refuse_site_roles(world, client_as):
    programme_routes = [
        route
        for route, _ns, p in all_patterns()
        if getattr(p.callback, ACCESS_ATTR, "") == "programme" and not pattern_kwargs(p)
    ]
    assert programme_routes
    for role in ("pm", "info", "stakeholder"):
        client = client_as(world.a.user(role))
        for route in programme_routes:
            assert client.get("/" + route).status_code == 403, route


# A programme lead's upload for one site that also holds another site's rows -----------------


@pytest.fixture
def mixed_upload(world, settings, tmp_path, django_capture_on_commit_callbacks):
    """Site B holds 11 referrals for 6 Jan; the lead sends, for site A, a file with one A row and
    two B rows (one replacing that 11); then a file for A with bad B rows. Returns both."""
    from django.core.files.base import ContentFile

    from measures import services as measure_services

    settings.MEDIA_ROOT = tmp_path / "media"

    def send(user, site, text):
        with django_capture_on_commit_callbacks(execute=True):
            upload = measure_services.upload_create(
                user=user,
                site=site,
                file=ContentFile(text.encode(), name="mixed.csv"),
                source="api",
                replace=True,
            )
        upload.refresh_from_db()
        return upload

    head = "site_code,week_commencing,measure,value\n"
    send(world.b.info, world.b.site, head + "BBB,2025-01-06,referrals_received,11\n")
    done = send(
        world.lead,
        world.a.site,
        head
        + "AAA,2025-01-06,referrals_received,5\n"
        + "BBB,2025-01-06,referrals_received,123456\n"
        + "BBB,2025-01-13,referrals_received,987654\n",
    )
    refused = send(
        world.lead,
        world.a.site,
        head
        + "AAA,2025-01-06,referrals_received,7\n"
        + "BBB,2025-01-06,referrals_received,-424242\n"
        + "BBB,2025-01-13,referrals_received,secret-cell\n",
    )
    assert done.status == "done"
    assert refused.status == "failed"
    return done, refused


B_FIGURES = ("123456", "987654", "424242", "secret-cell")


@pytest.mark.parametrize("role", ["pm", "info", "stakeholder"])
def test_site_roles_read_only_their_sites_rows_of_a_mixed_upload(
    world, client_as, mixed_upload, role
):
    """Each part of a report is a site's data: site A's readers see A's rows and are told how
    much of site B's they do not see, on the page and through the API; B's readers find nothing."""
    done, refused = mixed_upload
    client = client_as(world.a.user(role))
    for upload in (done, refused):
        page = client.get(f"/sites/AAA/data/uploads/{upload.pk}/")
        api = client.get(f"/api/v1/uploads/{upload.pk}")
        assert page.status_code == 200
        assert api.status_code == 200
        for body in (page.content.decode(), api.content.decode()):
            assert not any(figure in body for figure in B_FIGURES), (upload.status, body)
            assert "Before" not in body or "11" not in body.split("Before", 1)[1][:200]
    done_page = client.get(f"/sites/AAA/data/uploads/{done.pk}/").content.decode()
    assert "2 values" in done_page
    assert "another site" in done_page
    assert client.get(f"/api/v1/uploads/{done.pk}").json()["withheld"] == {
        "sites": 1,
        "values": 2,
        "changes": 1,
        "problems": 0,
    }
    refused_api = client.get(f"/api/v1/uploads/{refused.pk}").json()
    assert refused_api["withheld"]["problems"] == 2
    assert refused_api["problems"] == []
    refused_page = client.get(f"/sites/AAA/data/uploads/{refused.pk}/").content.decode()
    assert "2 problems in rows for another site are not shown" in refused_page
    other = client_as(world.b.user(role))
    for upload in (done, refused):
        assert other.get(f"/sites/AAA/data/uploads/{upload.pk}/").status_code == 404
        assert other.get(f"/sites/BBB/data/uploads/{upload.pk}/").status_code == 404
        assert other.get(f"/api/v1/uploads/{upload.pk}").status_code == 404


def test_the_lead_reads_every_row_of_a_mixed_upload(world, client_as, mixed_upload):
    done, refused = mixed_upload
    client = client_as(world.lead)
    body = client.get(f"/api/v1/uploads/{done.pk}").json()
    assert body["withheld"]["values"] == 0
    assert [(c["site"], c["before"], c["after"]) for c in body["changes"]] == [
        ("BBB", 11.0, 123456.0)
    ]
    page = client.get(f"/sites/AAA/data/uploads/{done.pk}/").content.decode()
    assert "BBB" in page
    assert "left out of this report" not in page
    body = client.get(f"/api/v1/uploads/{refused.pk}").json()
    assert body["withheld"]["problems"] == 0
    assert any("-424242 is negative" in p for p in body["problems"])
    assert any("'secret-cell' is not a number" in p for p in body["problems"])
