"""Events published by higher apps (ids only, after their commit) turned into messages."""

from django.db import transaction

from clinicore.notifications.models import (
    OutboxMessage,
)
from clinicore.notifications.services.queueing import notify
from clinicore.notifications.services.reminders import outbox_cancel, reminders_plan

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
