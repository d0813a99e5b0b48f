"""Delivery receipts from providers and messages people send back."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from clinicore.core.audit import audit_record
from clinicore.notifications.models import (
    OutboxMessage,
)

Status = OutboxMessage.Status


_RECEIPT_STATUS = {
    "sent": Status.SENT,
    "delivered": Status.DELIVERED,
    "read": Status.DELIVERED,
    "failed": Status.FAILED,
    "undelivered": Status.FAILED,
}
_RANK = {Status.QUEUED: 0, Status.SENDING: 1, Status.SENT: 2, Status.DELIVERED: 3, Status.FAILED: 3}


def receipt_record(
    *, provider: str, provider_message_id: str, status: str, error: str = ""
) -> OutboxMessage | None:
    """A provider's delivery receipt moves the message forward (never back)."""
    new = _RECEIPT_STATUS.get((status or "").lower())
    if new is None or not provider_message_id:
        return None
    message = OutboxMessage.objects.filter(
        provider=provider, provider_message_id=provider_message_id
    ).first()
    if message is None:
        return None
    final = (Status.DELIVERED, Status.FAILED, Status.CANCELLED, Status.SUPPRESSED)
    if message.status in final or (
        new != Status.FAILED and _RANK[new] <= _RANK.get(message.status, 0)
    ):
        return message
    now = timezone.now()
    fields = {"status": new, "updated_at": now}
    if new == Status.DELIVERED:
        fields["delivered_at"] = now
    if new == Status.FAILED:
        fields["last_error"] = (error or f"The provider reported the message {status}.")[:500]
        fields["status_reason"] = "The provider could not deliver it."
    OutboxMessage.objects.filter(pk=message.pk).update(**fields)
    message.refresh_from_db()
    return message


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


@transaction.atomic
def inbound_receive(
    *,
    clinic,
    channel: str,
    provider_message_id: str,
    from_address: str,
    body: str,
    from_name: str = "",
):
    """Lands a patient's message in the clinic's inbox, once per provider message id. A "1" or
    "2" answering a message about something (its `ref`) goes to that thing's reply handler."""
    from clinicore.notifications import hooks
    from clinicore.notifications.models import InboundMessage

    if InboundMessage.objects.filter(
        channel=channel, provider_message_id=provider_message_id
    ).exists():
        return None
    sender = _digits(from_address)
    since = timezone.now() - timedelta(days=14)
    recent = (
        OutboxMessage.objects.filter(clinic=clinic, channel=channel, created_at__gte=since)
        .exclude(ref="")
        .filter(status__in=[Status.SENT, Status.DELIVERED])
        .order_by("-sent_at")[:500]
    )
    answered = next((m for m in recent if sender and _digits(m.address) == sender), None)
    inbound = InboundMessage.objects.create(
        clinic=clinic,
        channel=channel,
        provider_message_id=provider_message_id[:200],
        from_address=from_address[:200],
        from_name=from_name[:200],
        body=body,
        in_reply_to=answered,
    )
    reply = body.strip()
    if answered is not None and reply in {"1", "2"}:
        kind, _, ref_id = answered.ref.partition(":")
        handler = hooks.REPLY_HANDLERS.get(kind)
        if handler is not None:
            with transaction.atomic():
                result = handler(clinic=clinic, ref_id=ref_id, reply=reply, inbound=inbound) or ""
            inbound.handled = str(result)[:40]
            inbound.save(update_fields=["handled", "updated_at"])
    audit_record(
        action="notification.inbound",
        entity_type="inbound_message",
        entity_id=inbound.pk,
        clinic_id=clinic.pk,
        fields=["body"],
    )
    return inbound
