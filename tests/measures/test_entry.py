"""Figures entered by hand (page, API) and the preview before an upload replaces figures."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from measures import entry, services
from measures.models import DataPoint, DataPointHistory, Measure, Upload
from projects.models import AuditEvent

from .conftest import tidy
from .test_api import bearer

pytestmark = pytest.mark.django_db

MON = dt.date(2025, 1, 6)


def weeks(*pairs):
    return [{"week": week, "value": value} for week, value in pairs]


def referrals():
    return Measure.objects.get(code="referrals_received")


def stored(site, code="referrals_received"):
    return dict(
        DataPoint.objects.filter(site=site, measure__code=code).values_list("period", "value")
    )


# The service ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["pm", "info"])
def test_a_project_manager_or_informatics_enters_three_weeks(
    world, role, capture_charts, django_capture_on_commit_callbacks
):
    user = world.a.user(role)
    with django_capture_on_commit_callbacks(execute=True):
        result = entry.values_enter(
            user=user,
            site=world.a.site,
            measure=referrals(),
            values=weeks(("2025-01-06", 12), ("2025-01-13", "14"), ("2025-01-20", "1,015")),
        )
    assert stored(world.a.site) == {
        MON: 12.0,
        MON + dt.timedelta(weeks=1): 14.0,
        MON + dt.timedelta(weeks=2): 1015.0,
    }
    upload = result.upload
    assert (upload.source, upload.uploaded_by, upload.status) == ("hand", user, "done")
    assert upload.counts["new"] == 3
    assert [s["before"] for s in result.stored] == [None, None, None]
    assert AuditEvent.objects.filter(action="data_entered", site_code="AAA").exists()
    # Charts are asked to be rebuilt for the site and measure, as after an upload.
    assert capture_charts == [(world.a.site.pk, [referrals().pk])]


@pytest.fixture
def capture_charts(monkeypatch):
    """The chart rebuilds asked for: (site id, [measure ids]) per rebuild task sent."""
    from measures import recovery

    calls: list = []
    real_send = recovery.send

    def spy(task, *args):
        if task.name.endswith("rebuild_charts"):
            by_site: dict = {}
            for site_id, measure_id in args[0]:
                by_site.setdefault(site_id, []).append(measure_id)
            calls.extend(by_site.items())
        return real_send(task, *args)

    monkeypatch.setattr(recovery, "send", spy)
    return calls


def test_a_changed_week_keeps_the_old_value_in_the_history_and_can_be_undone(world):
    site, pm = world.a.site, world.a.pm
    first = entry.values_enter(user=pm, site=site, measure=referrals(), values=weeks((MON, 39)))
    second = entry.values_enter(
        user=pm, site=site, measure=referrals(), values=weeks((MON, 24), ("2025-01-13", 5))
    )
    assert second.stored[0] == {"week": "2025-01-06", "value": 24.0, "before": 39.0}
    history = DataPointHistory.objects.get()
    assert (history.value, history.upload_id) == (39.0, first.upload.pk)
    services.upload_undo(upload=second.upload, user=pm)
    assert stored(site) == {MON: 39.0}


def test_values_already_stored_store_nothing(world):
    site, pm = world.a.site, world.a.pm
    entry.values_enter(user=pm, site=site, measure=referrals(), values=weeks((MON, 7)))
    again = entry.values_enter(user=pm, site=site, measure=referrals(), values=weeks((MON, 7.0)))
    assert again.upload is None
    assert again.unchanged == 1
    assert Upload.objects.count() == 1


def test_every_problem_is_listed_and_nothing_is_stored(world):
    today = dt.date(2026, 12, 5)  # a Saturday
    with pytest.raises(entry.EntryRefused) as refused:
        entry.values_enter(
            user=world.a.pm,
            site=world.a.site,
            measure=referrals(),
            today=today,
            values=[
                {"week": "2025-01-06", "value": 3},  # fine, but not stored: another is wrong
                {"week": "2025-01-07", "value": 3},
                {"week": "2026-12-07", "value": 3},
                {"week": "06/01/2025", "value": 3},
                {"week": "2025-01-13", "value": -2},
                {"week": "2025-01-20", "value": 2.5},
                {"week": "2025-01-27", "value": "lots"},
                {"week": "2025-01-06", "value": 4},
                {"week": "2025-02-03"},
                "not an object",
            ],
        )
    messages = [p.message for p in refused.value.problems]
    assert messages == [
        "Item 2: 7 January 2025 is a Tuesday: give the Monday that starts the week, "
        "2025-01-06 (6 January 2025).",
        "Item 3: the week commencing 7 December 2026 has not started yet "
        "(today is 5 December 2026).",
        "Item 4: '06/01/2025' is not a date: give the week as YYYY-MM-DD.",
        "Week commencing 13 January 2025: -2 is below zero, but referrals received cannot be "
        "negative.",
        "Week commencing 20 January 2025: 2.5 is not a whole number, but referrals received is "
        "a count.",
        "Week commencing 27 January 2025: 'lots' is not a number: enter a number, like 12.",
        "Week commencing 6 January 2025 is sent twice (items 1 and 8): send each week once.",
        "Week commencing 3 February 2025: enter a number for referrals received.",
        "Item 10: send {'week': ..., 'value': ...}",
    ]
    assert [p.index for p in refused.value.problems] == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert not DataPoint.objects.exists()
    assert not Upload.objects.exists()


def test_this_week_is_allowed(world):
    this_week = entry.monday(timezone.localdate())
    entry.values_enter(
        user=world.a.pm, site=world.a.site, measure=referrals(), values=weeks((this_week, 1))
    )
    assert stored(world.a.site) == {this_week: 1.0}


def test_a_rate_is_entered_as_its_two_counts(world):
    with pytest.raises(entry.EntryRefused, match="worked out from did not attend"):
        entry.values_enter(
            user=world.a.pm,
            site=world.a.site,
            measure=Measure.objects.get(code="dna_rate"),
            values=weeks((MON, 10)),
        )


def test_a_stakeholder_or_another_sites_manager_may_not_enter(world):
    for user, site in [(world.a.stakeholder, world.a.site), (world.b.pm, world.a.site)]:
        with pytest.raises(PermissionDenied):
            entry.values_enter(user=user, site=site, measure=referrals(), values=weeks((MON, 1)))
    assert not DataPoint.objects.exists()


# The page ---------------------------------------------------------------------------------


def weeks_url(site, code="referrals_received", to=None):
    url = reverse("measures:entry-weeks", kwargs={"site_code": site.code, "measure_code": code})
    return f"{url}?to={to}" if to else url


def test_the_page_shows_a_box_per_week_with_what_is_stored(world, client_as):
    entry.values_enter(
        user=world.a.info, site=world.a.site, measure=referrals(), values=weeks((MON, 39))
    )
    response = client_as(world.a.pm).get(weeks_url(world.a.site, to="2025-01-08"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="week-2025-01-06"' in html
    assert 'name="week-2024-11-18"' in html
    assert "Stored now: 39, entered by hand by" in html
    assert "Earlier weeks" in html
    assert "Later weeks" in html


def test_the_page_saves_the_weeks_typed_and_leaves_blank_ones(world, client_as):
    entry.values_enter(
        user=world.a.info, site=world.a.site, measure=referrals(), values=weeks((MON, 39))
    )
    client = client_as(world.a.pm)
    response = client.post(
        weeks_url(world.a.site, to="2025-01-20"),
        {"week-2025-01-20": "12", "week-2025-01-13": "8", "week-2025-01-06": ""},
    )
    assert response.status_code == 302
    assert stored(world.a.site) == {
        MON: 39.0,
        dt.date(2025, 1, 13): 8.0,
        dt.date(2025, 1, 20): 12.0,
    }
    page = client.get(response["Location"]).content.decode()
    assert "Saved 2 weeks of referrals received" in page


def test_the_page_shows_each_problem_at_its_week_and_stores_nothing(world, client_as):
    response = client_as(world.a.pm).post(
        weeks_url(world.a.site, to="2025-01-20"),
        {"week-2025-01-20": "12", "week-2025-01-13": "-1"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_week-2025-01-13"' in html
    assert "-1 is below zero, but referrals received cannot be negative." in html
    assert not DataPoint.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("stakeholder", 403), ("pm", 200), ("info", 200)])
def test_who_may_open_the_entry_pages(world, client_as, role, status):
    client = client_as(world.a.user(role))
    index = reverse("measures:entry-index", kwargs={"site_code": "AAA"})
    assert client.get(index).status_code == status
    assert client.get(weeks_url(world.a.site)).status_code == status


def test_another_sites_manager_gets_404_and_a_rate_has_no_page(world, client_as):
    assert client_as(world.b.pm).get(weeks_url(world.a.site)).status_code == 404
    assert client_as(world.a.pm).get(weeks_url(world.a.site, "dna_rate")).status_code == 404


def test_the_site_data_page_offers_entry_to_those_who_may(world, client_as):
    url = reverse("measures:site-data", kwargs={"site_code": "AAA"})
    entry_url = reverse("measures:entry-index", kwargs={"site_code": "AAA"})
    assert entry_url in client_as(world.a.pm).get(url).content.decode()
    assert entry_url not in client_as(world.a.stakeholder).get(url).content.decode()


def test_a_project_manager_may_undo_a_hand_entry_but_not_an_upload(world, client_as, send):
    typed = entry.values_enter(
        user=world.a.pm, site=world.a.site, measure=referrals(), values=weeks(("2025-01-13", 3))
    )
    sent = send(world.a.info, world.a.site, tidy([("AAA", "2025-01-06", "dnas", 3)]))
    client = client_as(world.a.pm)

    def undo(upload):
        kwargs = {"site_code": "AAA", "upload_id": upload.pk}
        return client.post(reverse("measures:upload-undo", kwargs=kwargs))

    assert undo(sent).status_code == 403
    assert undo(typed.upload).status_code == 302
    assert list(DataPoint.objects.values_list("measure__code", flat=True)) == ["dnas"]


# The API ----------------------------------------------------------------------------------


def values_url(site="AAA", code="referrals_received"):
    return f"/api/v1/sites/{site}/measures/{code}/values"


def post_json(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_the_api_stores_values_and_answers_201(world, client):
    response = post_json(
        client, values_url(), {"values": weeks(("2025-01-06", 12))}, bearer(world.a.pm)
    )
    assert response.status_code == 201
    body = response.json()
    assert body["stored"] == [{"week": "2025-01-06", "value": 12.0, "before": None}]
    assert body["upload"]["source"] == "hand"
    assert stored(world.a.site) == {MON: 12.0}


def test_the_api_lists_every_problem_and_stores_nothing(world, client):
    response = post_json(
        client,
        values_url(),
        {"values": weeks(("2025-01-06", 12), ("2025-01-08", 1), ("2025-01-13", -1))},
        bearer(world.a.info),
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "2 problems: nothing was stored."
    assert [(p["index"], p["field"]) for p in body["problems"]] == [(1, "week"), (2, "value")]
    assert not DataPoint.objects.exists()


@pytest.mark.parametrize("body", [None, [], {"values": {}}, {"weeks": []}, "text"])
def test_the_api_says_what_shape_to_send(world, client, body):
    response = post_json(client, values_url(), body, bearer(world.a.pm))
    assert response.status_code == 400
    assert '"values"' in response.json()["detail"]


def test_the_api_refuses_a_stakeholder_403_and_another_site_404(world, client):
    body = {"values": weeks(("2025-01-06", 1))}
    assert post_json(client, values_url(), body, bearer(world.a.stakeholder)).status_code == 403
    assert post_json(client, values_url(), body, bearer(world.b.pm)).status_code == 404
    assert not DataPoint.objects.exists()


# The preview before an upload replaces figures -------------------------------------------


def detail_url(upload, action=None):
    name = f"measures:upload-{action}" if action else "measures:upload-detail"
    return reverse(name, kwargs={"site_code": upload.site.code, "upload_id": upload.pk})


def two_uploads(world, send):
    first = send(
        world.a.info,
        world.a.site,
        tidy(
            [
                ("AAA", "2025-01-06", "referrals_received", 39),
                ("AAA", "2025-01-13", "referrals_received", 40),
            ]
        ),
    )
    second = send(
        world.a.info,
        world.a.site,
        tidy(
            [
                ("AAA", "2025-01-06", "referrals_received", 24),
                ("AAA", "2025-01-20", "referrals_received", 41),
            ]
        ),
    )
    return first, second


def test_an_upload_changing_stored_figures_waits_and_cancelling_keeps_them(world, send, client_as):
    first, second = two_uploads(world, send)
    assert second.status == "needs_confirmation"
    before = stored(world.a.site)
    client = client_as(world.a.info)
    page = client.get(detail_url(second)).content.decode()
    assert "1 stored value would change" in page
    assert f"upload #{first.pk}" in page
    assert "Replace 1 stored value" in page
    assert "Cancel: keep what is stored" in page
    assert client.post(detail_url(second, "cancel")).status_code == 302
    second.refresh_from_db()
    assert second.status == "cancelled"
    assert stored(world.a.site) == before
    assert client.post(detail_url(second, "confirm")).status_code == 302  # no longer waiting
    assert stored(world.a.site) == before


def test_confirming_stores_the_upload(world, send, client_as, django_capture_on_commit_callbacks):
    _, second = two_uploads(world, send)
    with django_capture_on_commit_callbacks(execute=True):
        client_as(world.a.info).post(detail_url(second, "confirm"))
    second.refresh_from_db()
    assert second.status == "done"
    assert second.replace
    assert stored(world.a.site)[MON] == 24.0
    assert AuditEvent.objects.filter(action="upload_confirmed").exists()


def test_new_weeks_alone_need_no_confirmation(world, send):
    send(world.a.info, world.a.site, tidy([("AAA", "2025-01-06", "dnas", 1)]))
    later = send(
        world.a.info,
        world.a.site,
        tidy([("AAA", "2025-01-06", "dnas", 1), ("AAA", "2025-01-13", "dnas", 2)]),
    )
    assert later.status == "done"


def test_only_the_sender_or_the_lead_decides(world, send, client_as):
    _, second = two_uploads(world, send)
    for user in (world.a.pm, world.a.stakeholder):
        page = client_as(user).get(detail_url(second)).content.decode()
        assert "Replace 1 stored value" not in page
        client_as(user).post(detail_url(second, "confirm"))
        with pytest.raises(PermissionDenied):
            services.upload_cancel(upload=second, user=user)
    second.refresh_from_db()
    assert second.status == "needs_confirmation"
    assert services.upload_may_decide(upload=second, user=world.lead)


def test_the_api_reports_needs_confirmation_and_confirms(
    world, client, django_capture_on_commit_callbacks
):
    headers = bearer(world.a.info)

    def push(rows, **extra):
        data = {"file": SimpleUploadedFile("x.csv", tidy(rows).encode()), "site": "AAA", **extra}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/api/v1/uploads", data, headers=headers)
        return client.get(response.json()["url"], headers=headers).json()

    push([("AAA", "2025-01-06", "dnas", 1)])
    waiting = push([("AAA", "2025-01-06", "dnas", 2)])
    assert waiting["status"] == "needs_confirmation"
    assert waiting["preview"]["changed"] == 1
    assert waiting["preview"]["largest"][0]["before"] == 1.0
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(waiting["confirm_url"], headers=headers)
    assert confirmed.status_code == 202
    assert client.get(waiting["url"], headers=headers).json()["status"] == "done"
    again = client.post(waiting["confirm_url"], headers=headers)
    assert again.status_code == 409
    replaced = push([("AAA", "2025-01-06", "dnas", 3)], replace="true")
    assert replaced["status"] == "done"
    assert stored(world.a.site, "dnas") == {MON: 3.0}


# The command line -------------------------------------------------------------------------


def test_ingest_extract_dry_run_says_what_would_change_and_stores_nothing(world, send, tmp_path):
    send(world.a.info, world.a.site, tidy([("AAA", "2025-01-06", "referrals_received", 39)]))
    path = tmp_path / "back.csv"
    path.write_text(
        tidy(
            [
                ("AAA", "2025-01-06", "referrals_received", 24),
                ("AAA", "2025-01-13", "referrals_received", 30),
            ]
        )
    )
    out = io.StringIO()
    call_command("ingest_extract", str(path), "--dry-run", stdout=out)
    text = out.getvalue()
    assert "dry run, nothing stored. 2 values read: 1 new, 1 would change, 0 unchanged" in text
    assert "AAA referrals_received 2025-01-06: 39 -> 24" in text
    assert "None" not in text
    assert Upload.objects.count() == 1
    assert stored(world.a.site) == {MON: 39.0}
    out = io.StringIO()
    call_command("ingest_extract", str(path), stdout=out)
    assert "AAA referrals_received: 1 values changed" in out.getvalue()
    assert stored(world.a.site) == {MON: 24.0, dt.date(2025, 1, 13): 30.0}


def test_ingest_extract_dry_run_refuses_a_bad_file(world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(tidy([("AAA", "2025-01-06", "referrals_received", -4)]))
    with pytest.raises(CommandError, match="would be refused"):
        call_command("ingest_extract", str(path), "--dry-run", stdout=io.StringIO())
    assert not Upload.objects.exists()
