"""The demo gives the learning library something to read and the PDSA panel cycles in flight."""

from __future__ import annotations

import datetime as dt

import pytest

from projects.demo import demo_load
from toolkit.learning import selectors
from toolkit.models import PdsaCycle, Reflection, Story


@pytest.mark.django_db
def test_demo_has_a_story_per_project_shared_learning_and_a_cycle_due_for_study(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    today = dt.date(2026, 6, 1)
    world = demo_load(today=today)
    for project in world.projects.values():
        assert Story.objects.filter(project=project).count() == 1
    assert Story.objects.filter(celebrate=True).count() == 1
    assert PdsaCycle.objects.filter(shared_with_community=True, outcome="abandon").exists()
    assert Reflection.objects.filter(share_with_community=True).exists()
    data = selectors.cycle_panels(sites=list(world.sites.values()), today=today)
    assert [line.title for line in data[world.sites["NGT"].pk]["due"]] == [
        "Referral guide: pilot with two GP practices"
    ]
    reader = world.users["demo-stakeholder-ngt"]
    scope = selectors.library_scope(user=reader)
    page, entries = selectors.library_page(scope=scope, filters={})
    assert page.paginator.count > 10
    assert {e.item.project.site.code for e in entries} - {"NGT"}  # other sites' shared learning
    _, found = selectors.library_page(scope=scope, filters={"q": "school library"})
    assert found == []  # Eastbrook's story is not shared
