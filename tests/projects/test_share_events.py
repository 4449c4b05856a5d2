"""The programme lead shares site and programme dashboards; sites schedule local community of
practice events (issue 14, items 3 and 4)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import CommunityEvent, SharedLink
from tests.toolkit.factories_improvement import PdsaCycleFactory
from toolkit.models import PdsaCycle


def _when(days: int = 10) -> tuple[str, str]:
    start = (timezone.localtime() + dt.timedelta(days=days)).replace(hour=14, minute=0)
    return start.strftime("%Y-%m-%dT%H:%M"), (start + dt.timedelta(hours=2)).strftime(
        "%Y-%m-%dT%H:%M"
    )


def local_event(site, user, title="Local CoP", days=5, invited=()):
    start = timezone.now() + dt.timedelta(days=days)
    return services.event_create(
        programme=site.programme,
        site=site,
        user=user,
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        location="Room 4",
        invited_sites=invited,
    )


# Sharing -------------------------------------------------------------------------------------


def test_lead_opens_sharing_of_every_site_and_shares_one(world, client_as):
    lead = client_as(world.lead)
    for site in (world.a.site, world.b.site):
        assert lead.get(f"/sites/{site.code}/sharing/").status_code == 200
    response = lead.post(f"/sites/{world.b.site.code}/sharing/", {"label": "Board", "days": 7})
    assert response.context["new_url"]
    link = SharedLink.objects.get()
    assert link.site == world.b.site
    assert lead.post(f"/sites/{world.b.site.code}/sharing/{link.pk}/revoke/").status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_lead_creates_and_revokes_a_programme_link(world, client_as, client):
    lead = client_as(world.lead)
    assert lead.get("/programme/sharing/").status_code == 200
    response = lead.post("/programme/sharing/", {"label": "ICB board", "days": 14})
    url = response.context["new_url"]
    link = SharedLink.objects.get()
    assert link.programme == world.programme
    assert link.site is None
    shared = client.get(url)
    assert shared.status_code == 200
    assert world.programme.name.encode() in shared.content
    assert world.a.site.name.encode() in shared.content
    assert world.b.site.name.encode() in shared.content
    assert b"nhsuk-header" in shared.content  # the NHS.UK layout
    assert shared["X-Robots-Tag"] == "noindex, nofollow"
    assert lead.post(f"/programme/sharing/{link.pk}/revoke/").status_code == 302
    revoked = client.get(url)
    assert revoked.status_code == 404
    assert world.a.site.name.encode() not in revoked.content


def test_programme_link_form_errors_are_specific(world, client_as):
    response = client_as(world.lead).post("/programme/sharing/", {"label": "", "days": 400})
    assert response.status_code == 200
    assert b"nhsuk-error-summary" in response.content
    assert b"Enter who the link is for." in response.content
    assert SharedLink.objects.count() == 0


def test_only_the_lead_creates_or_revokes_programme_links(world, client_as):
    link, _ = services.shared_link_create(
        programme=world.programme, user=world.lead, label="x", days=5
    )
    for user in (world.a.pm, world.a.info, world.a.stakeholder, world.outsider):
        client = client_as(user)
        assert client.get("/programme/sharing/").status_code == 403
        assert client.post("/programme/sharing/", {"label": "x", "days": 3}).status_code == 403
        assert client.post(f"/programme/sharing/{link.pk}/revoke/").status_code == 403
    assert SharedLink.objects.filter(revoked_at__isnull=True).count() == 1


def test_site_link_cannot_be_revoked_as_a_programme_link(world, client_as):
    link, _ = services.shared_link_create(site=world.a.site, user=world.a.pm, label="x", days=5)
    assert client_as(world.lead).post(f"/programme/sharing/{link.pk}/revoke/").status_code == 404


def test_programme_link_refuses_expired_and_tampered_tokens(world, client):
    link, token = services.shared_link_create(
        programme=world.programme, user=world.lead, label="x", days=5
    )
    assert client.get(reverse("shared-dashboard", args=[token])).status_code == 200
    assert client.get(reverse("shared-dashboard", args=[token[:-2] + "xx"])).status_code == 404
    SharedLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = client.get(reverse("shared-dashboard", args=[token]))
    assert expired.status_code == 404
    assert world.a.site.name.encode() not in expired.content


def test_shared_programme_view_hides_small_counts_and_private_links(world, client_as, client):
    PdsaCycleFactory(project=world.a.project, stage=PdsaCycle.Stage.ACT, outcome="abandon")
    signed_in = client_as(world.lead).get("/programme/").content.decode()
    assert "Abandoned (failed fast): 1" in signed_in
    _link, token = services.shared_link_create(
        programme=world.programme, user=world.lead, label="x", days=5
    )
    page = client.get(reverse("shared-dashboard", args=[token])).content.decode()
    assert "Abandoned (failed fast): fewer than 5" in page
    assert "Abandoned (failed fast): 1<" not in page
    assert 'href="/sites/' not in page  # no way into the sites' pages
    assert "Audit trail" not in page


def test_project_manager_still_shares_their_site_only(world, client_as):
    pm = client_as(world.a.pm)
    assert pm.get(f"/sites/{world.a.site.code}/sharing/").status_code == 200
    assert pm.get(f"/sites/{world.b.site.code}/sharing/").status_code == 404


# Local community of practice -----------------------------------------------------------------


def test_project_manager_schedules_a_local_event_and_downloads_the_invite(world, client_as):
    pm = client_as(world.a.pm)
    form = pm.get("/events/new/")
    assert form.status_code == 200
    assert b"Every site of the programme" not in form.content  # only the lead schedules those
    assert b"Site BBB (BBB)" in form.content  # may invite site B
    assert b"Site AAA (AAA)" not in form.content  # not their own site: it is theirs
    starts, ends = _when()
    response = pm.post(
        "/events/new/",
        {
            "owner": str(world.a.site.pk),
            "title": "AAA learning hour",
            "starts_at": starts,
            "ends_at": ends,
            "location": "https://meet.example/aaa",
            "description": "Our referral ramp.",
            "invited_sites": [str(world.b.site.pk)],
        },
    )
    event = CommunityEvent.objects.get()
    assert response["Location"] == f"/events/{event.pk}/"
    assert event.site == world.a.site
    assert event.programme == world.programme
    assert list(event.invited_sites.all()) == [world.b.site]
    invite = pm.get(f"/events/{event.pk}/invite.ics").content.decode()
    assert "BEGIN:VCALENDAR" in invite
    assert "SUMMARY:AAA learning hour" in invite


def test_project_manager_cannot_schedule_for_another_site_or_programme_wide(world, client_as):
    starts, ends = _when()
    pm = client_as(world.a.pm)
    for owner in (str(world.b.site.pk), "programme"):
        response = pm.post(
            "/events/new/",
            {"owner": owner, "title": "x", "starts_at": starts, "ends_at": ends, "location": "y"},
        )
        assert response.status_code == 200
        assert b"Select a valid choice" in response.content
    assert CommunityEvent.objects.count() == 0


def test_bad_event_input_gets_specific_errors(world, client_as):
    response = client_as(world.a.pm).post(
        "/events/new/", {"owner": str(world.a.site.pk), "starts_at": "soon"}
    )
    assert b"nhsuk-error-summary" in response.content
    for message in (
        b"Enter the event&#x27;s title.",
        b"Enter the start as a date and time",
        b"Enter when the event ends.",
        b"Enter where the event is",
    ):
        assert message in response.content


def test_pm_of_one_site_cannot_edit_another_sites_event(world, client_as):
    event = local_event(world.b.site, world.b.pm, invited=[world.a.site])
    pm_a = client_as(world.a.pm)
    assert pm_a.get(f"/events/{event.pk}/").status_code == 200  # invited, so may read
    assert pm_a.get(f"/events/{event.pk}/edit/").status_code == 403
    starts, ends = _when()
    pm_a.post(
        f"/events/{event.pk}/edit/",
        {"title": "Hijacked", "starts_at": starts, "ends_at": ends, "location": "x"},
    )
    event.refresh_from_db()
    assert event.title == "Local CoP"
    assert client_as(world.b.pm).get(f"/events/{event.pk}/edit/").status_code == 200


def test_project_manager_edits_their_sites_event(world, client_as):
    event = local_event(world.a.site, world.a.pm)
    starts, ends = _when(12)
    response = client_as(world.a.pm).post(
        f"/events/{event.pk}/edit/",
        {"title": "Moved", "starts_at": starts, "ends_at": ends, "location": "Room 5"},
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.sequence) == ("Moved", 1)


def test_lead_sees_and_edits_every_event(world, client_as):
    a = local_event(world.a.site, world.a.pm, title="AAA hour")
    b = local_event(world.b.site, world.b.pm, title="BBB hour")
    lead = client_as(world.lead)
    listing = lead.get("/events/").content
    assert b"AAA hour" in listing
    assert b"BBB hour" in listing
    for event in (a, b):
        assert lead.get(f"/events/{event.pk}/edit/").status_code == 200


def test_private_local_event_is_hidden_from_sites_not_invited(world, client_as):
    event = local_event(world.a.site, world.a.pm, title="AAA only")
    for user in (world.b.pm, world.b.stakeholder, world.outsider):
        client = client_as(user)
        assert client.get(f"/events/{event.pk}/").status_code == 404
        assert client.get(f"/events/{event.pk}/invite.ics").status_code == 404
        assert b"AAA only" not in client.get("/events/").content
    assert client_as(world.a.stakeholder).get(f"/events/{event.pk}/").status_code == 200
    # Site B cannot record attendance at it either.
    response = client_as(world.b.pm).get(f"/sites/{world.b.site.code}/events/{event.pk}/")
    assert response.status_code == 404


def test_stakeholder_reads_but_cannot_edit_local_event(world, client_as):
    event = local_event(world.a.site, world.a.pm)
    client = client_as(world.a.stakeholder)
    page = client.get(f"/events/{event.pk}/")
    assert page.status_code == 200
    assert b"Change the event" not in page.content
    assert client.get(f"/events/{event.pk}/edit/").status_code == 403


def test_invited_site_records_attendance(world, client_as):
    event = local_event(world.a.site, world.a.pm, days=-1, invited=[world.b.site])
    client = client_as(world.b.pm)
    url = f"/sites/{world.b.site.code}/events/{event.pk}/"
    assert client.post(url, {"attendance-attendees": "Jo (PM)"}).status_code == 302
    assert b"Jo (PM)" in client_as(world.a.stakeholder).get(f"/events/{event.pk}/").content


def test_site_dashboard_lists_upcoming_events_of_the_site_and_programme(world, client_as):
    start = timezone.now() + dt.timedelta(days=3)
    services.event_create(
        programme=world.programme,
        user=world.lead,
        title="Programme day",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        location="Town hall",
    )
    mine = local_event(world.a.site, world.a.pm, title="AAA hour", days=4)
    local_event(world.b.site, world.b.pm, title="BBB hour", days=2)
    local_event(world.a.site, world.a.pm, title="Long past", days=-30)
    page = client_as(world.a.stakeholder).get(f"/sites/{world.a.site.code}/").content.decode()
    assert "Programme day" in page
    assert f'href="/events/{mine.pk}/"' in page
    assert "BBB hour" not in page
    assert "Long past" not in page
