"""Who may see a conversation, written once and used by the API, the pages and the websockets.

Staff see their clinic's conversations (with chat.read); a patient sees only conversations about
their own patient records. Everything else is 404, so ids of other clinics' chats leak nothing.
"""

import uuid
from dataclasses import dataclass

from django.utils.translation import gettext as _

from clinicore.clinics.access import membership_get
from clinicore.clinics.permissions import Perm, role_has
from clinicore.core.errors import Forbidden, NotFound
from clinicore.messaging.models import Attachment, Conversation, Message


@dataclass(frozen=True)
class ChatActor:
    """The person (or integration key) acting in chat, and on which side of it."""

    user: object | None
    side: str  # Message.Side.PATIENT or Message.Side.STAFF
    clinic: object | None = (
        None  # staff: the clinic they act for; patient: a token's clinic, if any
    )
    membership: object | None = None
    api_key: object | None = None

    @property
    def is_staff(self) -> bool:
        return self.side == Message.Side.STAFF

    @property
    def can_write(self) -> bool:
        if not self.is_staff:
            return True
        if self.api_key is not None:
            return Perm.CHAT_WRITE in (self.api_key.scopes or [])
        return self.membership is not None and role_has(self.membership.role, Perm.CHAT_WRITE)

    @property
    def label(self) -> str:
        if self.membership is not None:
            return self.membership.display_name
        if self.api_key is not None:
            return self.api_key.name
        user = self.user
        return (getattr(user, "full_name", "") or getattr(user, "email", "")) if user else ""

    def require_person(self) -> None:
        if self.user is None:
            raise Forbidden(
                _("This needs a person's sign-in, not an integration key."), code="person_required"
            )

    def require_write(self) -> None:
        if not self.can_write:
            raise Forbidden(_("Your role cannot write in chat."), code="chat_write_forbidden")


def actor_from_principal(principal) -> ChatActor:
    """The chat actor behind an API caller (see clinicore.api.auth.Principal)."""
    if principal.membership is not None or principal.api_key is not None:
        return ChatActor(
            user=principal.user,
            side=Message.Side.STAFF,
            clinic=principal.clinic,
            membership=principal.membership,
            api_key=principal.api_key,
        )
    return ChatActor(user=principal.user, side=Message.Side.PATIENT, clinic=principal.clinic)


def actor_for_clinic_user(*, user, clinic) -> ChatActor | None:
    """A signed-in person at `clinic`: staff if they hold chat.read there, else the patient side."""
    membership = membership_get(user, clinic)
    if membership is not None and role_has(membership.role, Perm.CHAT_READ):
        return ChatActor(user=user, side=Message.Side.STAFF, clinic=clinic, membership=membership)
    return ChatActor(user=user, side=Message.Side.PATIENT, clinic=None)


def _uuid(value, message: str, code: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(message, code=code) from None


def conversations_visible(actor: ChatActor):
    qs = Conversation.objects.select_related("patient", "assigned_to__user")
    if actor.is_staff:
        if actor.clinic is None:
            return qs.none()
        return qs.filter(clinic=actor.clinic)
    if actor.user is None:
        return qs.none()
    qs = qs.filter(patient__user=actor.user, patient__is_active=True)
    if actor.clinic is not None:
        qs = qs.filter(clinic=actor.clinic)
    return qs


def conversation_get(*, actor: ChatActor, conversation_id) -> Conversation:
    pk = _uuid(conversation_id, _("Conversation not found."), "conversation_not_found")
    conversation = conversations_visible(actor).filter(pk=pk).first()
    if conversation is None:
        raise NotFound(_("Conversation not found."), code="conversation_not_found")
    return conversation


def conversation_get_for_clinic(*, clinic, conversation_id) -> Conversation:
    pk = _uuid(conversation_id, _("Conversation not found."), "conversation_not_found")
    conversation = (
        Conversation.objects.select_related("patient").filter(clinic=clinic, pk=pk).first()
    )
    if conversation is None:
        raise NotFound(_("Conversation not found."), code="conversation_not_found")
    return conversation


def conversation_actor_for_user(
    *, user, conversation_id, token_clinic_id=None
) -> tuple[Conversation, ChatActor]:
    """For websockets and portal pages: find the conversation and the side `user` is on, or 404."""
    pk = _uuid(conversation_id, _("Conversation not found."), "conversation_not_found")
    if user is None or not user.is_authenticated:
        raise NotFound(_("Conversation not found."), code="conversation_not_found")
    conversation = Conversation.objects.select_related("clinic", "patient").filter(pk=pk).first()
    if conversation is None or (
        token_clinic_id and str(conversation.clinic_id) != str(token_clinic_id)
    ):
        raise NotFound(_("Conversation not found."), code="conversation_not_found")
    actor = actor_for_clinic_user(user=user, clinic=conversation.clinic)
    return conversation_get(actor=actor, conversation_id=pk), actor


def message_get(*, actor: ChatActor, message_id) -> Message:
    pk = _uuid(message_id, _("Message not found."), "message_not_found")
    message = (
        Message.objects.select_related("conversation", "attachment")
        .filter(pk=pk, conversation__in=conversations_visible(actor))
        .first()
    )
    if message is None:
        raise NotFound(_("Message not found."), code="message_not_found")
    return message


def attachment_get(*, actor: ChatActor, attachment_id) -> Attachment:
    pk = _uuid(attachment_id, _("File not found."), "attachment_not_found")
    attachment = Attachment.objects.filter(
        pk=pk, conversation__in=conversations_visible(actor)
    ).first()
    if attachment is None:
        raise NotFound(_("File not found."), code="attachment_not_found")
    return attachment


def attachment_get_for_user(*, user, attachment_id) -> Attachment:
    """For the download page: the file if `user` is on either side of its conversation, else 404."""
    pk = _uuid(attachment_id, _("File not found."), "attachment_not_found")
    attachment = Attachment.objects.select_related("conversation__clinic").filter(pk=pk).first()
    if attachment is None:
        raise NotFound(_("File not found."), code="attachment_not_found")
    conversation_actor_for_user(user=user, conversation_id=attachment.conversation_id)
    return attachment
