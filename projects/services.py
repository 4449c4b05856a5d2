"""Writes for sites, projects, memberships and tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import links
from .audit import audit_record
from .models import (
    ApiToken,
    AuditEvent,
    CommunityEvent,
    EventAttendance,
    EventPresentation,
    Programme,
    Project,
    SharedLink,
    Site,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the returned key is shown once and never stored."""
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[: ApiToken.PREFIX_LENGTH], key_hash=ApiToken.hash_key(key)
    )
    audit_record(action=AuditEvent.Action.TOKEN_CREATED, user=user, what=str(token))
    return token, key


def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.get(pk=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action=AuditEvent.Action.TOKEN_REVOKED, user=user, what=str(token))
    return token


def sessions_end_others(*, user: User, keep: str | None) -> int:
    """Sign the user out of every session but `keep` (a session key): a lost laptop, a shared
    computer. Returns how many were ended. Reads each live session, so it suits the database
    session store of a programme's few hundred users."""
    from django.contrib.sessions.models import Session

    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        if session.get_decoded().get("_auth_user_id") == str(user.pk) and session.pk != keep
    ]
    Session.objects.filter(pk__in=ended).delete()
    audit_record(
        action=AuditEvent.Action.SESSIONS_ENDED,
        user=user,
        subject=user.get_username(),
        what=f"{len(ended)} other session{'' if len(ended) == 1 else 's'} ended",
    )
    return len(ended)


def api_token_authenticate(*, key: str) -> Any | None:
    """The active user behind a live token (not revoked, not expired), or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active or token.is_expired:
        return None
    now = timezone.now()
    # Recording every use would write on every request; once a minute is enough to audit.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        audit_record(action=AuditEvent.Action.TOKEN_USED, user=token.user, what=str(token))
    return token.user


@transaction.atomic
def project_create(*, site: Site, **fields: Any) -> Project:
    project = Project(site=site, **fields)
    project.full_clean()
    project.save()
    return project


@transaction.atomic
def project_update(*, project: Project, **fields: Any) -> Project:
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    project.save()
    return project


# What other apps must do, in the same transaction, before a project and everything of it
# (its checklist, toolkit items, PDSA cycles) is deleted: the toolkit asks for the charts its
# cycles annotate to be rebuilt once the deletion commits. Registered from the apps' ready().
_BEFORE_PROJECT_DELETE: list[Callable[[Project], None]] = []


def register_before_project_delete(hook: Callable[[Project], None]) -> None:
    if hook not in _BEFORE_PROJECT_DELETE:
        _BEFORE_PROJECT_DELETE.append(hook)


@transaction.atomic
def project_delete(*, project: Project) -> None:
    """Delete the project and everything of it (the admin's delete comes here)."""
    for hook in _BEFORE_PROJECT_DELETE:
        hook(project)
    project.delete()


SHARE_SALT = "projects.shared-dashboard"


def shared_link_create(
    *,
    user: User,
    label: str,
    days: int,
    site: Site | None = None,
    programme: Programme | None = None,
) -> tuple[SharedLink, str]:
    """A read-only link to a site's dashboard or (given `programme`) the programme dashboard,
    valid for `days` days; returns it and its token. Callers check who may share what."""
    if (site is None) == (programme is None):
        raise ValueError("Share either a site or a programme.")
    if not 1 <= days <= 365:
        raise ValidationError({"days": "Choose between 1 and 365 days."})
    link = SharedLink.objects.create(
        site=site,
        programme=programme,
        label=label,
        created_by=user,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit_record(
        action=AuditEvent.Action.SHARE,
        user=user,
        site=site,
        what=f"{_shared_what(link)} '{label}' for {days} days",
    )
    return link, shared_link_token(link=link)


def _shared_what(link: SharedLink) -> str:
    return "dashboard link" if link.site_id else f"programme dashboard link ({link.programme})"


def shared_link_token(*, link: SharedLink) -> str:
    return signing.dumps(link.pk, salt=SHARE_SALT, compress=True)


def shared_link_revoke(*, link: SharedLink) -> SharedLink:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit_record(
            action=AuditEvent.Action.SHARE_WITHDRAWN,
            site=link.site,
            what=f"{_shared_what(link)} '{link.label}'",
        )
    return link


def shared_link_resolve(*, token: str) -> SharedLink | None:
    """The live link behind a token; None when forged, revoked or expired."""
    try:
        link_id = signing.loads(token, salt=SHARE_SALT)
    except signing.BadSignature:
        return None
    link = (
        SharedLink.objects.select_related("site__programme", "programme").filter(pk=link_id).first()
    )
    now = timezone.now()
    if link is None or link.revoked_at is not None or link.expires_at <= now:
        return None
    if link.last_opened_at is None or now - link.last_opened_at > dt.timedelta(minutes=5):
        SharedLink.objects.filter(pk=link.pk).update(last_opened_at=now)
    return link


def _event_check(event: CommunityEvent, invited_sites: Any) -> None:
    if event.ends_at <= event.starts_at:
        raise ValidationError({"ends_at": "The event must end after it starts."})
    if event.site is not None and event.site.programme_id != event.programme_id:
        raise ValidationError({"site": "This site belongs to another programme."})
    if any(s.programme_id != event.programme_id for s in invited_sites):
        raise ValidationError({"invited_sites": "Invite only sites of this programme."})


@transaction.atomic
def event_create(
    *,
    programme: Programme,
    user: User,
    site: Site | None = None,
    invited_sites: Any = (),
    **fields: Any,
) -> CommunityEvent:
    """A programme-wide event (no `site`) or a site's local event, which may invite other
    sites of the programme. Callers check who may schedule for whom."""
    invited = [s for s in invited_sites if s.pk != site.pk] if site else []
    event = CommunityEvent(programme=programme, site=site, created_by=user, **fields)
    event.full_clean()
    _event_check(event, invited)
    event.save()
    event.invited_sites.set(invited)
    return event


@transaction.atomic
def event_update(
    *, event: CommunityEvent, invited_sites: Any = None, **fields: Any
) -> CommunityEvent:
    for name, value in fields.items():
        setattr(event, name, value)
    invited = None
    if invited_sites is not None:
        invited = [s for s in invited_sites if s.pk != event.site_id] if event.site_id else []
    _event_check(event, invited or [])
    event.sequence += 1  # calendars replace the earlier invite
    event.full_clean()
    event.save()
    if invited is not None:
        event.invited_sites.set(invited)
    return event


def event_site_may_join(*, event: CommunityEvent, site: Site) -> bool:
    """Whether a site takes part in an event: programme-wide, its own, or invited to it."""
    if event.programme_id != site.programme_id:
        return False
    if event.site_id is None or event.site_id == site.pk:
        return True
    return event.invited_sites.filter(pk=site.pk).exists()


@transaction.atomic
def event_attendance_record(
    *, event: CommunityEvent, site: Site, user: User, attendees: str
) -> EventAttendance:
    if not event_site_may_join(event=event, site=site):
        raise ValidationError("This event is not open to this site.")
    attendance, _ = EventAttendance.objects.update_or_create(
        event=event, site=site, defaults={"attendees": attendees, "recorded_by": user}
    )
    return attendance


@transaction.atomic
def event_presentation_add(
    *, event: CommunityEvent, site: Site, user: User, title: str, link: str
) -> EventPresentation:
    if not event_site_may_join(event=event, site=site):
        raise ValidationError("This event is not open to this site.")
    link = links.site_path(link)
    return EventPresentation.objects.create(
        event=event, site=site, title=title, link=link, recorded_by=user
    )
