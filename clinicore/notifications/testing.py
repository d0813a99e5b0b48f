"""Factories and request bodies for the API walkers (see clinicore.core.testing)."""

from django.utils import timezone

from clinicore.core.testing import OBJECT_FACTORIES, object_factory, request_body
from clinicore.notifications.models import Notification, OutboxMessage


@object_factory("notification")
def _notification(world, clinic):
    # A staff alert of the clinic: every member may read it and mark it read, nobody else.
    return Notification.objects.create(
        clinic=clinic, user=None, event="staff_alert", title="Fridge too warm"
    )


@object_factory("outbox_message")
def _outbox_message(world, clinic):
    # A dead-lettered SMS, so that retrying it is allowed.
    return OutboxMessage.objects.create(
        clinic=clinic,
        event="appointment_reminder",
        channel="sms",
        provider="sandbox",
        recipient_key="patient:walker",
        address="+919800000009",
        body_text="Reminder",
        status=OutboxMessage.Status.FAILED,
        attempts=8,
        last_error="Twilio answered 500.",
        next_attempt_at=timezone.now(),
    )


@request_body("POST /api/v1/notifications/appointment")
def _appointment(world, clinic):
    # Appointments belong to scheduling, which registers the "appointment" factory and resolver.
    appointment = OBJECT_FACTORIES["appointment"](world, clinic)
    return {"appointment_id": str(appointment.pk), "kind": "reminder", "channels": ["email", "sms"]}


@request_body("POST /api/v1/notifications/preferences")
def _preferences(world, clinic):
    return {
        "channel": "sms",
        "opted_in": True,
        "quiet_hours_start": "21:00",
        "quiet_hours_end": "08:00",
    }


@request_body("POST /api/v1/notifications/channels")
def _channels(world, clinic):
    return {
        "channel": "sms",
        "provider": "twilio",
        "config": {
            "account_sid": "AC00000000000000000000000000000000",
            "from_number": "+15005550006",
        },
        "secrets": {"auth_token": "walker-token"},
    }


@request_body("POST /api/v1/notifications/push-subscriptions")
def _push(world, clinic):
    return {
        "endpoint": "https://push.example.test/sub/walker",
        "keys": {
            "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
            "auth": "tBHItJI5svbpez7KI4CCXg",
        },
    }
