"""The video visit page: the patient's in the portal, the practitioner's in the workspace.
Both show the call (static/telehealth/video.js) with the visit's chat beside it."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from clinicore.clinics.decorators import workspace_view
from clinicore.clinics.permissions import Perm
from clinicore.core.errors import NotFound
from clinicore.messaging.access import ChatActor
from clinicore.messaging.models import Message
from clinicore.messaging.services import conversation_for_appointment
from clinicore.messaging.views import _thread_context
from clinicore.scheduling.access import appointment_get_for_clinic
from clinicore.scheduling.models import Appointment
from clinicore.telehealth.access import PRACTITIONER
from clinicore.telehealth.api import room_info


def _context(request, appointment, chat_actor) -> dict:
    info = room_info(appointment, request.user)
    context = {"appointment": appointment, "room": info}
    if info["can_join"]:
        conversation = conversation_for_appointment(appointment=appointment, actor=chat_actor)
        context.update(_thread_context(conversation, chat_actor))
    return context


@login_required
def patient_video(request, appointment_id):
    appointment = (
        Appointment.objects.select_related("clinic", "patient", "practitioner__user")
        .filter(pk=appointment_id, patient__user=request.user, patient__is_active=True)
        .first()
    )
    if appointment is None:
        raise Http404
    actor = ChatActor(user=request.user, side=Message.Side.PATIENT, clinic=appointment.clinic)
    return render(request, "telehealth/patient_video.html", _context(request, appointment, actor))


@workspace_view(Perm.TELEHEALTH_JOIN)
def desk_video(request, appointment_id):
    try:
        appointment = appointment_get_for_clinic(
            clinic=request.clinic, appointment_id=appointment_id
        )
    except NotFound:
        raise Http404 from None
    actor = ChatActor(
        user=request.user,
        side=Message.Side.STAFF,
        clinic=request.clinic,
        membership=request.membership,
    )
    context = _context(request, appointment, actor)
    context.update({"nav": "video", "is_practitioner": context["room"]["role"] == PRACTITIONER})
    return render(request, "telehealth/desk_video.html", context)
