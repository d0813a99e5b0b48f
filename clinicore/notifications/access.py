"""Reaching notifications and outbox rows: through the caller's clinic or person, 404 otherwise."""

import uuid

from django.db.models import Q
from django.utils.translation import gettext as _

from clinicore.core.errors import NotFound
from clinicore.notifications.models import Notification, OutboxMessage


def _uuid(value, message: str):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(message, code="not_found") from None


def outbox_message_get_for_clinic(*, clinic, message_id) -> OutboxMessage:
    message = OutboxMessage.objects.filter(
        clinic=clinic, pk=_uuid(message_id, _("Message not found."))
    ).first()
    if message is None:
        raise NotFound(_("Message not found."), code="message_not_found")
    return message


def notification_get_for_user(*, user, clinic, notification_id) -> Notification:
    """The person's own notification, or a staff alert of a clinic where they work."""
    from clinicore.clinics.models import Membership

    pk = _uuid(notification_id, _("Notification not found."))
    q = Q(user=user)
    if (
        clinic is not None
        and Membership.objects.filter(user=user, clinic=clinic, is_active=True).exists()
    ):
        q |= Q(clinic=clinic, user__isnull=True)
    notification = Notification.objects.filter(q, pk=pk).first()
    if notification is None:
        raise NotFound(_("Notification not found."), code="notification_not_found")
    return notification
