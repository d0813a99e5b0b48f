import pytest

from clinicore.scheduling.testing import make_practitioner, make_service


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Personas sign in with bearer tokens here; argon2's deliberate slowness buys nothing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _scheduling_urls(settings):
    settings.ROOT_URLCONF = "clinicore.scheduling.tests.urls"


@pytest.fixture
def flushable_audit_log(django_db_blocker):
    """Lets a transactional test's database flush pass the audit log's append-only triggers on
    SQLite (flush DELETEs there; PostgreSQL TRUNCATEs, which the row triggers do not see), and
    puts the triggers back afterwards. Request it before `asgi_server`/`transactional_db`."""
    from django.db import connection

    sqlite = connection.vendor == "sqlite"
    yield
    if sqlite:
        from importlib import import_module

        guard = import_module("clinicore.core.migrations.0002_audit_append_only")
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            for statement in guard.SQLITE_FORWARD:
                cursor.execute(statement)


def audit_triggers_drop():
    from importlib import import_module

    from django.db import connection

    if connection.vendor != "sqlite":
        return
    guard = import_module("clinicore.core.migrations.0002_audit_append_only")
    with connection.cursor() as cursor:
        for statement in guard.SQLITE_BACKWARD:
            cursor.execute(statement)


@pytest.fixture
def setup(world):
    """Clinic A with a 45-minute service (15 minutes after) and a doctor who offers it."""
    clinic = world.clinic_a
    service = make_service(
        clinic, name="Physiotherapy session", duration_minutes=45, buffer_after_minutes=15
    )
    doctor = make_practitioner(clinic, services_=[service])
    return world, clinic, service, doctor
