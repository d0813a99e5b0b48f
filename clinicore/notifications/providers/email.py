"""Email through Django's email framework over SMTP: HTML + plain text, .ics for bookings,
stored files (receipt PDFs) read back from PRIVATE_MEDIA_ROOT when the message leaves.

A clinic's own SMTP account (ChannelAccount, password encrypted) is used when it has one;
otherwise the platform's mailer (MAILERS["default"], from EMAIL_URL)."""

import smtplib

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from clinicore.notifications.attachments import attachment_read
from clinicore.notifications.models import Channel
from clinicore.notifications.providers.base import (
    ChannelProvider,
    ProviderError,
    SendResult,
    register,
)


def _connection(account):
    if account is None:
        return mail.mailers.default
    config = account.config or {}
    return SmtpBackend(
        alias=f"clinic-{account.pk}",
        host=config.get("host", "127.0.0.1"),
        port=int(config.get("port", 25)),
        username=config.get("username", ""),
        password=account.secret("password"),
        use_tls=bool(config.get("use_tls")),
        use_ssl=bool(config.get("use_ssl")),
        timeout=settings.NOTIFY_PROVIDER_TIMEOUT_SECONDS,
    )


def _from(account) -> str:
    if account is not None and (account.config or {}).get("from_email"):
        return account.config["from_email"]
    return settings.DEFAULT_FROM_EMAIL


@register
class SmtpEmail(ChannelProvider):
    channel = Channel.EMAIL
    name = "smtp"

    def prepare(self, message, account) -> dict:
        return {
            "from": _from(account),
            "to": [message.address],
            "subject": message.subject,
            "attachments": (["invite.ics"] if message.attachment_ics else [])
            + [a["filename"] for a in message.attachments or []],
        }

    def build(self, message, account) -> EmailMultiAlternatives:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=_from(account),
            to=[message.address],
            headers={"X-Clinicore-Message": str(message.pk)},
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        if message.attachment_ics:
            email.attach(
                "invite.ics", message.attachment_ics, "text/calendar; method=REQUEST; charset=utf-8"
            )
        for meta in message.attachments or []:
            try:
                content = attachment_read(meta)
            except (FileNotFoundError, OSError) as exc:
                # Sending the email without its file would tell the patient a lie ("attached").
                raise ProviderError(
                    f"The attachment {meta.get('filename', '')!r} is missing from storage.",
                    retryable=False,
                ) from exc
            email.attach(meta["filename"], content, meta["content_type"])
        return email

    def send(self, message, account) -> SendResult:
        email = self.build(message, account)
        connection = _connection(account)
        try:
            connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as exc:
            raise ProviderError(
                "The mail server refused the recipient address.", retryable=False
            ) from exc
        except smtplib.SMTPResponseException as exc:
            # 4xx answers are temporary, 5xx permanent (RFC 5321).
            raise ProviderError(
                f"The mail server answered {exc.smtp_code}.", retryable=400 <= exc.smtp_code < 500
            ) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise ProviderError(f"Could not reach the mail server: {type(exc).__name__}.") from exc
        return SendResult(
            provider_message_id=email.extra_headers.get("Message-ID", "") or f"smtp-{message.pk}"
        )
