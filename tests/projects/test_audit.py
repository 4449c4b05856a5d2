"""The audit trail: sign-ins and failures, uploads and their undoing, column confirmations,
shares and their withdrawal, role changes, API tokens and downloads are recorded with who,
when, what and from where; the programme lead reads, filters and downloads them; old ones go."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from measures import services as measure_services
from measures.models import Measure
from projects import audit, services
from projects.models import AuditEvent, Membership
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action
AUDIT = "/programme/audit/"
CSV = "site_code,week_commencing,measure,value\nAAA,2025-01-06,dnas,3\n"


def events(action: str, **filters: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("at", "pk"))


def test_sign_in_and_failures_are_recorded_with_the_address(world):
    client = Client(REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Firefox/140")
    client.post("/accounts/login/", {"username": "pm-aaa", "password": "wrong"})
    client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    client.post("/accounts/login/", {"username": "pm-aaa", "password": PASSWORD})
    failed = events(Action.SIGN_IN_FAILED)
    assert [(e.subject, e.what) for e in failed] == [
        ("pm-aaa", "wrong password"),
        ("nobody", "no such account"),
    ]
    (signed_in,) = events(Action.SIGN_IN)
    assert signed_in.user == world.a.pm
    assert signed_in.username == "pm-aaa"
    assert signed_in.address == "203.0.113.7"
    assert signed_in.user_agent == "Firefox/140"
    client.post("/accounts/logout/")
    assert events(Action.SIGN_OUT)[0].user == world.a.pm


def test_uploads_confirmations_and_undos_are_recorded(world, client_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_as(world.a.info)
    client.post("/sites/AAA/data/upload/", {"file": SimpleUploadedFile("week.csv", CSV.encode())})
    (upload_event,) = events(Action.UPLOAD)
    assert upload_event.user == world.a.info
    assert upload_event.site_code == "AAA"
    assert "week.csv" in upload_event.what
    upload = world.a.site.uploads.get()
    measure_services.upload_process(upload_id=upload.pk)
    upload.refresh_from_db()
    measure_services.upload_undo(upload=upload, user=world.a.info)
    (undo,) = events(Action.UPLOAD_UNDO)
    assert undo.site_code == "AAA"
    assert f"upload #{upload.pk}" in undo.what


def test_column_confirmations_are_recorded(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = "site_code,week_commencing,Appts DNA'd\nAAA,2025-01-06,3\n"
    upload = measure_services.upload_create(
        user=world.a.info,
        site=world.a.site,
        file=SimpleUploadedFile("local.csv", content.encode()),
        source="web",
        enqueue=False,
    )
    upload = measure_services.upload_process(upload_id=upload.pk)
    assert upload.status == "needs_mapping"
    label = upload.report["unmapped"][0]["label"]
    measure_services.column_mappings_save(
        upload=upload, user=world.a.info, choices={label: Measure.objects.get(code="dnas")}
    )
    (confirmed,) = events(Action.UPLOAD_COLUMNS)
    assert f"{label} = dnas" in confirmed.what


def test_shares_and_their_withdrawal_are_recorded(world, client_as):
    client = client_as(world.a.pm)
    client.post("/sites/AAA/sharing/", {"label": "Board", "days": 7})
    (shared,) = events(Action.SHARE)
    assert shared.user == world.a.pm
    assert "Board" in shared.what
    link = world.a.site.shared_links.get()
    client.post(f"/sites/AAA/sharing/{link.pk}/revoke/")
    (withdrawn,) = events(Action.SHARE_WITHDRAWN)
    assert withdrawn.user == world.a.pm
    assert withdrawn.site_code == "AAA"


def test_role_changes_are_recorded_with_who_made_them(world, client_as):
    newcomer = UserFactory(username="newcomer")
    membership = MembershipFactory(user=newcomer, site=world.a.site, role="stakeholder")
    membership.delete()
    given, removed = events(Action.ROLE, subject="newcomer")
    assert given.subject == removed.subject == "newcomer"
    assert given.site_code == "AAA"
    assert "Stakeholder of AAA given" in given.what
    assert "removed" in removed.what
    assert given.username == ""  # outside a request: the system


def test_role_changes_in_the_admin_name_the_admin(world):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    target = UserFactory(username="target")
    response = client.post(
        "/admin/projects/membership/add/",
        {"user": target.pk, "site": world.a.site.pk, "role": Membership.Role.INFORMATICS},
    )
    assert response.status_code == 302, response.content[:500]
    (given,) = events(Action.ROLE, subject="target")
    assert given.username == "admin"
    assert given.subject == "target"


def test_tokens_created_used_and_revoked_are_recorded(world, client):
    token, key = services.api_token_create(user=world.a.info, name="nightly push")
    client.get("/api/v1/uploads/1", headers={"Authorization": f"Bearer {key}"})
    client.get("/api/v1/uploads/1", headers={"Authorization": f"Bearer {key}"})
    services.api_token_revoke(user=world.a.info, token_id=token.pk)
    tokens = AuditEvent.objects.exclude(action=Action.ROLE).order_by("at", "pk")
    assert [e.action for e in tokens] == [
        Action.TOKEN_CREATED,
        Action.TOKEN_USED,  # once a minute at most, like its last-used time
        Action.TOKEN_REVOKED,
    ]
    assert {e.user for e in tokens} == {world.a.info}


def test_downloads_are_recorded(world, client_as):
    client = client_as(world.lead)
    response = client.get(AUDIT + "?format=csv")
    assert response.status_code == 200
    (download,) = events(Action.EXPORT)
    assert download.user == world.lead
    assert download.what.startswith("audit-trail-")
    assert "/programme/audit/" in download.what


def test_the_lead_reads_filters_and_downloads_the_trail(world, client_as):
    audit.audit_record(action=Action.SHARE, user=world.outsider, what="elsewhere-share")
    audit.audit_record(action=Action.SHARE, user=world.a.pm, site=world.a.site, what="a-share")
    audit.audit_record(action=Action.UPLOAD, user=world.b.info, site=world.b.site, what="b-file")
    client = client_as(world.lead)
    page = client.get(AUDIT).content.decode()
    assert "a-share" in page
    assert "b-file" in page
    assert "elsewhere-share" not in page  # the outsider is not the programme's
    filtered = client.get(AUDIT, {"site": "BBB"}).content.decode()
    assert "b-file" in filtered
    assert "a-share" not in filtered
    by_person = client.get(AUDIT, {"person": "pm-a"}).content.decode()
    assert "a-share" in by_person
    assert "b-file" not in by_person
    csv = client.get(AUDIT, {"action": Action.UPLOAD, "format": "csv"}).content.decode()
    assert "b-file" in csv
    assert "a-share" not in csv


@pytest.mark.parametrize("role", ["pm", "info", "stakeholder"])
def test_site_roles_cannot_read_the_trail(world, client_as, role):
    assert client_as(world.a.user(role)).get(AUDIT).status_code == 403


def test_events_older_than_the_retention_period_are_deleted(world, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    AuditEvent.objects.all().delete()
    old = audit.audit_record(action=Action.SIGN_IN, user=world.a.pm)
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=31))
    recent = audit.audit_record(action=Action.SIGN_IN, user=world.a.pm)
    assert audit.audit_prune() == 1
    assert list(AuditEvent.objects.all()) == [recent]
    assert settings.CELERY_BEAT_SCHEDULE["audit-prune"]["task"] == (
        "projects.tasks.prune_audit_trail"
    )


def test_an_api_token_stops_working_when_it_expires(world, client, settings):
    settings.API_TOKEN_MAX_AGE_DAYS = 90
    token, key = services.api_token_create(user=world.a.info, name="script")
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/uploads/999", headers=headers).status_code == 404
    type(token).objects.filter(pk=token.pk).update(
        created_at=timezone.now() - dt.timedelta(days=91)
    )
    assert client.get("/api/v1/uploads/999", headers=headers).status_code == 401
    account = Client()
    account.force_login(world.a.info)
    assert "Expired" in account.get("/accounts/").content.decode()


def test_signing_out_everywhere_else_ends_the_other_sessions_only(world):
    laptop, phone, other_user = Client(), Client(), Client()
    for client in (laptop, phone):
        client.post("/accounts/login/", {"username": "pm-aaa", "password": PASSWORD})
    other_user.post("/accounts/login/", {"username": "pm-bbb", "password": PASSWORD})
    assert phone.get("/accounts/").status_code == 200
    response = laptop.post("/accounts/sessions/end-others/", follow=True)
    assert "Signed out of 1 other session." in response.content.decode()
    assert laptop.get("/accounts/").status_code == 200
    assert phone.get("/accounts/").status_code == 302  # sent to sign in again
    assert other_user.get("/accounts/").status_code == 200
    (ended,) = events(Action.SESSIONS_ENDED)
    assert ended.user == world.a.pm
    assert ended.what == "1 other session ended"
