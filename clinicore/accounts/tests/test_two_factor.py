"""TOTP two-factor: enrolment with a real authenticator code, sign-in with it, the owner/admin rule."""

import re

import pyotp
import pytest
from django.urls import reverse

from clinicore.accounts.models import TwoFactorDevice
from clinicore.accounts.testing import two_factor_enable, two_factor_session
from clinicore.clinics.permissions import Role
from clinicore.core.models import AuditEntry
from clinicore.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def _secret_from(page: str) -> str:
    return re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)


def test_it_enrols_two_factor_with_a_code_from_the_app(client, world):
    user = world.patient_user
    client.force_login(user)
    page = client.get(reverse("accounts:two-factor-setup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "qrline" in html  # the QR code is drawn here, not fetched elsewhere
    totp = pyotp.TOTP(_secret_from(html))

    wrong = client.post(reverse("accounts:two-factor-setup"), {"code": "000000"})
    assert "That code is not right" in wrong.content.decode()
    assert not TwoFactorDevice.objects.get(user=user).is_enabled

    done = client.post(reverse("accounts:two-factor-setup"), {"code": totp.now()})
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", done.content.decode())
    assert len(codes) == 10
    device = TwoFactorDevice.objects.get(user=user)
    assert device.is_enabled
    # Recovery codes are kept only as hashes; the secret is encrypted at rest.
    assert not any(c in str(device.recovery_code_hashes) for c in codes)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret FROM accounts_twofactordevice WHERE id = %s",
            [device.pk.hex if connection.vendor == "sqlite" else device.pk],
        )
        stored = cursor.fetchone()[0]
    assert totp.secret not in stored and stored.startswith("enc1:")
    assert AuditEntry.objects.filter(action="auth.two_factor_enable", actor_id=user.pk).exists()


def test_it_asks_for_the_code_after_the_password_and_signs_in_only_then(client, world):
    user = world.member("a", Role.DOCTOR).user
    totp = two_factor_enable(user)
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "accounts:two-factor-verify"
    )
    # Not signed in yet: the workspace still sends the visitor to sign in.
    desk = client.get(f"/c/{world.clinic_a.slug}/desk/patients/")
    assert desk.status_code == 302 and "/accounts/login/" in desk["Location"]

    bad = client.post(reverse("accounts:two-factor-verify"), {"code": "123456"})
    assert "That code is not right" in bad.content.decode()
    good = client.post(reverse("accounts:two-factor-verify"), {"code": totp.now()})
    assert good.status_code == 302
    assert client.get(f"/c/{world.clinic_a.slug}/desk/patients/").status_code == 200
    sign_ins = AuditEntry.objects.filter(action="auth.sign_in", actor_id=user.pk)
    assert [entry.fields for entry in sign_ins] == [["otp", "web"]]


def test_it_accepts_a_recovery_code_once(client, world):
    user = world.patient_user
    client.force_login(user)
    html = client.get(reverse("accounts:two-factor-setup")).content.decode()
    totp = pyotp.TOTP(_secret_from(html))
    done = client.post(reverse("accounts:two-factor-setup"), {"code": totp.now()}).content.decode()
    code = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", done)[0]
    client.logout()
    for expected_ok in (True, False):
        client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
        response = client.post(reverse("accounts:two-factor-verify"), {"code": code})
        assert (response.status_code == 302) is expected_ok
        client.logout()


def test_it_requires_otp_on_api_login_when_two_factor_is_on(api, world):
    user = world.patient_user
    totp = two_factor_enable(user)
    missing = api.post("/api/v1/auth/login", {"email": user.email, "password": PASSWORD})
    assert missing.status_code == 401 and missing.json()["code"] == "otp_required"
    wrong = api.post(
        "/api/v1/auth/login", {"email": user.email, "password": PASSWORD, "otp": "000000"}
    )
    assert wrong.status_code == 401 and wrong.json()["code"] == "otp_invalid"
    ok = api.post(
        "/api/v1/auth/login", {"email": user.email, "password": PASSWORD, "otp": totp.now()}
    )
    assert ok.status_code == 200, ok.content
    me = api.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {ok.json()['access_token']}"}
    )
    assert me.json()["two_factor_enabled"] is True
    # The same code cannot be replayed.
    replay = api.post(
        "/api/v1/auth/login", {"email": user.email, "password": PASSWORD, "otp": totp.now()}
    )
    assert replay.status_code == 401


def test_it_refuses_owner_only_operations_to_owners_without_two_factor(api, world, settings):
    settings.TWO_FACTOR_ENFORCED = True
    owner = world.member("a", Role.OWNER).user
    body = api.post("/api/v1/auth/login", {"email": owner.email, "password": PASSWORD}).json()
    assert body["two_factor_enrolment_required"] is True
    assert body["two_factor_setup_url"].endswith(reverse("accounts:two-factor-setup"))
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    # Everyday work goes on; owner/admin-only operations wait for two-factor.
    assert api.get("/api/v1/patients", headers=headers).status_code == 200
    refused = api.get("/api/v1/clinics/current/api-keys", headers=headers)
    assert refused.status_code == 403 and refused.json()["code"] == "two_factor_required"

    totp = two_factor_enable(owner)
    body = api.post(
        "/api/v1/auth/login", {"email": owner.email, "password": PASSWORD, "otp": totp.now()}
    ).json()
    assert body["two_factor_enrolment_required"] is False
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert api.get("/api/v1/clinics/current/api-keys", headers=headers).status_code == 200
    # Refreshing keeps the two-factor standing of the sign-in.
    renewed = api.post("/api/v1/auth/refresh", {"refresh_token": body["refresh_token"]}).json()
    assert (
        api.get(
            "/api/v1/clinics/current/api-keys",
            headers={"Authorization": f"Bearer {renewed['access_token']}"},
        ).status_code
        == 200
    )


@pytest.mark.parametrize("role", sorted(Role.values))
def test_it_sends_owners_and_admins_without_two_factor_to_set_it_up(role, client, world, settings):
    settings.TWO_FACTOR_ENFORCED = True
    client.force_login(world.member("a", role).user)
    response = client.get(f"/c/{world.clinic_a.slug}/desk/patients/")
    if role in (Role.OWNER, Role.ADMIN):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:two-factor-setup"))
    else:
        assert response.status_code == 200


def _workspace_urls(clinic) -> list[str]:
    """Every workspace page that needs no other path parameter than the clinic."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(patterns, prefix):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and route.startswith("c/<slug:clinic_slug>/desk/"):
                if hasattr(p.callback, "workspace_permission") and route.count("<") == 1:
                    found.append("/" + route.replace("<slug:clinic_slug>", clinic.slug))

    walk(get_resolver().url_patterns, "")
    return found


def test_it_guards_every_workspace_page_for_owners_without_two_factor(client, world, settings):
    settings.TWO_FACTOR_ENFORCED = True
    client.force_login(world.member("a", Role.OWNER).user)
    urls = _workspace_urls(world.clinic_a)
    assert f"/c/{world.clinic_a.slug}/desk/patients/" in urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:two-factor-setup")), url


def test_it_sends_an_unverified_session_to_the_code_step(client, world, settings):
    settings.TWO_FACTOR_ENFORCED = True
    owner = world.member("a", Role.OWNER).user
    two_factor_enable(owner)
    client.force_login(owner)  # e.g. a session opened before two-factor was turned on elsewhere
    response = client.get(f"/c/{world.clinic_a.slug}/desk/patients/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-factor-verify"))
    two_factor_session(client, owner)
    assert client.get(f"/c/{world.clinic_a.slug}/desk/patients/").status_code == 200


def test_it_turns_two_factor_off_with_the_password(client, world):
    user = world.patient_user
    two_factor_session(client, user)
    wrong = client.post(reverse("accounts:two-factor-disable"), {"password": "nope"})
    assert wrong.status_code == 400 and TwoFactorDevice.objects.filter(user=user).exists()
    client.post(reverse("accounts:two-factor-disable"), {"password": PASSWORD})
    assert not TwoFactorDevice.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(action="auth.two_factor_disable", actor_id=user.pk).exists()
