"""Verification and reset emails, delivered over SMTP to a real server, with links that work."""

import pytest
from django.test import Client

from clinicore.accounts.models import User
from clinicore.core.models import AuditEntry
from clinicore.core.testing import make_user

pytestmark = pytest.mark.django_db


def _path(link: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_it_registers_a_patient_and_the_emailed_link_confirms_the_address(
    api, smtp_inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/auth/register",
            {
                "email": "Meera.Nair@Example.test",
                "password": "a long passphrase 2026",
                "full_name": "Meera Nair",
                "phone": "+91 98200 00001",
            },
        )
    assert response.status_code == 201, response.content
    assert response.json()["email_verified"] is False
    message = smtp_inbox.wait_for("meera.nair@example.test")
    assert "Confirm your email" in message["Subject"]
    assert "Meera" in smtp_inbox.text(message) and "Confirm my email" in smtp_inbox.html(message)
    link = smtp_inbox.link(message)
    page = Client().get(_path(link))
    assert page.status_code == 200 and "Email confirmed" in page.content.decode()
    assert User.objects.get(email="meera.nair@example.test").email_verified
    # The email went through the outbox: operators see it there, sent.
    operator = Client()
    operator.force_login(make_user("ops@clinicore.test", is_staff=True))
    outbox = operator.get("/ops/outbox/", {"q": "meera.nair@example.test"}).content.decode()
    assert message["Subject"] in outbox and "outbox-sent" in outbox


def test_it_tells_the_person_when_their_password_changes(
    api, world, smtp_inbox, django_capture_on_commit_callbacks
):
    user = world.patient_user
    tokens = api.post(
        "/api/v1/auth/login", {"email": user.email, "password": "correct horse battery staple"}
    ).json()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/auth/password/change",
            {
                "current_password": "correct horse battery staple",
                "new_password": "another long passphrase 2026",
            },
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
    assert response.status_code in (200, 204), response.content
    notice = smtp_inbox.wait_for(user.email)
    assert "Security notice" in notice["Subject"]
    assert "Your password was changed." in smtp_inbox.text(notice)


def test_it_confirms_the_address_through_the_api_token(
    api, smtp_inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api.post(
            "/api/v1/auth/register",
            {
                "email": "ravi@example.test",
                "password": "a long passphrase 2026",
                "full_name": "Ravi",
            },
        )
    token = smtp_inbox.link(smtp_inbox.wait_for("ravi@example.test")).rstrip("/").rsplit("/", 1)[1]
    assert api.post("/api/v1/auth/verify-email", {"token": token + "x"}).status_code == 422
    assert api.post("/api/v1/auth/verify-email", {"token": token}).status_code == 200
    assert User.objects.get(email="ravi@example.test").email_verified


def test_it_refuses_a_second_account_and_a_weak_password(api, world):
    taken = api.post(
        "/api/v1/auth/register",
        {
            "email": world.patient_user.email,
            "password": "a long passphrase 2026",
            "full_name": "Again",
        },
    )
    assert taken.status_code == 409 and taken.json()["code"] == "email_taken"
    weak = api.post(
        "/api/v1/auth/register",
        {"email": "new@example.test", "password": "password", "full_name": "New"},
    )
    assert weak.status_code == 422 and "password" in weak.json()["fields"]


def test_it_answers_the_same_to_reset_requests_for_unknown_emails(
    api, world, smtp_inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        unknown = api.post("/api/v1/auth/password/reset", {"email": "nobody@example.test"})
        known = api.post("/api/v1/auth/password/reset", {"email": world.patient_user.email})
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    smtp_inbox.wait_for(world.patient_user.email)
    assert smtp_inbox.to("nobody@example.test") == []


def test_it_resets_the_password_through_the_emailed_link(
    client, world, smtp_inbox, django_capture_on_commit_callbacks, api
):
    user = world.patient_user
    old = api.post(
        "/api/v1/auth/login", {"email": user.email, "password": "correct horse battery staple"}
    ).json()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": user.email})
    assert "Check your email" in response.content.decode()
    link = smtp_inbox.link(smtp_inbox.wait_for(user.email))
    form = client.get(_path(link), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "fresh passphrase 2026!", "new_password2": "fresh passphrase 2026!"},
    )
    assert done.status_code == 302
    assert client.login(username=user.email, password="fresh passphrase 2026!")
    # Every API session of the account ended, and the link does not work twice.
    assert (
        api.post("/api/v1/auth/refresh", {"refresh_token": old["refresh_token"]}).status_code == 401
    )
    again = Client().get(_path(link), follow=True)
    assert "This link does not work" in again.content.decode()
    assert AuditEntry.objects.filter(action="auth.password_reset", actor_id=user.pk).exists()
