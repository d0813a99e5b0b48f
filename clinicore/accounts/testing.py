"""Request bodies for the API walkers, and helpers for tests that need two-factor sessions."""

import itertools

import pyotp
from django.utils import timezone

from clinicore.core.testing import PASSWORD, make_user, request_body

_n = itertools.count(1)


def two_factor_enable(user) -> pyotp.TOTP:
    """Turns two-factor on for `user` (as if set up with an app); returns the app's TOTP."""
    from clinicore.accounts.models import TwoFactorDevice

    secret = pyotp.random_base32()
    TwoFactorDevice.objects.update_or_create(
        user=user, defaults={"secret": secret, "confirmed_at": timezone.now(), "last_step": None}
    )
    return pyotp.TOTP(secret)


def two_factor_session(client, user) -> None:
    """Signs `user` in on a Django test client with two-factor on and verified for the session."""
    from clinicore.accounts.twofactor import SESSION_OTP_KEY

    two_factor_enable(user)
    client.force_login(user)
    session = client.session
    session[SESSION_OTP_KEY] = True
    session.save()


@request_body("POST /api/v1/auth/register")
def _register(world, clinic):
    return {
        "email": f"new.patient{next(_n)}@example.test",
        "password": "a long passphrase 2026",
        "full_name": "New Patient",
        "phone": "+91 98100 12345",
    }


@request_body("POST /api/v1/auth/login")
def _login(world, clinic):
    return {"email": world.patient_user.email, "password": PASSWORD}


def _refresh_token(world) -> str:
    from clinicore.accounts.services import refresh_token_issue

    return refresh_token_issue(user=make_user())[1]


@request_body("POST /api/v1/auth/refresh")
def _refresh(world, clinic):
    return {"refresh_token": _refresh_token(world)}


@request_body("POST /api/v1/auth/logout")
def _logout(world, clinic):
    return {"refresh_token": _refresh_token(world)}


@request_body("POST /api/v1/auth/verify-email")
def _verify_email(world, clinic):
    from clinicore.accounts.tokens import email_verification_token

    return {"token": email_verification_token(make_user(email_verified=False))}


@request_body("POST /api/v1/auth/password/change")
def _password_change(world, clinic):
    return {"current_password": PASSWORD, "new_password": "a brand new passphrase 2026"}


@request_body("POST /api/v1/auth/password/reset")
def _password_reset(world, clinic):
    return {"email": world.patient_user.email}


@request_body("POST /api/v1/auth/password/reset/confirm")
def _password_reset_confirm(world, clinic):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = make_user()
    return {
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "new_password": "a brand new passphrase 2026",
    }
