"""PDSA cycles on the site and programme dashboards, in the meeting pack and the digest."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects import notifications
from projects import services as project_services
from projects.pack import meeting_pack_sections
from tests.conftest import make_site_world
from toolkit.learning import panels, selectors
from toolkit.models import PdsaCycle

from .factories_improvement import DriverDiagramFactory, PdsaCycleFactory, change_idea_for, measure

TODAY = timezone.localdate()
Stage = PdsaCycle.Stage


def cycle(project, **fields):
    defaults = {
        "planned_start": TODAY - dt.timedelta(weeks=6),
        "planned_end": TODAY + dt.timedelta(weeks=2),
    }
    made = PdsaCycleFactory(project=project, **{**defaults, **fields})
    made.measures.set([measure("median_wait_days")])
    return made


def due(project, **fields):
    """In Do, past its planned end."""
    return cycle(project, stage=Stage.DO, planned_end=TODAY - dt.timedelta(days=3), **fields)


def panel_data(site, **kwargs):
    return selectors.cycle_panels(sites=[site], today=TODAY, **kwargs)[site.pk]


def test_panel_lists_cycles_in_flight_and_leaves_out_those_at_act(world):
    cycle(world.a.project, title="Plan one", stage=Stage.PLAN)
    cycle(world.a.project, title="Study one", stage=Stage.STUDY)
    cycle(world.a.project, title="Done", stage=Stage.ACT, outcome="adopt")
    cycle(world.b.project, title="Other site")
    data = panel_data(world.a.site)
    assert sorted(line.title for line in data["in_flight"]) == ["Plan one", "Study one"]
    assert [line.title for line in data["recent"]] == ["Done"]


def test_cycle_past_its_planned_end_in_do_is_due_for_study_and_listed_first(world):
    cycle(world.a.project, title="Later", stage=Stage.DO)
    due(world.a.project, title="Overdue")
    cycle(
        world.a.project,
        title="Planned, late",
        stage=Stage.PLAN,
        planned_end=TODAY - dt.timedelta(days=9),
    )
    data = panel_data(world.a.site)
    assert [line.title for line in data["due"]] == ["Overdue"]
    assert data["in_flight"][0].title == "Overdue"


def test_site_dashboard_shows_stage_change_idea_owner_dates_and_measures(world, client_as):
    idea = change_idea_for(DriverDiagramFactory(project=world.a.project), "Evening calls")
    due(world.a.project, title="Evening triage", owner="Sam Duty", change_idea=idea)
    page = client_as(world.a.stakeholder).get(f"/sites/{world.a.site.code}/").content.decode()
    assert "PDSA cycles in flight" in page
    for text in ("Evening triage", "Evening calls", "Sam Duty", "Median wait", "Do"):
        assert text in page
    assert "Due for study" in page  # in words, not only a colour
    assert "Record the study" not in page  # stakeholders get no quick actions
    assert "/library/" in page


def test_project_managers_get_quick_action_links(world, client_as):
    made = due(world.a.project, title="Evening triage")
    page = client_as(world.a.pm).get(f"/sites/{world.a.site.code}/").content.decode()
    assert "Record the study" in page
    assert f"/pdsa/{made.pk}/edit/" in page


def test_shared_view_shows_titles_stages_and_dates_but_no_owner_or_free_text(
    world, client_as, client
):
    idea = change_idea_for(DriverDiagramFactory(project=world.a.project), "Secret idea text")
    due(world.a.project, title="Evening triage", owner="Sam Duty", change_idea=idea)
    _link, token = project_services.shared_link_create(
        site=world.a.site, user=world.a.pm, label="Board", days=5
    )
    page = client.get(f"/shared/{token}/").content.decode()
    assert "Evening triage" in page
    assert "Due for study" in page
    assert TODAY.strftime("%Y") in page
    for hidden in ("Sam Duty", "Secret idea text", "Median wait", "/pdsa/", "/library/"):
        assert hidden not in page
    data = panel_data(world.a.site, shared=True)
    assert data["in_flight"][0].owner == ""
    assert data["in_flight"][0].url == ""


def test_shared_view_hides_small_outcome_counts(world):
    cycle(world.a.project, stage=Stage.ACT, outcome="abandon")
    data = panel_data(world.a.site, shared=True, threshold=5)
    assert ("abandon", "Abandoned (failed fast)", "fewer than 5") in data["outcomes"]
    assert ("adopt", "Adopted", "0") in data["outcomes"]


def test_programme_column_counts_cycles_by_outcome_per_site(world, client_as):
    for outcome in ("adopt", "adopt", "adapt", "abandon"):
        cycle(world.a.project, stage=Stage.ACT, outcome=outcome)
    cycle(world.a.project, stage=Stage.DO)
    cycle(world.b.project, stage=Stage.ACT, outcome="abandon")
    data = selectors.cycle_panels(sites=[world.a.site, world.b.site], today=TODAY)
    assert data[world.a.site.pk]["counts"] == {
        "adopt": 2,
        "adapt": 1,
        "abandon": 1,
        "in_progress": 1,
    }
    assert data[world.b.site.pk]["counts"]["abandon"] == 1
    page = client_as(world.lead).get("/programme/").content.decode()
    assert "PDSA cycles by outcome" in page
    assert "Adopted: 2" in page
    assert "Abandoned (failed fast): 1" in page


def _programme_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/programme/").status_code == 200
    return len(queries)


def _busy_site(programme, code):
    sw = make_site_world(programme, code)
    for outcome in ("adopt", "abandon"):
        cycle(sw.project, stage=Stage.ACT, outcome=outcome)
    due(sw.project)
    cycle(sw.project, stage=Stage.PLAN)
    return sw


def test_programme_dashboard_runs_the_same_queries_for_two_and_six_busy_sites(world, client_as):
    for sw in (world.a, world.b):
        due(sw.project)
        cycle(sw.project, stage=Stage.ACT, outcome="adapt")
    few = _programme_queries(client_as(world.lead))
    for code in ("CCC", "DDD", "EEE", "FFF"):
        _busy_site(world.programme, code)
    many = _programme_queries(client_as(world.lead))
    print(f"programme dashboard: {few} queries for 2 sites, {many} for 6")
    assert few == many


def test_meeting_pack_has_cycles_due_in_flight_and_recent_outcomes(world):
    due(world.a.project, title="Evening triage", owner="Sam Duty")
    cycle(world.a.project, title="Plan ahead", stage=Stage.PLAN)
    cycle(
        world.a.project,
        title="Lunch drop-in",
        stage=Stage.ACT,
        outcome="abandon",
        actual_end=TODAY - dt.timedelta(days=10),
    )
    sections = {
        s.heading: s for s in meeting_pack_sections(site=world.a.site, today=TODAY, user=world.a.pm)
    }
    header, rows = sections["PDSA cycles due to be studied"].table
    assert header == ["Cycle", "Stage", "Planned end", "Measures"]
    assert rows[0][0].endswith("Evening triage")
    assert rows[0][1] == "Do"
    assert "Median wait" in rows[0][3]
    in_flight = sections["PDSA cycles in flight"].table[1]
    assert len(in_flight) == 2
    assert in_flight[0][2] == "Sam Duty"
    assert "Lunch drop-in: Abandon (failed fast" in sections["Recent PDSA outcomes"].bullets[0]


def test_digest_tells_project_managers_of_cycles_due_to_be_studied(world):
    made = due(world.a.project, title="Evening triage")
    lines = panels.pdsa_digest(world.a.pm, [world.a.site], TODAY)
    assert lines == [
        f"AAA: Cycle {made.number}: Evening triage (planned to end {made.planned_end:%d %B %Y})"
    ]
    body = notifications.digest_body(user=world.a.pm, today=TODAY)
    assert "PDSA cycles due to be studied" in body
    assert "Evening triage" in body


def test_digest_tells_owners_of_their_cycles_but_not_other_readers(world):
    owner = world.a.stakeholder
    due(world.a.project, title="Owned", owner=owner.get_full_name())
    due(world.a.project, title="Someone else's", owner="Another Person")
    cycle(world.a.project, title="Not yet due", stage=Stage.DO, owner=owner.get_full_name())
    assert [
        line.split(": ", 2)[2].split(" (")[0]
        for line in panels.pdsa_digest(owner, [world.a.site], TODAY)
    ] == ["Owned"]
    assert panels.pdsa_digest(world.a.info, [world.a.site], TODAY) == []
    assert panels.pdsa_digest(world.lead, [world.a.site, world.b.site], TODAY) == []
    assert panels.pdsa_digest(world.b.pm, [world.b.site], TODAY) == []
