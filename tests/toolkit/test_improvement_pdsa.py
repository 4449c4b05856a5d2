"""PDSA cycles: the Plan -> Do -> Study -> Act state machine, ramps, tasks and chart dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from toolkit.history import item_versions
from toolkit.improvement import selectors, services
from toolkit.models import PdsaCycle, PdsaTask

from .factories_improvement import (
    DriverDiagramFactory,
    PdsaCycleFactory,
    PdsaTaskFactory,
    change_idea_for,
    measure,
)

Stage = PdsaCycle.Stage


def url(name, cycle, **extra):
    kwargs = {"site_code": cycle.project.site.code, "project_id": cycle.project_id}
    return reverse(f"toolkit:{name}", kwargs={**kwargs, "cycle_id": cycle.pk, **extra})


def walk_to(cycle, stage, user=None):
    for step in services.STAGE_ORDER[1 : services.STAGE_ORDER.index(stage) + 1]:
        if step == Stage.ACT and not cycle.learning:
            cycle.learning = "Calls work in the evening."
            cycle.save()
        cycle = services.pdsa_move(cycle=cycle, user=user, to_stage=step)
    return cycle


def test_a_cycle_moves_plan_do_study_act_one_stage_at_a_time(world):
    cycle = PdsaCycleFactory(project=world.a.project, learning="Works.")
    for stage in (Stage.DO, Stage.STUDY, Stage.ACT):
        cycle = services.pdsa_move(cycle=cycle, user=world.a.pm, to_stage=stage)
        assert cycle.stage == stage
    summaries = [v.summary for v in item_versions(item=cycle)]
    assert summaries[0] == "Moved from Study to Act"


@pytest.mark.parametrize("start", [Stage.PLAN, Stage.DO])
def test_a_cycle_cannot_reach_act_without_study(world, start):
    cycle = walk_to(PdsaCycleFactory(project=world.a.project), start)
    with pytest.raises(ValidationError, match="cannot reach Act without Study"):
        services.pdsa_move(cycle=cycle, user=None, to_stage=Stage.ACT)
    cycle.refresh_from_db()
    assert cycle.stage == start


def test_a_cycle_does_not_skip_do(world):
    cycle = PdsaCycleFactory(project=world.a.project)
    with pytest.raises(ValidationError, match="Move to Do first"):
        services.pdsa_move(cycle=cycle, user=None, to_stage=Stage.STUDY)


def test_act_needs_the_study_findings_written(world):
    cycle = walk_to(PdsaCycleFactory(project=world.a.project), Stage.STUDY)
    with pytest.raises(ValidationError, match="Record the Study"):
        services.pdsa_move(cycle=cycle, user=None, to_stage=Stage.ACT)


def test_moving_back_needs_a_reason_and_clears_the_decision(world):
    cycle = walk_to(PdsaCycleFactory(project=world.a.project), Stage.ACT)
    services.pdsa_decide(cycle=cycle, user=None, outcome="adopt")
    with pytest.raises(ValidationError, match="Give a reason"):
        services.pdsa_move(cycle=cycle, user=None, to_stage=Stage.DO)
    cycle = services.pdsa_move(cycle=cycle, user=None, to_stage=Stage.DO, reason="Data were wrong")
    assert cycle.stage == Stage.DO
    assert cycle.outcome == ""
    assert item_versions(item=cycle).first().summary == (
        "Moved back from Act to Do: Data were wrong"
    )


def test_moving_to_do_records_the_actual_start_when_it_is_missing(world):
    cycle = services.pdsa_move(
        cycle=PdsaCycleFactory(project=world.a.project), user=None, to_stage=Stage.DO
    )
    assert cycle.actual_start is not None


def test_the_browser_refuses_act_before_study_with_a_clear_message(world, client_as):
    cycle = walk_to(PdsaCycleFactory(project=world.a.project), Stage.DO)
    response = client_as(world.a.pm).post(url("pdsa-move", cycle), {"to_stage": "act"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "cannot reach Act without Study" in html
    cycle.refresh_from_db()
    assert cycle.stage == Stage.DO


def test_adapt_starts_the_next_cycle_of_the_ramp_with_the_plan_carried_over(world):
    diagram = DriverDiagramFactory(project=world.a.project)
    idea = change_idea_for(diagram)
    cycle = services.pdsa_create(
        project=world.a.project,
        user=None,
        title="Triage call",
        objective="Test calls",
        predictions="Half reached",
        data_to_collect="Calls",
        change_idea=idea,
        number=1,
        measures=[measure("referrals_signposted")],
        observations="Evening needed",
    )
    PdsaTaskFactory(cycle=cycle, who="Duty worker", what="Phone referrals")
    cycle = walk_to(cycle, Stage.ACT)
    cycle, successor = services.pdsa_decide(cycle=cycle, user=None, outcome="adapt")
    assert successor.number == 2
    assert successor.predecessor == cycle
    assert successor.change_idea == idea
    assert successor.stage == Stage.PLAN
    assert (successor.objective, successor.predictions) == ("Test calls", "Half reached")
    assert successor.observations == ""  # only the plan is carried over
    assert [m.code for m in successor.measures.all()] == ["referrals_signposted"]
    assert [t.what for t in successor.tasks.all()] == ["Phone referrals"]
    assert selectors.pdsa_ramp(cycle=successor) == [cycle, successor]


def test_deciding_adapt_twice_starts_only_one_next_cycle(world):
    cycle = walk_to(PdsaCycleFactory(project=world.a.project), Stage.ACT)
    services.pdsa_decide(cycle=cycle, user=None, outcome="adapt")
    _cycle, again = services.pdsa_decide(cycle=cycle, user=None, outcome="adapt")
    assert again is None
    assert PdsaCycle.objects.count() == 2


def test_a_decision_before_act_is_refused(world, client_as):
    cycle = walk_to(PdsaCycleFactory(project=world.a.project), Stage.STUDY)
    response = client_as(world.a.pm).post(url("pdsa-decide", cycle), {"outcome": "adopt"})
    assert "Decide once the cycle has reached Act" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.outcome == ""


def test_adapt_in_the_browser_opens_the_next_cycle(world, client_as):
    cycle = walk_to(PdsaCycleFactory(project=world.a.project), Stage.ACT)
    response = client_as(world.a.pm).post(url("pdsa-decide", cycle), {"outcome": "adapt"})
    successor = PdsaCycle.objects.get(predecessor=cycle)
    assert response["Location"] == successor.get_absolute_url()


def test_empty_objective_is_refused_and_nothing_is_saved(world, client_as):
    response = client_as(world.a.pm).post(
        reverse("toolkit:pdsa-create", args=[world.a.site.code, world.a.project.pk]),
        {"title": "Triage", "number": 1, "objective": "  "},
    )
    assert "Enter the objective" in response.content.decode()
    assert not PdsaCycle.objects.exists()


def test_a_change_idea_of_another_project_is_refused(world):
    theirs = change_idea_for(DriverDiagramFactory(project=world.b.project))
    with pytest.raises(ValidationError, match="change idea of this project"):
        services.pdsa_create(
            project=world.a.project, user=None, title="T", objective="O", change_idea=theirs
        )
    assert not PdsaCycle.objects.exists()


def test_an_end_date_before_the_start_is_refused(world):
    with pytest.raises(ValidationError, match="on or after the start"):
        services.pdsa_create(
            project=world.a.project,
            user=None,
            title="T",
            objective="O",
            planned_start=dt.date(2025, 3, 1),
            planned_end=dt.date(2025, 2, 1),
        )


def test_create_from_a_change_idea_proposes_the_next_number_of_its_ramp(world, client_as):
    idea = change_idea_for(DriverDiagramFactory(project=world.a.project))
    PdsaCycleFactory(project=world.a.project, change_idea=idea, number=1)
    response = client_as(world.a.pm).get(
        reverse("toolkit:pdsa-create", args=[world.a.site.code, world.a.project.pk])
        + f"?change_idea={idea.pk}"
    )
    form = response.context["form"]
    assert form.initial["number"] == 2
    assert form.initial["change_idea"] == idea.pk


def test_every_field_of_the_pdsa_template_is_on_the_form_and_the_page(world, client_as):
    cycle = PdsaCycleFactory(project=world.a.project)
    client = client_as(world.a.pm)
    form_html = client.get(url("pdsa-edit", cycle)).content.decode()
    for label in (
        "Title",
        "Cycle number",
        "Change idea",
        "Owner",
        "Objective",
        "Purpose",
        "The change",
        "Questions",
        "Predictions",
        "Data to collect",
        "Carried out as planned?",
        "Observations",
        "Problems and unexpected events",
        "What the data show",
        "Did results match the predictions?",
        "What was learned",
    ):
        assert label in form_html, label
    page = client.get(url("pdsa-detail", cycle)).content.decode()
    for heading in ("Plan", "Do", "Study", "Act", "Plan: tasks", "Next steps"):
        assert heading in page


def test_tasks_are_added_reordered_and_removed_in_place(world, client_as):
    cycle = PdsaCycleFactory(project=world.a.project)
    client = client_as(world.a.pm)
    for what in ("Phone families", "Log outcomes"):
        response = client.post(
            url("pdsa-task-add", cycle),
            {
                "task-who": "Duty worker",
                "task-what": what,
                "task-when": "Monday",
                "task-where": "SPA",
            },
            HTTP_HX_REQUEST="true",
        )
        assert response.content.decode().lstrip().startswith('<div id="tasks"')
    second = cycle.tasks.get(what="Log outcomes")
    client.post(
        url("pdsa-task-move", cycle, task_id=second.pk), {"direction": "up"}, HTTP_HX_REQUEST="true"
    )
    assert [t.what for t in cycle.tasks.all()] == ["Log outcomes", "Phone families"]
    client.post(url("pdsa-task-delete", cycle, task_id=second.pk), HTTP_HX_REQUEST="true")
    assert [t.what for t in cycle.tasks.all()] == ["Phone families"]
    assert item_versions(item=cycle).first().snapshot["tasks"][0]["what"] == "Phone families"


def test_a_task_without_who_is_refused(world, client_as):
    cycle = PdsaCycleFactory(project=world.a.project)
    response = client_as(world.a.pm).post(
        url("pdsa-task-add", cycle), {"task-what": "Phone"}, HTTP_HX_REQUEST="true"
    )
    assert "Enter who will do it." in response.content.decode()
    assert not PdsaTask.objects.exists()


def test_cycles_for_a_measure_chart_are_the_sites_own_with_dates(world):
    wait = measure("median_wait_days")
    ours = PdsaCycleFactory(
        project=world.a.project,
        planned_start=dt.date(2025, 1, 6),
        planned_end=dt.date(2025, 2, 3),
        actual_start=dt.date(2025, 1, 8),
        outcome="adapt",
        title="Triage",
    )
    ours.measures.add(wait)
    undated = PdsaCycleFactory(project=world.a.project)
    undated.measures.add(wait)
    other_measure = PdsaCycleFactory(project=world.a.project, planned_start=dt.date(2025, 1, 6))
    other_measure.measures.add(measure("referrals_signposted"))
    theirs = PdsaCycleFactory(project=world.b.project, planned_start=dt.date(2025, 1, 6))
    theirs.measures.add(wait)
    rows = selectors.pdsa_cycles_for_chart(site=world.a.site, measure=wait)
    assert rows == [
        {
            "id": ours.pk,
            "date_start": dt.date(2025, 1, 8),
            "date_end": dt.date(2025, 2, 3),
            "title": f"PDSA {ours.number}: Triage",
            "number": ours.number,
            "name": "Triage",
            "outcome": "Adapt",
            "outcome_code": "adapt",
            "stage": "Plan",
            "url": ours.get_absolute_url(),
        }
    ]


def test_ramp_picture_follows_the_stored_cycles(world, client_as):
    cycle = walk_to(PdsaCycleFactory(project=world.a.project, title="Evening calls"), Stage.ACT)
    client = client_as(world.a.stakeholder)
    page = client.get(url("pdsa-detail", cycle)).content.decode()
    assert "Act (this cycle)" in page
    services.pdsa_decide(cycle=cycle, user=None, outcome="adapt")
    page = client.get(url("pdsa-detail", cycle)).content.decode()
    assert "Act: Adapt (this cycle)" in page
    assert "Cycle 2" in page


def test_stakeholder_cannot_move_or_decide(world, client_as):
    cycle = PdsaCycleFactory(project=world.a.project)
    client = client_as(world.a.stakeholder)
    assert client.post(url("pdsa-move", cycle), {"to_stage": "do"}).status_code == 403
    assert client.post(url("pdsa-decide", cycle), {"outcome": "adopt"}).status_code == 403
    cycle.refresh_from_db()
    assert cycle.stage == Stage.PLAN
