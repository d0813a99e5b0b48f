"""The offline sandbox for every channel: nothing leaves; the outbox page shows the message."""

import uuid

from clinicore.notifications.models import Channel
from clinicore.notifications.providers.base import ChannelProvider, SendResult, register


class _Sandbox(ChannelProvider):
    name = "sandbox"

    def prepare(self, message, account) -> dict:
        files = [a["filename"] for a in getattr(message, "attachments", None) or []]
        return {"sandbox": True, "to": message.address, **({"attachments": files} if files else {})}

    def send(self, message, account) -> SendResult:
        return SendResult(provider_message_id=f"sandbox-{uuid.uuid4().hex[:16]}")


@register
class EmailSandbox(_Sandbox):
    channel = Channel.EMAIL


@register
class SmsSandbox(_Sandbox):
    channel = Channel.SMS


@register
class WhatsAppSandbox(_Sandbox):
    channel = Channel.WHATSAPP

    def prepare(self, message, account) -> dict:
        from clinicore.notifications.providers.whatsapp import template_payload

        return {"sandbox": True, **template_payload(message)}


@register
class TelegramSandbox(_Sandbox):
    channel = Channel.TELEGRAM


@register
class PushSandbox(_Sandbox):
    channel = Channel.PUSH
