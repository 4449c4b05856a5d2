"""Shared fixtures: two sites of one programme, each with a user per role, and a lead."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client, override_settings
from hypothesis import settings as hypothesis_settings

from projects.models import Membership, Programme, Project, Site

from .factories import (
    MembershipFactory,
    ProgrammeFactory,
    ProgrammeLeadFactory,
    ProjectFactory,
    SiteFactory,
    UserFactory,
)


@dataclass
class SiteWorld:
    site: Site
    project: Project
    pm: Any
    info: Any
    stakeholder: Any

    def user(self, role: str) -> Any:
        return getattr(self, role)


@dataclass
class World:
    programme: Programme
    a: SiteWorld
    b: SiteWorld
    lead: Any
    outsider: Any  # signed in, no role anywhere


def make_site_world(programme: Programme, code: str) -> SiteWorld:
    site = SiteFactory(programme=programme, code=code, name=f"Site {code}")
    users = {}
    for key, role in (
        ("pm", Membership.Role.PROJECT_MANAGER),
        ("info", Membership.Role.INFORMATICS),
        ("stakeholder", Membership.Role.STAKEHOLDER),
    ):
        users[key] = UserFactory(username=f"{key}-{code.lower()}")
        MembershipFactory(user=users[key], site=site, role=role)
    return SiteWorld(site=site, project=ProjectFactory(site=site), **users)


@pytest.fixture
def world(db) -> World:
    programme = ProgrammeFactory()
    lead = UserFactory(username="lead")
    ProgrammeLeadFactory(user=lead, programme=programme)
    return World(
        programme=programme,
        a=make_site_world(programme, "AAA"),
        b=make_site_world(programme, "BBB"),
        lead=lead,
        outsider=UserFactory(username="outsider"),
    )


@pytest.fixture
def client_as():
    """client_as(user) -> a Client signed in as that user."""

    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _tasks_run_in_process(request, settings):
    """Unit tests run tasks eagerly even when a broker is configured; browser tests (marked
    e2e) and fault tests use the real worker when there is one."""
    if request.node.get_closest_marker("e2e") or request.node.get_closest_marker("faults"):
        yield
        return
    from thrive_site.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session", autouse=True)
def _cache_keys_of_this_session() -> Iterator[None]:
    """Parallel workers (pytest-xdist) and other test runs may share one Redis database: each
    session writes, and clears, only keys under a prefix of its own."""
    from django.conf import settings

    prefix = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
    with override_settings(
        CACHES={"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    ):
        yield
        cache_clear()  # nothing left behind in a shared Redis


def cache_clear() -> None:
    """Empty this session's cache: only its own keys when the cache is Redis (Django's clear()
    there is FLUSHDB, which would empty every other session's keys too)."""
    import redis
    from django.conf import settings
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    if not isinstance(caches["default"], RedisCache):
        caches["default"].clear()  # local memory belongs to this process alone
        return
    config = settings.CACHES["default"]
    with redis.Redis.from_url(config["LOCATION"]) as client:
        keys = list(client.scan_iter(match=f"{config.get('KEY_PREFIX', '')}:*", count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Login counters and other cached state do not carry from one test to the next."""
    cache_clear()


# Hypothesis: a modest number of examples by default, drawn the same way on every run, so that
# `make test` (and CI) passes or fails on the code, not on the draw. HYPOTHESIS_PROFILE=long draws
# 1,000 new examples per property each run: that is the search for new failures (see README), and
# each one it finds is fixed and kept as an @example or a plain test.
hypothesis_settings.register_profile("default", max_examples=60, deadline=None, derandomize=True)
hypothesis_settings.register_profile("long", max_examples=1000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_make_parametrize_id(config: Any, val: object, argname: str) -> str | None:
    """Files built by a test (bytes, or long text) get short ids: a workbook carries the time it
    was written, and pytest-xdist's workers must collect the same ids."""
    if isinstance(val, bytes | bytearray) or (isinstance(val, str) and len(val) > 40):
        return f"{argname}{len(val)}"
    return None


# A transactional test (the browser journeys, backups) ends with a flush that empties every
# table, the standard steps, principles and measures the data migrations seeded included.
# pytest-django runs those tests last, but xdist's work stealing can give a worker ordinary
# tests after one: the seeds are put back after a transactional test when an ordinary one follows.
TRANSACTIONAL_FIXTURES = frozenset({"transactional_db", "live_server"})


def _flushes(item: Any) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)):
        return True
    return bool(TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_teardown(item: Any, nextitem: Any) -> Iterator[None]:
    yield
    # No next test: the session is over, and its test database already gone.
    if nextitem is None or not _flushes(item) or _flushes(nextitem):
        return
    from pytest_django.plugin import blocking_manager_key

    from tests.e2e.conftest import _run_seeds

    with item.config.stash[blocking_manager_key].unblock():
        _run_seeds()
