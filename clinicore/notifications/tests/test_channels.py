"""Each channel against a local server speaking the provider's API, and email over real SMTP."""

from datetime import UTC, datetime

import pytest

from clinicore.notifications import delivery, services
from clinicore.notifications.models import Channel, OutboxMessage
from clinicore.notifications.services import Recipient
from clinicore.notifications.tests.fakes import (
    FakePushService,
    FakeTwilio,
    FakeWhatsApp,
    SmtpSink,
)

Status = OutboxMessage.Status
SID = "AC" + "1" * 32
STARTS = datetime(2026, 5, 4, 4, 0, tzinfo=UTC)  # 09:30 in Kolkata


@pytest.fixture
def fake_twilio(settings):
    fake = FakeTwilio(SID, "twilio-token").start()
    settings.TWILIO_API_BASE_URL = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def fake_whatsapp(settings):
    fake = FakeWhatsApp("1098765", "wa-token").start()
    settings.WHATSAPP_API_BASE_URL = fake.url + "/v21.0"
    yield fake
    fake.stop()


def _patient(world, **extra):
    data = {
        "key": f"patient:{world.patient_a.pk}",
        "name": "Asha",
        "email": "asha@example.test",
        "phone": "+91 98000 00001",
        "user_id": world.patient_user.pk,
    }
    data.update(extra)
    return Recipient(**data)


@pytest.mark.django_db
def test_it_emails_html_text_and_the_calendar_file_over_smtp(world):
    sink = SmtpSink().start()
    try:
        services.channel_account_set(
            clinic=world.clinic_a,
            channel="email",
            provider="smtp",
            config={"host": "127.0.0.1", "port": sink.port, "from_email": "desk@clinic-a.test"},
            secrets_={"password": ""},
        )
        services.notify(
            clinic=world.clinic_a,
            event="appointment_booked",
            recipient=_patient(world),
            context={"starts_at": STARTS, "service": "Cleaning", "code": "R-7K3M9Q"},
            channels=[Channel.EMAIL],
            ref="appointment:42",
        )
        assert delivery.deliver_due() == {"sent": 1}
    finally:
        sink.stop()
    [received] = sink.messages
    assert received["to"] == ["asha@example.test"]
    msg = received["message"]
    assert msg["Subject"] == "Your appointment at Clinic A is booked"
    assert msg["From"] == "desk@clinic-a.test"
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "Mon 4 May 2026, 09:30 IST" in text and "R-7K3M9Q" in text
    assert "<html" in html and "Cleaning" in html
    [ics] = [part for part in msg.iter_attachments() if part.get_filename() == "invite.ics"]
    calendar = ics.get_content()
    calendar = calendar.decode() if isinstance(calendar, bytes) else calendar
    assert ics.get_content_type() == "text/calendar"
    assert "DTSTART:20260504T040000Z" in calendar and "METHOD:REQUEST" in calendar
    assert "UID:appointment:42@clinicore" in calendar
    assert OutboxMessage.objects.get().status == Status.SENT


@pytest.mark.django_db
def test_it_texts_through_the_twilio_api(world, fake_twilio):
    account = services.channel_account_set(
        clinic=world.clinic_a,
        channel="sms",
        provider="twilio",
        config={"account_sid": SID, "from_number": "+15005550006"},
        secrets_={"auth_token": "twilio-token"},
    )
    services.notify(
        clinic=world.clinic_a,
        event="appointment_reminder",
        recipient=_patient(world),
        context={"starts_at": STARTS},
        channels=[Channel.SMS],
    )
    assert delivery.deliver_due() == {"sent": 1}
    [sent] = fake_twilio.accepted
    assert sent["To"] == "+91 98000 00001" and sent["From"] == "+15005550006"
    assert "Reminder from Clinic A" in sent["Body"] and "09:30 IST" in sent["Body"]
    assert sent["StatusCallback"].endswith(f"/hooks/twilio/status/{account.pk}")
    message = OutboxMessage.objects.get()
    assert message.provider_message_id == sent["sid"] and message.status == Status.SENT


@pytest.mark.django_db
def test_it_refuses_a_twilio_400_without_retrying(world, fake_twilio):
    services.channel_account_set(
        clinic=world.clinic_a,
        channel="sms",
        provider="twilio",
        config={"account_sid": SID, "from_number": ""},
        secrets_={"auth_token": "twilio-token"},
    )
    services.notify(
        clinic=world.clinic_a,
        event="payment_failed",
        recipient=_patient(world),
        context={"amount": "5.00", "currency": "INR"},
        channels=[Channel.SMS],
    )
    assert delivery.deliver_due() == {"failed": 1}
    message = OutboxMessage.objects.get()
    assert message.status == Status.FAILED and "400" in message.last_error and message.attempts == 1


@pytest.mark.django_db
def test_it_sends_whatsapp_template_messages_through_the_cloud_api(world, fake_whatsapp):
    services.channel_account_set(
        clinic=world.clinic_a,
        channel="whatsapp",
        provider="whatsapp_cloud",
        config={"phone_number_id": "1098765"},
        secrets_={"access_token": "wa-token", "app_secret": "wa-secret"},
    )
    recipient = _patient(world, language="hi")
    services.preference_set(
        clinic=world.clinic_a,
        recipient_key=recipient.key,
        channel="whatsapp",
        opted_in=True,
        source="desk",
    )
    services.notify(
        clinic=world.clinic_a,
        event="appointment_reminder",
        recipient=recipient,
        context={"starts_at": STARTS},
        channels=[Channel.WHATSAPP],
        ref="appointment:7",
    )
    assert delivery.deliver_due() == {"sent": 1}
    [sent] = fake_whatsapp.accepted
    assert sent["to"] == "919800000001"
    assert sent["template"]["name"] == "appointment_reminder"
    assert sent["template"]["language"]["code"] == "hi"
    params = [p["text"] for p in sent["template"]["components"][0]["parameters"]]
    assert params[:2] == ["Asha", "Clinic A"] and "09:30" in params[2]
    assert OutboxMessage.objects.get().provider_message_id == sent["id"]


@pytest.mark.django_db
def test_it_sends_telegram_messages_to_a_linked_chat(world, fake_telegram):
    services.channel_account_set(
        clinic=world.clinic_a,
        channel="telegram",
        provider="telegram_bot",
        config={"bot_username": "clinic_a_bot"},
        secrets_={"bot_token": "123:bot-token"},
    )
    recipient = _patient(world)
    link = services.telegram_link_start(clinic=world.clinic_a, recipient_key=recipient.key)
    assert services.telegram_link_complete(token=link.token, chat_id="555001") is not None
    assert services.telegram_link_complete(token=link.token, chat_id="666") is None  # one-time
    services.notify(
        clinic=world.clinic_a,
        event="appointment_cancelled",
        recipient=recipient,
        context={"starts_at": STARTS},
        channels=[Channel.TELEGRAM],
    )
    assert delivery.deliver_due() == {"sent": 1}
    [sent] = fake_telegram.accepted
    assert sent["chat_id"] == "555001" and "cancelled" in sent["text"]


@pytest.mark.django_db
def test_it_pushes_to_the_browser_with_a_vapid_signature(world, settings, tmp_path):
    from clinicore.notifications.vapid import _key, vapid_public_key

    settings.VAR_DIR = tmp_path
    _key.cache_clear()
    push = FakePushService().start()
    try:
        sub = push.subscription()
        services.push_subscribe(
            user=world.patient_user,
            endpoint=sub["endpoint"],
            p256dh=sub["keys"]["p256dh"],
            auth=sub["keys"]["auth"],
        )
        services.notify(
            clinic=world.clinic_a,
            event="waitlist_offered",
            recipient=_patient(world),
            context={"starts_at": STARTS, "link": "http://127.0.0.1:8000/c/clinic-a/book"},
            channels=[Channel.PUSH],
        )
        assert delivery.deliver_due() == {"sent": 1}
        public_key = vapid_public_key()
    finally:
        push.stop()
        _key.cache_clear()
    [received] = push.accepted
    assert received["vapid_public_key"] == public_key
    assert received["payload"]["title"] == "A slot opened at Clinic A"
    assert received["payload"]["url"] == "http://127.0.0.1:8000/c/clinic-a/book"
    assert received["claims"]["sub"].startswith("mailto:")
