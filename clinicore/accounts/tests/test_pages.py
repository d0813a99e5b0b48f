"""Account pages through Django's test client: sign-up, sign-in errors, lockout, sign-out."""

import pytest
from django.test import Client
from django.urls import reverse

from clinicore.accounts.models import User
from clinicore.core.models import AuditEntry
from clinicore.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_signs_up_a_patient_and_says_to_check_the_inbox(
    client, smtp_inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:signup"),
            {
                "full_name": "Kiran Rao",
                "email": "kiran@example.test",
                "phone": "+91 98100 11111",
                "password1": "a long passphrase 2026",
                "password2": "a long passphrase 2026",
            },
        )
    assert "Check your email" in response.content.decode()
    user = User.objects.get(email="kiran@example.test")
    assert user.full_name == "Kiran Rao" and not user.email_verified
    message = smtp_inbox.wait_for("kiran@example.test")
    assert len(smtp_inbox.messages) == 1
    assert "Kiran" in smtp_inbox.text(message) and smtp_inbox.html(message)  # HTML and text


def test_it_explains_what_is_wrong_with_a_sign_up(client, world):
    response = client.post(
        reverse("accounts:signup"),
        {
            "full_name": "X",
            "email": world.patient_user.email,
            "password1": "a long passphrase 2026",
            "password2": "another passphrase 2026",
        },
    )
    page = response.content.decode()
    assert "The two passwords are different." in page
    response = client.post(
        reverse("accounts:signup"),
        {
            "full_name": "X",
            "email": world.patient_user.email,
            "password1": "a long passphrase 2026",
            "password2": "a long passphrase 2026",
        },
    )
    assert "already exists" in response.content.decode()


def test_it_shows_an_error_for_a_wrong_password_and_then_locks(client, world, settings):
    settings.LOGIN_MAX_FAILURES = 2
    response = client.post(
        reverse("accounts:login"), {"username": world.patient_user.email, "password": "nope"}
    )
    assert response.status_code == 200 and "Email or password is wrong" in response.content.decode()
    response = client.post(
        reverse("accounts:login"), {"username": world.patient_user.email, "password": "nope"}
    )
    assert "Sign-in is locked" in response.content.decode()
    response = client.post(
        reverse("accounts:login"), {"username": world.patient_user.email, "password": PASSWORD}
    )
    assert response.status_code == 200 and "Sign-in is locked" in response.content.decode()


def test_it_signs_in_and_out_with_audit_entries(client, world):
    user = world.patient_user
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:password-change")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:password-change")).status_code == 302
    actions = set(AuditEntry.objects.filter(actor_id=user.pk).values_list("action", flat=True))
    assert {"auth.sign_in", "auth.sign_out"} <= actions


def test_it_changes_the_password_and_ends_api_sessions(client, world):
    user = world.patient_user
    phone = Client()  # another device, without this browser's session
    tokens = phone.post(
        "/api/v1/auth/login",
        {"email": user.email, "password": PASSWORD},
        content_type="application/json",
    ).json()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "fresh passphrase 2026!",
            "new_password2": "fresh passphrase 2026!",
        },
        follow=True,
    )
    assert "Your password is changed" in response.content.decode()
    assert (
        client.get(reverse("accounts:password-change")).status_code == 200
    )  # still signed in here
    me = phone.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 401
    refresh = phone.post(
        "/api/v1/auth/refresh",
        {"refresh_token": tokens["refresh_token"]},
        content_type="application/json",
    )
    assert refresh.status_code == 401
