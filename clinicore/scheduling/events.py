"""What scheduling tells the rest of the product, one function per event.

Services call these inside the transaction that changes the appointment, so the messages it
causes are written to the notifications outbox in that same transaction: a crash after the
commit cannot lose them, and a rolled-back booking sends nothing. Delivery itself (email, SMS,
WhatsApp, push, in-app) happens in the worker after commit. Live board updates go out after
commit. Each event passes ids only; the wiring lives in this one place.
"""

import logging

from django.db import transaction

logger = logging.getLogger("clinicore.scheduling.events")

BOOKED = "appointment.booked"
CONFIRMED = "appointment.confirmed"
RESCHEDULED = "appointment.rescheduled"
CANCELLED = "appointment.cancelled"
NO_SHOW = "appointment.no_show"
WAITLIST_OFFERED = "waitlist.offered"


def _publish(event: str, *, clinic_id, **ids) -> None:
    payload = {"clinic_id": str(clinic_id), **{k: str(v) for k, v in ids.items() if v is not None}}
    logger.info("scheduling event", extra={"event": event, **payload})
    if event.startswith("appointment."):
        transaction.on_commit(lambda: _board_refresh(event, clinic_id, payload))
    from clinicore.notifications.services import event_enqueue

    try:
        # A savepoint: a failure to write the messages must not undo or break the booking.
        with transaction.atomic():
            event_enqueue(event=event, clinic_id=clinic_id, payload=payload)
    except Exception:
        logger.exception("scheduling event not queued", extra={"event": event, **payload})


def appointment_progressed(appointment) -> None:
    """Check-in, start and check-out: nobody is messaged, but open boards show it at once."""
    event = f"appointment.{appointment.status}"
    payload = {"clinic_id": str(appointment.clinic_id), "appointment_id": str(appointment.pk)}
    logger.info("scheduling event", extra={"event": event, **payload})
    transaction.on_commit(lambda: _board_refresh(event, appointment.clinic_id, payload))


def _board_refresh(event: str, clinic_id, payload: dict) -> None:
    """Open front-desk boards of the clinic reload their rows (ids and states only, no health data)."""
    from clinicore.core.live import live_group, live_send_now

    live_send_now(
        live_group("board", str(clinic_id)),
        {"event": event, "appointment_id": payload.get("appointment_id", "")},
    )


def appointment_booked(appointment) -> None:
    _publish(
        BOOKED,
        clinic_id=appointment.clinic_id,
        appointment_id=appointment.pk,
        patient_id=appointment.patient_id,
    )


def appointment_confirmed(appointment) -> None:
    _publish(
        CONFIRMED,
        clinic_id=appointment.clinic_id,
        appointment_id=appointment.pk,
        patient_id=appointment.patient_id,
    )


def appointment_rescheduled(old, new) -> None:
    _publish(
        RESCHEDULED,
        clinic_id=new.clinic_id,
        appointment_id=new.pk,
        previous_appointment_id=old.pk,
        patient_id=new.patient_id,
    )


def appointment_cancelled(appointment) -> None:
    _publish(
        CANCELLED,
        clinic_id=appointment.clinic_id,
        appointment_id=appointment.pk,
        patient_id=appointment.patient_id,
    )


def appointment_no_show(appointment) -> None:
    _publish(
        NO_SHOW,
        clinic_id=appointment.clinic_id,
        appointment_id=appointment.pk,
        patient_id=appointment.patient_id,
    )


def waitlist_offered(entry) -> None:
    _publish(
        WAITLIST_OFFERED,
        clinic_id=entry.clinic_id,
        waitlist_entry_id=entry.pk,
        hold_id=entry.offered_hold_id,
        patient_id=entry.patient_id,
    )
