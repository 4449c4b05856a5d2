"""An adopted change whose measure turns to a special cause of concern alerts the site's PMs once."""

from __future__ import annotations

import datetime as dt

from measures.models import ChartState, Frequency, Measure
from projects import notifications
from toolkit.alerts import find
from toolkit.models import PdsaCycle

from .factories_improvement import PdsaCycleFactory

TODAY = dt.date(2026, 11, 26)


def concern_state(site, measure, period="2026-11-16"):
    return ChartState.objects.create(
        site=site,
        measure=measure,
        frequency=Frequency.WEEKLY,
        summary={
            "variation_icon": "special_cause_concern_high",
            "signal_periods": [period],
            "latest_signal": "7 points above the mean since 5 Oct 2026",
        },
        built_version=1,
    )


def test_adopted_cycle_with_a_concern_on_its_measure_alerts_the_site_managers_once(
    world, mailoutbox
):
    measure = Measure.objects.get(code="median_wait_days")
    cycle = PdsaCycleFactory(project=world.a.project, outcome=PdsaCycle.Outcome.ADOPT)
    cycle.measures.add(measure)
    concern_state(world.a.site, measure)
    found = find(TODAY)
    assert [(user, ref.split(":")[0]) for user, ref, *_ in found] == [(world.a.pm, "concern")]
    assert notifications.alerts_send_all(today=TODAY) == 1
    assert "moving the wrong way" in mailoutbox[0].subject
    assert notifications.alerts_send_all(today=TODAY) == 0


def test_no_alert_for_cycles_not_adopted_or_charts_without_concern(world):
    measure = Measure.objects.get(code="median_wait_days")
    abandoned = PdsaCycleFactory(project=world.a.project, outcome=PdsaCycle.Outcome.ABANDON)
    abandoned.measures.add(measure)
    concern_state(world.a.site, measure)
    adopted = PdsaCycleFactory(project=world.b.project, outcome=PdsaCycle.Outcome.ADOPT)
    adopted.measures.add(measure)
    ChartState.objects.create(
        site=world.b.site,
        measure=measure,
        frequency=Frequency.WEEKLY,
        summary={"variation_icon": "special_cause_improvement_low"},
        built_version=1,
    )
    assert find(TODAY) == []
