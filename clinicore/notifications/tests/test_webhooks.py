"""Provider callbacks: signed delivery receipts, the WhatsApp handshake, and "1"/"2" replies that
confirm or cancel the right appointment — while bad signatures and strangers change nothing."""

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest
from twilio.request_validator import RequestValidator

from clinicore.notifications import delivery, hooks, services
from clinicore.notifications.models import Channel, InboundMessage, OutboxMessage
from clinicore.notifications.services import Recipient
from clinicore.notifications.tests.fakes import FakeTwilio, FakeWhatsApp

Status = OutboxMessage.Status
STARTS = datetime(2026, 5, 4, 4, 0, tzinfo=UTC)


@pytest.fixture
def whatsapp_clinic(world, settings):
    fake = FakeWhatsApp("1098765", "wa-token").start()
    settings.WHATSAPP_API_BASE_URL = fake.url + "/v21.0"
    services.channel_account_set(
        clinic=world.clinic_a,
        channel="whatsapp",
        provider="whatsapp_cloud",
        config={"phone_number_id": "1098765"},
        secrets_={"access_token": "wa-token", "app_secret": "wa-app-secret"},
    )
    yield fake
    fake.stop()


@pytest.fixture
def visits(monkeypatch):
    """Stands in for scheduling: two visits and the reply handler scheduling registers."""
    state = {"v1": "booked", "v2": "booked"}

    def on_reply(*, clinic, ref_id, reply, inbound):
        state[ref_id] = "confirmed" if reply == "1" else "cancelled"
        return state[ref_id]

    monkeypatch.setitem(hooks.REPLY_HANDLERS, "visit", on_reply)
    return state


def _remind(world, visit: str, phone: str):
    recipient = Recipient(key=f"patient:{visit}", name=visit, phone=phone)
    services.preference_set(
        clinic=world.clinic_a,
        recipient_key=recipient.key,
        channel=Channel.WHATSAPP,
        opted_in=True,
        source="desk",
    )
    services.notify(
        clinic=world.clinic_a,
        event="appointment_reminder",
        recipient=recipient,
        context={"starts_at": STARTS, "reply_options": True},
        channels=[Channel.WHATSAPP],
        ref=f"visit:{visit}",
    )


def _inbound(sender: str, text: str, wamid: str) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550001",
                                "phone_number_id": "1098765",
                            },
                            "contacts": [{"profile": {"name": "Patient"}, "wa_id": sender}],
                            "messages": [
                                {
                                    "from": sender,
                                    "id": wamid,
                                    "timestamp": "1760000000",
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def _post(client, payload: dict, secret: str = "wa-app-secret"):
    raw = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return client.post(
        "/hooks/whatsapp",
        data=raw,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )


def test_it_answers_the_whatsapp_verify_handshake_only_with_the_right_token(client, settings, db):
    settings.WHATSAPP_VERIFY_TOKEN = "verify-me"
    ok = client.get(
        "/hooks/whatsapp",
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200 and ok.content == b"1158201444"
    bad = client.get(
        "/hooks/whatsapp",
        {"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"},
    )
    assert bad.status_code == 403


def test_it_confirms_and_cancels_the_right_appointment_from_whatsapp_replies(
    world, client, whatsapp_clinic, visits
):
    _remind(world, "v1", "+91 98000 00011")
    _remind(world, "v2", "+91 98000 00022")
    assert delivery.deliver_due() == {"sent": 2}

    assert _post(client, _inbound("919800000022", "1", "wamid.in1")).status_code == 200
    assert visits == {"v1": "booked", "v2": "confirmed"}
    assert _post(client, _inbound("919800000011", " 2 ", "wamid.in2")).status_code == 200
    assert visits == {"v1": "cancelled", "v2": "confirmed"}
    # The same webhook delivered again changes nothing more.
    visits["v2"] = "booked"
    assert _post(client, _inbound("919800000022", "1", "wamid.in1")).status_code == 200
    assert visits["v2"] == "booked"
    replies = InboundMessage.objects.order_by("created_at")
    assert [r.handled for r in replies] == ["confirmed", "cancelled"]
    assert replies[0].in_reply_to.ref == "visit:v2"


def test_it_changes_nothing_for_a_stranger_or_a_bad_signature(
    world, client, whatsapp_clinic, visits
):
    _remind(world, "v1", "+91 98000 00011")
    delivery.deliver_due()
    assert _post(client, _inbound("919899999999", "1", "wamid.x1")).status_code == 200
    assert visits["v1"] == "booked"
    stranger = InboundMessage.objects.get()
    assert stranger.in_reply_to is None and stranger.handled == "" and stranger.body == "1"

    response = _post(client, _inbound("919800000011", "2", "wamid.x2"), secret="forged")
    assert response.status_code == 403
    assert visits["v1"] == "booked" and InboundMessage.objects.count() == 1


def test_it_marks_whatsapp_messages_delivered_from_signed_status_receipts(
    world, client, whatsapp_clinic, visits
):
    _remind(world, "v1", "+91 98000 00011")
    delivery.deliver_due()
    message = OutboxMessage.objects.get()
    statuses = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": "1098765"},
                            "statuses": [
                                {
                                    "id": message.provider_message_id,
                                    "status": "delivered",
                                    "timestamp": "1760000001",
                                    "recipient_id": "919800000011",
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    assert _post(client, statuses, secret="forged").status_code == 403
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert _post(client, statuses).status_code == 200
    message.refresh_from_db()
    assert message.status == Status.DELIVERED and message.delivered_at is not None


def test_it_records_twilio_delivery_receipts_only_with_a_valid_signature(world, client, settings):
    sid = "AC" + "3" * 32
    fake = FakeTwilio(sid, "tw-token").start()
    settings.TWILIO_API_BASE_URL = fake.url
    settings.PUBLIC_BASE_URL = "https://clinicore.example"
    try:
        account = services.channel_account_set(
            clinic=world.clinic_a,
            channel="sms",
            provider="twilio",
            config={"account_sid": sid, "from_number": "+15005550006"},
            secrets_={"auth_token": "tw-token"},
        )
        services.notify(
            clinic=world.clinic_a,
            event="payment_received",
            recipient=Recipient(key="patient:t", phone="+15005550001"),
            context={"amount": "1.00", "currency": "USD"},
            channels=[Channel.SMS],
        )
        delivery.deliver_due()
    finally:
        fake.stop()
    message = OutboxMessage.objects.get()
    path = f"/hooks/twilio/status/{account.pk}"
    params = {
        "MessageSid": message.provider_message_id,
        "MessageStatus": "delivered",
        "AccountSid": sid,
    }
    forged = RequestValidator("wrong-token").compute_signature(
        f"https://clinicore.example{path}", params
    )
    assert client.post(path, params, headers={"X-Twilio-Signature": forged}).status_code == 403
    message.refresh_from_db()
    assert message.status == Status.SENT
    signature = RequestValidator("tw-token").compute_signature(
        f"https://clinicore.example{path}", params
    )
    assert client.post(path, params, headers={"X-Twilio-Signature": signature}).status_code == 204
    message.refresh_from_db()
    assert message.status == Status.DELIVERED


def test_it_links_a_telegram_chat_from_the_bots_start_update_with_the_right_secret(world, client):
    from clinicore.notifications.models import TelegramLink
    from clinicore.notifications.webhooks import telegram_secret

    account = services.channel_account_set(
        clinic=world.clinic_a,
        channel="telegram",
        provider="telegram_bot",
        config={"bot_username": "clinic_a_bot"},
        secrets_={"bot_token": "1:x"},
    )
    link = services.telegram_link_start(clinic=world.clinic_a, recipient_key="patient:tg")
    update = {
        "update_id": 1,
        "message": {
            "message_id": 5,
            "chat": {"id": 777001, "type": "private"},
            "from": {"id": 777001, "first_name": "Tara"},
            "text": f"/start {link.token}",
        },
    }
    path = f"/hooks/telegram/{account.pk}"
    forged = client.post(
        path,
        update,
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
    )
    assert forged.status_code == 403
    assert TelegramLink.objects.get().linked_at is None
    ok = client.post(
        path,
        update,
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": telegram_secret(account)},
    )
    assert ok.status_code == 200
    link.refresh_from_db()
    assert link.chat_id == "777001" and link.linked_at is not None
