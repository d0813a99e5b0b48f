"""Telegram Bot API: sendMessage to the chat a patient linked through the bot's deep link, and
the bot's webhook (setWebhook / getWebhookInfo / deleteWebhook) pointing at our hook."""

import hashlib
import hmac
from urllib.parse import urlparse

import httpx
from django.conf import settings
from django.urls import reverse

from clinicore.notifications.models import Channel
from clinicore.notifications.providers.base import (
    ChannelProvider,
    ProviderError,
    SendResult,
    register,
)


def bot_url(account, method: str) -> str:
    return f"{settings.TELEGRAM_API_BASE_URL}/bot{account.secret('bot_token')}/{method}"


def webhook_secret(account) -> str:
    """The secret_token given to setWebhook for this bot, which Telegram sends back on every
    update in X-Telegram-Bot-Api-Secret-Token (derived from SECRET_KEY, never stored)."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"telegram:{account.pk}".encode(), hashlib.sha256
    ).hexdigest()


def webhook_url(account) -> str:
    """Where Telegram posts this bot's updates: our hook under PUBLIC_BASE_URL."""
    path = reverse("notification_hooks:telegram", kwargs={"account_id": account.pk})
    return settings.PUBLIC_BASE_URL + path


def _bot_call(account, method: str, params: dict | None = None):
    """One Bot API call; its `result`, or ProviderError with Telegram's description."""
    if not account.secret("bot_token"):
        raise ProviderError("This Telegram account has no bot token.", retryable=False)
    try:
        response = httpx.post(
            bot_url(account, method),
            json=params or {},
            timeout=settings.NOTIFY_PROVIDER_TIMEOUT_SECONDS,
        )
    except httpx.HTTPError as exc:
        raise ProviderError(f"Telegram could not be reached: {type(exc).__name__}.") from exc
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.status_code != 200 or not data.get("ok"):
        retryable = response.status_code >= 500 or response.status_code == 429
        raise ProviderError(
            f"Telegram answered {response.status_code}: {str(data.get('description', ''))[:200]}",
            retryable=retryable,
        )
    return data.get("result")


def webhook_set(account, *, drop_pending_updates: bool = False) -> str:
    """Points the bot's updates at our hook with its secret token; returns the URL registered."""
    url = webhook_url(account)
    if urlparse(url).scheme != "https":
        raise ProviderError(
            f"Telegram delivers webhooks only to HTTPS addresses; PUBLIC_BASE_URL gives {url}.",
            retryable=False,
        )
    _bot_call(
        account,
        "setWebhook",
        {
            "url": url,
            "secret_token": webhook_secret(account),
            "allowed_updates": ["message"],
            "drop_pending_updates": drop_pending_updates,
        },
    )
    return url


def webhook_info(account) -> dict:
    """Telegram's getWebhookInfo: url, pending_update_count, last_error_message, …"""
    return _bot_call(account, "getWebhookInfo") or {}


def webhook_delete(account, *, drop_pending_updates: bool = False) -> None:
    _bot_call(account, "deleteWebhook", {"drop_pending_updates": drop_pending_updates})


@register
class TelegramBot(ChannelProvider):
    channel = Channel.TELEGRAM
    name = "telegram_bot"

    def prepare(self, message, account) -> dict:
        return {"method": "sendMessage", "chat_id": message.address, "text": message.body_text}

    def send(self, message, account) -> SendResult:
        if account is None:
            raise ProviderError("No Telegram bot is set up for this clinic.", retryable=False)
        result = _bot_call(
            account, "sendMessage", {"chat_id": message.address, "text": message.body_text}
        )
        return SendResult(provider_message_id=str(result["message_id"]))
