"""URL kwargs of projects' views, built from another site's objects (see test_permission_walk)."""

from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from projects import services


def _token_id(sw):
    token, _key = services.api_token_create(user=sw.pm, name="their script")
    return token.pk


BUILDERS = {
    # A reset link for site B's user with a forged token: it must not work, nor write anything.
    "uidb64": lambda sw: urlsafe_base64_encode(force_bytes(sw.pm.pk)),
    "token": lambda sw: "forged-token",
    "project_id": lambda sw: sw.project.pk,
    "token_id": _token_id,
}
