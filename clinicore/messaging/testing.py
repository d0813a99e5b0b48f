"""Factories and request bodies for the API walkers (see clinicore.core.testing), and chat fixtures."""

import base64
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from clinicore.clinics.permissions import Role
from clinicore.core.testing import make_patient, object_factory, request_body
from clinicore.messaging.access import ChatActor
from clinicore.messaging.models import Message


def png_bytes(size=(4, 4), color=(200, 30, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def staff_actor(membership) -> ChatActor:
    return ChatActor(
        user=membership.user,
        side=Message.Side.STAFF,
        clinic=membership.clinic,
        membership=membership,
    )


def patient_actor(user) -> ChatActor:
    return ChatActor(user=user, side=Message.Side.PATIENT)


def _receptionist(world, clinic):
    members = world.members_a if clinic == world.clinic_a else world.members_b
    return members[Role.RECEPTIONIST]


def _own_patient(world, clinic):
    """The signed-in patient's record at `clinic` (the walkers' patient persona is at clinic A)."""
    if clinic == world.clinic_a:
        return world.patient_a
    return world.patient_b


def make_conversation(clinic, *, patient=None, by=None, text="", **extra):
    from clinicore.messaging.services import conversation_start

    patient = patient or make_patient(clinic)
    if by is None and patient.user_id:
        by = patient_actor(patient.user)
    elif by is None:
        from clinicore.core.testing import make_member

        by = staff_actor(make_member(clinic, Role.RECEPTIONIST))
    return conversation_start(clinic=clinic, actor=by, patient=patient, text=text, **extra)


@object_factory("conversation")
def _conversation(world, clinic):
    # About a patient other than the walkers' signed-in patient, so that patient gets 404.
    other = world.other_patient_a if clinic == world.clinic_a else world.patient_b
    return make_conversation(
        clinic, patient=other, by=staff_actor(_receptionist(world, clinic)), text="Hello"
    )


@object_factory("message")
def _message(world, clinic):
    from clinicore.messaging.services import message_send

    conversation = _conversation(world, clinic)
    return message_send(
        conversation=conversation,
        actor=staff_actor(_receptionist(world, clinic)),
        text="Your results are in.",
    )


@object_factory("attachment")
def _attachment(world, clinic):
    from clinicore.messaging.services import attachment_upload

    conversation = _conversation(world, clinic)
    upload = SimpleUploadedFile("scan.png", png_bytes())
    return attachment_upload(
        conversation=conversation, actor=staff_actor(_receptionist(world, clinic)), upload=upload
    )


def _own_conversation(world, clinic):
    return make_conversation(
        clinic,
        patient=_own_patient(world, clinic),
        by=staff_actor(_receptionist(world, clinic)),
        text="Hello",
    )


@request_body("POST /api/v1/chat/conversations")
def _start(world, clinic):
    return {
        "patient_id": str(_own_patient(world, clinic).pk),
        "department": "billing",
        "subject": "Invoice question",
        "text": "Was I charged twice?",
    }


@request_body("PUT /api/v1/chat/conversations/{conversation_id}")
def _update(world, clinic):
    return {"priority": "high"}


@request_body("POST /api/v1/chat/messages")
def _send(world, clinic):
    return {"conversation_id": str(_own_conversation(world, clinic).pk), "text": "Thank you!"}


@request_body("PUT /api/v1/chat/messages/{message_id}")
def _edit(world, clinic):
    return {"text": "Your results are in; all normal."}


@request_body("POST /api/v1/chat/upload")
def _upload(world, clinic):
    return {
        "conversation_id": str(_own_conversation(world, clinic).pk),
        "filename": "rash.png",
        "data_base64": base64.b64encode(png_bytes()).decode(),
    }
