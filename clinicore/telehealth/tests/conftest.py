"""Chat test helpers: fast password hashing, and sessions made without sign-in side effects."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def session_for():
    """`session_for(user)` -> a session key signed in as `user` (the cookie browsers send)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    def make(user) -> str:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        return session.session_key

    return make


@pytest.fixture
def login_as(client, session_for, settings):
    """Signs the test client in as a person, the way the browser is after signing in."""

    def login(user):
        client.cookies[settings.SESSION_COOKIE_NAME] = session_for(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _audit_log_flushable(request):
    """Tests with a live server commit audit entries; SQLite's append-only trigger would stop the
    flush between tests (PostgreSQL truncates, which row triggers do not see). Clear them first."""
    if "transactional_db" not in request.fixturenames and "asgi_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_delete")
        cursor.execute("DELETE FROM core_auditentry")
        cursor.execute(
            "CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry "
            "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;"
        )
