"""Walker fixtures: one world per test module, rolled back per test (the walkers run thousands).

The world is built inside an outer transaction that is rolled back when the module ends, and
each test runs in a savepoint inside it (pytest-django's `db`), so every test starts from the
same two clinics and nothing stays behind for other test modules.
"""

import pytest
from django.db import transaction
from django.test import override_settings

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Personas sign in with bearer tokens here; argon2's deliberate slowness buys nothing.
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="module")
def walk_world(django_db_setup, django_db_blocker):
    from clinicore.core.testing import World

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                world = World()
            yield world
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(walk_world, db):
    return walk_world
