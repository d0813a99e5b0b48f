"""What scheduling tells the rest of the product, one function per event, called after commit.

Each passes ids only. Delivery (email, SMS, WhatsApp, push, in-app) belongs to
clinicore.notifications; when its enqueue function exists it is called from `_publish` here,
so the wiring lives in this one place.
"""

import logging

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
        _board_refresh(event, clinic_id, payload)
    try:
        from clinicore.notifications import services as notifications
    except ImportError:
        return
    enqueue = getattr(notifications, "event_enqueue", None)
    if enqueue is None:
        return
    try:
        enqueue(event=event, clinic_id=clinic_id, payload=payload)
    except Exception:  # the booking is committed; a message failure must not turn it into an error
        logger.exception("scheduling event not queued", extra={"event": event, **payload})


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
