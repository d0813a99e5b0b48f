"""REST operations of telehealth under /api/v1/telehealth: what an app needs to join a video visit."""

import uuid

from django.utils.translation import gettext as _

from clinicore.api.policy import ClinicRouter, policy
from clinicore.clinics.permissions import Perm
from clinicore.core.errors import DomainError, NotFound
from clinicore.scheduling.access import appointment_get_for_clinic
from clinicore.scheduling.models import Appointment, Mode
from clinicore.telehealth import ice, services
from clinicore.telehealth.access import participant_role, room_entry_check, room_window
from clinicore.telehealth.schemas import VideoRoomOut

router = ClinicRouter(tags=["telehealth"])


def appointment_for_principal(principal, appointment_id) -> Appointment:
    if principal.membership is not None or principal.api_key is not None:
        return appointment_get_for_clinic(clinic=principal.clinic, appointment_id=appointment_id)
    if principal.clinic is not None:
        return appointment_get_for_clinic(
            clinic=principal.clinic, appointment_id=appointment_id, patient_user=principal.user
        )
    appointment = Appointment.objects.filter(
        pk=appointment_id, patient__user=principal.user
    ).first()
    if appointment is None:
        raise NotFound(_("Appointment not found."), code="appointment_not_found")
    return appointment


def room_info(appointment: Appointment, user) -> dict:
    role = participant_role(appointment, user)
    reason = ""
    try:
        room_entry_check(appointment, role)
        can_join = True
    except DomainError as exc:
        can_join, reason = False, exc.message
    window = room_window(appointment)
    room = (
        services.room_get_or_create(appointment=appointment)
        if appointment.mode == Mode.VIDEO
        else None
    )
    return {
        "appointment_id": appointment.pk,
        "status": room.status if room else "none",
        "appointment_status": appointment.status,
        "is_video": appointment.mode == Mode.VIDEO,
        "opens_at": window.opens_at,
        "closes_at": window.closes_at,
        "role": role,
        "can_join": can_join,
        "reason": reason,
        "websocket_path": f"/ws/telehealth/{appointment.pk}/",
        "ice_servers": ice.ice_servers(user_id=user.pk) if can_join and user is not None else [],
        "ice_transport_policy": ice.ice_transport_policy(),
    }


@router.get(
    "/rooms/{appointment_id}",
    response=VideoRoomOut,
    summary="Get a video visit's room",
    description=(
        "Whether you can join now (only the visit's patient and practitioner, from shortly before the "
        "start until shortly after the end), the websocket to signal on and the ICE servers with "
        "short-lived TURN credentials."
    ),
    openapi_extra=policy(Perm.TELEHEALTH_JOIN, obj="appointment", patient=True),
)
def get_room(request, appointment_id: uuid.UUID):
    appointment = appointment_for_principal(request.auth, appointment_id)
    return room_info(appointment, request.auth.user)
