"""The weekly digest reaches people: by the real worker and beat when a broker is configured."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.conf import settings
from django.utils import timezone

from projects import services


def schedule_event(world) -> None:
    start = timezone.now() + dt.timedelta(days=2)
    services.event_create(
        programme=world.programme,
        user=world.lead,
        title="Digest check-in",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        location="Online",
    )


@pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="needs the broker, worker and beat")
def test_beat_and_worker_send_the_weekly_digest(request, demo):
    schedule_event(demo)
    mail_dir = request.getfixturevalue("external_server")["mail_dir"]
    request.getfixturevalue("beat")
    deadline = time.monotonic() + 90
    messages: list[str] = []
    while time.monotonic() < deadline:
        messages = [p.read_text() for p in mail_dir.glob("*.log")]
        if any("Digest check-in" in m for m in messages):
            break
        time.sleep(1)
    digest = next((m for m in messages if "Digest check-in" in m), None)
    assert digest is not None, "no digest was sent within 90 s"
    assert "Subject: THRIVE Tracker: your week of" in digest
    assert "To: demo-pm-ngt@example.nhs.uk" in digest or "example.nhs.uk" in digest


@pytest.mark.skipif(bool(settings.CELERY_BROKER_URL), reason="the broker run uses beat instead")
def test_digest_task_sends_in_process_without_a_broker(demo, mailoutbox):
    from projects.tasks import send_weekly_digests

    schedule_event(demo)
    assert send_weekly_digests.delay().get() > 0
    assert any("Digest check-in" in m.body for m in mailoutbox)
