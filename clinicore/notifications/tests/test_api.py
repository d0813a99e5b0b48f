"""The notifications API: a person's list and read marks, preferences, appointment messages,
and the outbox with dead-letter retry for staff — each for the right people only."""

import uuid
from datetime import UTC, datetime

import pytest

from clinicore.clinics.permissions import Role
from clinicore.core.testing import bearer
from clinicore.notifications import hooks, services
from clinicore.notifications.models import (
    ChannelAccount,
    ConsentRecord,
    Notification,
    OutboxMessage,
)
from clinicore.notifications.services import Recipient

Status = OutboxMessage.Status
BASE = "/api/v1/notifications"


@pytest.mark.django_db
def test_it_lists_my_notifications_with_the_unread_count_and_marks_them_read(world, api):
    mine = Notification.objects.create(
        user=world.patient_user,
        clinic=world.clinic_a,
        event="payment_received",
        title="Payment received by Clinic A",
    )
    Notification.objects.create(
        user=world.member("a", Role.OWNER).user, event="x", title="Not yours"
    )
    headers = world.headers("a", Role.RECEPTIONIST)
    alert = services.notify_staff(clinic=world.clinic_a, title="Vaccine fridge too warm")

    patient = bearer(world.patient_user, world.clinic_a)
    body = api.get(BASE, headers=patient).json()
    assert [i["title"] for i in body["items"]] == ["Payment received by Clinic A"] and body[
        "unread"
    ] == 1

    staff = api.get(BASE, headers=headers).json()
    assert [i["title"] for i in staff["items"]] == ["Vaccine fridge too warm"] and staff[
        "unread"
    ] == 1
    read = api.put(f"{BASE}/{alert.pk}/read", headers=headers)
    assert read.status_code == 200 and read.json()["read"] is True
    assert api.get(BASE, headers=headers).json()["unread"] == 0
    # Another member still has it unread; a person cannot mark someone else's notification.
    assert api.get(BASE, headers=world.headers("a", Role.NURSE)).json()["unread"] == 1
    assert api.put(f"{BASE}/{mine.pk}/read", headers=headers).status_code == 404
    assert (
        api.put(f"{BASE}/{alert.pk}/read", headers=world.headers("b", Role.OWNER)).status_code
        == 404
    )


@pytest.mark.django_db
def test_it_saves_my_preferences_and_records_consent(world, api):
    headers = world.headers("a", Role.DOCTOR)
    user = world.member("a", Role.DOCTOR).user
    response = api.post(
        f"{BASE}/preferences",
        {
            "channel": "whatsapp",
            "opted_in": True,
            "quiet_hours_start": "21:00",
            "quiet_hours_end": "08:00",
        },
        headers=headers,
    )
    assert response.status_code == 200, response.content
    assert response.json()["quiet_hours_start"] == "21:00:00"
    assert (
        ConsentRecord.objects.filter(
            recipient_key=f"user:{user.pk}", channel="whatsapp", granted=True
        ).count()
        == 1
    )
    half = api.post(
        f"{BASE}/preferences",
        {"channel": "sms", "opted_in": True, "quiet_hours_start": "21:00"},
        headers=headers,
    )
    assert half.status_code == 422 and half.json()["code"] == "invalid_input"
    assert [p["channel"] for p in api.get(f"{BASE}/preferences", headers=headers).json()] == [
        "whatsapp"
    ]


@pytest.mark.django_db
def test_it_sends_an_appointment_reminder_through_the_chosen_channels(world, api, monkeypatch):
    appointment_id = uuid.uuid4()

    def resolve(*, clinic, subject_id):
        if clinic != world.clinic_a or subject_id != appointment_id:
            from clinicore.core.errors import NotFound

            raise NotFound("Appointment not found.")
        return hooks.Subject(
            recipient=Recipient(
                key="patient:x", name="Asha", email="asha@example.test", phone="+919800000001"
            ),
            context={"starts_at": datetime(2026, 5, 4, 4, 0, tzinfo=UTC)},
            ref=f"appointment:{appointment_id}",
        )

    monkeypatch.setattr(hooks, "load", lambda: None)
    monkeypatch.setitem(hooks.SUBJECT_RESOLVERS, "appointment", resolve)
    body = {
        "appointment_id": str(appointment_id),
        "kind": "reminder",
        "channels": ["sms", "whatsapp"],
    }
    response = api.post(f"{BASE}/appointment", body, headers=world.headers("a", Role.RECEPTIONIST))
    assert response.status_code == 202, response.content
    by_channel = {m["channel"]: m for m in response.json()["messages"]}
    assert by_channel["sms"]["status"] == "queued"
    assert by_channel["whatsapp"]["status"] == "suppressed"  # never opted in to WhatsApp
    assert (
        api.post(f"{BASE}/appointment", body, headers=world.headers("b", Role.OWNER)).status_code
        == 404
    )
    assert (
        api.post(
            f"{BASE}/appointment", body, headers=world.headers("a", Role.PHARMACIST)
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_it_shows_staff_the_outbox_and_retries_a_dead_letter(world, api):
    services.notify(
        clinic=world.clinic_a,
        event="invoice_overdue",
        recipient=Recipient(key="patient:y", email="y@example.test"),
        context={"invoice_number": "INV-9", "amount": "50.00", "currency": "INR"},
    )
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.FAILED, attempts=8, last_error="SMTP 451"
    )
    manager = world.headers("a", Role.MANAGER)
    listing = api.get(f"{BASE}/outbox", headers=manager, status="failed").json()
    assert [m["id"] for m in listing["items"]] == [str(message.pk)]
    detail = api.get(f"{BASE}/outbox/{message.pk}", headers=manager).json()
    assert (
        detail["subject"] == "Invoice INV-9 from Clinic A is overdue"
        and "INV-9" in detail["body_text"]
    )
    retried = api.post(f"{BASE}/outbox/{message.pk}/retry", headers=manager)
    assert (
        retried.status_code == 200
        and retried.json()["status"] == "queued"
        and retried.json()["attempts"] == 0
    )
    again = api.post(f"{BASE}/outbox/{message.pk}/retry", headers=manager)
    assert again.status_code == 409
    assert (
        api.get(f"{BASE}/outbox", headers=world.headers("a", Role.RECEPTIONIST)).status_code == 403
    )
    assert (
        api.get(f"{BASE}/outbox/{message.pk}", headers=world.headers("b", Role.OWNER)).status_code
        == 404
    )
    assert api.get(f"{BASE}/outbox", headers=world.headers("b", Role.OWNER)).json()["count"] == 0


@pytest.mark.django_db
def test_it_keeps_channel_secrets_encrypted_and_never_returns_them(world, api):
    headers = world.headers("a", Role.OWNER)
    body = {
        "channel": "sms",
        "provider": "twilio",
        "config": {"account_sid": "AC1", "from_number": "+15005550006"},
        "secrets": {"auth_token": "super-secret-token"},
    }
    response = api.post(f"{BASE}/channels", body, headers=headers)
    assert response.status_code == 200 and response.json()["secrets_set"] == ["auth_token"]
    assert "super-secret-token" not in api.get(f"{BASE}/channels", headers=headers).content.decode()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM notifications_channelaccount")
        stored = cursor.fetchone()[0]
    assert stored.startswith("enc1:") and "super-secret-token" not in stored
    assert ChannelAccount.objects.get().secret("auth_token") == "super-secret-token"
    wrong = api.post(f"{BASE}/channels", {**body, "provider": "telegram_bot"}, headers=headers)
    assert wrong.status_code == 422
