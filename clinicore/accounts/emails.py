"""Account emails (verify address, reset password), HTML + text, through Django's email API."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from clinicore.accounts.models import User
from clinicore.accounts.tokens import email_verification_token


def _absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL + path


def _send(*, user: User, subject: str, template: str, context: dict) -> None:
    context = {"user": user, **context}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"accounts/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string(f"accounts/email/{template}.html", context), "text/html"
    )
    message.send()


def verification_link(user: User) -> str:
    return _absolute(reverse("accounts:verify-email", args=[email_verification_token(user)]))


def password_reset_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return _absolute(reverse("accounts:password-reset-confirm", args=[uid, token]))


def verification_email_send(user_id) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.email_verified:
        return
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        _send(
            user=user,
            subject=_("Confirm your email address for Clinicore"),
            template="verify_email",
            context={"link": verification_link(user)},
        )


def password_reset_email_send(user_id) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        _send(
            user=user,
            subject=_("Reset your Clinicore password"),
            template="password_reset",
            context={
                "link": password_reset_link(user),
                "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            },
        )
