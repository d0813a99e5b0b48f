"""SMS through Twilio's official SDK; delivery receipts come back to /hooks/twilio/status/<id>."""

from django.conf import settings

from clinicore.notifications.models import Channel
from clinicore.notifications.providers.base import (
    ChannelProvider,
    ProviderError,
    SendResult,
    register,
)


def twilio_client(account):
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    client = Client(
        account.config.get("account_sid", ""),
        account.secret("auth_token"),
        http_client=TwilioHttpClient(timeout=settings.NOTIFY_PROVIDER_TIMEOUT_SECONDS),
    )
    client.api.base_url = settings.TWILIO_API_BASE_URL
    return client


def status_callback_url(account) -> str:
    return f"{settings.PUBLIC_BASE_URL}/hooks/twilio/status/{account.pk}"


@register
class TwilioSms(ChannelProvider):
    channel = Channel.SMS
    name = "twilio"

    def prepare(self, message, account) -> dict:
        config = account.config if account else {}
        data = {"To": message.address, "Body": message.body_text}
        if config.get("messaging_service_sid"):
            data["MessagingServiceSid"] = config["messaging_service_sid"]
        else:
            data["From"] = config.get("from_number", "")
        if account is not None:
            data["StatusCallback"] = status_callback_url(account)
        return data

    def send(self, message, account) -> SendResult:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        if account is None:
            raise ProviderError("No Twilio account is set up for this clinic.", retryable=False)
        payload = self.prepare(message, account)
        kwargs = {
            "to": payload["To"],
            "body": payload["Body"],
            "status_callback": payload["StatusCallback"],
        }
        if "MessagingServiceSid" in payload:
            kwargs["messaging_service_sid"] = payload["MessagingServiceSid"]
        else:
            kwargs["from_"] = payload["From"]
        try:
            sent = twilio_client(account).messages.create(**kwargs)
        except TwilioRestException as exc:
            retryable = exc.status >= 500 or exc.status == 429
            raise ProviderError(
                f"Twilio answered {exc.status} (code {exc.code}).", retryable=retryable
            ) from exc
        except TwilioException as exc:
            raise ProviderError(f"Twilio could not be reached: {type(exc).__name__}.") from exc
        except OSError as exc:
            raise ProviderError(f"Twilio could not be reached: {type(exc).__name__}.") from exc
        return SendResult(provider_message_id=sent.sid)
