"""Read marks on in-app notifications."""

from django.db import transaction
from django.utils import timezone

from clinicore.notifications.models import (
    Notification,
    NotificationRead,
)


@transaction.atomic
def notification_mark_read(*, notification: Notification, user) -> Notification:
    now = timezone.now()
    if notification.user_id is not None:
        if notification.read_at is None:
            notification.read_at = now
            notification.save(update_fields=["read_at", "updated_at"])
    else:
        NotificationRead.objects.get_or_create(notification=notification, user=user)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user, clinic=None) -> int:
    now = timezone.now()
    count = Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=now, updated_at=now
    )
    if clinic is not None:
        unread = Notification.objects.filter(clinic=clinic, user__isnull=True).exclude(
            reads__user=user
        )
        NotificationRead.objects.bulk_create(
            [NotificationRead(notification=n, user=user) for n in unread], ignore_conflicts=True
        )
    return count
