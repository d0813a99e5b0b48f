"""Background work of chat: telling offline recipients about new messages."""

from django.tasks import task

from clinicore.clinics.permissions import Perm, role_has
from clinicore.messaging import presence
from clinicore.messaging.models import Message, ReadState


def offline_recipients(message: Message) -> list:
    """People on the other side who should hear of `message`: the patient, or on the clinic side
    the assigned colleague (everyone who may read chat when nobody is assigned)."""
    conversation = message.conversation
    if message.sender_side == Message.Side.STAFF:
        user = conversation.patient.user
        return [user] if user is not None and user.is_active else []
    if conversation.assigned_to_id:
        member = conversation.assigned_to
        return [member.user] if member.is_active and member.user.is_active else []
    from clinicore.clinics.models import Membership

    members = Membership.objects.filter(
        clinic_id=conversation.clinic_id, is_active=True
    ).select_related("user")
    return [m.user for m in members if role_has(m.role, Perm.CHAT_READ) and m.user.is_active]


def burst_claim(*, message: Message, user) -> bool:
    """True once per unread burst: when `user` has read everything they were last told about."""
    conversation = message.conversation
    side = Message.Side.PATIENT if message.sender_side == Message.Side.STAFF else Message.Side.STAFF
    state, _ = ReadState.objects.get_or_create(
        conversation=conversation,
        user=user,
        defaults={"clinic_id": conversation.clinic_id, "side": side},
    )
    if state.last_read_at is not None and state.last_read_at >= message.created_at:
        return False
    # `notified_at` holds the time of the message that opened the last notified burst: until the
    # person has read that far, later messages belong to the same burst.
    if state.notified_at is not None and (
        state.last_read_at is None or state.last_read_at < state.notified_at
    ):
        return False
    updated = ReadState.objects.filter(pk=state.pk, notified_at=state.notified_at).update(
        notified_at=message.created_at
    )
    return updated == 1


def notice_deliver(*, user, message: Message) -> bool:
    """Hands the notice to the notifications app (the person's preferred channel)."""
    from clinicore.messaging.notices import chat_notice_send

    return chat_notice_send(user=user, message=message)


def notify_offline(message_id: str) -> list[str]:
    """Notifies each offline recipient at most once per burst; answers whom it notified."""
    message = (
        Message.objects.select_related(
            "conversation__patient__user", "conversation__assigned_to__user", "conversation__clinic"
        )
        .filter(pk=message_id, deleted_at__isnull=True)
        .first()
    )
    if message is None:
        return []
    notified = []
    for user in offline_recipients(message):
        if presence.is_online(user.pk):
            continue
        if burst_claim(message=message, user=user) and notice_deliver(user=user, message=message):
            notified.append(str(user.pk))
    return notified


@task()
def notify_offline_recipients(message_id: str) -> list[str]:
    return notify_offline(message_id)
