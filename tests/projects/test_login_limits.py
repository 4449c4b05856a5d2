"""Limits on guessing passwords (projects.login_limits): one counter per account whatever its
spelling, the admin login too, client addresses from the trusted proxy, a per-account delay
that a known browser and a password reset get past, sprays from one address, no cache."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from projects import login_limits
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def attempt(client: Client, username: str, password: str, address: str | None = None):
    extra: dict[str, Any] = {"HTTP_X_FORWARDED_FOR": f"10.9.9.9, {address}"} if address else {}
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_spellings_of_one_name_share_one_lock(world, client, settings):
    """A full-width first letter or capitals reach the same user, so they count together."""
    settings.LOGIN_FAILURE_LIMIT = 5
    name = world.a.pm.username  # pm-aaa
    spellings = [name, name.upper(), "\uff50" + name[1:], name.title(), " " + name]
    for spelling in spellings:
        assert attempt(client, spelling, "wrong").status_code == 200
    assert attempt(client, "\uff50" + name[1:], PASSWORD).status_code == 429
    assert attempt(client, name, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_unknown_names_are_counted_by_their_normalised_spelling(db, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for spelling in ("ghost", "GHOST", "\uff47host"):
        attempt(client, spelling, "wrong")
    assert attempt(client, "Ghost", "wrong").status_code == 429


def test_admin_login_is_limited_like_the_main_login(db, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    get_user_model().objects.create_superuser("root-admin", "root@example.nhs.uk", PASSWORD)
    codes = [
        client.post(
            "/admin/login/", {"username": "root-admin", "password": f"guess{i}"}
        ).status_code
        for i in range(30)
    ]
    assert codes[:5] == [200] * 5
    assert set(codes[5:]) == {429}
    right = client.post("/admin/login/", {"username": "root-admin", "password": PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert b"Too many attempts" in right.content


def test_admin_login_still_signs_in_staff(db, client):
    get_user_model().objects.create_superuser("root-admin", "root@example.nhs.uk", PASSWORD)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "root-admin", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_behind_the_proxy_a_guesser_locks_only_their_own_address(world, settings):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.LOGIN_FAILURE_LIMIT = 5
    name = world.a.pm.username
    guesser, owner = Client(), Client()
    for _ in range(8):
        attempt(guesser, name, "wrong", address="203.0.113.5")
    assert attempt(guesser, name, PASSWORD, address="203.0.113.5").status_code == 429
    assert attempt(owner, name, PASSWORD, address="198.51.100.7").status_code == 302


def test_client_address_takes_the_entry_the_trusted_proxy_added(rf, settings):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7", REMOTE_ADDR="10.0.0.2")
    assert login_limits.client_address(request) == "198.51.100.7"
    settings.TRUSTED_PROXY_HEADER = ""
    assert login_limits.client_address(request) == "10.0.0.2"


def test_many_addresses_slow_an_account_down_but_not_its_known_browser(
    world, settings, monkeypatch
):
    """Guesses from everywhere delay an account's new browsers, twice as long each time;
    a browser the owner signed in from before is not delayed; a password reset lifts it."""
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 10
    name = world.a.pm.username
    known = Client()
    assert attempt(known, name, PASSWORD, address="198.51.100.7").status_code == 302
    known.post(reverse("logout"))  # signs out; the browser keeps its device cookie
    for i in range(10):
        assert attempt(Client(), name, "wrong", address=f"203.0.113.{i}").status_code == 200

    def wait_for(response) -> int:
        assert response.status_code == 429
        found = re.search(rb"Wait (\d+) second", response.content)
        assert found is not None
        return int(found.group(1))

    assert wait_for(attempt(Client(), name, PASSWORD, address="192.0.2.1")) == 1
    now = login_limits.time.time()
    monkeypatch.setattr(login_limits.time, "time", lambda: now + 2)
    assert attempt(Client(), name, "wrong", address="203.0.113.50").status_code == 200
    assert wait_for(attempt(Client(), name, PASSWORD, address="192.0.2.1")) == 2
    assert attempt(known, name, PASSWORD, address="198.51.100.7").status_code == 302
    login_limits.lift_for_user(world.a.pm, address="192.0.2.1")
    assert attempt(Client(), name, PASSWORD, address="192.0.2.1").status_code == 302


def test_account_delay_doubles_and_stops_at_the_cap(settings):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 10
    settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS = 900
    delays = [login_limits.account_delay(n) for n in (9, 10, 11, 12, 19, 20, 40)]
    assert delays == [0, 1, 2, 4, 512, 900, 900]


def test_password_reset_lifts_the_lock(world, client, settings, mailoutbox):
    settings.LOGIN_FAILURE_LIMIT = 3
    name = world.a.pm.username
    for _ in range(3):
        attempt(client, name, "wrong")
    assert attempt(client, name, PASSWORD).status_code == 429
    client.post(reverse("password_reset"), {"email": world.a.pm.email})
    link = re.search(r"/accounts/reset/\S+/", mailoutbox[0].body).group(0)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = "a-new-long-passphrase-77"
    done = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert attempt(client, name, new).status_code == 302


def test_one_address_spraying_many_names_is_stopped(world, client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 20
    for i in range(20):
        attempt(client, f"user-{i}", "Winter2026!")
    assert attempt(client, world.a.pm.username, PASSWORD).status_code == 429


def test_sign_in_works_when_the_cache_is_down(world, client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens here
        }
    }
    assert attempt(client, world.a.pm.username, "wrong").status_code == 200
    assert attempt(client, world.a.pm.username, PASSWORD).status_code == 302


def test_password_change_refuses_the_current_password(world, client_as):
    client = client_as(world.a.pm)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 200
    assert b"different from your current one" in response.content
    world.a.pm.refresh_from_db()
    assert world.a.pm.check_password(PASSWORD)


def test_password_change_accepts_a_new_password(db, client_as):
    user = UserFactory()
    client = client_as(user)
    new = "another-long-passphrase-42"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
