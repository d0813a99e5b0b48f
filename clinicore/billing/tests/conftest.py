"""Billing tests run background tasks at once (after commit), as the worker would."""

import pytest


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    # Fast password hashing: the shared world signs up a person per role.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ROOT_URLCONF = "clinicore.billing.tests.urls"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def clinic_a(world):
    return world.clinic_a


@pytest.fixture
def staff_a(world):
    return world.headers("a", "receptionist")


@pytest.fixture
def manager_a(world):
    return world.headers("a", "manager")
