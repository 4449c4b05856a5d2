"""The demo gives every demo project one of each improvement tool, with real history."""

from __future__ import annotations

import datetime as dt

import pytest

from projects.demo import demo_load
from toolkit.history import item_versions
from toolkit.improvement import selectors
from toolkit.models import DriverDiagram, PdsaCycle, Reflection, SustainabilityPlan


@pytest.mark.django_db
def test_each_demo_project_has_each_item_and_a_ramp_of_adapt_adapt_adopt(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    today = dt.date(2026, 6, 1)
    world = demo_load(today=today)
    for code, project in world.projects.items():
        for model in (DriverDiagram, Reflection, SustainabilityPlan):
            assert model.objects.filter(project=project).exists(), (code, model)
        first = PdsaCycle.objects.filter(project=project).order_by("pk").first()
        ramp = PdsaCycle.objects.filter(project=project, change_idea=first.change_idea)
        cycles = list(ramp.order_by("number"))
        assert [(c.number, c.outcome) for c in cycles] == [(1, "adapt"), (2, "adapt"), (3, "adopt")]
        assert cycles[2].predecessor == cycles[1]
        assert all(today - dt.timedelta(weeks=40) <= c.date_start <= today for c in cycles)
        codes = {m.code for m in cycles[0].measures.all()}
        assert codes == {"referrals_signposted", "median_wait_days"}
        assert len(item_versions(item=cycles[0])) >= 5
        plan = SustainabilityPlan.objects.get(project=project)
        assert len(selectors.assessment_scores(plan=plan)) == 3
    rows = selectors.pdsa_cycles_for_chart(
        site=world.sites["NGT"], measure=cycles[0].measures.get(code="median_wait_days")
    )
    assert [row["outcome"] for row in rows] == ["Adapt", "Adapt", "Adopt"]
