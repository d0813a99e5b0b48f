"""Two-factor state of a browser session, and the QR code an authenticator app scans."""

import time

import segno
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from clinicore.accounts import services

# Set once this session passed a TOTP (or recovery code) check, or turned 2FA on.
SESSION_OTP_KEY = "accounts.otp_verified"
# Password was right, code still to come: {"uid", "backend", "at", "next"} (not signed in yet).
SESSION_PENDING_KEY = "accounts.otp_pending"
PENDING_MAX_AGE = 5 * 60


def qr_svg(uri: str) -> str:
    """An inline SVG QR code (made here: the secret never goes to an outside service)."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, dark="#1d2733", light="#ffffff", title=_("QR code")
    )


def pending_set(request, *, user, next_url: str) -> None:
    request.session[SESSION_PENDING_KEY] = {
        "uid": str(user.pk),
        "backend": getattr(user, "backend", "clinicore.accounts.backends.EmailBackend"),
        "at": time.time(),
        "next": next_url,
    }


def pending_get(request) -> dict | None:
    data = request.session.get(SESSION_PENDING_KEY)
    if not data or time.time() - data.get("at", 0) > PENDING_MAX_AGE:
        request.session.pop(SESSION_PENDING_KEY, None)
        return None
    return data


def session_verified(request) -> bool:
    return bool(request.session.get(SESSION_OTP_KEY))


def _with_next(name: str, next_url: str) -> str:
    return reverse(name) + "?" + urlencode({"next": next_url})


def workspace_redirect(request, *, required: bool):
    """Where a workspace page must send this session first, or None.

    `required`: the person's role at this clinic must have two-factor on (owner, admin).
    """
    user = request.user
    if services.two_factor_enabled(user):
        if not session_verified(request):
            return redirect(_with_next("accounts:two-factor-verify", request.get_full_path()))
        return None
    if required and settings.TWO_FACTOR_ENFORCED:
        messages.warning(
            request, _("Your role needs two-factor authentication. Set it up to continue.")
        )
        return redirect(_with_next("accounts:two-factor-setup", request.get_full_path()))
    return None
