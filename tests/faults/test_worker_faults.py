"""Faults with real processes: a worker killed outright in the middle of an ingestion, a file
that keeps killing its worker, Redis stopped while people upload and sign in. Nothing is lost,
nothing is stored twice, and the waits are a minute, not the broker's hour."""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

from django.core.files.base import ContentFile

from measures import services
from measures.models import DataPoint, DataPointHistory, Upload
from measures.tasks import ingest_upload
from projects import services as project_services
from projects.models import Membership
from tests.factories import MembershipFactory, ProgrammeFactory, SiteFactory, UserFactory

from .conftest import Stack, wait_until

MEASURES = ("referrals_received", "referrals_accepted", "attended_contacts", "dnas", "closures")
PASSWORD = "a-long-test-password-9"


def big_extract(sites: int, weeks: int) -> tuple[bytes, int]:
    """A tidy CSV large enough that the worker can be caught storing it: 50 sites x 1,000
    weeks x 5 measures is 250,000 values (8 MB), and storing them spans several of the test's
    50 ms looks (bench_store: 300,000 values take about 0.3 s from parse to commit)."""
    programme = ProgrammeFactory()
    codes = [SiteFactory(programme=programme, code=f"S{i:02d}").code for i in range(sites)]
    first = dt.date(2000, 1, 3)
    lines = ["site_code,week_commencing,measure,value"]
    for w in range(weeks):
        week = (first + dt.timedelta(weeks=w)).isoformat()
        lines += [
            f"{c},{week},{m},{(w * 7 + i) % 97}" for c in codes for i, m in enumerate(MEASURES)
        ]
    return ("\n".join(lines) + "\n").encode(), len(lines) - 1


def queued_upload(content: bytes) -> Upload:
    return services.upload_create(
        user=None,
        site=None,
        file=ContentFile(content, name="big.csv"),
        source="cli",
        enqueue=False,
    )


def status(upload: Upload) -> Upload:
    upload.refresh_from_db()
    return upload


def kill_worker_mid_ingestion(stack: Stack, upload: Upload) -> int:
    """Hand the upload over, wait until the worker is storing it, kill -9 the whole worker;
    returns the progress it had reached."""
    stack.enqueue(ingest_upload, upload.pk)
    reached = wait_until(
        lambda: status(upload).status == Upload.Status.PROCESSING and upload.progress >= 75,
        90,
        "the worker to be part way through",
    )
    assert reached
    progress = status(upload).progress
    stack.kill("worker")
    return progress


def test_a_worker_killed_mid_ingestion_is_replaced_and_the_upload_stored_exactly_once(stack):
    content, rows = big_extract(sites=50, weeks=1000)
    upload = queued_upload(content)
    stack.start_worker()
    progress = kill_worker_mid_ingestion(stack, upload)
    time.sleep(1)
    assert status(upload).status == Upload.Status.PROCESSING, "finished before the kill"
    assert DataPoint.objects.count() == 0  # all or nothing: the half-done store rolled back

    restarted = time.monotonic()
    stack.start_worker()
    wait_until(lambda: status(upload).is_finished, 60, "the upload to finish after the restart")
    waited = time.monotonic() - restarted
    print(f"killed at {progress}%; finished {waited:.1f} s after the restart (target < 60 s)")
    assert upload.status == Upload.Status.DONE, upload.problems
    assert upload.attempts == 2
    assert upload.counts["values"] == rows
    assert upload.counts["new"] == rows
    assert DataPoint.objects.count() == rows
    assert DataPointHistory.objects.count() == 0
    assert waited < 60


def test_a_file_that_keeps_killing_its_worker_is_given_up_as_too_large(stack):
    content, _rows = big_extract(sites=50, weeks=1000)
    upload = queued_upload(content)
    # One start allowed, so the second (after the kill) gives up: as after three OOM kills.
    stack.start_worker(UPLOAD_MAX_ATTEMPTS="1")
    kill_worker_mid_ingestion(stack, upload)
    stack.start_worker(UPLOAD_MAX_ATTEMPTS="1")
    wait_until(lambda: status(upload).is_finished, 60, "the upload to be given up")
    assert upload.status == Upload.Status.FAILED
    assert upload.problems[0]["code"] == "stopped_worker"
    assert "too large to read in one go" in upload.problems[0]["message"]
    assert DataPoint.objects.count() == 0


def test_two_workers_on_twenty_uploads_sent_twice_read_each_exactly_once(stack):
    """Every message is sent twice, as a redelivery or the sweep might: each upload is read
    once (one start each), and the workers share the work."""
    programme = ProgrammeFactory()
    sites = [SiteFactory(programme=programme, code=f"T{i:02d}") for i in range(20)]
    uploads = []
    for site in sites:
        rows = [f"{site.code},2025-01-{6 + 7 * w:02d},dnas,{w}" for w in range(3)]
        content = ("site_code,week_commencing,measure,value\n" + "\n".join(rows) + "\n").encode()
        uploads.append(queued_upload(content))
    stack.start_worker("one")
    stack.start_worker("two")
    for upload in uploads + uploads:
        stack.enqueue(ingest_upload, upload.pk)
    wait_until(lambda: all(status(u).is_finished for u in uploads), 120, "all twenty to be read")
    assert {u.status for u in uploads} == {Upload.Status.DONE}
    assert {u.attempts for u in uploads} == {1}
    assert DataPoint.objects.count() == 60
    assert DataPointHistory.objects.count() == 0
    assert "ingest_upload" in stack.log("one")
    assert "ingest_upload" in stack.log("two")


# Redis down -------------------------------------------------------------------------------------


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, data) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), boundary


def call(request: urllib.request.Request, opener: Any = None) -> tuple[int, dict, bytes]:
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def sign_in(stack: Stack, username: str) -> int:
    """Through the login form, as a browser would; returns the status of the POST."""
    jar = http.cookiejar.CookieJar()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    _status, _headers, page = call(urllib.request.Request(f"{stack.url}/accounts/login/"), opener)
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None, "no CSRF token on the login page"
    token = found.group(1).decode()
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
    ).encode()
    request = urllib.request.Request(
        f"{stack.url}/accounts/login/", data=form, headers={"Referer": f"{stack.url}/"}
    )
    code, _headers, _body = call(request, opener)
    return code


def test_uploads_while_redis_is_down_are_kept_and_read_when_it_is_back(stack):
    programme = ProgrammeFactory()
    site = SiteFactory(programme=programme, code="RDS")
    user = UserFactory(username="informatics-rds", password=PASSWORD)
    MembershipFactory(user=user, site=site, role=Membership.Role.INFORMATICS)
    _token, key = project_services.api_token_create(user=user, name="script")
    stack.start_worker()
    stack.start_beat()
    stack.start_web()

    stack.stop("redis")
    body, boundary = multipart(
        {"site": "RDS"},
        {"file": ("week.csv", b"site_code,week_commencing,measure,value\nRDS,2025-01-06,dnas,3\n")},
    )
    request = urllib.request.Request(
        f"{stack.url}/api/v1/uploads",
        data=body,
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    started = time.monotonic()
    code, headers, answer = call(request)
    answered = time.monotonic() - started
    print(f"upload with Redis down answered {code} in {answered:.2f} s")
    assert code == 202, answer[:500]
    assert headers["Content-Type"] == "application/json"
    reply = json.loads(answer)
    assert reply["status"] == "queued"
    assert reply["notice"] == "Received; it will be read as soon as the worker queue is back."
    assert answered < 15

    health_code, _h, health = call(urllib.request.Request(f"{stack.url}/healthz"))
    assert health_code == 200
    assert json.loads(health)["failed"] == ["broker"]
    assert sign_in(stack, user.username) == 302  # the login limits degrade, sign-in works

    upload = Upload.objects.get(pk=reply["id"])
    assert upload.is_waiting_for_queue
    time.sleep(3)  # a few sweeps come and go while Redis is down
    assert status(upload).status == Upload.Status.QUEUED

    back = time.monotonic()
    stack.start_redis()
    wait_until(lambda: status(upload).is_finished, 90, "the upload to be read after Redis is back")
    print(f"read {time.monotonic() - back:.1f} s after Redis came back")
    assert upload.status == Upload.Status.DONE, upload.problems
    assert DataPoint.objects.filter(site=site).count() == 1
