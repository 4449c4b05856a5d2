"""URL kwargs of projects' views, built from another site's objects (see test_permission_walk)."""

import datetime as dt

from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from projects import services
from tests.factories import ProgrammeFactory


def _token_id(sw):
    token, _key = services.api_token_create(user=sw.pm, name="their script")
    return token.pk


def _link_id(sw):
    link, _token = services.shared_link_create(site=sw.site, user=sw.pm, label="board", days=30)
    return link.pk


def _event_id(sw):
    """An event of a programme the walking user has no part in (events are programme-wide)."""
    other = ProgrammeFactory()
    start = timezone.now() + dt.timedelta(days=7)
    event = services.event_create(
        programme=other,
        user=None,
        title="Elsewhere",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        location="Online",
    )
    return event.pk


BUILDERS = {
    "link_id": _link_id,
    "event_id": _event_id,
    # A reset link for site B's user with a forged token: it must not work, nor write anything.
    "uidb64": lambda sw: urlsafe_base64_encode(force_bytes(sw.pm.pk)),
    "token": lambda sw: "forged-token",
    "project_id": lambda sw: sw.project.pk,
    "token_id": _token_id,
}
