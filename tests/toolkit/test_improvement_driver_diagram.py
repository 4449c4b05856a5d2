"""Driver diagrams: aim, nodes in the right place, reordering in place, history, picture."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from measures.models import Measure
from toolkit.history import item_versions
from toolkit.improvement import services
from toolkit.models import DriverDiagram, DriverNode

from .factories_improvement import DriverDiagramFactory, DriverNodeFactory, measure


def url(name, diagram, **extra):
    kwargs = {"site_code": diagram.project.site.code, "project_id": diagram.project_id}
    return reverse(f"toolkit:{name}", kwargs={**kwargs, "diagram_id": diagram.pk, **extra})


def aim_data(**overrides):
    data = {
        "title": "Faster advice",
        "aim_what": "Cut the wait to first contact",
        "aim_how_much": "from 45 to 28 days",
        "aim_by_when": "2026-03-31",
        "outcome_measure": measure("median_wait_days").pk,
        "step": "",
    }
    return {**data, **overrides}


def test_project_manager_creates_a_driver_diagram_from_empty(world, client_as):
    client = client_as(world.a.pm)
    response = client.post(
        reverse("toolkit:driver-diagram-create", args=[world.a.site.code, world.a.project.pk]),
        aim_data(),
    )
    diagram = DriverDiagram.objects.get()
    assert response.status_code == 302
    assert response["Location"] == diagram.get_absolute_url()
    assert diagram.outcome_measure.code == "median_wait_days"
    assert diagram.created_by == world.a.pm
    assert [v.summary for v in item_versions(item=diagram)] == ["Created the driver diagram"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("aim_what", "   ", "Enter the aim: what will improve."),
        ("aim_how_much", "", "Enter how much it will improve."),
        ("outcome_measure", "99999", "Choose an outcome measure from the list."),
        ("aim_by_when", "", "Enter the date by which the aim will be met."),
    ],
)
def test_bad_aim_is_refused_with_a_clear_message_and_nothing_is_saved(
    world, client_as, field, value, message
):
    response = client_as(world.a.pm).post(
        reverse("toolkit:driver-diagram-create", args=[world.a.site.code, world.a.project.pk]),
        aim_data(**{field: value}),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DriverDiagram.objects.exists()


def test_blank_aim_is_refused_by_the_service_too(world):
    with pytest.raises(ValidationError, match="Enter the aim"):
        services.driver_diagram_create(
            project=world.a.project,
            user=world.a.pm,
            title="T",
            aim_what=" ",
            aim_how_much="x",
            aim_by_when=dt.date(2026, 1, 1),
            outcome_measure=measure(),
        )
    assert not DriverDiagram.objects.exists()


def test_nodes_must_hang_from_a_node_of_the_kind_above_in_the_same_diagram(world):
    diagram = DriverDiagramFactory(project=world.a.project)
    other = DriverDiagramFactory(project=world.a.project)
    primary = services.driver_node_add(diagram=diagram, user=None, kind="primary", text="Access")
    foreign = DriverNodeFactory(diagram=other, kind="primary")
    with pytest.raises(ValidationError, match="of this driver diagram"):
        services.driver_node_add(
            diagram=diagram, user=None, kind="secondary", text="x", parent=foreign
        )
    with pytest.raises(ValidationError, match="belongs to a secondary driver"):
        services.driver_node_add(
            diagram=diagram, user=None, kind="change_idea", text="x", parent=primary
        )
    with pytest.raises(ValidationError, match="hangs from the aim"):
        services.driver_node_add(
            diagram=diagram, user=None, kind="primary", text="x", parent=primary
        )
    with pytest.raises(ValidationError, match="Choose the primary driver"):
        services.driver_node_add(diagram=diagram, user=None, kind="secondary", text="x")
    assert DriverNode.objects.filter(diagram=diagram).count() == 1


def test_a_parent_from_another_site_is_refused_and_nothing_changes(world, client_as):
    diagram = DriverDiagramFactory(project=world.a.project)
    theirs = DriverNodeFactory(diagram=DriverDiagramFactory(project=world.b.project))
    before = DriverNode.objects.count()
    response = client_as(world.a.pm).post(
        url("driver-node-add", diagram),
        {"kind": "secondary", "secondary-parent": theirs.pk, "secondary-text": "Triage"},
        HTTP_HX_REQUEST="true",
    )
    assert "Choose a driver of this driver diagram." in response.content.decode()
    assert DriverNode.objects.count() == before


def test_a_parent_from_another_diagram_of_the_site_is_refused_in_the_browser(world, client_as):
    diagram = DriverDiagramFactory(project=world.a.project)
    other_primary = DriverNodeFactory(diagram=DriverDiagramFactory(project=world.a.project))
    response = client_as(world.a.pm).post(
        url("driver-node-add", diagram),
        {"kind": "secondary", "secondary-parent": other_primary.pk, "secondary-text": "Triage"},
    )
    assert "Choose a primary driver of this driver diagram." in response.content.decode()
    assert not diagram.nodes.exists()


def test_a_measure_that_does_not_exist_is_refused(world, client_as):
    diagram = DriverDiagramFactory(project=world.a.project)
    response = client_as(world.a.pm).post(
        url("driver-node-add", diagram),
        {"kind": "primary", "primary-text": "Access", "primary-measures": [987654]},
    )
    assert "Choose measures from the list" in response.content.decode()
    assert not diagram.nodes.exists()
    with pytest.raises(ValidationError, match="does not exist"):
        services.driver_node_add(
            diagram=diagram, user=None, kind="primary", text="x", measures=[987654]
        )


def test_adding_a_node_with_htmx_returns_the_diagram_fragment_with_the_new_node(world, client_as):
    diagram = DriverDiagramFactory(project=world.a.project)
    response = client_as(world.a.pm).post(
        url("driver-node-add", diagram),
        {
            "kind": "primary",
            "primary-text": "Referrals reach the right support",
            "primary-measures": [measure("referrals_signposted").pk],
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="diagram-body"')
    assert "<html" not in html
    assert "Referrals reach the right support" in html
    node = diagram.nodes.get()
    assert list(node.measures.values_list("code", flat=True)) == ["referrals_signposted"]


def test_adding_a_node_without_javascript_redirects_back_to_the_diagram(world, client_as):
    diagram = DriverDiagramFactory(project=world.a.project)
    response = client_as(world.a.pm).post(
        url("driver-node-add", diagram), {"kind": "primary", "primary-text": "Access"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#diagram-body")


def test_move_up_and_down_reorders_siblings_and_records_a_version(world, client_as):
    diagram = DriverDiagramFactory(project=world.a.project)
    first, _second, third = (
        services.driver_node_add(diagram=diagram, user=None, kind="primary", text=t)
        for t in ("First", "Second", "Third")
    )
    client = client_as(world.a.pm)
    client.post(
        url("driver-node-move", diagram, node_id=third.pk),
        {"direction": "up"},
        HTTP_HX_REQUEST="true",
    )
    order = list(diagram.nodes.order_by("order").values_list("text", flat=True))
    assert order == ["First", "Third", "Second"]
    client.post(url("driver-node-move", diagram, node_id=first.pk), {"direction": "up"})
    assert list(diagram.nodes.order_by("order").values_list("text", flat=True)) == order
    assert item_versions(item=diagram).first().summary == "Moved up: Third"


def test_removing_a_driver_removes_what_hangs_from_it_and_keeps_history(world, client_as):
    diagram = DriverDiagramFactory(project=world.a.project)
    primary = services.driver_node_add(diagram=diagram, user=None, kind="primary", text="P")
    services.driver_node_add(diagram=diagram, user=None, kind="secondary", text="S", parent=primary)
    client_as(world.a.pm).post(
        url("driver-node-delete", diagram, node_id=primary.pk), HTTP_HX_REQUEST="true"
    )
    assert not diagram.nodes.exists()
    latest = item_versions(item=diagram).first()
    assert latest.summary == "Removed primary driver: P"
    assert latest.snapshot["nodes"] == []


def test_picture_is_drawn_from_the_stored_data_and_changes_with_it(world, client_as):
    diagram = DriverDiagramFactory(project=world.a.project)
    client = client_as(world.a.stakeholder)
    before = client.get(diagram.get_absolute_url()).content.decode()
    assert "Staff know the referral criteria" not in before
    services.driver_node_add(
        diagram=diagram, user=None, kind="primary", text="Staff know the referral criteria"
    )
    after = client.get(diagram.get_absolute_url()).content.decode()
    start = after.index('class="thrive-picture"')
    svg_part = after[start : after.index("</svg>", start)]
    assert "Staff know the referral</tspan>" in svg_part
    assert "1 primary drivers" in svg_part


def test_editing_a_node_changes_its_text_and_process_measures(world, client_as):
    diagram = DriverDiagramFactory(project=world.a.project)
    node = services.driver_node_add(diagram=diagram, user=None, kind="primary", text="Old")
    response = client_as(world.a.pm).post(
        url("driver-node-edit", diagram, node_id=node.pk),
        {"text": "New", "measures": [measure("referrals_signposted").pk]},
    )
    assert response.status_code == 302
    node.refresh_from_db()
    assert node.text == "New"
    assert [m.code for m in node.measures.all()] == ["referrals_signposted"]


def test_stakeholder_cannot_add_move_or_remove_nodes(world, client_as):
    diagram = DriverDiagramFactory(project=world.a.project)
    node = DriverNodeFactory(diagram=diagram)
    client = client_as(world.a.stakeholder)
    assert client.post(url("driver-node-add", diagram), {"kind": "primary"}).status_code == 403
    assert client.post(url("driver-node-move", diagram, node_id=node.pk)).status_code == 403
    assert client.post(url("driver-node-delete", diagram, node_id=node.pk)).status_code == 403
    assert diagram.nodes.count() == 1


def test_deleting_a_diagram_asks_first_then_removes_it(world, client_as):
    diagram = DriverDiagramFactory(project=world.a.project)
    client = client_as(world.a.pm)
    assert "Delete" in client.get(url("driver-diagram-delete", diagram)).content.decode()
    response = client.post(url("driver-diagram-delete", diagram))
    assert response.status_code == 302
    assert not DriverDiagram.objects.exists()


def test_edit_records_a_version_with_the_new_aim(world, client_as):
    diagram = DriverDiagramFactory(project=world.a.project)
    client_as(world.a.pm).post(
        url("driver-diagram-edit", diagram), aim_data(aim_how_much="from 45 to 21 days")
    )
    latest = item_versions(item=diagram).first()
    assert latest.snapshot["aim_how_much"] == "from 45 to 21 days"
    assert latest.changed_by == world.a.pm


def test_unknown_measure_code_is_never_created(world):
    assert not Measure.objects.filter(pk=987654).exists()
