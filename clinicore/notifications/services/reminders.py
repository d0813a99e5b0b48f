"""Appointment reminders planned as outbox rows, cancelled with their appointment, and staff
retrying a message from the outbox."""

import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicore.core.audit import audit_record
from clinicore.core.errors import Conflict, InvalidInput
from clinicore.notifications.models import (
    OutboxMessage,
)
from clinicore.notifications.services.queueing import Recipient, _enqueue_on_commit, notify

Status = OutboxMessage.Status


def reminder_offsets() -> tuple[timedelta, ...]:
    return tuple(settings.NOTIFY_REMINDER_OFFSETS)


def reminder_times(
    *, starts_at: datetime, time_zone: str, offsets=None
) -> list[tuple[str, datetime]]:
    """When the reminders for a visit go out, in UTC, latest offset first.

    Whole-day offsets keep the local clock time ("24 h before" a 09:00 visit is 09:00 the day
    before, even across a DST change); shorter ones are exact durations ("2 h before")."""
    if timezone.is_naive(starts_at):
        raise InvalidInput(_("Appointment times must carry a time zone."))
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
        raise InvalidInput(
            _("Reminders need the ref of what they are about, e.g. appointment:<id>.")
        )
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
        raise Conflict(_("Only failed messages can be retried."), code="not_failed")
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
        raise Conflict(_("The message changed meanwhile; reload and try again."), code="changed")
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
