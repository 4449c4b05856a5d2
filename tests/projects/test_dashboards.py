"""Site and programme dashboards, shared links, community of practice events, digest and pack."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects import notifications, services
from projects.models import CommunityEvent, EventAttendance, SentNotification, SharedLink
from projects.pack import meeting_pack_pdf, meeting_pack_sections
from tests.conftest import make_site_world


def make_event(programme, days=3, title="Learning together"):
    start = timezone.now() + dt.timedelta(days=days)
    return services.event_create(
        programme=programme,
        user=None,
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        location="Northgate library",
    )


def test_site_dashboard_shows_registered_panels(world, client_as):
    make_event(world.programme)
    response = client_as(world.a.stakeholder).get(f"/sites/{world.a.site.code}/")
    assert response.status_code == 200
    assert b"Community of practice" in response.content
    assert b"Learning together" in response.content
    assert b"Share this dashboard" not in response.content  # stakeholders only read


def test_project_manager_sees_quick_actions(world, client_as):
    response = client_as(world.a.pm).get(f"/sites/{world.a.site.code}/")
    assert b"Share this dashboard" in response.content
    assert b"meeting pack" in response.content


def test_shared_link_opens_the_dashboard_without_an_account(world, client_as, client):
    response = client_as(world.a.pm).post(
        f"/sites/{world.a.site.code}/sharing/", {"label": "Partnership board", "days": 14}
    )
    url = response.context["new_url"]
    shared = client.get(url)
    assert shared.status_code == 200
    assert world.a.site.name.encode() in shared.content
    assert b"Counts below 5 are hidden" in shared.content
    assert world.b.site.name.encode() not in shared.content
    assert shared["X-Robots-Tag"] == "noindex, nofollow"


def test_revoked_expired_and_forged_links_show_nothing(world, client):
    link, token = services.shared_link_create(site=world.a.site, user=world.a.pm, label="x", days=5)
    path = reverse("shared-dashboard", args=[token])
    assert client.get(path).status_code == 200
    services.shared_link_revoke(link=link)
    revoked = client.get(path)
    assert revoked.status_code == 404
    assert world.a.site.name.encode() not in revoked.content
    link2, token2 = services.shared_link_create(
        site=world.a.site, user=world.a.pm, label="y", days=5
    )
    SharedLink.objects.filter(pk=link2.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get(reverse("shared-dashboard", args=[token2])).status_code == 404
    assert client.get(reverse("shared-dashboard", args=[token2[:-2] + "xx"])).status_code == 404


def test_stakeholder_cannot_share_or_withdraw_links(world, client_as):
    link, _ = services.shared_link_create(site=world.a.site, user=world.a.pm, label="x", days=5)
    client = client_as(world.a.stakeholder)
    assert (
        client.post(f"/sites/{world.a.site.code}/sharing/", {"label": "x", "days": 3}).status_code
        == 403
    )
    assert client.post(f"/sites/{world.a.site.code}/sharing/{link.pk}/revoke/").status_code == 403
    assert SharedLink.objects.filter(revoked_at__isnull=True).count() == 1


def test_link_lifetime_is_bounded(world, client_as):
    response = client_as(world.a.pm).post(
        f"/sites/{world.a.site.code}/sharing/", {"label": "x", "days": 400}
    )
    assert response.status_code == 200
    assert SharedLink.objects.count() == 0


def test_programme_lead_schedules_an_event_and_sites_download_the_invite(world, client_as):
    lead = client_as(world.lead)
    start = (timezone.localtime() + dt.timedelta(days=10)).replace(hour=14, minute=0)
    response = lead.post(
        "/events/new/",
        {
            "title": "CoP: signposting",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "owner": "programme",
            "location": "Online",
            "description": "Share PDSA cycles.",
        },
    )
    event = CommunityEvent.objects.get()
    assert response["Location"] == f"/events/{event.pk}/"
    invite = client_as(world.a.stakeholder).get(f"/events/{event.pk}/invite.ics")
    assert invite["Content-Type"].startswith("text/calendar")
    body = invite.content.decode()
    assert "BEGIN:VCALENDAR\r\n" in body
    assert "METHOD:REQUEST\r\n" in body
    assert "SUMMARY:CoP: signposting\r\n" in body
    assert f"UID:thrive-event-{event.pk}@" in body


def test_event_that_ends_before_it_starts_is_refused(world, client_as):
    start = timezone.localtime() + dt.timedelta(days=10)
    response = client_as(world.lead).post(
        "/events/new/",
        {
            "title": "Backwards",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "owner": "programme",
            "location": "Online",
        },
    )
    assert response.status_code == 200
    assert b"must end after it starts" in response.content
    assert CommunityEvent.objects.count() == 0


def test_readers_cannot_schedule_events(world, client_as):
    for user in (world.a.stakeholder, world.a.info, world.outsider):
        assert client_as(user).get("/events/new/").status_code == 403


def test_site_records_attendance_and_presentation(world, client_as):
    event = make_event(world.programme, days=-1)
    client = client_as(world.a.pm)
    url = f"/sites/{world.a.site.code}/events/{event.pk}/"
    client.post(url, {"attendance-attendees": "Sam (PM)\nAlex (clinician)"})
    client.post(
        url,
        {
            "presentation-title": "Our ramp",
            "presentation-link": "https://thrive.example/sites/AAA/",
        },
    )
    attendance = EventAttendance.objects.get(event=event, site=world.a.site)
    assert attendance.attendee_list == ["Sam (PM)", "Alex (clinician)"]
    detail = client_as(world.b.stakeholder).get(f"/events/{event.pk}/")
    assert b"Alex (clinician)" in detail.content
    assert b'href="/sites/AAA/"' in detail.content


def test_presentation_link_must_be_a_page_of_the_tracker(world, client_as):
    event = make_event(world.programme, days=-1)
    response = client_as(world.a.pm).post(
        f"/sites/{world.a.site.code}/events/{event.pk}/",
        {"presentation-title": "x", "presentation-link": "javascript:alert(1)"},
    )
    assert response.status_code == 200
    assert b"Paste the address of a THRIVE Tracker page" in response.content


def test_events_of_another_programme_are_not_found(world, client_as):
    other_site = make_site_world(
        make_event.__globals__["services"].Programme.objects.create(name="Other", slug="other"),
        "OTH",
    )
    event = make_event(other_site.site.programme)
    assert client_as(world.a.pm).get(f"/events/{event.pk}/").status_code == 404
    assert client_as(world.a.pm).get(f"/events/{event.pk}/invite.ics").status_code == 404


def test_weekly_digest_is_sent_once_and_respects_preferences(world, mailoutbox):
    make_event(world.programme, days=2, title="Digest event")
    today = timezone.localdate()
    sent = notifications.digest_send_all(today=today)
    recipients = {m.to[0] for m in mailoutbox}
    assert world.a.pm.email in recipients
    assert sent == len(mailoutbox)
    assert "Digest event" in mailoutbox[0].body
    assert notifications.digest_send_all(today=today) == 0  # same week: nothing twice
    notifications.preferences_update(user=world.b.pm, enabled=set())
    SentNotification.objects.all().delete()
    mailoutbox.clear()
    notifications.digest_send_all(today=today)
    assert world.b.pm.email not in {m.to[0] for m in mailoutbox}


def test_preferences_page_turns_the_digest_off(world, client_as):
    client = client_as(world.a.pm)
    response = client.post("/accounts/preferences/", {"enabled": ["events"]})
    assert response.status_code == 302
    assert "digest" in notifications.preference_disabled(user=world.a.pm)


def test_meeting_pack_is_a_pdf_built_from_the_panels(world, client_as):
    make_event(world.programme, days=5, title="Pack event")
    sections = meeting_pack_sections(site=world.a.site, today=timezone.localdate(), user=world.a.pm)
    assert any("Pack event" in b for s in sections for b in s.bullets)
    response = client_as(world.a.stakeholder).get(f"/sites/{world.a.site.code}/meeting-pack.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(meeting_pack_pdf(site=world.a.site, today=timezone.localdate(), user=None)) > 1000


def _programme_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/programme/").status_code == 200
    return len(queries)


def test_programme_dashboard_runs_the_same_queries_for_few_and_many_sites(world, client_as):
    client = client_as(world.lead)
    few = _programme_queries(client)
    for code in ("CCC", "DDD", "EEE", "FFF"):
        make_site_world(world.programme, code)
    client = client_as(world.lead)
    many = _programme_queries(client)
    assert few == many


@pytest.mark.parametrize("role", ["pm", "info", "stakeholder"])
def test_programme_dashboard_is_for_leads_only(world, client_as, role):
    assert client_as(world.a.user(role)).get("/programme/").status_code == 403


# The programme dashboard to look at -----------------------------------------------------------


def _charted_site(world, code):
    """A site with a project, a step done and a built chart (with icons) for three measures."""
    from measures.charts.services import glance_of
    from measures.models import ChartState, Measure
    from phases.models import Step, StepStatus
    from tests.phases.factories import ProjectStepFactory

    site_world = make_site_world(world.programme, code) if code else world.a
    ProjectStepFactory(
        project=site_world.project,
        step=Step.objects.get(code="P1.1", programme=None),
        status=StepStatus.DONE,
    )
    summary = {
        "variation_icon": "special_cause_improvement_low",
        "assurance_icon": "assurance_pass",
        "last_value": 21,
        "last_date": "2026-01-05",
    }
    ChartState.objects.bulk_create(
        ChartState(
            site=site_world.site,
            measure=m,
            frequency="weekly",
            summary=summary,
            glance=glance_of(summary, ["2026-01-05"]),
        )
        for m in Measure.objects.order_by("order")[:3]
    )
    return site_world


def test_programme_dashboard_costs_the_same_queries_for_5_and_50_sites(
    world, client_as, django_assert_num_queries
):
    """The phase bars and the sites x measures grid are shaped from panels built once for all
    sites: 50 sites run exactly the queries of 5."""
    _charted_site(world, None)
    for n in range(3):
        _charted_site(world, f"F{n:02d}")
    client = client_as(world.lead)
    client.get("/programme/")  # process-wide caches (content types, phases) fill once
    with CaptureQueriesContext(connection) as five:
        response = client.get("/programme/")
    assert response.status_code == 200
    assert response.content.decode().count('class="thrive-mdc-grid__cell"') == 4 * 3
    for n in range(45):
        _charted_site(world, f"M{n:02d}")
    with django_assert_num_queries(len(five)):
        response = client.get("/programme/")
    assert response.content.decode().count('class="thrive-mdc-grid__cell"') == 49 * 3


def test_programme_dashboard_shows_phase_bars_and_a_grid_of_icons_linking_to_charts(
    world, client_as
):
    site_world = _charted_site(world, None)
    html = client_as(world.lead).get("/programme/").content.decode()
    assert '<progress max="' in html  # a bar per phase ...
    assert "1 of " in html  # ... beside its words
    measure_code = html.split('href="/sites/AAA/measures/')[1].split("/")[0]
    assert f'href="/programme/measures/{measure_code}/"' in html  # the cross-site comparison
    assert 'alt="Special cause variation: improvement, with lower values"' in html
    assert 'alt="Assurance: the target is consistently met"' in html
    assert f'href="{reverse("measures:measure-list")}"' in html
    assert site_world.site.name in html


def test_the_header_links_every_reader_to_the_measures_list(world, client_as):
    html = client_as(world.a.stakeholder).get(world.a.site.get_absolute_url()).content.decode()
    assert 'class="nhsuk-header__navigation-link" href="/measures/"' in html
