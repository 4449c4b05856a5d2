"""Toolkit tests build many users (each fixture world has seven): a fast hasher keeps setup
quick. Passwords are never checked here; login is forced."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
