import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The shared world signs up a person per role; Argon2 per person is slow and tests nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
