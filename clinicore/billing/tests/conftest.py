"""Billing tests run background tasks at once (after commit), as the worker would."""

import pytest


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings, tmp_path):
    # Fast password hashing: the shared world signs up a person per role.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ROOT_URLCONF = "clinicore.billing.tests.urls"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    # Emails leave through the outbox worker's email provider on the platform mailer, which
    # is Django's in-memory mailer here (mail.outbox), not the outbox-only sandbox.
    settings.EMAIL_URL = "locmem://"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"  # receipt PDFs the emails carry


@pytest.fixture
def clinic_a(world):
    return world.clinic_a


@pytest.fixture
def staff_a(world):
    return world.headers("a", "receptionist")


@pytest.fixture
def manager_a(world):
    return world.headers("a", "manager")
