"""Who may enter an appointment's video room: only its patient and its practitioner, only for a
video appointment, only inside the joining window. Used by the API, the pages and the websocket."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicore.core.errors import Conflict, Forbidden, NotFound
from clinicore.scheduling.models import Appointment, Mode

PRACTITIONER = "practitioner"
PATIENT = "patient"
JOINABLE = (
    Appointment.Status.SCHEDULED,
    Appointment.Status.CONFIRMED,
    Appointment.Status.CHECKED_IN,
    Appointment.Status.IN_PROGRESS,
)


@dataclass(frozen=True)
class RoomWindow:
    opens_at: datetime
    closes_at: datetime


def room_window(appointment: Appointment) -> RoomWindow:
    return RoomWindow(
        opens_at=appointment.start - timedelta(minutes=settings.TELEHEALTH_JOIN_BEFORE_MINUTES),
        closes_at=appointment.end + timedelta(minutes=settings.TELEHEALTH_JOIN_AFTER_MINUTES),
    )


def participant_role(appointment: Appointment, user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if appointment.practitioner.user_id == user.pk and appointment.practitioner.is_active:
        return PRACTITIONER
    if appointment.patient.user_id == user.pk and appointment.patient.is_active:
        return PATIENT
    return None


def room_entry_check(
    appointment: Appointment, role: str | None, *, now: datetime | None = None
) -> None:
    """Raises why `role` cannot enter now (403 not a participant, 409 wrong kind, time or state)."""
    if role is None:
        raise Forbidden(
            _("Only this visit's patient and practitioner can join its video room."),
            code="not_participant",
        )
    if appointment.mode != Mode.VIDEO:
        raise Conflict(_("This appointment is not a video visit."), code="not_video")
    if appointment.status not in JOINABLE:
        raise Conflict(
            _("This appointment is %(status)s; its video room is closed.")
            % {"status": appointment.get_status_display().lower()},
            code="room_closed",
        )
    now = now or timezone.now()
    window = room_window(appointment)
    if now < window.opens_at:
        raise Conflict(
            _("The video room opens %(minutes)s minutes before the visit.")
            % {"minutes": settings.TELEHEALTH_JOIN_BEFORE_MINUTES},
            code="room_not_open_yet",
        )
    if now > window.closes_at:
        raise Conflict(_("The video room for this visit has closed."), code="room_closed")


def appointment_for_room(*, user, appointment_id, token_clinic_id=None) -> tuple[Appointment, str]:
    """For the websocket: the appointment and `user`'s role in it, or NotFound/Forbidden/Conflict."""
    try:
        pk = uuid.UUID(str(appointment_id))
    except ValueError:
        raise NotFound(_("Appointment not found."), code="appointment_not_found") from None
    appointment = (
        Appointment.objects.select_related("patient", "practitioner__user", "clinic")
        .filter(pk=pk)
        .first()
    )
    if appointment is None or (
        token_clinic_id and str(appointment.clinic_id) != str(token_clinic_id)
    ):
        raise NotFound(_("Appointment not found."), code="appointment_not_found")
    role = participant_role(appointment, user)
    if role is None:
        raise NotFound(_("Appointment not found."), code="appointment_not_found")
    room_entry_check(appointment, role)
    return appointment, role
