"""URL kwargs of projects' views, built from another site's objects (see test_permission_walk)."""

import datetime as dt

from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from projects import services


def _token_id(sw):
    token, _key = services.api_token_create(user=sw.pm, name="their script")
    return token.pk


def _link_id(sw):
    link, _token = services.shared_link_create(site=sw.site, user=sw.pm, label="board", days=30)
    return link.pk


def _event_id(sw):
    """Site B's own local event, not inviting site A: site A's people have no part in it (the
    events of another programme are refused by tests/projects/test_dashboards.py)."""
    start = timezone.now() + dt.timedelta(days=7)
    event = services.event_create(
        programme=sw.site.programme,
        site=sw.site,
        user=sw.pm,
        title="Site B's learning hour",
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
