"""Every write to chat: conversations, messages, attachments, read receipts.

Each write is audited (field names only) and announced live after commit: to the conversation's
group (open chat windows) and to the inbox feeds that drive unread badges. Offline recipients
are told through the notifications app by a task, at most once per unread burst.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicore.clinics.models import Membership
from clinicore.clinics.permissions import Perm, role_has
from clinicore.core.audit import audit_record
from clinicore.core.codes import short_code
from clinicore.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from clinicore.core.live import live_publish
from clinicore.messaging import files
from clinicore.messaging.access import ChatActor
from clinicore.messaging.models import (
    Attachment,
    Conversation,
    Department,
    Message,
    Priority,
    ReadState,
)
from clinicore.messaging.selectors import (
    chat_group,
    clinic_inbox_group,
    inbox_group,
    message_payload,
)

TEXT_MAX = 4000


def _announce(conversation: Conversation, event: dict) -> None:
    """After commit: the open chat windows, the patient's feed and the clinic's inbox."""
    live_publish(chat_group(conversation.pk), event)
    summary = {"event": "chat.activity", "conversation_id": str(conversation.pk)}
    live_publish(clinic_inbox_group(conversation.clinic_id), summary)
    if conversation.patient.user_id:
        live_publish(inbox_group(conversation.patient.user_id), summary)


def _clean_text(text: str | None, *, required: bool) -> str:
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise InvalidInput(
            _("Messages can be at most %(limit)s characters.") % {"limit": TEXT_MAX},
            fields={"text": _("Too long.")},
        )
    if required and not text:
        raise InvalidInput(_("Write a message."), fields={"text": _("Required.")})
    return text


def _mark_read(*, conversation: Conversation, user, side: str, message: Message) -> ReadState:
    state, _ = ReadState.objects.get_or_create(
        conversation=conversation,
        user=user,
        defaults={"clinic_id": conversation.clinic_id, "side": side},
    )
    if state.last_read_at is None or state.last_read_at < message.created_at:
        state.last_read_at = message.created_at
        state.last_read_message = message
        state.save(update_fields=["last_read_at", "last_read_message", "updated_at"])
    return state


@transaction.atomic
def conversation_start(
    *,
    clinic,
    actor: ChatActor,
    patient,
    department: str = Department.GENERAL,
    subject: str = "",
    priority: str = Priority.NORMAL,
    appointment_id=None,
    text: str = "",
) -> Conversation:
    actor.require_write()
    if department not in Department.values:
        raise InvalidInput(
            _("Choose a department."), fields={"department": _("Unknown department.")}
        )
    if priority not in Priority.values:
        raise InvalidInput(_("Choose a priority."), fields={"priority": _("Unknown priority.")})
    if patient.clinic_id != clinic.pk:
        raise NotFound(_("Patient not found."), code="patient_not_found")
    if not actor.is_staff and patient.user_id != getattr(actor.user, "pk", None):
        raise NotFound(_("Patient not found."), code="patient_not_found")
    if not actor.is_staff and priority == Priority.URGENT:
        # Patients cannot page the clinic through chat; emergencies go by phone.
        priority = Priority.HIGH
    text = _clean_text(text, required=False)
    conversation = Conversation.objects.create(
        clinic=clinic,
        code=short_code("C-"),
        patient=patient,
        department=department,
        subject=(subject or "").strip()[:200],
        priority=priority,
        appointment_id=appointment_id,
        created_by=actor.user,
    )
    audit_record(
        action="conversation.start",
        entity_type="conversation",
        entity_id=conversation.pk,
        clinic_id=clinic.pk,
        actor=actor.user,
        fields=["department", "subject", "priority", "appointment_id"],
    )
    if text:
        message_send(conversation=conversation, actor=actor, text=text)
    else:
        _announce(
            conversation, {"event": "conversation.updated", "conversation_id": str(conversation.pk)}
        )
    return conversation


def conversation_for_appointment(*, appointment, actor: ChatActor) -> Conversation:
    """The chat beside a video visit: one per appointment, in the Appointment department."""
    existing = Conversation.objects.filter(
        clinic_id=appointment.clinic_id, appointment_id=appointment.pk
    ).first()
    if existing is not None:
        return existing
    return conversation_start(
        clinic=appointment.clinic,
        actor=actor,
        patient=appointment.patient,
        department=Department.APPOINTMENT,
        subject=str(getattr(appointment, "reservation_code", "") or "")[:200],
        appointment_id=appointment.pk,
    )


@transaction.atomic
def conversation_update(
    *,
    conversation: Conversation,
    actor: ChatActor,
    assigned_to_id=None,
    unassign: bool = False,
    priority: str | None = None,
    status: str | None = None,
    department: str | None = None,
) -> Conversation:
    if not actor.is_staff:
        raise Forbidden(_("Only the clinic can change a conversation."))
    actor.require_write()
    changed = []
    if unassign and conversation.assigned_to_id is not None:
        conversation.assigned_to = None
        changed.append("assigned_to")
    elif assigned_to_id:
        member = Membership.objects.filter(
            clinic_id=conversation.clinic_id, pk=assigned_to_id, is_active=True
        ).first()
        if member is None:
            raise InvalidInput(
                _("Choose a colleague of this clinic."),
                fields={"assigned_to_id": _("Unknown staff member.")},
            )
        if not role_has(member.role, Perm.CHAT_READ):
            raise InvalidInput(
                _("This colleague cannot read chat."),
                fields={"assigned_to_id": _("Cannot read chat.")},
            )
        if conversation.assigned_to_id != member.pk:
            conversation.assigned_to = member
            changed.append("assigned_to")
    for name, value, allowed, unknown in (
        ("priority", priority, Priority.values, _("Unknown priority.")),
        ("status", status, Conversation.Status.values, _("Unknown status.")),
        ("department", department, Department.values, _("Unknown department.")),
    ):
        if value is None:
            continue
        if value not in allowed:
            raise InvalidInput(unknown, fields={name: _("Unknown value.")})
        if getattr(conversation, name) != value:
            setattr(conversation, name, value)
            changed.append(name)
    if changed:
        conversation.save(update_fields=[*changed, "updated_at"])
        _announce(
            conversation, {"event": "conversation.updated", "conversation_id": str(conversation.pk)}
        )
    audit_record(
        action="conversation.update",
        entity_type="conversation",
        entity_id=conversation.pk,
        clinic_id=conversation.clinic_id,
        actor=actor.user,
        fields=changed,
    )
    return conversation


@transaction.atomic
def attachment_upload(
    *, conversation: Conversation, actor: ChatActor, upload, filename: str = ""
) -> Attachment:
    actor.require_write()
    stored = files.attachment_store(upload=upload)
    try:
        attachment = Attachment.objects.create(
            clinic_id=conversation.clinic_id,
            conversation=conversation,
            uploaded_by=actor.user,
            filename=files.clean_filename(filename or getattr(upload, "name", "") or "file"),
            **stored,
        )
    except Exception:
        files.attachment_discard(stored["storage_name"])
        raise
    audit_record(
        action="attachment.upload",
        entity_type="chat_attachment",
        entity_id=attachment.pk,
        clinic_id=conversation.clinic_id,
        actor=actor.user,
        fields=["filename", "content_type", "size"],
    )
    return attachment


@transaction.atomic
def message_send(
    *, conversation: Conversation, actor: ChatActor, text: str = "", attachment_id=None
) -> Message:
    actor.require_write()
    text = _clean_text(text, required=attachment_id is None)
    attachment = None
    if attachment_id:
        attachment = (
            Attachment.objects.select_for_update()
            .filter(pk=attachment_id, conversation=conversation)
            .first()
        )
        if attachment is None:
            raise InvalidInput(
                _("Upload the file to this conversation first."),
                fields={"attachment_id": _("Unknown file.")},
            )
        if attachment.uploaded_by_id != getattr(actor.user, "pk", None):
            raise Forbidden(_("You can only send files you uploaded."))
        if Message.objects.filter(attachment=attachment).exists():
            raise Conflict(_("This file was already sent."), code="attachment_already_sent")
    now = timezone.now()
    message = Message.objects.create(
        clinic_id=conversation.clinic_id,
        conversation=conversation,
        sender=actor.user,
        sender_side=actor.side,
        sender_name=actor.label[:200],
        text=text,
        attachment=attachment,
        created_at=now,
    )
    fields = ["last_message_at", "updated_at"]
    conversation.last_message_at = now
    if conversation.status == Conversation.Status.CLOSED:
        conversation.status = Conversation.Status.OPEN
        fields.append("status")
    conversation.save(update_fields=fields)
    if actor.user is not None:
        _mark_read(conversation=conversation, user=actor.user, side=actor.side, message=message)
    audit_record(
        action="message.send",
        entity_type="chat_message",
        entity_id=message.pk,
        clinic_id=conversation.clinic_id,
        actor=actor.user,
        fields=["text", "attachment"] if attachment else ["text"],
    )
    _announce(conversation, {"event": "message.new", "message": message_payload(message)})
    message_id = str(message.pk)
    transaction.on_commit(lambda: _enqueue_offline_notice(message_id))
    return message


def _enqueue_offline_notice(message_id: str) -> None:
    from clinicore.messaging.tasks import notify_offline_recipients

    try:
        notify_offline_recipients.enqueue(message_id)
    except Exception:  # the chat itself is saved; a missed notice must not fail the send
        import logging

        logging.getLogger("clinicore.messaging").exception("could not enqueue chat notice")


def _require_changeable(message: Message, actor: ChatActor) -> None:
    """The sender may change a message within the window; on the clinic side, the clinic answers
    as one team, so any colleague who may write in chat may correct or withdraw its answer."""
    actor.require_write()
    if message.is_deleted:
        raise Conflict(_("This message was deleted."), code="message_deleted")
    own = actor.user is not None and message.sender_id == actor.user.pk
    team = actor.is_staff and message.sender_side == Message.Side.STAFF
    if not (own or team):
        raise Forbidden(_("You can only change your own messages."), code="not_sender")
    window = timedelta(seconds=settings.CHAT_EDIT_WINDOW_SECONDS)
    if timezone.now() - message.created_at > window:
        minutes = settings.CHAT_EDIT_WINDOW_SECONDS // 60
        raise Conflict(
            _("Messages can be changed only within %(minutes)s minutes.") % {"minutes": minutes},
            code="edit_window_passed",
        )


@transaction.atomic
def message_edit(*, message: Message, actor: ChatActor, text: str) -> Message:
    message = (
        Message.objects.select_for_update()
        .select_related("conversation__patient")
        .get(pk=message.pk)
    )
    _require_changeable(message, actor)
    text = _clean_text(text, required=message.attachment_id is None)
    if text != message.text:
        message.text = text
        message.edited_at = timezone.now()
        message.save(update_fields=["text", "edited_at", "updated_at"])
    audit_record(
        action="message.edit",
        entity_type="chat_message",
        entity_id=message.pk,
        clinic_id=message.clinic_id,
        actor=actor.user,
        fields=["text"],
    )
    _announce(
        message.conversation, {"event": "message.updated", "message": message_payload(message)}
    )
    return message


@transaction.atomic
def message_delete(*, message: Message, actor: ChatActor) -> Message:
    message = (
        Message.objects.select_for_update()
        .select_related("conversation__patient")
        .get(pk=message.pk)
    )
    _require_changeable(message, actor)
    attachment = message.attachment
    message.text = ""
    message.deleted_at = timezone.now()
    message.attachment = None
    message.save(update_fields=["text", "deleted_at", "attachment", "updated_at"])
    if attachment is not None:
        storage_name = attachment.storage_name
        attachment.delete()
        transaction.on_commit(lambda: files.attachment_discard(storage_name))
    audit_record(
        action="message.delete",
        entity_type="chat_message",
        entity_id=message.pk,
        clinic_id=message.clinic_id,
        actor=actor.user,
        fields=["text", "attachment"],
    )
    _announce(
        message.conversation, {"event": "message.deleted", "message": message_payload(message)}
    )
    return message


@transaction.atomic
def message_mark_read(*, message: Message, actor: ChatActor) -> ReadState:
    """A read receipt: the actor has read the conversation up to and including `message`."""
    actor.require_person()
    conversation = message.conversation
    state = _mark_read(conversation=conversation, user=actor.user, side=actor.side, message=message)
    live_publish(
        chat_group(conversation.pk),
        {
            "event": "read",
            "conversation_id": str(conversation.pk),
            "user_id": str(actor.user.pk),
            "side": actor.side,
            "read_at": state.last_read_at.isoformat(),
            "message_id": str(state.last_read_message_id),
        },
    )
    live_publish(
        inbox_group(actor.user.pk), {"event": "chat.read", "conversation_id": str(conversation.pk)}
    )
    return state
