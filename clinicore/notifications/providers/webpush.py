"""Web push (VAPID) to every browser a person subscribed from the installed patient web app."""

import json
from urllib.parse import urlsplit

from django.conf import settings

from clinicore.notifications.models import Channel, PushSubscription
from clinicore.notifications.providers.base import (
    ChannelProvider,
    ProviderError,
    SendResult,
    register,
)
from clinicore.notifications.vapid import vapid_private_key


@register
class WebPush(ChannelProvider):
    channel = Channel.PUSH
    name = "webpush"

    def prepare(self, message, account) -> dict:
        return {
            "title": message.subject,
            "body": message.body_text,
            "url": (message.context or {}).get("link", ""),
        }

    def send(self, message, account) -> SendResult:
        from pywebpush import WebPushException, webpush

        subscriptions = list(PushSubscription.objects.filter(user_id=message.recipient_user_id))
        if not subscriptions:
            raise ProviderError(
                "The person has no browser subscribed to notifications.", retryable=False
            )
        data = json.dumps(message.payload or self.prepare(message, account))
        accepted, retry_errors = 0, []
        for sub in subscriptions:
            endpoint = urlsplit(sub.endpoint)
            try:
                response = webpush(
                    subscription_info={
                        "endpoint": sub.endpoint,
                        "keys": {"p256dh": sub.p256dh, "auth": sub.auth},
                    },
                    data=data,
                    vapid_private_key=vapid_private_key(),
                    vapid_claims={
                        "sub": settings.VAPID_SUBJECT,
                        "aud": f"{endpoint.scheme}://{endpoint.netloc}",
                    },
                    ttl=24 * 3600,
                    timeout=settings.NOTIFY_PROVIDER_TIMEOUT_SECONDS,
                )
            except WebPushException as exc:
                status = getattr(exc.response, "status_code", None)
                if status in (404, 410):
                    sub.delete()  # the browser unsubscribed: forget it
                    continue
                if status is None or status >= 500 or status == 429:
                    retry_errors.append(f"push service answered {status}")
                    continue
                raise ProviderError(
                    f"The push service answered {status}.", retryable=False
                ) from exc
            except OSError as exc:
                retry_errors.append(type(exc).__name__)
                continue
            if 200 <= response.status_code < 300:
                accepted += 1
        if accepted:
            return SendResult(provider_message_id=f"push-{message.pk}-{accepted}")
        if retry_errors:
            raise ProviderError("; ".join(retry_errors)[:400])
        raise ProviderError("Every browser subscription has expired.", retryable=False)
