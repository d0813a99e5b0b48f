"""Background work of notifications: deliver a message (after commit), sweep what is due."""

from datetime import timedelta

from django.conf import settings
from django.tasks import task

from clinicore.core.scheduler import periodic
from clinicore.notifications import delivery


@task()
def deliver_message(message_id: str) -> str:
    return delivery.message_deliver(message_id)


@task()
def deliver_due() -> dict:
    return delivery.deliver_due()


@periodic("notifications.outbox_sweep", every=timedelta(seconds=settings.NOTIFY_SWEEP_SECONDS))
def outbox_sweep() -> int:
    """Hands due messages to the worker: planned reminders whose time came, retries whose task
    was lost, and messages a killed worker held (their lease expired). Enqueues batch tasks,
    one per 100 due messages (at most 10), unless batches are already waiting."""
    from django_tasks_db.models import DBTaskResult

    due = len(delivery.due_ids(limit=1000))
    if not due:
        return 0
    waiting = DBTaskResult.objects.ready().filter(task_path=deliver_due.module_path).count()
    wanted = min(10, -(-due // 100)) - waiting
    for _ in range(max(wanted, 0)):
        deliver_due.enqueue()
    return due
