"""Channel accounts (per-clinic credentials, stored encrypted), Telegram chat links and web
push subscriptions."""

import json
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicore.core.audit import audit_record
from clinicore.core.errors import InvalidInput
from clinicore.notifications.models import (
    Channel,
    ChannelAccount,
    ConsentRecord,
    PushSubscription,
    TelegramLink,
)

PROVIDER_FIELDS = {
    # provider: (channel, config fields, secret fields)
    "smtp": (
        Channel.EMAIL,
        ("host", "port", "username", "use_tls", "use_ssl", "from_email"),
        ("password",),
    ),
    "twilio": (
        Channel.SMS,
        ("account_sid", "from_number", "messaging_service_sid"),
        ("auth_token",),
    ),
    "whatsapp_cloud": (
        Channel.WHATSAPP,
        ("phone_number_id", "business_account_id"),
        ("access_token", "app_secret"),
    ),
    "telegram_bot": (Channel.TELEGRAM, ("bot_username",), ("bot_token",)),
    "sandbox": (None, (), ()),
}


@transaction.atomic
def channel_account_set(
    *, clinic, channel: str, provider: str, config: dict, secrets_: dict | None = None, actor=None
) -> ChannelAccount:
    """Sets the clinic's provider for a channel; secrets not sent keep their stored value."""
    if (
        provider not in PROVIDER_FIELDS
        or channel not in Channel.values
        or channel == Channel.IN_APP
    ):
        raise InvalidInput(
            _("Unknown channel or provider."), fields={"provider": _("Unknown provider.")}
        )
    expected_channel, config_fields, secret_fields = PROVIDER_FIELDS[provider]
    if expected_channel is not None and expected_channel != channel:
        raise InvalidInput(
            _("%(provider)s does not serve %(channel)s.")
            % {"provider": provider, "channel": channel},
            fields={"provider": _("Wrong channel.")},
        )
    unknown = (set(config) - set(config_fields)) | (set(secrets_ or {}) - set(secret_fields))
    if unknown:
        raise InvalidInput(
            _("Unknown settings."), fields={name: _("Unknown setting.") for name in sorted(unknown)}
        )
    account = ChannelAccount.objects.filter(
        clinic=clinic, channel=channel
    ).first() or ChannelAccount(clinic=clinic, channel=channel)
    stored = json.loads(account.secrets) if account.secrets else {}
    if account.provider != provider:
        stored = {}
    stored.update({k: v for k, v in (secrets_ or {}).items() if v})
    account.provider = provider
    account.config = config
    account.secrets = json.dumps(stored) if stored else ""
    account.is_active = True
    account.save()
    audit_record(
        action="notification.channel_account",
        entity_type="channel_account",
        entity_id=account.pk,
        clinic_id=clinic.pk if clinic else None,
        actor=actor,
        fields=[*config.keys(), *(secrets_ or {}).keys()],
    )
    return account


# --- Telegram linking and web push subscriptions ---------------------------------------------------


def telegram_link_start(*, clinic, recipient_key: str, user=None) -> TelegramLink:
    """A one-time token for the bot's deep link t.me/<bot>?start=<token> (valid one day)."""
    return TelegramLink.objects.create(
        clinic=clinic,
        recipient_key=recipient_key,
        user=user,
        token=secrets.token_urlsafe(24),
        expires_at=timezone.now() + timedelta(days=1),
    )


@transaction.atomic
def telegram_link_complete(*, token: str, chat_id: str) -> TelegramLink | None:
    """The patient pressed Start in the bot with the token: remember their chat (once)."""
    now = timezone.now()
    link = (
        TelegramLink.objects.select_for_update()
        .filter(token=token, linked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if link is None:
        return None
    link.chat_id = str(chat_id)[:40]
    link.linked_at = now
    link.save(update_fields=["chat_id", "linked_at", "updated_at"])
    ConsentRecord.objects.create(
        clinic=link.clinic,
        recipient_key=link.recipient_key,
        channel=Channel.TELEGRAM,
        granted=True,
        source="telegram-link",
        actor=link.user,
    )
    return link


@transaction.atomic
def push_subscribe(
    *, user, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    sub, _ = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={"user": user, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300]},
    )
    return sub
