"""Reads of chat shared by pages, the API and the websockets: lists, unread counts, payloads."""

from datetime import UTC, datetime

from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from clinicore.core.live import live_group
from clinicore.messaging.access import ChatActor, conversations_visible
from clinicore.messaging.models import Conversation, Message, ReadState

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def chat_group(conversation_id) -> str:
    return f"chat.{conversation_id}"


def inbox_group(user_id) -> str:
    """Each person's own feed: their header badge and inbox lists refresh from it."""
    return live_group("inbox", user_id)


def clinic_inbox_group(clinic_id) -> str:
    return live_group("clinic-inbox", clinic_id)


def with_unread(qs, *, actor: ChatActor):
    """Annotates `unread`: messages from the other side after the actor's last read."""
    if actor.user is None:
        return qs.annotate(unread=Value(0, output_field=IntegerField()))
    last_read = ReadState.objects.filter(conversation=OuterRef("pk"), user=actor.user).values(
        "last_read_at"
    )[:1]
    unread = (
        Message.objects.filter(
            conversation=OuterRef("pk"),
            deleted_at__isnull=True,
            created_at__gt=OuterRef("my_last_read"),
        )
        .exclude(sender_side=actor.side)
        .order_by()
        .values("conversation")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(my_last_read=Coalesce(Subquery(last_read), Value(_EPOCH))).annotate(
        unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))
    )


def conversation_list(
    *,
    actor: ChatActor,
    status: str | None = None,
    department: str | None = None,
    assigned: str | None = None,
    patient_id=None,
):
    """`assigned`: "me" (assigned to the actor), "unassigned", or None for all."""
    qs = conversations_visible(actor)
    if status:
        qs = qs.filter(status=status)
    if department:
        qs = qs.filter(department=department)
    if patient_id:
        qs = qs.filter(patient_id=patient_id)
    if actor.is_staff and assigned == "me":
        qs = qs.filter(assigned_to=actor.membership) if actor.membership else qs.none()
    elif actor.is_staff and assigned == "unassigned":
        qs = qs.filter(assigned_to__isnull=True)
    return with_unread(qs, actor=actor).order_by("-last_message_at", "-created_at", "id")


def unread_total(*, actor: ChatActor) -> int:
    """The header badge: unread messages in open conversations the actor is responsible for."""
    qs = conversations_visible(actor).filter(status=Conversation.Status.OPEN)
    if actor.is_staff:
        if actor.membership is None:
            return 0
        qs = qs.filter(Q(assigned_to=actor.membership) | Q(assigned_to__isnull=True))
    total = with_unread(qs, actor=actor).aggregate(total=Sum("unread"))["total"]
    return int(total or 0)


def message_list(*, conversation: Conversation):
    """Newest first; pages and apps page backwards through older messages."""
    return (
        Message.objects.filter(conversation=conversation)
        .select_related("attachment")
        .order_by("-created_at", "-id")
    )


def other_side_read_at(*, conversation: Conversation, side: str):
    """When the other side last read: a message sent by `side` before this was seen."""
    return (
        ReadState.objects.filter(conversation=conversation)
        .exclude(side=side)
        .aggregate(at=Max("last_read_at"))["at"]
    )


def attachment_url(attachment) -> str:
    return reverse("messaging-files:download", kwargs={"attachment_id": attachment.pk})


def message_payload(message: Message, *, read_until=None) -> dict:
    """The shape of a message in the API, the pages and websocket events (the same everywhere)."""
    attachment = None
    if message.attachment_id and not message.is_deleted:
        a = message.attachment
        attachment = {
            "id": str(a.pk),
            "filename": a.filename,
            "content_type": a.content_type,
            "size": a.size,
            "url": attachment_url(a),
        }
    return {
        "id": str(message.pk),
        "conversation_id": str(message.conversation_id),
        "sender_id": str(message.sender_id) if message.sender_id else None,
        "sender_side": message.sender_side,
        "sender_name": message.sender_name,
        "text": "" if message.is_deleted else message.text,
        "attachment": attachment,
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "deleted": message.is_deleted,
        "read": bool(read_until and message.created_at <= read_until),
    }
