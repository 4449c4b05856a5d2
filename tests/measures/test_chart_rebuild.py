"""Charts follow the data and the toolkit without anyone pressing a button."""

from __future__ import annotations

import pytest

from measures.models import ChartState, Measure
from measures.services import measure_update
from toolkit.improvement import services as toolkit_services
from toolkit.models import PdsaCycle

from .charting import JUMP, STEADY, weeks
from .conftest import tidy

pytestmark = pytest.mark.django_db


@pytest.fixture
def wait():
    return Measure.objects.get(code="median_wait_days")


def upload_weeks(send, sw, values, start_index=0):
    dates = weeks(start_index + len(values))[start_index:]
    rows = [
        ("AAA", d.isoformat(), "median_wait_days", v) for d, v in zip(dates, values, strict=True)
    ]
    upload = send(sw.info, sw.site, tidy(rows))
    assert upload.status == "done", upload.problems
    return upload


def test_an_upload_rebuilds_the_chart_with_its_new_weeks_and_signal(world, wait, send):
    upload_weeks(send, world.a, STEADY)
    state = ChartState.objects.get(site=world.a.site, measure=wait)
    assert len(state.rows) == 20
    assert state.summary["variation_icon"] == "common_cause"
    assert state.summary["latest_signal"] is None

    upload_weeks(send, world.a, JUMP[20:], start_index=20)
    state.refresh_from_db()
    assert len(state.rows) == 28
    assert state.rows[-1][0] == weeks(28)[-1].isoformat()
    assert state.summary["variation_icon"] == "special_cause_concern_high"
    assert state.summary["latest_signal"]
    assert not state.is_stale


def test_an_upload_of_a_numerator_rebuilds_the_rate_chart(world, send):
    rows = []
    for d in weeks(12):
        rows += [("AAA", d.isoformat(), "dnas", 5), ("AAA", d.isoformat(), "appointments", 100)]
    send(world.a.info, world.a.site, tidy(rows))
    rate = ChartState.objects.get(site=world.a.site, measure__code="dna_rate")
    assert rate.summary["chart_type"] == "p"
    assert rate.rows[0][1] == pytest.approx(5.0)


def test_a_pdsa_cycle_naming_the_measure_appears_on_its_chart(
    world, wait, send, django_capture_on_commit_callbacks
):
    upload_weeks(send, world.a, JUMP)
    with django_capture_on_commit_callbacks(execute=True):
        cycle = toolkit_services.pdsa_create(
            project=world.a.project,
            user=world.a.pm,
            measures=[wait],
            title="Call back",
            objective="Shorter waits",
            planned_start=weeks(28)[18],
            planned_end=weeks(28)[22],
        )
    state = ChartState.objects.get(site=world.a.site, measure=wait)
    pdsa = [a for a in state.summary["annotations"] if a["kind"] == "pdsa"]
    assert len(pdsa) == 1
    assert pdsa[0]["title"].startswith("PDSA 1: Call back")
    assert pdsa[0]["marker"] == "A"
    assert pdsa[0]["date"] == weeks(28)[18].isoformat()
    assert pdsa[0]["url"] == cycle.get_absolute_url()

    with django_capture_on_commit_callbacks(execute=True):
        toolkit_services.pdsa_update(cycle=cycle, user=world.a.pm, title="Call back within 48h")
    state.refresh_from_db()
    assert "Call back within 48h" in state.summary["annotations"][0]["text"]

    with django_capture_on_commit_callbacks(execute=True):
        toolkit_services.pdsa_update(cycle=cycle, user=world.a.pm, measures=[])
    state.refresh_from_db()
    assert not [a for a in state.summary["annotations"] if a["kind"] == "pdsa"]


def test_a_deleted_cycle_leaves_the_chart(world, wait, send, django_capture_on_commit_callbacks):
    upload_weeks(send, world.a, JUMP)
    with django_capture_on_commit_callbacks(execute=True):
        cycle = toolkit_services.pdsa_create(
            project=world.a.project,
            user=world.a.pm,
            measures=[wait],
            title="Call back",
            objective="Shorter waits",
            planned_start=weeks(28)[18],
        )
    with django_capture_on_commit_callbacks(execute=True):
        toolkit_services.pdsa_delete(cycle=cycle, user=world.a.pm)
    assert not PdsaCycle.objects.exists()
    state = ChartState.objects.get(site=world.a.site, measure=wait)
    assert state.summary["annotations"] == []


def test_a_cycle_at_another_site_does_not_appear(
    world, wait, send, django_capture_on_commit_callbacks
):
    upload_weeks(send, world.a, JUMP)
    with django_capture_on_commit_callbacks(execute=True):
        toolkit_services.pdsa_create(
            project=world.b.project,
            user=world.b.pm,
            measures=[wait],
            title="Elsewhere",
            objective="x",
            planned_start=weeks(28)[18],
        )
    state = ChartState.objects.get(site=world.a.site, measure=wait)
    assert state.summary["annotations"] == []


def test_changing_a_measures_default_rebuilds_its_charts(
    world, wait, send, django_capture_on_commit_callbacks
):
    upload_weeks(send, world.a, JUMP)
    with django_capture_on_commit_callbacks(execute=True):
        measure_update(measure=wait, rules="anhoej")
    state = ChartState.objects.get(site=world.a.site, measure=wait)
    assert state.summary["rules"] == "anhoej"


def _chart_with_a_cycle(world, wait, send, capture):
    """Site A's chart of the wait, with one PDSA cycle of its project on it."""
    upload_weeks(send, world.a, JUMP)
    with capture(execute=True):
        cycle = toolkit_services.pdsa_create(
            project=world.a.project,
            user=world.a.pm,
            measures=[wait],
            title="Call back",
            objective="Shorter waits",
            planned_start=weeks(28)[18],
        )
    state = ChartState.objects.get(site=world.a.site, measure=wait)
    assert len(state.summary["annotations"]) == 1
    return cycle, state


def test_a_cycle_deleted_or_renamed_in_the_admin_leaves_the_chart_too(
    world, wait, send, admin_client, django_capture_on_commit_callbacks
):
    """The admin goes through the same rebuild as the services (no model signals)."""
    cycle, state = _chart_with_a_cycle(world, wait, send, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/toolkit/pdsacycle/{cycle.pk}/delete/", {"post": "yes"}
        )
    assert response.status_code == 302
    assert not PdsaCycle.objects.exists()
    state.refresh_from_db()
    assert state.summary["annotations"] == []


@pytest.mark.parametrize("how", ["one", "bulk"])
def test_a_project_deleted_in_the_admin_takes_its_cycles_off_the_charts(
    world, wait, send, admin_client, django_capture_on_commit_callbacks, how
):
    """Deleting a project deletes its cycles: the charts they annotated are rebuilt too."""
    _cycle, state = _chart_with_a_cycle(world, wait, send, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        if how == "one":
            response = admin_client.post(
                f"/admin/projects/project/{world.a.project.pk}/delete/", {"post": "yes"}
            )
        else:
            response = admin_client.post(
                "/admin/projects/project/",
                {
                    "action": "delete_selected",
                    "_selected_action": [world.a.project.pk],
                    "post": "yes",
                },
            )
    assert response.status_code == 302
    assert not PdsaCycle.objects.exists()
    state.refresh_from_db()
    assert state.summary["annotations"] == []
