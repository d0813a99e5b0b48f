"""WhatsApp Business Cloud API over HTTP: approved template messages to /{phone-number-id}/messages."""

import httpx
from django.conf import settings

from clinicore.notifications.events import EVENTS
from clinicore.notifications.models import Channel
from clinicore.notifications.providers.base import (
    ChannelProvider,
    ProviderError,
    SendResult,
    register,
)


def wa_number(address: str) -> str:
    """Cloud API numbers are digits with the country code, no plus sign or spaces."""
    return "".join(ch for ch in address if ch.isdigit())


# Meta names template languages by locale; the product's other language codes are the same there.
WA_LANGUAGES = {"zh-hans": "zh_CN", "zh-hant": "zh_TW"}


def template_payload(message) -> dict:
    event = EVENTS.get(message.event)
    name = (event.whatsapp_template if event else "") or message.event
    params = (message.context or {}).get("_wa_params", [])
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": wa_number(message.address),
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": WA_LANGUAGES.get(message.language, message.language)},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}
            ],
        },
    }


def _http_error(response: httpx.Response) -> ProviderError:
    retryable = response.status_code >= 500 or response.status_code == 429
    try:
        code = response.json().get("error", {}).get("code", "")
    except ValueError:
        code = ""
    return ProviderError(
        f"WhatsApp answered {response.status_code} (code {code}).", retryable=retryable
    )


@register
class WhatsAppCloud(ChannelProvider):
    channel = Channel.WHATSAPP
    name = "whatsapp_cloud"

    def prepare(self, message, account) -> dict:
        return template_payload(message)

    def send(self, message, account) -> SendResult:
        if account is None:
            raise ProviderError("No WhatsApp account is set up for this clinic.", retryable=False)
        url = f"{settings.WHATSAPP_API_BASE_URL}/{account.config['phone_number_id']}/messages"
        try:
            response = httpx.post(
                url,
                json=message.payload or template_payload(message),
                headers={"Authorization": f"Bearer {account.secret('access_token')}"},
                timeout=settings.NOTIFY_PROVIDER_TIMEOUT_SECONDS,
            )
        except httpx.HTTPError as exc:
            raise ProviderError(f"WhatsApp could not be reached: {type(exc).__name__}.") from exc
        if response.status_code != 200:
            raise _http_error(response)
        return SendResult(provider_message_id=response.json()["messages"][0]["id"])
