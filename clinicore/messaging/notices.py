"""Telling an offline person about a new chat message through the notifications app.

The notice names the sender and links to the conversation; it never carries the message text
(health data stays behind the sign-in). Chat registers its own event with notifications.
"""

from django.conf import settings
from django.urls import reverse

from clinicore.notifications.events import EVENTS, Event
from clinicore.notifications.services import Recipient, notify

EVENT = "chat_message"
EVENTS.setdefault(EVENT, Event(EVENT, whatsapp_template=EVENT))


def _link(message, *, staff: bool) -> str:
    conversation = message.conversation
    if staff:
        path = reverse(
            "messaging-desk:conversation",
            kwargs={"clinic_slug": conversation.clinic.slug, "conversation_id": conversation.pk},
        )
    else:
        path = reverse("messaging-portal:conversation", kwargs={"conversation_id": conversation.pk})
    return settings.PUBLIC_BASE_URL + path


def _recipient(*, user, message) -> tuple[Recipient, bool]:
    conversation = message.conversation
    patient = conversation.patient
    if patient.user_id == user.pk and message.sender_side != message.Side.PATIENT:
        return (
            Recipient(
                key=f"patient:{patient.pk}",
                name=patient.full_name,
                language=patient.preferred_language,
                email=patient.email or user.email,
                phone=patient.phone,
                user_id=user.pk,
            ),
            False,
        )
    return (
        Recipient(
            key=f"user:{user.pk}",
            name=user.full_name,
            language=user.preferred_language,
            email=user.email,
            user_id=user.pk,
        ),
        True,
    )


def chat_notice_send(*, user, message) -> bool:
    conversation = message.conversation
    recipient, staff = _recipient(user=user, message=message)
    created = notify(
        clinic=conversation.clinic,
        event=EVENT,
        recipient=recipient,
        context={
            "sender_label": message.sender_name if staff else conversation.clinic.name,
            "department": conversation.get_department_display(),
            "link": _link(message, staff=staff),
        },
        dedupe_key=f"chat-{message.pk}-{user.pk}",
        ref=f"conversation:{conversation.pk}",
    )
    return bool(created)
