"""Reads: definitions that differ between sites, freshness, series."""

from __future__ import annotations

import datetime as dt

import pytest

from measures import selectors
from measures.models import Measure
from tests.factories import SiteFactory

from .conftest import tidy
from .factories import LocalDefinitionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closures(db):
    return Measure.objects.get(code="closures")


def test_definitions_do_not_differ_when_texts_match_ignoring_case_and_spacing(world, closures):
    LocalDefinitionFactory(site=world.a.site, definition="Cases closed in the week.")
    LocalDefinitionFactory(site=world.b.site, definition="  cases CLOSED in  the week. ")
    sites = [world.a.site, world.b.site]
    assert selectors.definitions_differ(measure=closures, sites=sites) is False
    assert closures.pk not in selectors.measures_with_differing_definitions(sites=sites)


def test_definitions_differ_when_texts_differ(world, closures):
    LocalDefinitionFactory(site=world.a.site, definition="Cases closed in the week.")
    LocalDefinitionFactory(site=world.b.site, definition="Cases closed, excluding transfers.")
    sites = [world.a.site, world.b.site]
    assert selectors.definitions_differ(measure=closures, sites=sites) is True
    assert closures.pk in selectors.measures_with_differing_definitions(sites=sites)


def test_definitions_differ_when_a_site_has_none(world, closures):
    LocalDefinitionFactory(site=world.a.site)
    assert selectors.definitions_differ(measure=closures, sites=[world.a.site, world.b.site])


def test_one_site_has_nothing_to_differ_from(world, closures):
    assert not selectors.definitions_differ(measure=closures, sites=[world.a.site])


def test_local_definitions_per_site(world, closures):
    mine = LocalDefinitionFactory(site=world.a.site)
    found = selectors.local_definitions(measure=closures, sites=[world.a.site, world.b.site])
    assert found == {world.a.site.pk: mine, world.b.site.pk: None}


def test_freshness_lists_missing_recent_weeks(world, send):
    today = dt.date(2025, 4, 2)  # a Wednesday; the last complete week began 24 March
    weeks = ["2025-03-03", "2025-03-17", "2025-03-24"]
    send(world.a.info, world.a.site, tidy([("AAA", w, "dnas", 1) for w in weeks]))
    fresh = selectors.site_freshness(site=world.a.site, today=today)
    assert fresh.last_week == dt.date(2025, 3, 24)
    assert fresh.last_upload_at is not None
    assert len(fresh.recent_weeks) == 12
    assert fresh.recent_weeks[-1] == dt.date(2025, 3, 24)
    assert dt.date(2025, 3, 10) in fresh.missing_weeks
    assert dt.date(2025, 3, 17) not in fresh.missing_weeks
    assert len(fresh.missing_weeks) == 9


def test_freshness_of_a_site_without_data(world):
    fresh = selectors.site_freshness(site=SiteFactory(), today=dt.date(2025, 4, 2))
    assert (fresh.last_upload_at, fresh.last_week) == (None, None)
    assert len(fresh.missing_weeks) == 12


def test_undone_upload_is_not_the_last_arrival(world, send):
    from measures import services

    upload = send(world.a.info, world.a.site, tidy([("AAA", "2025-03-03", "dnas", 1)]))
    services.upload_undo(upload=upload, user=world.a.info)
    fresh = selectors.site_freshness(site=world.a.site, today=dt.date(2025, 4, 2))
    assert (fresh.last_upload_at, fresh.last_week) == (None, None)


def test_series_is_in_date_order(world, send):
    send(
        world.a.info,
        world.a.site,
        tidy(
            [
                ("AAA", "2025-01-13", "dnas", 2),
                ("AAA", "2025-01-06", "dnas", 1),
            ]
        ),
    )
    dnas = Measure.objects.get(code="dnas")
    assert selectors.series(site=world.a.site, measure=dnas) == [
        (dt.date(2025, 1, 6), 1.0),
        (dt.date(2025, 1, 13), 2.0),
    ]
