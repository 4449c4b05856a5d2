"""The learning library: finished cycles, reflections and stories of the reader's own sites,
and what the programme's other sites shared; never an unshared item of a site they cannot
view, and nothing of another programme."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from phases.models import Principle, Step
from projects.models import ThriveFocus
from tests.conftest import make_site_world
from tests.factories import ProgrammeFactory
from toolkit.models import PdsaCycle

from .factories_improvement import (
    PdsaCycleFactory,
    ReflectionFactorFactory,
    ReflectionFactory,
    measure,
)
from .factories_learning import StoryFactory

LIBRARY = reverse("toolkit:library")
Stage = PdsaCycle.Stage


def finished(project, outcome="adopt", **fields):
    return PdsaCycleFactory(project=project, stage=Stage.ACT, outcome=outcome, **fields)


def titles(client, **params):
    response = client.get(LIBRARY, params)
    assert response.status_code == 200
    return sorted(entry.item.title for entry in response.context["entries"])


def test_library_needs_sign_in(client):
    response = client.get(LIBRARY)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["pm", "info", "stakeholder"])
def test_a_user_of_site_a_reads_site_bs_shared_reflection_but_not_its_unshared_one(
    world, client_as, role
):
    ReflectionFactory(project=world.b.project, title="B shared", share_with_community=True)
    ReflectionFactory(project=world.b.project, title="B private", share_with_community=False)
    StoryFactory(project=world.b.project, title="B story private")
    finished(world.b.project, title="B cycle private")
    client = client_as(world.a.user(role))
    assert titles(client) == ["B shared"]
    page = client.get(LIBRARY, {"q": "private"}).content.decode()
    assert "B private" not in page
    assert "B story private" not in page
    assert "B cycle private" not in page


def test_shared_items_of_other_sites_are_read_in_place_not_linked(world, client_as):
    story = StoryFactory(project=world.b.project, title="B story", shared_with_community=True)
    page = client_as(world.a.stakeholder).get(LIBRARY).content.decode()
    assert "B story" in page
    assert story.what_happened in page
    assert story.get_absolute_url() not in page


def test_own_sites_items_show_shared_or_not_and_link_to_their_pages(world, client_as):
    mine = ReflectionFactory(project=world.a.project, title="A private")
    StoryFactory(project=world.a.project, title="A story", shared_with_community=True)
    finished(world.a.project, title="A cycle")
    client = client_as(world.a.stakeholder)
    assert titles(client) == ["A cycle", "A private", "A story"]
    page = client.get(LIBRARY).content.decode()
    assert mine.get_absolute_url() in page
    assert "Not shared: your site only" in page


def test_unfinished_cycles_are_not_in_the_library(world, client_as):
    PdsaCycleFactory(project=world.a.project, title="In Do", stage=Stage.DO)
    PdsaCycleFactory(project=world.a.project, title="At Act, undecided", stage=Stage.ACT)
    finished(world.a.project, title="Decided")
    assert titles(client_as(world.a.pm)) == ["Decided"]


def test_a_user_of_another_programme_and_an_outsider_see_nothing(world, client_as):
    ReflectionFactory(project=world.a.project, title="Shared A", share_with_community=True)
    StoryFactory(project=world.b.project, title="Shared B", shared_with_community=True)
    finished(world.b.project, title="Cycle B", shared_with_community=True)
    other = make_site_world(ProgrammeFactory(), "ZZZ")
    ReflectionFactory(project=other.project, title="Elsewhere", share_with_community=True)
    assert titles(client_as(other.stakeholder)) == ["Elsewhere"]
    assert titles(client_as(world.outsider)) == []
    page = client_as(world.outsider).get(LIBRARY).content.decode()
    assert "not part of a programme" in page
    # Asking for another programme's site by code is refused, not answered.
    response = client_as(other.stakeholder).get(LIBRARY, {"site": world.a.site.code})
    assert "Choose a site from the list." in response.content.decode()
    assert [e.item.title for e in response.context["entries"]] == ["Elsewhere"]


def test_programme_leads_see_every_item_of_their_programme(world, client_as):
    ReflectionFactory(project=world.a.project, title="A private")
    StoryFactory(project=world.b.project, title="B private")
    finished(world.b.project, title="B cycle")
    assert titles(client_as(world.lead)) == ["A private", "B cycle", "B private"]


def test_search_is_case_insensitive_over_titles_and_main_text(world, client_as):
    finished(world.a.project, title="Evening calls", learning="Parents preferred EVENINGS")
    reflection = ReflectionFactory(project=world.a.project, title="Year one", lessons="x")
    ReflectionFactorFactory(reflection=reflection, text="Data sharing took months")
    StoryFactory(project=world.a.project, title="Drop-in", what_happened="Peer volunteers")
    client = client_as(world.a.stakeholder)
    assert titles(client, q="evenings") == ["Evening calls"]
    assert titles(client, q="DATA sharing") == ["Year one"]
    assert titles(client, q="peer VOLUNTEERS") == ["Drop-in"]
    assert titles(client, q="nothing matches this") == []


def test_filter_by_outcome_keeps_failed_fast_cycles_as_learning(world, client_as):
    finished(world.a.project, "abandon", title="Lunchtime drop-in")
    finished(world.a.project, "adopt", title="Evening calls")
    ReflectionFactory(project=world.a.project, title="A reflection")
    client = client_as(world.a.stakeholder)
    assert titles(client, outcome="abandon") == ["Lunchtime drop-in"]
    page = client.get(LIBRARY, {"outcome": "abandon"}).content.decode()
    assert "Failed fast: abandoned" in page
    assert titles(client) == ["A reflection", "Evening calls", "Lunchtime drop-in"]


def test_filter_by_principle_kind_grouping_step_and_site(world, client_as):
    needs_led = Principle.objects.get(code="needs-led")
    step = Step.objects.filter(programme__isnull=True).order_by("pk").first()
    reflection = ReflectionFactory(project=world.a.project, title="Tagged reflection")
    ReflectionFactorFactory(reflection=reflection, principle=needs_led)
    story = StoryFactory(project=world.a.project, title="Tagged story", step=step)
    story.principles.set([needs_led])
    StoryFactory(project=world.a.project, title="Untagged story")
    finished(world.a.project, title="A cycle", step=step)
    world.b.project.thrive_focus = ThriveFocus.RISK_SUPPORT
    world.b.project.save()
    finished(world.b.project, title="B cycle", shared_with_community=True)
    client = client_as(world.a.stakeholder)
    assert titles(client, principle="needs-led") == ["Tagged reflection", "Tagged story"]
    assert titles(client, kind="story") == ["Tagged story", "Untagged story"]
    assert titles(client, kind="cycle") == ["A cycle", "B cycle"]
    assert titles(client, grouping=ThriveFocus.RISK_SUPPORT) == ["B cycle"]
    assert titles(client, step=step.pk) == ["A cycle", "Tagged story"]
    assert titles(client, site=world.b.site.code) == ["B cycle"]
    assert titles(client, kind="reflection", principle="needs-led", q="tagged") == [
        "Tagged reflection"
    ]


def test_celebrated_stories_carry_a_badge(world, client_as):
    StoryFactory(project=world.a.project, title="Celebrated", celebrate=True)
    page = client_as(world.a.stakeholder).get(LIBRARY).content.decode()
    assert "Good THRIVE-like practice" in page


def test_results_come_ten_to_a_page_with_the_filters_kept_in_the_links(world, client_as):
    for n in range(23):
        finished(world.a.project, "abandon", title=f"Cycle {n:02d}")
    client = client_as(world.a.stakeholder)
    first = client.get(LIBRARY, {"outcome": "abandon"})
    assert len(first.context["entries"]) == 10
    page = first.content.decode()
    assert 'class="nhsuk-pagination nhsuk-pagination--numbered"' in page
    assert "outcome=abandon&amp;page=2" in page
    assert "23 results" in page
    last = client.get(LIBRARY, {"outcome": "abandon", "page": 3})
    assert len(last.context["entries"]) == 3
    assert client.get(LIBRARY, {"page": "not a number"}).status_code == 200
    seen = {
        e.item.pk for p in (1, 2, 3) for e in client.get(LIBRARY, {"page": p}).context["entries"]
    }
    assert len(seen) == 23


def test_htmx_requests_get_the_results_fragment(world, client_as):
    finished(world.a.project, title="Evening calls")
    response = client_as(world.a.stakeholder).get(LIBRARY, {"q": "evening"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="results"')
    assert "Evening calls" in page
    assert "<h1>" not in page
    assert "HX-Request" in response["Vary"]
    full = client_as(world.a.stakeholder).get(LIBRARY).content.decode()
    assert 'hx-get="/library/"' in full
    assert 'hx-push-url="true"' in full
    assert 'method="get" action="/library/"' in full


def _library_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIBRARY, params)
    assert response.status_code == 200
    assert {e.kind for e in response.context["entries"]} == {"cycle", "reflection", "story"}
    return len(queries)


def _fill(world, n):
    for i in range(n):
        cycle = finished(world.a.project, title=f"A cycle {i}")
        cycle.measures.set([measure("median_wait_days")])
        reflection = ReflectionFactory(project=world.b.project, share_with_community=True)
        ReflectionFactorFactory(reflection=reflection)
        story = StoryFactory(project=world.a.project, shared_with_community=i % 2 == 0)
        story.principles.set(Principle.objects.all()[:2])


def test_a_library_page_runs_the_same_queries_however_many_results(world, client_as):
    _fill(world, 1)
    few = _library_queries(client_as(world.a.stakeholder))
    _fill(world, 12)
    many = _library_queries(client_as(world.a.stakeholder))
    print(f"library page: {few} queries with 3 results, {many} with 39")
    assert few == many


def test_library_results_download_as_csv_and_xlsx(world, client_as):
    """The download holds what the reader may see, filtered as on the page, and no more."""
    import io

    from openpyxl import load_workbook

    ReflectionFactory(project=world.b.project, title="=B shared", share_with_community=True)
    ReflectionFactory(project=world.b.project, title="B private", share_with_community=False)
    finished(world.a.project, title="A adopted")
    client = client_as(world.a.stakeholder)
    csv_text = client.get(LIBRARY, {"format": "csv"}).content.decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0] == "kind,site,project,title,outcome,principles,shared"
    assert len(lines) == 3
    assert "'=B shared" in csv_text  # formula neutralised
    assert "B private" not in csv_text
    only_cycles = client.get(LIBRARY, {"format": "csv", "kind": "cycle"}).content.decode()
    assert "A adopted" in only_cycles
    assert "B shared" not in only_cycles
    sheet = load_workbook(io.BytesIO(client.get(LIBRARY, {"format": "xlsx"}).content)).active
    assert sheet.max_row == 3
