"""Sign-in through the API: refresh rotation, reuse detection, lockout, password change."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from clinicore.accounts.models import RefreshToken
from clinicore.clinics.permissions import Role
from clinicore.core.models import AuditEntry
from clinicore.core.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _login(api, email, password=PASSWORD, **extra):
    return api.post("/api/v1/auth/login", {"email": email, "password": password, **extra})


def _me(api, access):
    return api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {access}"})


def test_it_signs_in_with_an_access_and_a_refresh_token(api, world):
    owner = world.member("a", Role.OWNER).user
    response = _login(api, owner.email)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["expires_in"] == 900 and body["refresh_expires_in"] == 7 * 24 * 3600
    assert body["clinic_id"] == str(world.clinic_a.pk)
    me = _me(api, body["access_token"]).json()
    assert me["email"] == owner.email and me["role"] == "owner"
    stored = RefreshToken.objects.get(user=owner)
    assert (
        stored.token_hash != body["refresh_token"]
        and body["refresh_token"] not in stored.token_hash
    )
    assert AuditEntry.objects.filter(action="auth.sign_in", actor_id=owner.pk).exists()


def test_it_rotates_refresh_tokens_and_each_works_once(api, world):
    first = _login(api, world.patient_user.email).json()
    second = api.post("/api/v1/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.content
    second = second.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert _me(api, second["access_token"]).status_code == 200
    third = api.post("/api/v1/auth/refresh", {"refresh_token": second["refresh_token"]})
    assert third.status_code == 200
    tokens = RefreshToken.objects.filter(user=world.patient_user).order_by("created_at")
    assert tokens.count() == 3 and len({t.family for t in tokens}) == 1
    assert [t.used_at is not None for t in tokens] == [True, True, False]
    assert tokens[0].replaced_by_id == tokens[1].pk


def test_it_revokes_the_whole_family_when_a_used_refresh_token_comes_back(api, world):
    first = _login(api, world.patient_user.email).json()
    stolen = first["refresh_token"]
    legit = api.post("/api/v1/auth/refresh", {"refresh_token": stolen}).json()

    reuse = api.post("/api/v1/auth/refresh", {"refresh_token": stolen})
    assert reuse.status_code == 401
    assert reuse["Content-Type"] == "application/problem+json"
    assert reuse.json()["code"] == "refresh_token_reused"
    # The legitimate holder's newer token is dead too: the family is revoked.
    after = api.post("/api/v1/auth/refresh", {"refresh_token": legit["refresh_token"]})
    assert after.status_code == 401 and after.json()["code"] == "refresh_token_revoked"
    assert not RefreshToken.objects.filter(
        user=world.patient_user, revoked_at__isnull=True
    ).exists()
    assert AuditEntry.objects.filter(action="auth.refresh_reuse").count() == 1
    # Another sign-in (another family) is not touched by a reuse elsewhere.
    other = _login(api, world.patient_user.email).json()
    assert (
        api.post("/api/v1/auth/refresh", {"refresh_token": other["refresh_token"]}).status_code
        == 200
    )


def test_it_refuses_unknown_and_expired_refresh_tokens(api, world):
    assert (
        api.post("/api/v1/auth/refresh", {"refresh_token": "nope"}).json()["code"]
        == "invalid_refresh_token"
    )
    token = _login(api, world.patient_user.email).json()["refresh_token"]
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = api.post("/api/v1/auth/refresh", {"refresh_token": token})
    assert response.status_code == 401 and response.json()["code"] == "refresh_token_expired"


def test_it_signs_out_the_refresh_family(api, world):
    first = _login(api, world.patient_user.email).json()
    second = api.post("/api/v1/auth/refresh", {"refresh_token": first["refresh_token"]}).json()
    assert (
        api.post("/api/v1/auth/logout", {"refresh_token": first["refresh_token"]}).status_code
        == 204
    )
    response = api.post("/api/v1/auth/refresh", {"refresh_token": second["refresh_token"]})
    assert response.status_code == 401
    assert AuditEntry.objects.filter(
        action="auth.sign_out", actor_id=world.patient_user.pk
    ).exists()


def test_it_locks_sign_in_after_repeated_failures_and_unlocks_after_the_window(
    api, world, settings
):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_SECONDS = 600
    email = world.patient_user.email
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _attempt in range(2):
            response = _login(api, email, "wrong password")
            assert response.status_code == 401 and response.json()["code"] == "invalid_credentials"
        third = _login(api, email, "wrong password")
        assert third.status_code == 429 and third.json()["code"] == "login_locked"
        # Locked: even the right password is refused, with a clear message and Retry-After.
        locked = _login(api, email)
        assert locked.status_code == 429
        assert "locked" in locked.json()["detail"] and int(locked["Retry-After"]) == 600
        assert (
            AuditEntry.objects.filter(
                action="auth.sign_in_failed", entity_id=str(world.patient_user.pk)
            ).count()
            == 3
        )

        clock.shift(timedelta(seconds=601))
        assert _login(api, email).status_code == 200


def test_it_locks_an_address_that_tries_many_emails(api, world, settings):
    settings.LOGIN_MAX_FAILURES_PER_IP = 4
    for n in range(4):
        _login(api, f"nobody{n}@example.test", "guess")
    response = _login(api, world.patient_user.email)
    assert response.status_code == 429 and response.json()["code"] == "login_locked"


def test_it_revokes_refresh_and_access_tokens_on_password_change(api, world):
    user = world.patient_user
    phone = _login(api, user.email).json()
    laptop = _login(api, user.email).json()
    response = api.post(
        "/api/v1/auth/password/change",
        {"current_password": PASSWORD, "new_password": "a brand new passphrase 2026"},
        headers={"Authorization": f"Bearer {laptop['access_token']}"},
    )
    assert response.status_code == 200, response.content
    fresh = response.json()
    for device in (phone, laptop):
        assert _me(api, device["access_token"]).status_code == 401
        assert (
            api.post("/api/v1/auth/refresh", {"refresh_token": device["refresh_token"]}).status_code
            == 401
        )
    assert _me(api, fresh["access_token"]).status_code == 200
    assert _login(api, user.email).status_code == 401
    assert _login(api, user.email, "a brand new passphrase 2026").status_code == 200
    assert AuditEntry.objects.filter(action="auth.password_change", actor_id=user.pk).exists()


def test_it_refuses_a_password_change_with_the_wrong_current_password(api, world):
    headers = world.headers("a", Role.NURSE)
    response = api.post(
        "/api/v1/auth/password/change",
        {"current_password": "not it", "new_password": "a brand new passphrase 2026"},
        headers=headers,
    )
    assert response.status_code == 422 and response.json()["code"] == "wrong_password"
    weak = api.post(
        "/api/v1/auth/password/change",
        {"current_password": PASSWORD, "new_password": "12345"},
        headers=headers,
    )
    assert weak.status_code == 422 and "new_password" in weak.json()["fields"]


def test_it_does_not_let_an_inactive_person_refresh(api, world):
    user = make_user()
    token = _login(api, user.email).json()["refresh_token"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert api.post("/api/v1/auth/refresh", {"refresh_token": token}).status_code == 401
