"""Telegram Bot API: sendMessage to the chat a patient linked through the bot's deep link."""

import httpx
from django.conf import settings

from clinicore.notifications.models import Channel
from clinicore.notifications.providers.base import (
    ChannelProvider,
    ProviderError,
    SendResult,
    register,
)


def bot_url(account, method: str) -> str:
    return f"{settings.TELEGRAM_API_BASE_URL}/bot{account.secret('bot_token')}/{method}"


@register
class TelegramBot(ChannelProvider):
    channel = Channel.TELEGRAM
    name = "telegram_bot"

    def prepare(self, message, account) -> dict:
        return {"method": "sendMessage", "chat_id": message.address, "text": message.body_text}

    def send(self, message, account) -> SendResult:
        if account is None:
            raise ProviderError("No Telegram bot is set up for this clinic.", retryable=False)
        try:
            response = httpx.post(
                bot_url(account, "sendMessage"),
                json={"chat_id": message.address, "text": message.body_text},
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
                f"Telegram answered {response.status_code}: {str(data.get('description', ''))[:120]}",
                retryable=retryable,
            )
        return SendResult(provider_message_id=str(data["result"]["message_id"]))
