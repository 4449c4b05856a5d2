"""Writes for sites, projects, memberships and tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, Project, Site


def api_token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """Create a token; the returned key is shown once and never stored."""
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[: ApiToken.PREFIX_LENGTH], key_hash=ApiToken.hash_key(key)
    )
    return token, key


def api_token_revoke(*, user: Any, token_id: int) -> ApiToken:
    token = ApiToken.objects.get(pk=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, key: str) -> Any | None:
    """The active user behind a live token, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Recording every use would write on every request; once a minute is enough to audit.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _login_key(username: str, address: str) -> str:
    return f"login-failures:{username.strip().lower()}:{address}"


def login_is_locked(*, username: str, address: str) -> bool:
    return cache.get(_login_key(username, address), 0) >= settings.LOGIN_FAILURE_LIMIT


def login_failed(*, username: str, address: str) -> None:
    key = _login_key(username, address)
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    if cache.add(key, 1, window):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)


def login_succeeded(*, username: str, address: str) -> None:
    cache.delete(_login_key(username, address))


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
