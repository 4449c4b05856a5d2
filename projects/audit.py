"""The audit trail: `audit_record` writes one AuditEvent; services call it for what they change,
Django's auth signals for sign-ins, model signals for role changes (made in the admin), and
`AuditMiddleware` for every download (any response sent as an attachment).

The request being served is kept in a context variable by `AuditMiddleware`, so a service or a
signal receiver can say from where an action came without being handed the request.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import ipaddress
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .login_limits import client_address
from .models import AuditEvent, Membership, ProgrammeLead, Site

if TYPE_CHECKING:
    from django.contrib.auth.models import User


logger = logging.getLogger(__name__)
Action = AuditEvent.Action

_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "audit_request", default=None
)


def retention_days() -> int:
    return int(getattr(settings, "AUDIT_RETENTION_DAYS", 730))


def _address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    try:
        return str(ipaddress.ip_address(client_address(request)))
    except ValueError:
        return None


def audit_record(
    *,
    action: str,
    user: User | None = None,
    site: Site | None = None,
    what: str = "",
    username: str = "",
    subject: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent | None:
    """Record one event; `user` None means the signed-in user of the current request, if any.
    Never fails the action it records: a failure to write is logged instead."""
    request = request or _request.get()
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    event = AuditEvent(
        action=action,
        user=user,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        site_code=site.code if site is not None else "",
        subject=subject[:150],
        what=what[:300],
        address=_address(request),
        user_agent=(request.headers.get("User-Agent", "") if request is not None else "")[:200],
    )
    try:
        with transaction.atomic():  # a savepoint: a failure here leaves the caller's work alone
            event.save()
    except DatabaseError:
        logger.exception("Audit event not recorded: %s %s %s", action, event.username, what)
        return None
    return event


def audit_prune(*, now: dt.datetime | None = None) -> int:
    """Delete events older than AUDIT_RETENTION_DAYS; returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days())
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted


class AuditMiddleware:
    """Keeps the request for audit_record, and records every download a signed-in user takes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            response = self.get_response(request)
            disposition = response.get("Content-Disposition", "")
            if (
                response.status_code == 200
                and disposition.startswith("attachment")
                and request.user.is_authenticated
            ):
                filename = disposition.partition("filename=")[2].strip('"')
                audit_record(
                    action=Action.EXPORT,
                    site=getattr(request, "site", None),
                    what=f"{filename} ({request.path})",
                    request=request,
                )
            return response
        finally:
            _request.reset(token)


# Receivers --------------------------------------------------------------------------------------


def _signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit_record(action=Action.SIGN_IN, user=user, subject=user.get_username(), request=request)


def _signed_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit_record(
            action=Action.SIGN_OUT, user=user, subject=user.get_username(), request=request
        )


def _sign_in_failed(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    from django.contrib.auth import get_user_model

    name = str(credentials.get("username", ""))
    known = get_user_model().objects.filter(username__iexact=name).first()
    audit_record(
        action=Action.SIGN_IN_FAILED,
        subject=name,
        request=request,
        what="wrong password" if known is not None else "no such account",
    )


def _role_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    _role_changed(instance, "given" if created else "changed")


def _role_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    _role_changed(instance, "removed")


def _role_changed(instance: Membership | ProgrammeLead, verb: str) -> None:
    person = instance.user.get_username() if instance.user_id else "?"
    if isinstance(instance, Membership):
        what = f"{instance.get_role_display()} of {instance.site.code} {verb}"
        site: Site | None = instance.site
    else:
        what = f"lead of {instance.programme} {verb}"
        site = None
    audit_record(action=Action.ROLE, site=site, subject=person, what=what)


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="projects.audit.signed_in")
    user_logged_out.connect(_signed_out, dispatch_uid="projects.audit.signed_out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="projects.audit.sign_in_failed")
    for model in (Membership, ProgrammeLead):
        post_save.connect(_role_saved, sender=model, dispatch_uid=f"audit.role.{model.__name__}")
        post_delete.connect(
            _role_deleted, sender=model, dispatch_uid=f"audit.role-gone.{model.__name__}"
        )
