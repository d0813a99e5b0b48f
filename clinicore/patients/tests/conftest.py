"""Test fixtures of this app: the shared world, built fast."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Personas sign in with bearer tokens here; argon2's deliberate slowness buys nothing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
