"""Every write of notifications: queueing messages (the API other apps call), reminders,
preferences and consent, in-app read marks, retries, channel accounts, Telegram and push links.

Other apps call `notify(...)` inside their own transaction; see docs/notifications.md.
"""

import json
import secrets
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from clinicore.core.audit import audit_record
from clinicore.core.errors import Conflict, InvalidInput
from clinicore.core.messages import Attachment, TransactionalEmail
from clinicore.notifications import events as ev
from clinicore.notifications.attachments import attachment_store
from clinicore.notifications.ics import calendar_invite
from clinicore.notifications.models import (
    Channel,
    ChannelAccount,
    ConsentRecord,
    Notification,
    NotificationRead,
    OutboxMessage,
    Preference,
    PushSubscription,
    TelegramLink,
)
from clinicore.notifications.providers import provider_for
from clinicore.notifications.rendering import language_for, render

Status = OutboxMessage.Status


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to, as the calling app knows them (notifications stores no people).

    `key` names the person stably: "patient:<uuid>" for a clinic's patient record,
    "user:<uuid>" for a signed-in person, "staff:<uuid>" for a membership."""

    key: str
    name: str = ""
    language: str = ""
    email: str = ""
    phone: str = ""  # E.164, for SMS (and WhatsApp unless `whatsapp` is given)
    whatsapp: str = ""
    user_id: uuid.UUID | str | None = None  # in-app, web push and Telegram links by account
    time_zone: str = ""  # defaults to the clinic's


# --- Queueing -----------------------------------------------------------------------------------


def _json_context(context: dict) -> dict:
    return json.loads(json.dumps(context, cls=DjangoJSONEncoder))


def _telegram_chat(recipient: Recipient) -> str:
    q = Q(recipient_key=recipient.key)
    if recipient.user_id:
        q |= Q(user_id=recipient.user_id)
    link = TelegramLink.objects.filter(q, linked_at__isnull=False).order_by("-linked_at").first()
    return link.chat_id if link else ""


def _address(channel: str, recipient: Recipient) -> str:
    if channel == Channel.EMAIL:
        return recipient.email
    if channel == Channel.SMS:
        return recipient.phone
    if channel == Channel.WHATSAPP:
        return recipient.whatsapp or recipient.phone
    if channel == Channel.TELEGRAM:
        return _telegram_chat(recipient)
    if channel == Channel.PUSH:
        if (
            recipient.user_id
            and PushSubscription.objects.filter(user_id=recipient.user_id).exists()
        ):
            return f"user:{recipient.user_id}"
        return ""
    if channel == Channel.IN_APP:
        return f"user:{recipient.user_id}" if recipient.user_id else ""
    return ""


def preference_effective(*, clinic, recipient: Recipient, channel: str) -> Preference | None:
    """The clinic's row for this recipient wins over the person's own global choice."""
    keys = [recipient.key] + ([f"user:{recipient.user_id}"] if recipient.user_id else [])
    rows = list(
        Preference.objects.filter(recipient_key__in=keys, channel=channel).filter(
            Q(clinic=clinic) | Q(clinic__isnull=True)
        )
    )

    def rank(p):
        return (p.clinic_id is None, keys.index(p.recipient_key))

    return min(rows, key=rank) if rows else None


def _in_quiet_hours(local: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end  # over midnight, e.g. 21:00–08:00


def quiet_hours_release(*, at: datetime, pref: Preference | None, time_zone: str) -> datetime:
    """When a message due `at` may go out: `at`, or the end of the person's quiet hours."""
    if pref is None or pref.quiet_start is None or pref.quiet_end is None:
        return at
    tz = zoneinfo.ZoneInfo(time_zone)
    local = at.astimezone(tz)
    if not _in_quiet_hours(local.time(), pref.quiet_start, pref.quiet_end):
        return at
    release = datetime.combine(local.date(), pref.quiet_end, tzinfo=tz)
    if release <= local:
        release += timedelta(days=1)
    return release.astimezone(zoneinfo.ZoneInfo("UTC"))


def channel_account_for(*, clinic, channel: str) -> ChannelAccount | None:
    accounts = ChannelAccount.objects.filter(channel=channel, is_active=True).filter(
        Q(clinic=clinic) | Q(clinic__isnull=True)
    )
    return min(accounts, key=lambda a: a.clinic_id is None, default=None)


def _provider_name(channel: str, account: ChannelAccount | None) -> str:
    if channel == Channel.IN_APP:
        return "in_app"
    if account is not None:
        return account.provider
    if channel == Channel.EMAIL and not settings.EMAIL_URL.startswith("outbox:"):
        return "smtp"  # the platform mailer from EMAIL_URL
    if channel == Channel.PUSH:
        return settings.NOTIFY_PUSH_PROVIDER  # the platform's VAPID keys; no per-clinic account
    return "sandbox"


def _enqueue_on_commit(message_ids: list) -> None:
    if not message_ids:
        return
    ids = [str(i) for i in message_ids]

    def enqueue():
        from clinicore.notifications.tasks import deliver_message

        for message_id in ids:
            deliver_message.enqueue(message_id)

    transaction.on_commit(enqueue)


def notify(
    *,
    clinic,
    event: str,
    recipient: Recipient,
    context: dict,
    channels: list[str] | tuple[str, ...] | None = None,
    dedupe_key: str = "",
    ref: str = "",
    send_at: datetime | None = None,
    attachments: list[Attachment] | tuple[Attachment, ...] = (),
    actor=None,
) -> list[OutboxMessage]:
    """Queues `event` for `recipient` on each channel, in the caller's transaction.

    Renders every message now (language, clinic time zone) and keeps it on its outbox row; the
    worker delivers after commit. Channels the person opted out of are recorded as not sent,
    with the reason; interrupting channels wait out quiet hours. `dedupe_key` makes a repeated
    call a no-op (per channel). `send_at` plans the message for later (reminders).
    `attachments` (core.messages.Attachment: filename, content type, bytes) go with the email
    only; their bytes are stored under PRIVATE_MEDIA_ROOT, the row keeps their names."""
    spec = ev.event_get(event)
    requested = list(channels) if channels else None
    for channel in requested or []:
        if channel not in Channel.values:
            raise InvalidInput(
                f"Unknown channel {channel!r}.", fields={"channels": "Unknown channel."}
            )
    wanted = requested or list(spec.channels)
    time_zone = recipient.time_zone or (clinic.time_zone if clinic else "UTC") or "UTC"
    language = language_for(recipient.language or (clinic.default_language if clinic else "en"))
    now = timezone.now()
    due = send_at or now

    context = dict(context)
    ics = context.pop("ics", "")
    full = {
        "clinic_name": clinic.name if clinic else "",
        "clinic_phone": clinic.phone if clinic else "",
        "clinic_address": ", ".join(p for p in (clinic.address_line, clinic.city) if p)
        if clinic
        else "",
        "recipient_name": recipient.name,
        **context,
    }
    if not ics and spec.calendar and full.get("starts_at"):
        ics = calendar_invite(
            uid=f"{ref or dedupe_key or uuid.uuid4()}@clinicore",
            starts_at=full["starts_at"],
            ends_at=full.get("ends_at") or full["starts_at"] + timedelta(minutes=30),
            summary=f"{full.get('service') or 'Appointment'} · {full['clinic_name']}",
            location=full["clinic_address"],
            description=full.get("link", ""),
        )
    rendered = render(event=event, language=language, context=full, time_zone=time_zone)
    files = (
        [attachment_store(a) for a in attachments]
        if attachments and Channel.EMAIL in wanted
        else []
    )
    stored_context = _json_context({**context, "_wa_params": list(rendered.wa_params)})

    created: list[OutboxMessage] = []
    for channel in wanted:
        address = _address(channel, recipient)
        reason = ""
        if not address:
            if requested is None:
                continue
            reason = "The recipient has no address for this channel."
        pref = preference_effective(clinic=clinic, recipient=recipient, channel=channel)
        opted_in = pref.opted_in if pref is not None else channel in ev.DEFAULT_ON
        if requested is None and pref is None and not opted_in and not reason:
            continue  # an opt-in channel the person was never asked about: nothing to report
        if not reason and spec.mutable and not opted_in:
            reason = (
                "The recipient opted out of this channel."
                if pref
                else "The recipient has not opted in to this channel."
            )
        next_at = due
        if not reason and channel in ev.INTERRUPTING:
            next_at = quiet_hours_release(at=due, pref=pref, time_zone=time_zone)
        account = channel_account_for(clinic=clinic, channel=channel) if not reason else None
        email = channel == Channel.EMAIL
        message = OutboxMessage(
            clinic=clinic,
            event=event,
            channel=channel,
            provider=_provider_name(channel, account),
            account=account,
            language=language,
            recipient_key=recipient.key,
            recipient_name=recipient.name[:200],
            recipient_user_id=recipient.user_id or None,
            address=address[:600],
            subject=rendered.subject[:300],
            body_text=rendered.text if email else rendered.short,
            body_html=rendered.html if email else "",
            attachment_ics=ics if email else "",
            attachments=files if email else [],
            context=stored_context,
            ref=ref,
            dedupe_key=dedupe_key,
            status=Status.SUPPRESSED if reason else Status.QUEUED,
            status_reason=reason,
            max_attempts=settings.NOTIFY_MAX_ATTEMPTS,
            next_attempt_at=next_at,
        )
        if not reason:
            message.payload = provider_for(channel, message.provider).prepare(message, account)
        try:
            with transaction.atomic():
                message.save()
        except IntegrityError:
            if not dedupe_key:
                raise
            existing = OutboxMessage.objects.filter(
                clinic=clinic, dedupe_key=dedupe_key, channel=channel
            ).first()
            if existing is not None:
                created.append(existing)
            continue
        created.append(message)

    audit_record(
        action="notification.queue",
        entity_type="outbox",
        entity_id=ref or event,
        clinic_id=clinic.pk if clinic else None,
        actor=actor,
        fields=sorted({m.channel for m in created}),
    )
    _enqueue_on_commit(
        [m.pk for m in created if m.status == Status.QUEUED and m.next_attempt_at <= now]
    )
    return created


def transactional_email_queue(email: TransactionalEmail) -> list[OutboxMessage]:
    """The delivery backend of core.messages.send_transactional_email (registered at startup):
    an account or security email from an app above notifications, as a platform outbox row
    (no clinic) in the caller's transaction."""
    return notify(
        clinic=None,
        event=email.event,
        recipient=Recipient(
            key=email.recipient_key,
            name=email.name,
            language=email.language,
            email=email.to,
            user_id=email.user_id,
        ),
        context=email.context,
        channels=[Channel.EMAIL],
        dedupe_key=email.dedupe_key,
        ref=email.ref,
        attachments=email.attachments,
    )


def notify_staff(
    *, clinic, title: str, message: str = "", link: str = "", actor=None
) -> Notification:
    """A clinic-wide alert in every staff member's in-app list (the generic staff alert)."""
    if not title.strip():
        raise InvalidInput("A staff alert needs a title.", fields={"title": "Required."})
    notification = Notification.objects.create(
        clinic=clinic,
        user=None,
        event="staff_alert",
        title=title.strip()[:300],
        body=message,
        link=link[:500],
    )
    audit_record(
        action="notification.staff_alert",
        entity_type="notification",
        entity_id=notification.pk,
        clinic_id=clinic.pk,
        actor=actor,
        fields=["title", "body", "link"],
    )
    return notification


# --- Reminders ----------------------------------------------------------------------------------


def reminder_offsets() -> tuple[timedelta, ...]:
    return tuple(settings.NOTIFY_REMINDER_OFFSETS)


def reminder_times(
    *, starts_at: datetime, time_zone: str, offsets=None
) -> list[tuple[str, datetime]]:
    """When the reminders for a visit go out, in UTC, latest offset first.

    Whole-day offsets keep the local clock time ("24 h before" a 09:00 visit is 09:00 the day
    before, even across a DST change); shorter ones are exact durations ("2 h before")."""
    if timezone.is_naive(starts_at):
        raise InvalidInput("Appointment times must carry a time zone.")
    tz = zoneinfo.ZoneInfo(time_zone)
    local = starts_at.astimezone(tz)
    plan = []
    for offset in offsets if offsets is not None else reminder_offsets():
        label = _offset_label(offset)
        if offset % timedelta(days=1) == timedelta(0):
            wall = local.replace(tzinfo=None) - offset
            at = wall.replace(tzinfo=tz).astimezone(zoneinfo.ZoneInfo("UTC"))
        else:
            at = starts_at - offset
        plan.append((label, at.astimezone(zoneinfo.ZoneInfo("UTC"))))
    return sorted(plan, key=lambda item: item[1])


def _offset_label(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def reminders_plan(
    *,
    clinic,
    recipient: Recipient,
    context: dict,
    starts_at: datetime,
    ref: str,
    channels=None,
    offsets=None,
    actor=None,
) -> list[OutboxMessage]:
    """Plans the visit's reminders (24 h and 2 h before by default) as queued outbox rows.

    Call it when an appointment is booked or moved (after `reminders_cancel` for the old time);
    reminders whose time has already passed are skipped. WhatsApp reminders accept "1"/"2"."""
    if not ref:
        raise InvalidInput("Reminders need the ref of what they are about, e.g. appointment:<id>.")
    time_zone = recipient.time_zone or clinic.time_zone
    now = timezone.now()
    planned = []
    for label, at in reminder_times(starts_at=starts_at, time_zone=time_zone, offsets=offsets):
        if at <= now:
            continue
        planned += notify(
            clinic=clinic,
            event="appointment_reminder",
            recipient=recipient,
            context={**context, "starts_at": starts_at, "reply_options": True},
            channels=channels,
            dedupe_key=f"{ref}:reminder:{label}:{starts_at.isoformat()}",
            ref=ref,
            send_at=at,
            actor=actor,
        )
    return planned


def outbox_cancel(*, clinic, ref: str, events=("appointment_reminder",), actor=None) -> int:
    """Cancels planned messages about `ref` that have not left yet (e.g. a cancelled visit)."""
    count = OutboxMessage.objects.filter(
        clinic=clinic, ref=ref, event__in=list(events), status=Status.QUEUED
    ).update(
        status=Status.CANCELLED,
        status_reason="Its appointment was cancelled or moved.",
        updated_at=timezone.now(),
    )
    if count:
        audit_record(
            action="notification.cancel",
            entity_type="outbox",
            entity_id=ref,
            clinic_id=clinic.pk,
            actor=actor,
            fields=["status"],
        )
    return count


def reminders_cancel(*, clinic, ref: str, actor=None) -> int:
    return outbox_cancel(clinic=clinic, ref=ref, actor=actor)


# --- Staff actions on the outbox -----------------------------------------------------------------


@transaction.atomic
def outbox_retry(*, message: OutboxMessage, actor=None) -> OutboxMessage:
    """Puts a dead-lettered (failed) message back in the queue with fresh attempts."""
    if message.status != Status.FAILED:
        raise Conflict("Only failed messages can be retried.", code="not_failed")
    now = timezone.now()
    updated = OutboxMessage.objects.filter(pk=message.pk, status=Status.FAILED).update(
        status=Status.QUEUED,
        attempts=0,
        next_attempt_at=now,
        locked_until=None,
        locked_by="",
        status_reason="Retried by staff.",
        updated_at=now,
    )
    if not updated:
        raise Conflict("The message changed meanwhile; reload and try again.", code="changed")
    message.refresh_from_db()
    audit_record(
        action="outbox.retry",
        entity_type="outbox_message",
        entity_id=message.pk,
        clinic_id=message.clinic_id,
        actor=actor,
        fields=["status", "attempts"],
    )
    _enqueue_on_commit([message.pk])
    return message


# --- In-app notifications -------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, notification: Notification, user) -> Notification:
    now = timezone.now()
    if notification.user_id is not None:
        if notification.read_at is None:
            notification.read_at = now
            notification.save(update_fields=["read_at", "updated_at"])
    else:
        NotificationRead.objects.get_or_create(notification=notification, user=user)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user, clinic=None) -> int:
    now = timezone.now()
    count = Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=now, updated_at=now
    )
    if clinic is not None:
        unread = Notification.objects.filter(clinic=clinic, user__isnull=True).exclude(
            reads__user=user
        )
        NotificationRead.objects.bulk_create(
            [NotificationRead(notification=n, user=user) for n in unread], ignore_conflicts=True
        )
    return count


# --- Preferences and consent -----------------------------------------------------------------------


@transaction.atomic
def preference_set(
    *,
    clinic,
    recipient_key: str,
    channel: str,
    opted_in: bool,
    quiet_start: time | None = None,
    quiet_end: time | None = None,
    source: str,
    actor=None,
) -> Preference:
    """Records a person's choice for a channel and, when it changes, the consent behind it."""
    if channel not in Channel.values:
        raise InvalidInput(f"Unknown channel {channel!r}.", fields={"channel": "Unknown channel."})
    if (quiet_start is None) != (quiet_end is None):
        raise InvalidInput(
            "Give both ends of the quiet hours, or neither.",
            fields={"quiet_hours_start": "Give both or neither."},
        )
    pref = Preference.objects.filter(
        clinic=clinic, recipient_key=recipient_key, channel=channel
    ).first()
    changed_consent = pref is None or pref.opted_in != opted_in
    if pref is None:
        pref = Preference(clinic=clinic, recipient_key=recipient_key, channel=channel)
    pref.opted_in = opted_in
    pref.quiet_start = quiet_start
    pref.quiet_end = quiet_end
    pref.save()
    if changed_consent:
        ConsentRecord.objects.create(
            clinic=clinic,
            recipient_key=recipient_key,
            channel=channel,
            granted=opted_in,
            source=source[:40],
            actor=actor,
        )
    audit_record(
        action="notification.preference",
        entity_type="preference",
        entity_id=pref.pk,
        clinic_id=clinic.pk if clinic else None,
        actor=actor,
        fields=["opted_in", "quiet_start", "quiet_end"],
    )
    return pref


# --- Channel accounts (per-clinic credentials, stored encrypted) -----------------------------------

PROVIDER_FIELDS = {
    # provider: (channel, config fields, secret fields)
    "smtp": (
        Channel.EMAIL,
        ("host", "port", "username", "use_tls", "use_ssl", "from_email"),
        ("password",),
    ),
    "twilio": (
        Channel.SMS,
        ("account_sid", "from_number", "messaging_service_sid"),
        ("auth_token",),
    ),
    "whatsapp_cloud": (
        Channel.WHATSAPP,
        ("phone_number_id", "business_account_id"),
        ("access_token", "app_secret"),
    ),
    "telegram_bot": (Channel.TELEGRAM, ("bot_username",), ("bot_token",)),
    "sandbox": (None, (), ()),
}


@transaction.atomic
def channel_account_set(
    *, clinic, channel: str, provider: str, config: dict, secrets_: dict | None = None, actor=None
) -> ChannelAccount:
    """Sets the clinic's provider for a channel; secrets not sent keep their stored value."""
    if (
        provider not in PROVIDER_FIELDS
        or channel not in Channel.values
        or channel == Channel.IN_APP
    ):
        raise InvalidInput("Unknown channel or provider.", fields={"provider": "Unknown provider."})
    expected_channel, config_fields, secret_fields = PROVIDER_FIELDS[provider]
    if expected_channel is not None and expected_channel != channel:
        raise InvalidInput(
            f"{provider} does not serve {channel}.", fields={"provider": "Wrong channel."}
        )
    unknown = (set(config) - set(config_fields)) | (set(secrets_ or {}) - set(secret_fields))
    if unknown:
        raise InvalidInput(
            "Unknown settings.", fields={name: "Unknown setting." for name in sorted(unknown)}
        )
    account = ChannelAccount.objects.filter(
        clinic=clinic, channel=channel
    ).first() or ChannelAccount(clinic=clinic, channel=channel)
    stored = json.loads(account.secrets) if account.secrets else {}
    if account.provider != provider:
        stored = {}
    stored.update({k: v for k, v in (secrets_ or {}).items() if v})
    account.provider = provider
    account.config = config
    account.secrets = json.dumps(stored) if stored else ""
    account.is_active = True
    account.save()
    audit_record(
        action="notification.channel_account",
        entity_type="channel_account",
        entity_id=account.pk,
        clinic_id=clinic.pk if clinic else None,
        actor=actor,
        fields=[*config.keys(), *(secrets_ or {}).keys()],
    )
    return account


# --- Telegram linking and web push subscriptions ---------------------------------------------------


def telegram_link_start(*, clinic, recipient_key: str, user=None) -> TelegramLink:
    """A one-time token for the bot's deep link t.me/<bot>?start=<token> (valid one day)."""
    return TelegramLink.objects.create(
        clinic=clinic,
        recipient_key=recipient_key,
        user=user,
        token=secrets.token_urlsafe(24),
        expires_at=timezone.now() + timedelta(days=1),
    )


@transaction.atomic
def telegram_link_complete(*, token: str, chat_id: str) -> TelegramLink | None:
    """The patient pressed Start in the bot with the token: remember their chat (once)."""
    now = timezone.now()
    link = (
        TelegramLink.objects.select_for_update()
        .filter(token=token, linked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if link is None:
        return None
    link.chat_id = str(chat_id)[:40]
    link.linked_at = now
    link.save(update_fields=["chat_id", "linked_at", "updated_at"])
    ConsentRecord.objects.create(
        clinic=link.clinic,
        recipient_key=link.recipient_key,
        channel=Channel.TELEGRAM,
        granted=True,
        source="telegram-link",
        actor=link.user,
    )
    return link


@transaction.atomic
def push_subscribe(
    *, user, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    sub, _ = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={"user": user, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300]},
    )
    return sub


# --- Receipts and inbound messages ----------------------------------------------------------------

_RECEIPT_STATUS = {
    "sent": Status.SENT,
    "delivered": Status.DELIVERED,
    "read": Status.DELIVERED,
    "failed": Status.FAILED,
    "undelivered": Status.FAILED,
}
_RANK = {Status.QUEUED: 0, Status.SENDING: 1, Status.SENT: 2, Status.DELIVERED: 3, Status.FAILED: 3}


def receipt_record(
    *, provider: str, provider_message_id: str, status: str, error: str = ""
) -> OutboxMessage | None:
    """A provider's delivery receipt moves the message forward (never back)."""
    new = _RECEIPT_STATUS.get((status or "").lower())
    if new is None or not provider_message_id:
        return None
    message = OutboxMessage.objects.filter(
        provider=provider, provider_message_id=provider_message_id
    ).first()
    if message is None:
        return None
    final = (Status.DELIVERED, Status.FAILED, Status.CANCELLED, Status.SUPPRESSED)
    if message.status in final or (
        new != Status.FAILED and _RANK[new] <= _RANK.get(message.status, 0)
    ):
        return message
    now = timezone.now()
    fields = {"status": new, "updated_at": now}
    if new == Status.DELIVERED:
        fields["delivered_at"] = now
    if new == Status.FAILED:
        fields["last_error"] = (error or f"The provider reported the message {status}.")[:500]
        fields["status_reason"] = "The provider could not deliver it."
    OutboxMessage.objects.filter(pk=message.pk).update(**fields)
    message.refresh_from_db()
    return message


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


@transaction.atomic
def inbound_receive(
    *,
    clinic,
    channel: str,
    provider_message_id: str,
    from_address: str,
    body: str,
    from_name: str = "",
):
    """Lands a patient's message in the clinic's inbox, once per provider message id. A "1" or
    "2" answering a message about something (its `ref`) goes to that thing's reply handler."""
    from clinicore.notifications import hooks
    from clinicore.notifications.models import InboundMessage

    if InboundMessage.objects.filter(
        channel=channel, provider_message_id=provider_message_id
    ).exists():
        return None
    sender = _digits(from_address)
    since = timezone.now() - timedelta(days=14)
    recent = (
        OutboxMessage.objects.filter(clinic=clinic, channel=channel, created_at__gte=since)
        .exclude(ref="")
        .filter(status__in=[Status.SENT, Status.DELIVERED])
        .order_by("-sent_at")[:500]
    )
    answered = next((m for m in recent if sender and _digits(m.address) == sender), None)
    inbound = InboundMessage.objects.create(
        clinic=clinic,
        channel=channel,
        provider_message_id=provider_message_id[:200],
        from_address=from_address[:200],
        from_name=from_name[:200],
        body=body,
        in_reply_to=answered,
    )
    reply = body.strip()
    if answered is not None and reply in {"1", "2"}:
        kind, _, ref_id = answered.ref.partition(":")
        handler = hooks.REPLY_HANDLERS.get(kind)
        if handler is not None:
            with transaction.atomic():
                result = handler(clinic=clinic, ref_id=ref_id, reply=reply, inbound=inbound) or ""
            inbound.handled = str(result)[:40]
            inbound.save(update_fields=["handled", "updated_at"])
    audit_record(
        action="notification.inbound",
        entity_type="inbound_message",
        entity_id=inbound.pk,
        clinic_id=clinic.pk,
        fields=["body"],
    )
    return inbound


# --- Events published by higher apps (ids only, after their commit) ------------------------------

_APPOINTMENT_EVENTS = {
    "appointment.booked": "appointment_booked",
    "appointment.confirmed": "appointment_confirmed",
    "appointment.rescheduled": "appointment_rescheduled",
    "appointment.cancelled": "appointment_cancelled",
    "appointment.no_show": "appointment_no_show",
}


def event_enqueue(*, event: str, clinic_id, payload: dict) -> list[OutboxMessage]:
    """Scheduling's events (ids only) become messages through its registered subject resolver:
    a booking also plans its reminders, a cancellation cancels them, a move re-plans them."""
    import logging

    from clinicore.clinics.models import Clinic
    from clinicore.notifications import hooks

    logger = logging.getLogger("clinicore.notifications")
    hooks.load()
    clinic = Clinic.objects.filter(pk=clinic_id).first()
    if clinic is None:
        return []
    if event == "waitlist.offered":
        kind, subject_id, name = (
            "waitlist_entry",
            payload.get("waitlist_entry_id"),
            "waitlist_offered",
        )
    elif event in _APPOINTMENT_EVENTS:
        kind, subject_id, name = (
            "appointment",
            payload.get("appointment_id"),
            _APPOINTMENT_EVENTS[event],
        )
    else:
        return []
    resolver = hooks.SUBJECT_RESOLVERS.get(kind)
    if resolver is None or not subject_id:
        logger.warning("no subject resolver for an event", extra={"event": event})
        return []
    with transaction.atomic():
        subject = resolver(clinic=clinic, subject_id=subject_id)
        ref = subject.ref or f"{kind}:{subject_id}"
        if name in ("appointment_cancelled", "appointment_no_show"):
            outbox_cancel(clinic=clinic, ref=ref)
        if name == "appointment_rescheduled" and payload.get("previous_appointment_id"):
            outbox_cancel(clinic=clinic, ref=f"appointment:{payload['previous_appointment_id']}")
            outbox_cancel(clinic=clinic, ref=ref)
        created = notify(
            clinic=clinic,
            event=name,
            recipient=subject.recipient,
            context=subject.context,
            dedupe_key=f"{ref}:{name}:{(subject.starts_at.isoformat() if subject.starts_at else '')}",
            ref=ref,
        )
        if name in ("appointment_booked", "appointment_rescheduled") and subject.starts_at:
            created += reminders_plan(
                clinic=clinic,
                recipient=subject.recipient,
                context=subject.context,
                starts_at=subject.starts_at,
                ref=ref,
            )
    return created
