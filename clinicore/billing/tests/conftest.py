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


@pytest.fixture
def fake_stripe(settings, world):
    """Stripe's API on 127.0.0.1, with clinic A's Stripe account pointing at it."""
    from clinicore.billing import gateway
    from clinicore.billing.tests.fakes import STRIPE_SECRET, STRIPE_WHSEC, FakeStripe

    server = FakeStripe(STRIPE_SECRET).start()
    settings.STRIPE_API_BASE = server.url
    gateway.gateway_account_set(
        clinic=world.clinic_a,
        actor=None,
        provider="stripe",
        public_key="pk_test_1",
        secret_key=STRIPE_SECRET,
        webhook_secret=STRIPE_WHSEC,
    )
    yield server
    server.stop()


@pytest.fixture
def fake_razorpay(settings, world):
    """Razorpay's API and its checkout.js on 127.0.0.1, with clinic A's Razorpay keys set up."""
    from clinicore.billing.tests.fakes import razorpay_serving

    with razorpay_serving(settings, world.clinic_a) as server:
        yield server
