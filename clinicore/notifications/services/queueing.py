"""Queueing messages: the `notify` entry point other apps call, the account-email door's
backend and clinic-wide staff alerts; addresses, preferences and quiet hours as they are queued."""

import json
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicore.core.audit import audit_record
from clinicore.core.errors import InvalidInput
from clinicore.core.messages import Attachment, TransactionalEmail
from clinicore.notifications import events as ev
from clinicore.notifications.attachments import attachment_store
from clinicore.notifications.ics import calendar_invite
from clinicore.notifications.models import (
    Channel,
    ChannelAccount,
    Notification,
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
                _("Unknown channel %(channel)s.") % {"channel": repr(channel)},
                fields={"channels": _("Unknown channel.")},
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
        raise InvalidInput(_("A staff alert needs a title."), fields={"title": _("Required.")})
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
