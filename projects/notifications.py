"""The weekly digest and alerts: what each person gets, sent once, through the e-mail backend."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from . import panels
from .models import NotificationPreference, SentNotification
from .permissions import visible_sites

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

DIGEST_KEY = "digest"


def preference_disabled(*, user: User) -> set[str]:
    pref = NotificationPreference.objects.filter(user=user).first()
    return set(pref.disabled) if pref else set()


@transaction.atomic
def preferences_update(*, user: User, enabled: set[str]) -> NotificationPreference:
    known = {DIGEST_KEY} | {s.key for s in panels.digest_sections()} | set(panels.ALERTS)
    pref, _ = NotificationPreference.objects.get_or_create(user=user)
    pref.disabled = sorted(known - enabled)
    pref.save(update_fields=["disabled"])
    return pref


def _send_once(*, user: User, key: str, reference: str, subject: str, body: str) -> bool:
    """Send unless this (user, key, reference) was sent before. The record and the sending share
    one transaction: a failed send leaves no record (a retry sends it), and a second run of the
    task finds the record and sends nothing."""
    if not user.email:
        return False
    try:
        with transaction.atomic():
            SentNotification.objects.create(
                user=user, key=key, reference=reference, subject=subject[:300]
            )
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except IntegrityError:
        return False
    return True


def digest_body(*, user: User, today: dt.date) -> str | None:
    """The digest's text for one person, or None when there is nothing to tell them."""
    disabled = preference_disabled(user=user)
    if DIGEST_KEY in disabled:
        return None
    sites = list(visible_sites(user).order_by("name"))
    if not sites:
        return None
    parts = []
    for section in panels.digest_sections():
        if section.key in disabled:
            continue
        lines = section.build(user, sites, today)
        if lines:
            parts.append(section.label + "\n" + "\n".join(f"- {line}" for line in lines))
    if not parts:
        return None
    name = user.get_full_name() or user.get_username()
    return (
        f"Hello {name},\n\nYour THRIVE Tracker week ahead ({today:%d %B %Y}):\n\n"
        + "\n\n".join(parts)
        + "\n\nTo choose which e-mails you get, open Your account > E-mail preferences."
    )


def digest_send_all(*, today: dt.date) -> int:
    """Send this week's digest to everyone active with something to read. Returns the count."""
    monday = today - dt.timedelta(days=today.weekday())
    sent = 0
    for user in get_user_model().objects.filter(is_active=True).exclude(email=""):
        body = digest_body(user=user, today=today)
        if body and _send_once(
            user=user,
            key=DIGEST_KEY,
            reference=monday.isoformat(),
            subject=f"THRIVE Tracker: your week of {monday:%d %B %Y}",
            body=body,
        ):
            sent += 1
    return sent


def alerts_send_all(*, today: dt.date) -> int:
    sent = 0
    for alert in panels.ALERTS.values():
        for user, reference, subject, body in alert.find(today):
            if alert.key in preference_disabled(user=user):
                continue
            if _send_once(
                user=user, key=alert.key, reference=reference, subject=subject, body=body
            ):
                sent += 1
    return sent
