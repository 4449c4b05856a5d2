"""Communication plans: a tool added through toolkit.tools alone gets every page, part action,
permission check and version of the other tools."""

from __future__ import annotations

import pytest
from django.urls import reverse

from toolkit.history import item_versions
from toolkit.models import CommunicationPlan, PlannedMessage

from .factories_engagement import CommunicationPlanFactory, PlannedMessageFactory

pytestmark = pytest.mark.django_db

MESSAGE = {
    "messages-audience": "GPs",
    "messages-message": "Refer through the single point of access.",
    "messages-channel": "Practice bulletin",
    "messages-when": "Monthly from March",
    "messages-owner": "Clinical lead",
}


def url(name, plan=None, **extra):
    project = plan.project if plan else extra.pop("project")
    kwargs = {"site_code": project.site.code, "project_id": project.pk, **extra}
    if plan:
        kwargs["communication_plan_id"] = plan.pk
    return reverse(f"toolkit:communication-plan-{name}", kwargs=kwargs)


def test_manager_plans_messages_and_every_change_is_a_version(world, client_as):
    client = client_as(world.a.pm)
    response = client.post(
        url("create", project=world.a.project),
        {"title": "Telling referrers", "purpose": "Explain the single point of access."},
    )
    plan = CommunicationPlan.objects.get()
    assert response["Location"] == plan.get_absolute_url()
    page = client.post(url("messages-add", plan), MESSAGE, HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert 'id="messages"' in html  # the fragment, for htmx
    assert "<html" not in html
    assert "Added the message &#x27;GPs&#x27;." in html
    second = PlannedMessageFactory(plan=plan, audience="Schools", order=9)
    client.post(url("messages-move", plan, message_id=second.pk), {"direction": "up"})
    assert list(plan.messages.values_list("audience", flat=True)) == ["Schools", "GPs"]
    edit = url("messages-edit", plan, message_id=second.pk)
    client.post(edit, {**{k.split("-")[1]: v for k, v in MESSAGE.items()}, "audience": "Heads"})
    client.post(url("messages-delete", plan, message_id=second.pk))
    assert list(plan.messages.values_list("audience", flat=True)) == ["GPs"]
    assert [v.summary for v in item_versions(item=plan)] == [
        "Removed the message to Heads",
        "Edited the message to Heads",
        "Moved the message to Schools",
        "Planned a message to GPs",
        "Created",
    ]
    assert "Clinical lead" in client.get(url("print", plan)).content.decode()


def test_a_message_without_its_audience_is_refused_and_nothing_is_stored(world, client_as):
    plan = CommunicationPlanFactory(project=world.a.project)
    response = client_as(world.a.pm).post(
        url("messages-add", plan), {**MESSAGE, "messages-audience": "  "}
    )
    assert response.status_code == 200
    assert "Enter who the message is for." in response.content.decode()
    assert not PlannedMessage.objects.exists()


def test_stakeholders_read_plans_and_other_sites_do_not_see_them(world, client_as):
    plan = CommunicationPlanFactory(project=world.a.project, title="Telling referrers")
    PlannedMessageFactory(plan=plan, audience="Young people's forum")
    reader = client_as(world.a.stakeholder)
    page = reader.get(url("detail", plan)).content.decode()
    assert "Young people&#x27;s forum" in page
    assert "Add message" not in page
    assert reader.post(url("messages-add", plan), MESSAGE).status_code == 403
    assert (
        "Communication plans"
        in reader.get(
            reverse("toolkit:index", args=[world.a.site.code, world.a.project.pk])
        ).content.decode()
    )
    other = client_as(world.b.pm)
    own_site = reverse(
        "toolkit:communication-plan-detail",
        args=[world.b.site.code, world.a.project.pk, plan.pk],
    )
    assert other.get(own_site).status_code == 404
    assert other.get(url("detail", plan)).status_code == 404
