"""Every write of telehealth: admitting the patient (the visit starts) and ending the call (the
visit is completed), through scheduling's own status services, announced live after commit."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicore.core.audit import audit_record
from clinicore.core.errors import Conflict, Forbidden
from clinicore.core.live import live_group, live_publish
from clinicore.scheduling import services as scheduling
from clinicore.scheduling.models import Appointment
from clinicore.telehealth.access import PRACTITIONER, room_entry_check
from clinicore.telehealth.models import VideoRoom

S = Appointment.Status


def video_group(appointment_id) -> str:
    return f"video.{appointment_id}"


def room_get_or_create(*, appointment: Appointment) -> VideoRoom:
    room, _ = VideoRoom.objects.get_or_create(
        appointment=appointment, defaults={"clinic_id": appointment.clinic_id}
    )
    return room


def _announce(appointment: Appointment) -> None:
    payload = {
        "event": "appointment.updated",
        "appointment_id": str(appointment.pk),
        "status": appointment.status,
    }
    live_publish(live_group("appointment", appointment.pk), payload)
    live_publish(live_group("board", appointment.clinic_id), payload)


@transaction.atomic
def room_admit(*, appointment: Appointment, actor, role: str) -> VideoRoom:
    """The practitioner lets the waiting patient in: the visit moves to in progress."""
    if role != PRACTITIONER:
        raise Forbidden(_("Only the practitioner admits the patient."), code="practitioner_only")
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    room_entry_check(appointment, role)
    room = room_get_or_create(appointment=appointment)
    if appointment.status in (S.SCHEDULED, S.CONFIRMED):
        appointment = scheduling.appointment_check_in(appointment=appointment, actor=actor)
    if appointment.status == S.CHECKED_IN:
        appointment = scheduling.appointment_start(appointment=appointment, actor=actor)
    if room.status != VideoRoom.Status.LIVE:
        room.status = VideoRoom.Status.LIVE
        room.admitted_at = room.admitted_at or timezone.now()
        room.save(update_fields=["status", "admitted_at", "updated_at"])
    audit_record(
        action="video.admit",
        entity_type="video_room",
        entity_id=room.pk,
        clinic_id=appointment.clinic_id,
        actor=actor,
        fields=["status", "admitted_at"],
    )
    _announce(appointment)
    return room


@transaction.atomic
def room_end(*, appointment: Appointment, actor, role: str) -> VideoRoom:
    """The practitioner ends the call: the visit is completed and the room closes."""
    if role != PRACTITIONER:
        raise Forbidden(_("Only the practitioner ends the visit."), code="practitioner_only")
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    room = room_get_or_create(appointment=appointment)
    if room.status == VideoRoom.Status.ENDED:
        return room
    if appointment.status == S.CHECKED_IN:
        appointment = scheduling.appointment_start(appointment=appointment, actor=actor)
    if appointment.status == S.IN_PROGRESS:
        appointment = scheduling.appointment_check_out(appointment=appointment, actor=actor)
    elif appointment.status != S.COMPLETED:
        raise Conflict(
            _("The patient was never admitted; there is no call to end."), code="call_not_started"
        )
    room.status = VideoRoom.Status.ENDED
    room.ended_at = timezone.now()
    room.save(update_fields=["status", "ended_at", "updated_at"])
    audit_record(
        action="video.end",
        entity_type="video_room",
        entity_id=room.pk,
        clinic_id=appointment.clinic_id,
        actor=actor,
        fields=["status", "ended_at"],
    )
    _announce(appointment)
    return room
