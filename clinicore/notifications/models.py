"""Outbox messages and their delivery attempts, in-app notifications, preferences and consent,
channel credentials, provider circuits, inbound replies, Telegram links, push subscriptions and
the periodic scheduler's job table."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinicore.core.fields import EncryptedTextField
from clinicore.core.models import BaseModel


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"
    PUSH = "push", "Web push"
    IN_APP = "in_app", "In-app"


class OutboxMessage(BaseModel):
    """One message to one recipient over one channel, written in the transaction of its cause.

    The rendered subject and bodies are kept, so the outbox shows exactly what left (or would
    have left, in the sandbox)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"  # the dead-letter list: gave up, staff may retry
        SUPPRESSED = "suppressed", "Not sent"  # preferences, quiet hours or no address
        CANCELLED = "cancelled", "Cancelled"  # a planned reminder whose cause went away

    clinic = models.ForeignKey(
        "clinics.Clinic", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event = models.CharField(max_length=40)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    provider = models.CharField(max_length=20, blank=True)
    account = models.ForeignKey(
        "notifications.ChannelAccount",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(max_length=10, default="en")
    recipient_key = models.CharField(max_length=80, help_text="e.g. patient:<uuid> or user:<uuid>")
    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.CharField(
        max_length=600, blank=True, help_text="email, phone, chat id, push endpoint"
    )
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True, help_text="provider request as it leaves")
    attachment_ics = models.TextField(blank=True)
    attachments = models.JSONField(
        default=list,
        blank=True,
        help_text="files the email carries: filename, content_type, size, sha256 (bytes on disk)",
    )
    context = models.JSONField(default=dict, blank=True)
    ref = models.CharField(
        max_length=80, blank=True, help_text="what it is about, e.g. appointment:<uuid>"
    )
    dedupe_key = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    status_reason = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=8)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)
    locked_by = models.CharField(max_length=64, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["clinic", "-created_at"], name="outbox_clinic_recent"),
            models.Index(fields=["clinic", "ref"], name="outbox_clinic_ref"),
            models.Index(fields=["provider", "provider_message_id"], name="outbox_provider_msg"),
            models.Index(
                fields=["channel", "address", "-created_at"], name="outbox_address_recent"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "dedupe_key", "channel"],
                condition=~models.Q(dedupe_key=""),
                name="outbox_dedupe_unique",
            )
        ]

    def __str__(self):
        return f"{self.event} via {self.channel} ({self.status})"

    @property
    def is_dead(self) -> bool:
        return self.status == self.Status.FAILED


class DeliveryAttempt(models.Model):
    """Recorded before calling out, finished after: what happened on each try."""

    class Outcome(models.TextChoices):
        STARTED = "started", "Started"
        SENT = "sent", "Sent"
        RETRY = "retry", "Will retry"
        FAILED = "failed", "Failed"

    id = models.BigAutoField(primary_key=True)
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    worker = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.STARTED)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["message", "number"]

    def __str__(self):
        return f"attempt {self.number} ({self.outcome})"


class Notification(BaseModel):
    """An in-app notification: to one person, or (user empty) to the staff of a clinic."""

    clinic = models.ForeignKey(
        "clinics.Clinic", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    outbox = models.OneToOneField(
        OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="in_app"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
            models.Index(
                fields=["clinic", "user", "-created_at"], name="notification_clinic_recent"
            ),
        ]


class NotificationRead(models.Model):
    """Read marks on clinic-wide staff notifications (one per person)."""

    id = models.BigAutoField(primary_key=True)
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "user"], name="notification_read_unique"
            )
        ]

    def __str__(self):
        return f"read {self.notification_id}"


class Preference(BaseModel):
    """A recipient's choice for one channel: opted in or out, and quiet hours (local time).

    `clinic` empty means the person's choice everywhere (set by a signed-in user for
    `user:<uuid>`); a clinic's row for `patient:<uuid>` is set by its staff or the patient."""

    clinic = models.ForeignKey(
        "clinics.Clinic", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipient_key = models.CharField(max_length=80)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    opted_in = models.BooleanField(default=True)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "recipient_key", "channel"], name="preference_unique"
            ),
            models.UniqueConstraint(
                fields=["recipient_key", "channel"],
                condition=models.Q(clinic__isnull=True),
                name="preference_global_unique",
            ),
        ]


class ConsentRecord(models.Model):
    """Append-only: who agreed to (or withdrew from) messages on a channel, when and how."""

    id = models.BigAutoField(primary_key=True)
    clinic = models.ForeignKey(
        "clinics.Clinic", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipient_key = models.CharField(max_length=80)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    granted = models.BooleanField()
    source = models.CharField(max_length=40, help_text="api, desk, whatsapp-reply, telegram-link…")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["recipient_key", "channel", "-at"], name="consent_lookup")]

    def __str__(self):
        return f"{self.channel} consent {self.granted}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("Consent records are append-only.")
        super().save(*args, **kwargs)


class ChannelAccount(BaseModel):
    """A clinic's (or, with no clinic, the platform's) account with a provider for a channel.

    `config` holds what is not secret (sender number, phone number id, bot name, SMTP host);
    `secrets` holds tokens and passwords as encrypted JSON."""

    clinic = models.ForeignKey(
        "clinics.Clinic", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=12, choices=Channel.choices)
    provider = models.CharField(max_length=20)
    config = models.JSONField(default=dict, blank=True)
    secrets = EncryptedTextField(blank=True, default="")
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "channel"], name="channel_account_unique"),
        ]

    def __str__(self):
        return f"{self.channel}:{self.provider}"

    def secret(self, name: str, default: str = "") -> str:
        import json

        if not self.secrets:
            return default
        return json.loads(self.secrets).get(name, default)


class ProviderCircuit(models.Model):
    """A circuit breaker per provider account, shared by every worker through the database."""

    class State(models.TextChoices):
        CLOSED = "closed", "Closed"
        OPEN = "open", "Open"
        HALF_OPEN = "half_open", "Half open"

    key = models.CharField(max_length=80, primary_key=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.CLOSED)
    failures = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    probe_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.key}: {self.state}"


class InboundMessage(BaseModel):
    """A message a patient sent to the clinic (a WhatsApp reply, a Telegram message)."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=12, choices=Channel.choices)
    provider_message_id = models.CharField(max_length=200)
    from_address = models.CharField(max_length=200)
    from_name = models.CharField(max_length=200, blank=True)
    body = EncryptedTextField(blank=True, default="")
    in_reply_to = models.ForeignKey(
        OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    handled = models.CharField(
        max_length=40, blank=True, help_text="what the reply did, if anything"
    )
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_message_id"], name="inbound_provider_message_unique"
            )
        ]


class TelegramLink(BaseModel):
    """A one-time deep-link token; once the patient presses Start, the chat id is kept."""

    clinic = models.ForeignKey(
        "clinics.Clinic", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipient_key = models.CharField(max_length=80)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    chat_id = models.CharField(max_length=40, blank=True)
    linked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient_key", "linked_at"], name="telegram_link_recipient")
        ]


class PushSubscription(BaseModel):
    """A browser's web push subscription for a signed-in person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    endpoint = models.URLField(max_length=600, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True)


class ScheduledJob(models.Model):
    """One row per periodic job: when it runs next and who holds it while it runs."""

    name = models.CharField(max_length=100, primary_key=True)
    every_seconds = models.PositiveIntegerField()
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=10, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    run_count = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    locked_by = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
