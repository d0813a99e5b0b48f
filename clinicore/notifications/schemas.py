"""API shapes of notifications: in-app items, preferences, outbox rows, appointment sends."""

import uuid
from datetime import datetime, time
from typing import Literal

from ninja import Schema
from pydantic import Field

ChannelName = Literal["email", "sms", "whatsapp", "telegram", "push", "in_app"]


class NotificationOut(Schema):
    id: uuid.UUID
    event: str = Field(..., examples=["appointment_reminder"])
    title: str = Field(..., examples=["Reminder: your appointment at Sunrise Dental"])
    body: str
    link: str
    clinic_id: uuid.UUID | None
    created_at: datetime
    read: bool


class NotificationPage(Schema):
    items: list[NotificationOut]
    count: int
    unread: int = Field(..., description="Unread notifications across all pages.")
    limit: int
    offset: int
    next_offset: int | None


class PreferenceIn(Schema):
    channel: ChannelName = Field(..., examples=["sms"])
    opted_in: bool = Field(..., examples=[True])
    quiet_hours_start: time | None = Field(
        None, examples=["21:00"], description="Local time; give both ends or neither."
    )
    quiet_hours_end: time | None = Field(None, examples=["08:00"])


class PreferenceOut(Schema):
    channel: str
    opted_in: bool
    quiet_hours_start: time | None
    quiet_hours_end: time | None
    updated_at: datetime


class AppointmentNotifyIn(Schema):
    appointment_id: uuid.UUID
    kind: Literal["confirmation", "reminder", "cancellation", "reschedule"] = Field(
        ..., examples=["reminder"]
    )
    channels: list[ChannelName] | None = Field(
        None, examples=[["email", "sms"]], description="Leave out for the patient's usual channels."
    )


class OutboxMessageOut(Schema):
    id: uuid.UUID
    event: str
    channel: str
    provider: str
    language: str
    recipient_name: str
    address: str
    subject: str
    status: str = Field(..., examples=["sent"])
    status_reason: str
    attempts: int
    max_attempts: int
    next_attempt_at: datetime
    last_error: str
    provider_message_id: str
    ref: str
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None


class AttemptOut(Schema):
    number: int
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    error: str


class OutboxMessageDetail(OutboxMessageOut):
    body_text: str
    body_html: str
    payload: dict
    has_calendar_file: bool
    attempt_log: list[AttemptOut]


class AppointmentNotifyOut(Schema):
    messages: list[OutboxMessageOut]


class TelegramLinkOut(Schema):
    token: str
    url: str = Field(..., examples=["https://t.me/sunrise_clinic_bot?start=Zm9v"])
    expires_at: datetime


class PushKeys(Schema):
    p256dh: str = Field(..., min_length=10, max_length=200)
    auth: str = Field(..., min_length=8, max_length=100)


class PushSubscriptionIn(Schema):
    endpoint: str = Field(
        ..., max_length=600, examples=["https://fcm.googleapis.com/fcm/send/abc123"]
    )
    keys: PushKeys


class PushKeyOut(Schema):
    public_key: str


class ChannelAccountIn(Schema):
    channel: Literal["email", "sms", "whatsapp", "telegram", "push"] = Field(..., examples=["sms"])
    provider: Literal["smtp", "twilio", "whatsapp_cloud", "telegram_bot", "sandbox"] = Field(
        ..., examples=["twilio"]
    )
    config: dict = Field(
        default_factory=dict, examples=[{"account_sid": "AC123", "from_number": "+15005550006"}]
    )
    secrets: dict = Field(
        default_factory=dict,
        examples=[{"auth_token": "secret"}],
        description="Stored encrypted; never returned. Leave a secret out to keep it.",
    )


class ChannelAccountOut(Schema):
    id: uuid.UUID
    channel: str
    provider: str
    config: dict
    secrets_set: list[str]
    is_active: bool
