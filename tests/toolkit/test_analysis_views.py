"""Pages of the analysis tools: building items from empty, reading them, roles, and refusals."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from toolkit.history import item_versions
from toolkit.models.analysis import (
    Fishbone,
    FishboneCategory,
    FishboneCause,
    FiveWhys,
    PriorityMatrix,
    PriorityOption,
    ProcessArrow,
    ProcessMap,
    Swot,
    WhyLink,
)

from .factories_analysis import (
    FishboneCategoryFactory,
    FishboneCauseFactory,
    FishboneFactory,
    FiveWhysFactory,
    PriorityCriterionFactory,
    PriorityMatrixFactory,
    PriorityOptionFactory,
    PriorityScoreFactory,
    ProcessLaneFactory,
    ProcessMapFactory,
    ProcessStepFactory,
    SwotFactory,
    SwotItemFactory,
    WhyLinkFactory,
)

pytestmark = pytest.mark.django_db


def url(sw, name: str, **kwargs) -> str:
    return reverse(
        f"toolkit:{name}", kwargs={"site_code": sw.site.code, "project_id": sw.project.pk, **kwargs}
    )


def fishbone_url(sw, fishbone, action: str = "detail") -> str:
    return url(sw, f"fishbone-{action}", fishbone_id=fishbone.pk)


# --- Building from empty ---------------------------------------------------------------------


def test_a_project_manager_builds_a_fishbone_from_empty_in_the_browser(world, client_as):
    client = client_as(world.a.pm)
    response = client.post(
        url(world.a, "fishbone-create"),
        {
            "title": "Long waits",
            "problem": "Families wait 45 days",
            "who": "Families",
            "when": "",
            "where": "SPA",
            "preset": "custom",
            "step": "",
        },
    )
    fishbone = Fishbone.objects.get()
    assert response.status_code == 302
    assert response["Location"] == fishbone.get_absolute_url()
    client.post(fishbone_url(world.a, fishbone, "categories-add"), {"categories-name": "People"})
    category = FishboneCategory.objects.get()
    for text in ("Admin vacancy", "Triage weekly"):
        client.post(
            fishbone_url(world.a, fishbone, "causes-add"),
            {"causes-category": category.pk, "causes-text": text, "causes-parent": ""},
        )
    page = client.get(fishbone.get_absolute_url()).content.decode()
    assert list(FishboneCause.objects.values_list("text", flat=True)) == [
        "Admin vacancy",
        "Triage weekly",
    ]
    assert 'role="img"' in page
    assert "Triage weekly</tspan>" in page  # drawn in the picture
    assert next(v.summary for v in item_versions(item=fishbone)) == (
        "Added the cause 'Triage weekly' under People"
    )


@pytest.mark.parametrize(
    ("tool", "model", "data"),
    [
        ("five-whys", FiveWhys, {"title": "Why late", "problem": "Letters late"}),
        ("process-map", ProcessMap, {"title": "Referral", "description": ""}),
        ("swot", Swot, {"title": "Readiness", "subject": "The SPA"}),
        (
            "priority-matrix",
            PriorityMatrix,
            {"title": "First test", "question": "Which idea", "method": "weighted"},
        ),
    ],
)
def test_each_tool_can_be_created_from_its_new_page(world, client_as, tool, model, data):
    client = client_as(world.a.pm)
    assert client.get(url(world.a, f"{tool}-create")).status_code == 200
    response = client.post(url(world.a, f"{tool}-create"), {"step": "", **data})
    item = model.objects.get()
    assert response["Location"] == item.get_absolute_url()
    assert f"/toolkit/{tool}/{item.pk}/" in item.get_absolute_url()
    assert item.created_by == world.a.pm
    assert client.get(item.get_absolute_url()).status_code == 200


def test_htmx_adds_a_part_and_returns_only_the_body_with_the_new_picture(world, client_as):
    chain = FiveWhysFactory(project=world.a.project)
    response = client_as(world.a.pm).post(
        url(world.a, "five-whys-whys-add", five_whys_id=chain.pk),
        {"whys-why": "Why are letters late?", "whys-answer": "The printer queue"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="item-body">')
    assert "Because The printer queue" in body  # in the SVG
    assert "Added the why" in body
    assert chain.links.count() == 1


def test_move_buttons_work_without_javascript(world, client_as):
    swot = SwotFactory(project=world.a.project)
    first = SwotItemFactory(swot=swot, quadrant="O", text="First")
    second = SwotItemFactory(swot=swot, quadrant="O", text="Second")
    response = client_as(world.a.pm).post(
        url(world.a, "swot-items-move", swot_id=swot.pk, swot_item_id=second.pk),
        {"direction": "up"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#items")
    assert [i.text for i in swot.items.filter(quadrant="O")] == ["Second", "First"]
    assert first.pk != second.pk


def test_removing_a_part_with_htmx_redraws_the_picture(world, client_as):
    cause = FishboneCauseFactory(category__fishbone__project=world.a.project, text="Old form")
    fishbone = cause.category.fishbone
    response = client_as(world.a.pm).post(
        url(world.a, "fishbone-causes-delete", fishbone_id=fishbone.pk, cause_id=cause.pk),
        HTTP_HX_REQUEST="true",
    )
    assert "Old form</tspan>" not in response.content.decode()
    assert not FishboneCause.objects.exists()


def test_editing_a_part_on_its_own_page(world, client_as):
    option = PriorityOptionFactory(matrix__project=world.a.project, name="Leaflet")
    edit = url(
        world.a,
        "priority-matrix-options-edit",
        priority_matrix_id=option.matrix.pk,
        option_id=option.pk,
    )
    client = client_as(world.a.pm)
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, {"name": "Leaflet for families", "description": "", "impact": "2", "effort": "1"}
    )
    assert response.status_code == 302
    option.refresh_from_db()
    assert (option.name, option.impact, option.effort) == ("Leaflet for families", 2, 1)


def test_the_picture_on_the_page_follows_the_stored_data(world, client_as):
    matrix = PriorityMatrixFactory(project=world.a.project)
    option = PriorityOptionFactory(matrix=matrix, name="Daily triage", impact=2, effort=2)
    client = client_as(world.a.stakeholder)
    before = client.get(matrix.get_absolute_url()).content.decode()
    assert "Quick wins: none." in before
    option.impact = 5
    option.save()
    after = client.get(matrix.get_absolute_url()).content.decode()
    assert "Quick wins: Daily triage." in after
    assert "Daily triage: impact 5, effort 2; quick wins." in after


def test_scores_page_saves_scores_and_the_ranking_follows(world, client_as):
    matrix = PriorityMatrixFactory(project=world.a.project, method="weighted")
    benefit = PriorityCriterionFactory(matrix=matrix, name="Benefit", weight=5)
    north = PriorityOptionFactory(matrix=matrix, name="North team")
    south = PriorityOptionFactory(matrix=matrix, name="South team")
    client = client_as(world.a.pm)
    for option, score in ((north, 2), (south, 4)):
        client.post(
            url(
                world.a,
                "priority-matrix-option-scores",
                priority_matrix_id=matrix.pk,
                option_id=option.pk,
            ),
            {f"criterion_{benefit.pk}": str(score)},
        )
    page = client.get(matrix.get_absolute_url()).content.decode()
    assert page.index("1. South team") < page.index("2. North team")


def test_a_fishbone_cause_opens_a_five_whys_chain(world, client_as):
    cause = FishboneCauseFactory(category__fishbone__project=world.a.project, text="No owner")
    fishbone = cause.category.fishbone
    client = client_as(world.a.pm)
    response = client.post(
        url(world.a, "fishbone-cause-five-whys", fishbone_id=fishbone.pk, cause_id=cause.pk)
    )
    chain = FiveWhys.objects.get()
    assert response["Location"] == chain.get_absolute_url()
    assert chain.problem == "No owner"
    chain_page = client.get(chain.get_absolute_url()).content.decode()
    assert fishbone.get_absolute_url() in chain_page
    assert chain.get_absolute_url() in client.get(fishbone.get_absolute_url()).content.decode()


# --- Reading, history, print, index ----------------------------------------------------------


def test_a_stakeholder_reads_every_page_without_edit_controls(world, client_as):
    cause = FishboneCauseFactory(category__fishbone__project=world.a.project)
    fishbone = cause.category.fishbone
    client = client_as(world.a.stakeholder)
    page = client.get(fishbone.get_absolute_url()).content.decode()
    assert cause.text in page
    for control in ("Edit details", "Add cause", "Move up", "Remove", "Ask five whys", "Delete"):
        assert control not in page
    for action in ("print", "history"):
        assert client.get(fishbone_url(world.a, fishbone, action)).status_code == 200
    assert client.get(url(world.a, "index")).status_code == 200


def test_history_lists_versions_and_shows_a_chosen_versions_picture(world, client_as):
    client = client_as(world.a.pm)
    client.post(url(world.a, "swot-create"), {"title": "Readiness", "subject": "SPA", "step": ""})
    swot = Swot.objects.get()
    client.post(
        url(world.a, "swot-items-add", swot_id=swot.pk),
        {"items-quadrant": "S", "items-text": "Keen team", "items-priority": "1"},
    )
    history = url(world.a, "swot-history", swot_id=swot.pk)
    latest = client.get(history).content.decode()
    assert "Added the strength &#x27;Keen team&#x27;" in latest
    assert world.a.pm.get_full_name() in latest
    first = client.get(history + "?version=1").content.decode()
    assert "Version 1: Created" in first
    assert "[High] Keen team" not in first  # the picture as it was then
    assert "[High] Keen team" in latest


def test_print_view_has_the_picture_and_text_but_no_navigation(world, client_as):
    pmap = ProcessMapFactory(project=world.a.project)
    ProcessStepFactory(process_map=pmap, label="Referral arrives", kind="start")
    page = (
        client_as(world.a.stakeholder)
        .get(url(world.a, "process-map-print", process_map_id=pmap.pk))
        .content.decode()
    )
    assert "nhsuk-header" not in page
    assert "<svg" in page
    assert "Start: Referral arrives" in page


def test_the_toolkit_index_lists_the_projects_items_by_tool(world, client_as):
    ours = FishboneFactory(project=world.a.project, title="Our fishbone")
    FishboneFactory(project=world.b.project, title="Their fishbone")
    SwotFactory(project=world.a.project, title="Our SWOT")
    page = client_as(world.a.stakeholder).get(url(world.a, "index")).content.decode()
    for name in (
        "Fishbone diagrams",
        "Five Whys chains",
        "Process maps",
        "SWOT analyses",
        "Priority setting matrices",
    ):
        assert name in page
    assert ours.get_absolute_url() in page
    assert "Our SWOT" in page
    assert "Their fishbone" not in page


def test_deleting_an_item_asks_first_then_removes_it(world, client_as):
    swot = SwotFactory(project=world.a.project)
    client = client_as(world.a.pm)
    delete = url(world.a, "swot-delete", swot_id=swot.pk)
    assert "cannot be undone" in client.get(delete).content.decode()
    response = client.post(delete)
    assert response["Location"] == url(world.a, "swot-list")
    assert not Swot.objects.exists()


# --- Roles -----------------------------------------------------------------------------------


def write_requests(sw):
    """(url, data) of a write of each kind, on items of `sw`'s project."""
    cause = FishboneCauseFactory(category__fishbone__project=sw.project)
    fishbone = cause.category.fishbone
    chain = FiveWhysFactory(project=sw.project)
    link = WhyLinkFactory(five_whys=chain)
    pmap = ProcessMapFactory(project=sw.project)
    a, b = ProcessStepFactory.create_batch(2, process_map=pmap)
    option = PriorityOptionFactory(matrix__project=sw.project)
    return [
        (url(sw, "fishbone-create"), {"title": "t", "problem": "p", "preset": "classic"}),
        (fishbone_url(sw, fishbone, "edit"), {"title": "t", "problem": "p"}),
        (fishbone_url(sw, fishbone, "delete"), {}),
        (fishbone_url(sw, fishbone, "categories-add"), {"categories-name": "New"}),
        (
            url(sw, "fishbone-causes-move", fishbone_id=fishbone.pk, cause_id=cause.pk),
            {"direction": "up"},
        ),
        (url(sw, "fishbone-causes-delete", fishbone_id=fishbone.pk, cause_id=cause.pk), {}),
        (url(sw, "fishbone-cause-five-whys", fishbone_id=fishbone.pk, cause_id=cause.pk), {}),
        (
            url(sw, "five-whys-whys-edit", five_whys_id=chain.pk, why_id=link.pk),
            {"why": "w", "answer": "a"},
        ),
        (
            url(sw, "process-map-arrows-add", process_map_id=pmap.pk),
            {"arrows-source": a.pk, "arrows-target": b.pk},
        ),
        (
            url(
                sw,
                "priority-matrix-option-scores",
                priority_matrix_id=option.matrix.pk,
                option_id=option.pk,
            ),
            {},
        ),
    ]


@pytest.mark.parametrize("role", ["stakeholder", "info"])
def test_roles_without_edit_are_refused_every_write_and_nothing_changes(world, client_as, role):
    requests = write_requests(world.a)
    counts = [
        m.objects.count()
        for m in (
            Fishbone,
            FishboneCategory,
            FishboneCause,
            FiveWhys,
            WhyLink,
            ProcessArrow,
            PriorityOption,
        )
    ]
    client = client_as(world.a.user(role))
    for target, data in requests:
        assert client.post(target, data).status_code == 403, target
        assert client.get(target).status_code in (403, 405), target
    assert counts == [
        m.objects.count()
        for m in (
            Fishbone,
            FishboneCategory,
            FishboneCause,
            FiveWhys,
            WhyLink,
            ProcessArrow,
            PriorityOption,
        )
    ]


# --- Bad input is refused with a clear message and changes nothing --------------------------


def test_an_empty_problem_statement_is_refused_with_a_message(world, client_as):
    response = client_as(world.a.pm).post(
        url(world.a, "fishbone-create"),
        {"title": "Waits", "problem": "   ", "preset": "classic"},
    )
    assert response.status_code == 200
    assert "Enter the problem statement" in response.content.decode()
    assert not Fishbone.objects.exists()


def test_a_cause_under_another_sites_category_is_refused_with_a_message(world, client_as):
    fishbone = FishboneFactory(project=world.a.project)
    FishboneCategoryFactory(fishbone=fishbone)
    theirs = FishboneCategoryFactory(fishbone__project=world.b.project)
    response = client_as(world.a.pm).post(
        fishbone_url(world.a, fishbone, "causes-add"),
        {"causes-category": theirs.pk, "causes-text": "Sneaky", "causes-parent": ""},
    )
    assert "Choose a category of this fishbone." in response.content.decode()
    assert not FishboneCause.objects.exists()
    assert not item_versions(item=fishbone).exists()


def test_a_part_reached_through_another_item_is_not_found(world, client_as):
    ours = FishboneFactory(project=world.a.project)
    other_cause = FishboneCauseFactory(category__fishbone__project=world.a.project)
    response = client_as(world.a.pm).post(
        url(world.a, "fishbone-causes-delete", fishbone_id=ours.pk, cause_id=other_cause.pk)
    )
    assert response.status_code == 404
    assert FishboneCause.objects.filter(pk=other_cause.pk).exists()


def test_an_impact_score_out_of_range_is_refused_with_a_message(world, client_as):
    matrix = PriorityMatrixFactory(project=world.a.project)
    response = client_as(world.a.pm).post(
        url(world.a, "priority-matrix-options-add", priority_matrix_id=matrix.pk),
        {"options-name": "Daily triage", "options-impact": "7", "options-effort": "2"},
        HTTP_HX_REQUEST="true",
    )
    assert "Impact must be a whole number from 1 to 5." in response.content.decode()
    assert not PriorityOption.objects.exists()


def test_marking_a_short_chain_complete_is_refused_with_a_message(world, client_as):
    chain = FiveWhysFactory(project=world.a.project)
    WhyLinkFactory.create_batch(2, five_whys=chain)
    response = client_as(world.a.pm).post(
        url(world.a, "five-whys-edit", five_whys_id=chain.pk),
        {"title": chain.title, "problem": chain.problem, "is_complete": "on"},
    )
    assert "A complete Five Whys chain has 3 to 8 links; this one has 2." in (
        response.content.decode()
    )
    chain.refresh_from_db()
    assert not chain.is_complete


def test_an_arrow_to_a_step_of_another_map_is_refused_with_a_message(world, client_as):
    pmap = ProcessMapFactory(project=world.a.project)
    ours, _other = ProcessStepFactory.create_batch(2, process_map=pmap)
    theirs = ProcessStepFactory(process_map__project=world.a.project)
    response = client_as(world.a.pm).post(
        url(world.a, "process-map-arrows-add", process_map_id=pmap.pk),
        {"arrows-source": ours.pk, "arrows-target": theirs.pk, "arrows-label": ""},
    )
    assert "An arrow can only join two steps of the same process map." in (
        response.content.decode()
    )
    assert not ProcessArrow.objects.exists()


def test_a_ninth_why_is_refused_with_a_message(world, client_as):
    chain = FiveWhysFactory(project=world.a.project)
    WhyLinkFactory.create_batch(8, five_whys=chain)
    response = client_as(world.a.pm).post(
        url(world.a, "five-whys-whys-add", five_whys_id=chain.pk),
        {"whys-why": "Why?", "whys-answer": "Because"},
    )
    assert "at most 8 links" in response.content.decode()
    assert chain.links.count() == 8


@pytest.mark.parametrize(
    "tool", ["fishbone", "five-whys", "process-map", "swot", "priority-matrix"]
)
def test_a_pages_queries_do_not_grow_with_its_parts(
    world, client_as, tool, django_assert_max_num_queries
):
    """Detail pages run a fixed number of queries however many parts the item has."""
    client = client_as(world.a.pm)
    builders = {
        "fishbone": (
            FishboneFactory,
            lambda i: FishboneCauseFactory(category=FishboneCategoryFactory(fishbone=i)),
        ),
        "five-whys": (FiveWhysFactory, lambda i: WhyLinkFactory(five_whys=i)),
        "process-map": (
            ProcessMapFactory,
            lambda i: ProcessStepFactory(process_map=i, lane=ProcessLaneFactory(process_map=i)),
        ),
        "swot": (SwotFactory, lambda i: SwotItemFactory(swot=i)),
        "priority-matrix": (
            PriorityMatrixFactory,
            lambda i: PriorityScoreFactory(
                option=PriorityOptionFactory(matrix=i), criterion=PriorityCriterionFactory(matrix=i)
            ),
        ),
    }
    factory, add_part = builders[tool]
    item = factory(project=world.a.project)
    add_part(item)
    add_part(item)  # two, so that forms needing two parts (arrows) show from the start
    with CaptureQueriesContext(connection) as few:
        client.get(item.get_absolute_url())
    for _ in range(5):
        add_part(item)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(item.get_absolute_url()).status_code == 200
