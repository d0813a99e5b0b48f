"""In-app notifications: a row in the person's list, shown with an unread count in the header."""

from clinicore.notifications.models import Channel, Notification
from clinicore.notifications.providers.base import (
    ChannelProvider,
    ProviderError,
    SendResult,
    register,
)


@register
class InApp(ChannelProvider):
    channel = Channel.IN_APP
    name = "in_app"

    def send(self, message, account) -> SendResult:
        if message.recipient_user_id is None:
            raise ProviderError(
                "The recipient has no account to notify in the app.", retryable=False
            )
        # One notification per outbox row, even if a delivery is repeated after a crash.
        notification, _ = Notification.objects.get_or_create(
            outbox=message,
            defaults={
                "clinic_id": message.clinic_id,
                "user_id": message.recipient_user_id,
                "event": message.event,
                "title": message.subject[:300],
                "body": message.body_text,
                "link": (message.context or {}).get("link", "")[:500],
            },
        )
        return SendResult(provider_message_id=f"in-app-{notification.pk}", delivered=True)
