"""Limits on guessing passwords, for the main and the admin login.

Three counters, each over `LOGIN_FAILURE_WINDOW_SECONDS`:

- an account from one client address: after `LOGIN_FAILURE_LIMIT` failures that address may
  not try that account again until the window passes (the password is not even checked);
- one client address across all accounts: after `LOGIN_ADDRESS_FAILURE_LIMIT` failures the
  address may not try any account (one password sprayed over many usernames);
- an account from anywhere: after `LOGIN_ACCOUNT_FAILURE_LIMIT` failures each further try
  must wait twice as long as the one before, up to `LOGIN_ACCOUNT_MAX_DELAY_SECONDS`. This slows
  a distributed guesser without shutting the real user out: a browser the user has signed in
  from before carries a signed device cookie and is not delayed, and a password reset lifts
  the delay.

The account is the user the typed name resolves to (Unicode-normalised as authentication does,
any case), or the normalised name itself for unknown users, so spellings of one name share
one counter. The client address comes from `TRUSTED_PROXY_HEADER` when the app runs behind a
proxy that sets it (else every client would share the proxy's address).

The counters live in the cache. When the cache cannot be reached, sign-in keeps working with
no limit (and a logged warning) rather than failing for everyone.
"""

from __future__ import annotations

import logging
import math
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.http.response import HttpResponseBase

if TYPE_CHECKING:
    from projects.http import AnyUser

logger = logging.getLogger(__name__)

DEVICE_COOKIE = "thrive_device"
DEVICE_SALT = "projects.login-device"
DEVICE_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Attempt:
    account: str  # "user:<pk>" or "name:<normalised name>"
    user_id: int | None
    address: str
    trusted_device: bool


def client_address(request: HttpRequest) -> str:
    """The client's address: from the trusted proxy's header when one is configured, taking
    the entry the outermost trusted proxy added (entries to its left are the client's word)."""
    header = settings.TRUSTED_PROXY_HEADER
    if header:
        entries = [e.strip() for e in request.META.get(header, "").split(",") if e.strip()]
        if len(entries) >= settings.TRUSTED_PROXY_COUNT:
            return entries[-settings.TRUSTED_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR", "")


def normalise_name(username: str) -> str:
    return unicodedata.normalize("NFKC", username).strip().casefold()


def attempt_for(request: HttpRequest, username: str) -> Attempt:
    user_model = get_user_model()
    name = normalise_name(username)
    typed = unicodedata.normalize("NFKC", username).strip()  # as the login form cleans it
    user_id = (
        user_model._default_manager.filter(**{f"{user_model.USERNAME_FIELD}__iexact": typed})
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
        if name
        else None
    )
    device = _device_user(request.COOKIES.get(DEVICE_COOKIE, ""))
    return Attempt(
        account=f"user:{user_id}" if user_id is not None else f"name:{name}",
        user_id=user_id,
        address=client_address(request),
        trusted_device=user_id is not None and device == user_id,
    )


def _device_user(cookie: str) -> int | None:
    try:
        value = signing.loads(cookie, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except signing.BadSignature:
        return None
    return value.get("u") if isinstance(value, dict) else None


def _keys(attempt: Attempt) -> tuple[str, str, str]:
    return (
        f"login:pair:{attempt.account}:{attempt.address}",
        f"login:address:{attempt.address}",
        f"login:account:{attempt.account}",
    )


@contextmanager
def _unless_cache_down(action: str) -> Iterator[None]:
    try:
        yield
    except Exception:  # any cache backend's connection error
        logger.warning(
            "Login limits: %s skipped, the cache cannot be reached", action, exc_info=True
        )


def _get(key: str, default: Any) -> Any:
    value = default
    with _unless_cache_down("reading a counter"):
        value = cache.get(key, default)
    return value


def _count_up(key: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    with _unless_cache_down("counting a failure"):
        if not cache.add(key, 1, window):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, window)


def account_delay(failures: int) -> int:
    """Seconds the next try must wait after `failures` failures of one account."""
    over = failures - settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    if over < 0:
        return 0
    return min(2 ** min(over, 30), settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS)


def refusal(attempt: Attempt) -> int | None:
    """None when the attempt may go ahead; else the seconds to wait before trying again."""
    pair, address, account = _keys(attempt)
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    if _get(pair, 0) >= settings.LOGIN_FAILURE_LIMIT:
        return window
    if _get(address, 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        return window
    if not attempt.trusted_device:
        failures, last = _get(account, (0, 0.0))
        wait = account_delay(failures) - (time.time() - last)
        if wait > 0:
            return max(1, math.ceil(wait))
    return None


def failed(attempt: Attempt) -> None:
    pair, address, account = _keys(attempt)
    _count_up(pair)
    _count_up(address)
    failures, _last = _get(account, (0, 0.0))
    keep = max(settings.LOGIN_FAILURE_WINDOW_SECONDS, settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS)
    with _unless_cache_down("counting a failure"):
        cache.set(account, (failures + 1, time.time()), keep)


def succeeded(attempt: Attempt, response: HttpResponseBase) -> None:
    """Clear this address's count for the account and remember the browser as the user's."""
    pair, _address, account = _keys(attempt)
    with _unless_cache_down("clearing counters"):
        cache.delete_many([pair, account])
    if attempt.user_id is not None:
        response.set_cookie(
            DEVICE_COOKIE,
            signing.dumps({"u": attempt.user_id}, salt=DEVICE_SALT),
            max_age=DEVICE_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def lift_for_user(user: AnyUser, *, address: str) -> None:
    """A password reset proves the owner: lift the account's delay, and the lock on the
    account from the address the reset was made from."""
    account = f"user:{user.pk}"
    with _unless_cache_down("lifting a delay"):
        cache.delete_many([f"login:account:{account}", f"login:pair:{account}:{address}"])
