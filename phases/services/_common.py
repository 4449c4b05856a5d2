from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from projects.models import Membership, Site

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def require_site_member(*, user: User, site: Site, field: str, what: str = "The owner") -> None:
    """Owners, team members and deputies must hold a role on the project's own site."""
    if user is None:
        return
    if not Membership.objects.filter(user=user, site=site).exists():
        raise ValidationError({field: f"{what} must be a member of {site.name}."})


def actor(user: User) -> Any:
    return user if getattr(user, "is_authenticated", False) else None
