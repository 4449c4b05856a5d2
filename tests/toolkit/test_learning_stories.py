"""Implementation stories: written by project managers, read by everyone on the site, with a
version history; finished cycles shared with the community of practice from the Act stage."""

from __future__ import annotations

import pytest
from django.urls import reverse

from phases.models import Principle
from toolkit.history import item_versions
from toolkit.models import ItemVersion, PdsaCycle, Story

from .factories_improvement import PdsaCycleFactory
from .factories_learning import StoryFactory


def url(name, story, **extra):
    kwargs = {"site_code": story.project.site.code, "project_id": story.project_id}
    return reverse(f"toolkit:{name}", kwargs={**kwargs, "story_id": story.pk, **extra})


def principle(code):
    return Principle.objects.get(code=code)


def story_post(**extra):
    return {
        "title": "Help at the first call",
        "summary": "Families got advice weeks earlier.",
        "what_happened": "The duty team phoned every family within two days.",
        "principles": [principle("needs-led").pk, principle("accessibility").pk],
        "celebrate": "on",
        "shared_with_community": "on",
        **extra,
    }


def test_project_manager_writes_a_celebrated_story_tagged_by_principle(world, client_as):
    response = client_as(world.a.pm).post(
        reverse("toolkit:story-create", args=[world.a.site.code, world.a.project.pk]),
        story_post(),
    )
    story = Story.objects.get()
    assert response.status_code == 302
    assert response["Location"] == story.get_absolute_url()
    assert story.celebrate is True
    assert story.shared_with_community is True
    assert {p.code for p in story.principles.all()} == {"needs-led", "accessibility"}
    assert story.created_by == world.a.pm
    [version] = item_versions(item=story)
    assert version.summary == "Wrote the story"
    assert version.snapshot["principles"] == ["accessibility", "needs-led"]


def test_a_story_needs_a_summary_and_what_happened(world, client_as):
    response = client_as(world.a.pm).post(
        reverse("toolkit:story-create", args=[world.a.site.code, world.a.project.pk]),
        story_post(summary="", what_happened=""),
    )
    page = response.content.decode()
    assert "Enter a summary: what other sites should know." in page
    assert "Enter what happened." in page
    assert not Story.objects.exists()


def test_editing_a_story_records_a_version_and_can_untag_principles(world, client_as):
    story = StoryFactory(project=world.a.project)
    story.principles.set([principle("needs-led")])
    response = client_as(world.a.pm).post(
        url("story-edit", story), story_post(title="Renamed", principles=[], celebrate="")
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title == "Renamed"
    assert story.celebrate is False
    assert list(story.principles.all()) == []
    assert [v.summary for v in item_versions(item=story)] == ["Edited the story"]


def test_deleting_a_story_deletes_it_and_its_history_and_no_other(world, client_as):
    story, kept = StoryFactory(project=world.a.project), StoryFactory(project=world.a.project)
    client_as(world.a.pm).post(
        url("story-edit", kept), {"title": "Kept", "summary": "s", "what_happened": "w"}
    )
    assert ItemVersion.objects.filter(object_id=kept.pk).exists()
    response = client_as(world.a.pm).post(url("story-delete", story))
    assert response.status_code == 302
    assert list(Story.objects.all()) == [kept]
    assert not ItemVersion.objects.filter(object_id=story.pk).exists()
    assert ItemVersion.objects.filter(object_id=kept.pk).exists()


def test_stakeholders_read_stories_but_cannot_write_them(world, client_as):
    story = StoryFactory(project=world.a.project, celebrate=True)
    client = client_as(world.a.stakeholder)
    page = client.get(url("story-detail", story)).content.decode()
    assert story.title in page
    assert "Good THRIVE-like practice" in page
    assert "/edit/" not in page
    assert client.get(url("story-history", story)).status_code == 200
    assert client.get(url("story-print", story)).status_code == 200
    assert client.get(url("story-edit", story)).status_code == 403
    assert client.post(url("story-delete", story)).status_code == 403
    create = reverse("toolkit:story-create", args=[world.a.site.code, world.a.project.pk])
    assert client.post(create, story_post()).status_code == 403
    assert Story.objects.count() == 1


@pytest.mark.parametrize("role", ["pm", "stakeholder"])
def test_another_sites_story_is_not_found(world, client_as, role):
    story = StoryFactory(project=world.b.project, shared_with_community=True)
    wrong = reverse(
        "toolkit:story-detail",
        kwargs={
            "site_code": world.a.site.code,
            "project_id": world.a.project.pk,
            "story_id": story.pk,
        },
    )
    assert client_as(world.a.user(role)).get(wrong).status_code == 404
    assert client_as(world.a.user(role)).get(url("story-detail", story)).status_code == 404


def test_toolkit_index_lists_stories_and_links_to_the_library(world, client_as):
    StoryFactory(project=world.a.project, title="Our first story")
    page = (
        client_as(world.a.stakeholder)
        .get(reverse("toolkit:index", args=[world.a.site.code, world.a.project.pk]))
        .content.decode()
    )
    assert "Implementation stories" in page
    assert "Our first story" in page
    assert reverse("toolkit:library") in page


def test_a_finished_cycle_is_shared_with_the_community_from_the_act_stage(world, client_as):
    cycle = PdsaCycleFactory(project=world.a.project, stage=PdsaCycle.Stage.ACT)
    decide = reverse(
        "toolkit:pdsa-decide",
        kwargs={
            "site_code": world.a.site.code,
            "project_id": world.a.project.pk,
            "cycle_id": cycle.pk,
        },
    )
    page = client_as(world.a.pm).get(cycle.get_absolute_url()).content.decode()
    assert "Share with the community of practice" in page
    response = client_as(world.a.pm).post(
        decide, {"outcome": "abandon", "next_steps": "Try mornings", "shared_with_community": "on"}
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.outcome == "abandon"
    assert cycle.shared_with_community is True
    assert item_versions(item=cycle).first().snapshot["shared_with_community"] is True
    # Deciding again without the box unshares it.
    client_as(world.a.pm).post(decide, {"outcome": "abandon"})
    cycle.refresh_from_db()
    assert cycle.shared_with_community is False
    assert PdsaCycle._meta.get_field("shared_with_community").default is False
