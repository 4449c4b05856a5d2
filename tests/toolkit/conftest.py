import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The `world` fixture creates seven users; PBKDF2 would make each test take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
