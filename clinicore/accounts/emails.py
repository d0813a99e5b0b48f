"""Account emails (verify address, reset password, security notices), queued in the outbox.

accounts sits above notifications in the app order, so it never imports it: each email goes
through core.messages.send_transactional_email, which notifications serves. The email becomes an
outbox row in the caller's transaction (the outbox pages show it) and the worker sends it after
commit, with retries. These emails are not marketing: they go out even to people who opted out
of email. The templates are notifications' `email_verification`, `password_reset` and
`account_security` (English and Hindi)."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clinicore.accounts.models import User
from clinicore.accounts.tokens import email_verification_token
from clinicore.core.messages import send_transactional_email


def _absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL + path


def _send(*, user: User, event: str, context: dict) -> None:
    send_transactional_email(
        event=event,
        to=user.email,
        recipient_key=f"user:{user.pk}",
        name=user.get_short_name(),
        language=user.preferred_language or settings.LANGUAGE_CODE,
        user_id=user.pk,
        context=context,
        ref=f"user:{user.pk}",
    )


def verification_link(user: User) -> str:
    return _absolute(reverse("accounts:verify-email", args=[email_verification_token(user)]))


def password_reset_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return _absolute(reverse("accounts:password-reset-confirm", args=[uid, token]))


def verification_email_send(user_id) -> None:
    """Queues the "confirm your email" message with a fresh link (call it in your transaction)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.email_verified:
        return
    _send(user=user, event="email_verification", context={"link": verification_link(user)})


def password_reset_email_send(user_id) -> None:
    """Queues the reset link (call it in your transaction; it leaves after commit)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    _send(
        user=user,
        event="password_reset",
        context={
            "link": password_reset_link(user),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
    )


def security_notice_send(user_id, *, notice: str) -> None:
    """Tells the person something changed in their account (a new password, two-factor off),
    so a stranger's change does not go unnoticed. `notice` is one translated sentence."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    _send(
        user=user,
        event="account_security",
        context={
            "notice": notice,
            "at": timezone.now(),
            "link": _absolute(reverse("accounts:password-reset")),
        },
    )
