"""Provider callbacks under /hooks/: verify the signature first, then record; answer fast.

Twilio status callbacks (X-Twilio-Signature, checked with the SDK's RequestValidator),
WhatsApp Cloud API (GET verify-token handshake; POST with X-Hub-Signature-256 over the raw body),
Telegram bot updates (X-Telegram-Bot-Api-Secret-Token)."""

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseNotFound
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from clinicore.notifications import services
from clinicore.notifications.models import Channel, ChannelAccount

logger = logging.getLogger("clinicore.notifications.webhooks")


def _account(account_id, provider: str) -> ChannelAccount | None:
    try:
        return ChannelAccount.objects.filter(
            pk=account_id, provider=provider, is_active=True
        ).first()
    except (ValueError, TypeError):
        return None


@csrf_exempt
@require_POST
def twilio_status(request, account_id):
    from twilio.request_validator import RequestValidator

    account = _account(account_id, "twilio")
    if account is None:
        return HttpResponseNotFound()
    url = settings.PUBLIC_BASE_URL + request.get_full_path()
    validator = RequestValidator(account.secret("auth_token"))
    if not validator.validate(
        url, request.POST.dict(), request.headers.get("X-Twilio-Signature", "")
    ):
        return HttpResponseForbidden("bad signature")
    services.receipt_record(
        provider="twilio",
        provider_message_id=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        error=f"Twilio error {request.POST['ErrorCode']}" if request.POST.get("ErrorCode") else "",
    )
    return HttpResponse(status=204)


def whatsapp_signature_ok(raw: bytes, header: str, app_secret: str) -> bool:
    if not app_secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp(request):
    if request.method == "GET":
        token = settings.WHATSAPP_VERIFY_TOKEN
        if (
            token
            and request.GET.get("hub.mode") == "subscribe"
            and hmac.compare_digest(request.GET.get("hub.verify_token", ""), token)
        ):
            return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponseForbidden("verify token mismatch")
    raw = request.body
    try:
        data = json.loads(raw)
        changes = [c.get("value", {}) for e in data.get("entry", []) for c in e.get("changes", [])]
    except (ValueError, AttributeError):
        return HttpResponse(status=400)
    # Which clinic's number was written to decides the app secret that must have signed it.
    numbers = {str(v.get("metadata", {}).get("phone_number_id", "")) for v in changes} - {""}
    accounts = {
        a.config.get("phone_number_id"): a
        for a in ChannelAccount.objects.filter(
            provider="whatsapp_cloud", is_active=True, clinic__isnull=False
        )
        if str(a.config.get("phone_number_id")) in numbers
    }
    if not accounts:
        return HttpResponse(status=200)  # not a number of ours: acknowledge, change nothing
    signature = request.headers.get("X-Hub-Signature-256", "")
    if not all(
        whatsapp_signature_ok(raw, signature, a.secret("app_secret")) for a in accounts.values()
    ):
        return HttpResponseForbidden("bad signature")
    for value in changes:
        account = accounts.get(str(value.get("metadata", {}).get("phone_number_id", "")))
        if account is None:
            continue
        names = {
            c.get("wa_id"): c.get("profile", {}).get("name", "") for c in value.get("contacts", [])
        }
        for status in value.get("statuses", []):
            errors = status.get("errors") or [{}]
            services.receipt_record(
                provider="whatsapp_cloud",
                provider_message_id=status.get("id", ""),
                status=status.get("status", ""),
                error=str(errors[0].get("title", ""))[:200],
            )
        for message in value.get("messages", []):
            text = message.get("text", {}).get("body", "") if message.get("type") == "text" else ""
            if message.get("type") == "button":
                text = message.get("button", {}).get("text", "")
            services.inbound_receive(
                clinic=account.clinic,
                channel=Channel.WHATSAPP,
                provider_message_id=message.get("id", ""),
                from_address=message.get("from", ""),
                from_name=names.get(message.get("from"), ""),
                body=text,
            )
    return HttpResponse(status=200)


def telegram_secret(account: ChannelAccount) -> str:
    """The secret_token `manage.py telegram_webhook set` gave Telegram for this bot."""
    from clinicore.notifications.providers.telegram import webhook_secret

    return webhook_secret(account)


@csrf_exempt
@require_POST
def telegram(request, account_id):
    account = _account(account_id, "telegram_bot")
    if account is None:
        return HttpResponseNotFound()
    if not hmac.compare_digest(
        request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), telegram_secret(account)
    ):
        return HttpResponseForbidden("bad secret")
    try:
        update = json.loads(request.body)
    except ValueError:
        return HttpResponse(status=400)
    message = update.get("message") or {}
    text = str(message.get("text", ""))
    chat_id = str(message.get("chat", {}).get("id", ""))
    if text.startswith("/start ") and chat_id:
        services.telegram_link_complete(token=text.split(" ", 1)[1].strip(), chat_id=chat_id)
    elif text and chat_id and account.clinic_id:
        services.inbound_receive(
            clinic=account.clinic,
            channel=Channel.TELEGRAM,
            provider_message_id=f"{chat_id}:{message.get('message_id', '')}",
            from_address=chat_id,
            from_name=str(message.get("from", {}).get("first_name", ""))[:200],
            body=text,
        )
    return HttpResponse(status=200)
