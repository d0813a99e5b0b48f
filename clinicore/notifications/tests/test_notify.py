"""Queueing messages: rendering in the clinic's zone and language, preferences, quiet hours,
dedupe, and delivery through the sandbox."""

from datetime import UTC, datetime, time

import pytest
import time_machine

from clinicore.notifications import delivery, services
from clinicore.notifications.models import Channel, ConsentRecord, Notification, OutboxMessage
from clinicore.notifications.services import Recipient

Status = OutboxMessage.Status


def _recipient(world, **extra):
    data = {
        "key": f"patient:{world.patient_a.pk}",
        "name": "Asha",
        "email": "asha@example.test",
        "phone": "+919800000001",
        "user_id": world.patient_user.pk,
    }
    data.update(extra)
    return Recipient(**data)


@pytest.mark.django_db
def test_it_renders_the_booking_in_the_clinics_time_zone_with_a_calendar_file(world):
    starts = datetime(2026, 5, 4, 4, 0, tzinfo=UTC)  # 09:30 in Kolkata
    messages = services.notify(
        clinic=world.clinic_a,
        event="appointment_booked",
        recipient=_recipient(world),
        context={
            "starts_at": starts,
            "service": "Dental cleaning",
            "practitioner": "Dr. Rao",
            "code": "R-7K3M9Q",
        },
        ref="appointment:1",
    )
    by_channel = {m.channel: m for m in messages}
    assert set(by_channel) == {Channel.EMAIL, Channel.SMS, Channel.IN_APP}
    email = by_channel[Channel.EMAIL]
    assert email.subject == "Your appointment at Clinic A is booked"
    assert "Mon 4 May 2026, 09:30 IST" in email.body_text
    assert "Dental cleaning" in email.body_html and "<html" in email.body_html
    assert (
        "BEGIN:VCALENDAR" in email.attachment_ics
        and "DTSTART:20260504T040000Z" in email.attachment_ics
    )
    assert "09:30 IST" in by_channel[Channel.SMS].body_text
    assert by_channel[Channel.SMS].attachment_ics == ""


@pytest.mark.django_db
def test_it_writes_hindi_messages_for_hindi_speakers(world):
    messages = services.notify(
        clinic=world.clinic_a,
        event="appointment_cancelled",
        recipient=_recipient(world, language="hi"),
        context={"starts_at": datetime(2026, 5, 4, 4, 0, tzinfo=UTC)},
        channels=[Channel.SMS],
    )
    assert messages[0].language == "hi"
    assert "रद्द" in messages[0].body_text
    assert "09:30" in messages[0].body_text


@pytest.mark.django_db
def test_it_renders_every_event_in_both_languages(world):
    from clinicore.notifications.events import EVENTS

    context = {
        "starts_at": datetime(2026, 5, 4, 4, 0, tzinfo=UTC),
        "previous_starts_at": datetime(2026, 5, 3, 4, 0, tzinfo=UTC),
        "expires_at": datetime(2026, 5, 3, 6, 0, tzinfo=UTC),
        "amount": "1500.00",
        "currency": "INR",
        "invoice_number": "INV-2026-000123",
        "title": "Fridge temperature high",
        "message": "Check the vaccine fridge.",
        "link": "http://127.0.0.1:8000/x",
    }
    for name in EVENTS:
        for language in ("en", "hi"):
            [message] = services.notify(
                clinic=world.clinic_a,
                event=name,
                recipient=_recipient(world, language=language),
                context=context,
                channels=[Channel.EMAIL],
            )
            assert message.subject.strip(), (name, language)
            assert message.body_text.strip() and message.body_html.strip(), (name, language)
            assert "{{" not in message.body_text and "{%" not in message.body_html


@pytest.mark.django_db
def test_it_records_an_opted_out_channel_as_not_sent_with_the_reason(world):
    recipient = _recipient(world)
    services.preference_set(
        clinic=world.clinic_a,
        recipient_key=recipient.key,
        channel=Channel.SMS,
        opted_in=False,
        source="desk",
    )
    messages = services.notify(
        clinic=world.clinic_a,
        event="payment_received",
        recipient=recipient,
        context={"amount": "10.00", "currency": "INR"},
    )
    sms = next(m for m in messages if m.channel == Channel.SMS)
    assert sms.status == Status.SUPPRESSED
    assert "opted out" in sms.status_reason
    assert ConsentRecord.objects.filter(
        recipient_key=recipient.key, channel=Channel.SMS, granted=False
    ).exists()
    assert delivery.deliver_due() == {"sent": 2}  # the email and the in-app notification


@pytest.mark.django_db
def test_it_sends_whatsapp_only_after_an_opt_in(world):
    recipient = _recipient(world)
    first = services.notify(
        clinic=world.clinic_a,
        event="payment_received",
        recipient=recipient,
        context={"amount": "10.00", "currency": "INR"},
        channels=[Channel.WHATSAPP],
    )
    assert first[0].status == Status.SUPPRESSED
    services.preference_set(
        clinic=None,
        recipient_key=f"user:{world.patient_user.pk}",
        channel=Channel.WHATSAPP,
        opted_in=True,
        source="api",
    )
    second = services.notify(
        clinic=world.clinic_a,
        event="payment_received",
        recipient=recipient,
        context={"amount": "10.00", "currency": "INR"},
        channels=[Channel.WHATSAPP],
    )
    assert second[0].status == Status.QUEUED
    assert second[0].payload["template"]["name"] == "payment_received"
    assert second[0].payload["template"]["components"][0]["parameters"][2]["text"] == "10.00 INR"


@pytest.mark.django_db
def test_it_holds_interrupting_messages_until_quiet_hours_end(world):
    recipient = _recipient(world)
    services.preference_set(
        clinic=world.clinic_a,
        recipient_key=recipient.key,
        channel=Channel.SMS,
        opted_in=True,
        quiet_start=time(21, 0),
        quiet_end=time(8, 0),
        source="desk",
    )
    # 23:30 in Kolkata.
    with time_machine.travel(datetime(2026, 5, 4, 18, 0, tzinfo=UTC), tick=False):
        messages = services.notify(
            clinic=world.clinic_a,
            event="payment_failed",
            recipient=recipient,
            context={"amount": "10.00", "currency": "INR"},
        )
    by_channel = {m.channel: m for m in messages}
    assert by_channel[Channel.SMS].next_attempt_at == datetime(
        2026, 5, 5, 2, 30, tzinfo=UTC
    )  # 08:00 IST
    assert by_channel[Channel.EMAIL].next_attempt_at == datetime(2026, 5, 4, 18, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_it_queues_a_repeated_call_with_the_same_dedupe_key_once(world):
    for _ in range(3):
        services.notify(
            clinic=world.clinic_a,
            event="invoice_issued",
            recipient=_recipient(world),
            context={"invoice_number": "INV-1", "amount": "5.00", "currency": "INR"},
            dedupe_key="invoice:1:issued",
        )
    assert (
        OutboxMessage.objects.filter(dedupe_key="invoice:1:issued").count() == 3
    )  # email, sms, in-app


@pytest.mark.django_db
def test_it_delivers_through_the_sandbox_and_lists_in_app_notifications(world):
    services.notify(
        clinic=world.clinic_a,
        event="payment_received",
        recipient=_recipient(world),
        context={"amount": "10.00", "currency": "INR"},
    )
    counts = delivery.deliver_due()
    assert counts == {"sent": 3}
    statuses = dict(OutboxMessage.objects.values_list("channel", "status"))
    assert statuses == {
        Channel.EMAIL: Status.SENT,
        Channel.SMS: Status.SENT,
        Channel.IN_APP: Status.DELIVERED,
    }
    note = Notification.objects.get(user=world.patient_user)
    assert note.title == "Payment received by Clinic A"
    assert delivery.deliver_due() == {}
