"""What notifications needs from scheduling: who a message about an appointment or a waitlist
offer goes to and what it says, and what a "1"/"2" reply to a reminder does."""

import re

from django.conf import settings
from django.utils.translation import gettext as _

from clinicore.core.errors import NotFound
from clinicore.notifications.hooks import Subject, reply_handler, subject_resolver
from clinicore.notifications.services import Recipient
from clinicore.scheduling import access, services
from clinicore.scheduling.models import Appointment


def _recipient(patient) -> Recipient:
    return Recipient(
        key=f"patient:{patient.pk}",
        name=patient.full_name,
        language=patient.preferred_language or "",
        email=patient.email or (patient.user.email if patient.user_id else ""),
        phone=re.sub(r"[^\d+]", "", patient.phone or ""),
        user_id=patient.user_id,
    )


def _context(appointment: Appointment) -> dict:
    context = {
        "service": appointment.service.name,
        "practitioner": appointment.practitioner.display_name,
        "starts_at": appointment.start,
        "ends_at": appointment.end,
        "code": appointment.reservation_code,
        "link": f"{settings.PUBLIC_BASE_URL}/me/appointments/",
        "reason": appointment.cancellation_reason,
    }
    if appointment.rescheduled_from_id:
        context["previous_starts_at"] = appointment.rescheduled_from.start
    return context


@subject_resolver("appointment")
def appointment_subject(*, clinic, subject_id) -> Subject:
    appointment = (
        Appointment.objects.select_related(
            "patient__user", "practitioner__user", "service", "rescheduled_from"
        )
        .filter(clinic=clinic, pk=subject_id)
        .first()
    )
    if appointment is None:
        raise NotFound(_("Appointment not found."), code="appointment_not_found")
    return Subject(
        recipient=_recipient(appointment.patient),
        context=_context(appointment),
        ref=f"appointment:{appointment.pk}",
        starts_at=appointment.start,
    )


@subject_resolver("waitlist_entry")
def waitlist_subject(*, clinic, subject_id) -> Subject:
    entry = access.waitlist_entry_get_for_clinic(clinic=clinic, entry_id=subject_id)
    hold = entry.offered_hold
    if hold is None:
        raise NotFound(_("No offer on this waitlist entry."), code="no_offer")
    context = _context(hold)
    context["expires_at"] = hold.hold_expires_at
    return Subject(
        recipient=_recipient(entry.patient),
        context=context,
        ref=f"waitlist_entry:{entry.pk}",
        starts_at=hold.start,
    )


@reply_handler("appointment")
def appointment_reply(*, clinic, ref_id: str, reply: str, inbound) -> str:
    """ "1" confirms, "2" cancels (with the patient's cancellation cut-off)."""
    appointment = access.appointment_get_for_clinic(clinic=clinic, appointment_id=ref_id)
    if reply == "1":
        if appointment.status == Appointment.Status.CONFIRMED:
            return ""
        services.appointment_confirm(appointment=appointment, actor=None)
        return "confirmed"
    if reply == "2":
        if appointment.status == Appointment.Status.CANCELLED:
            return ""
        services.appointment_cancel(
            appointment=appointment,
            actor=None,
            reason="Cancelled by reply to a message",
            as_patient=True,
        )
        return "cancelled"
    return ""
