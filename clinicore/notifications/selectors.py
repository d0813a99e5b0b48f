"""Reads the outbox pages and API share: the clinic's messages, dead letters, a person's list."""

from django.db.models import Exists, OuterRef, Q

from clinicore.notifications.models import Notification, NotificationRead, OutboxMessage


def outbox_list(*, clinic=None, status: str = "", channel: str = "", q: str = ""):
    """The clinic's outbox, newest first (every clinic's when `clinic` is None: operators only)."""
    qs = OutboxMessage.objects.select_related("clinic")
    if clinic is not None:
        qs = qs.filter(clinic=clinic)
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if q:
        qs = qs.filter(
            Q(address__icontains=q) | Q(subject__icontains=q) | Q(recipient_name__icontains=q)
        )
    return qs.order_by("-created_at")


def notifications_for(*, user, clinic=None):
    """The person's own notifications and their clinic's staff alerts, newest first, with
    `is_read` for each."""
    q = Q(user=user)
    if clinic is not None:
        from clinicore.clinics.models import Membership

        if Membership.objects.filter(user=user, clinic=clinic, is_active=True).exists():
            q |= Q(clinic=clinic, user__isnull=True)
    read_mark = NotificationRead.objects.filter(notification=OuterRef("pk"), user=user)
    return (
        Notification.objects.filter(q)
        .annotate(shared_read=Exists(read_mark))
        .order_by("-created_at")
    )


def unread_count(*, user, clinic=None) -> int:
    return (
        notifications_for(user=user, clinic=clinic)
        .filter(Q(user=user, read_at__isnull=True) | Q(user__isnull=True, shared_read=False))
        .count()
    )
