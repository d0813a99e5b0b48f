"""Delivering outbox messages: claim a row safely, record the attempt, call the provider, then
mark it sent, or schedule a retry with exponential backoff and jitter, or dead-letter it.

A claim is one conditional UPDATE (queued and due, or sending with an expired lease), so two
workers never take the same message; a worker killed mid-delivery leaves a lease that expires
and the message is taken again. The lease must outlast the provider timeout (a system check)."""

import logging
import os
import random
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from clinicore.notifications.circuit import circuit_allow, circuit_failure, circuit_success
from clinicore.notifications.models import DeliveryAttempt, OutboxMessage
from clinicore.notifications.providers import ProviderError, provider_for

logger = logging.getLogger("clinicore.notifications")
Status = OutboxMessage.Status


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def backoff_delay(attempt: int, *, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with "equal jitter": half the step fixed, half random."""
    rng = rng or random
    step = min(
        settings.NOTIFY_BACKOFF_MAX_SECONDS,
        settings.NOTIFY_BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0),
    )
    return timedelta(seconds=step / 2 + rng.uniform(0, step / 2))


def _claimable(now: datetime) -> Q:
    return Q(status=Status.QUEUED, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, locked_until__lt=now
    )


def due_ids(*, limit: int = 200, now: datetime | None = None) -> list:
    now = now or timezone.now()
    return list(
        OutboxMessage.objects.filter(_claimable(now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def _claim(message_id, *, worker: str, now: datetime) -> bool:
    lease = now + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
    return (
        OutboxMessage.objects.filter(_claimable(now), pk=message_id).update(
            status=Status.SENDING,
            locked_until=lease,
            locked_by=worker,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
        == 1
    )


def _defer(message: OutboxMessage, until: datetime) -> None:
    OutboxMessage.objects.filter(pk=message.pk, status=Status.QUEUED).update(
        next_attempt_at=until,
        status_reason="Waiting: the provider's circuit is open.",
        updated_at=timezone.now(),
    )
    _schedule_task(message.pk, until)


def _schedule_task(message_id, at: datetime) -> None:
    from clinicore.notifications.tasks import deliver_message

    try:
        deliver_message.using(run_after=at).enqueue(str(message_id))
    except Exception:  # the periodic sweep picks the message up anyway
        logger.warning("could not schedule a delivery retry", exc_info=True)


def message_deliver(message_id, *, worker: str | None = None) -> str:
    """Delivers one message if it is due and nobody else holds it. Returns what happened."""
    worker = worker or worker_name()
    message = OutboxMessage.objects.select_related("account").filter(pk=message_id).first()
    now = timezone.now()
    if message is None or not OutboxMessage.objects.filter(_claimable(now), pk=message_id).exists():
        return "skipped"
    try:
        provider = provider_for(message.channel, message.provider)
    except ProviderError as exc:
        _finish_failed(message, worker=worker, error=exc.message, now=now, claimed=False)
        return "failed"
    key = provider.circuit_key(message.account)
    wait_until = circuit_allow(key, now=now)
    if wait_until is not None:
        _defer(message, wait_until)
        return "deferred"
    if not _claim(message.pk, worker=worker, now=now):
        return "taken"
    message.refresh_from_db()
    attempt = DeliveryAttempt.objects.create(
        message=message, number=message.attempts, worker=worker
    )
    try:
        result = provider.send(message, message.account)
    except ProviderError as exc:
        _after_error(
            message, attempt, key, worker=worker, error=exc.message, retryable=exc.retryable
        )
        return "retry" if exc.retryable and message.attempts < message.max_attempts else "failed"
    except Exception as exc:  # a bug or an unexpected answer: retry, and keep the type for staff
        logger.exception("provider raised unexpectedly", extra={"channel": message.channel})
        _after_error(
            message,
            attempt,
            key,
            worker=worker,
            error=f"Unexpected error: {type(exc).__name__}",
            retryable=True,
        )
        return "retry"
    done = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, locked_by=worker).update(
        status=Status.DELIVERED if result.delivered else Status.SENT,
        provider_message_id=result.provider_message_id[:200],
        sent_at=done,
        delivered_at=done if result.delivered else None,
        locked_until=None,
        last_error="",
        status_reason="",
        updated_at=done,
    )
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(
        outcome=DeliveryAttempt.Outcome.SENT, finished_at=done
    )
    circuit_success(key)
    return "sent"


def _after_error(message, attempt, key, *, worker: str, error: str, retryable: bool) -> None:
    now = timezone.now()
    error = error[:500]
    if retryable:
        circuit_failure(key, now=now)
    else:
        circuit_success(key)  # the provider answered: it is up, the message is the problem
    if retryable and message.attempts < message.max_attempts:
        next_at = now + backoff_delay(message.attempts)
        OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, locked_by=worker).update(
            status=Status.QUEUED,
            next_attempt_at=next_at,
            locked_until=None,
            last_error=error,
            status_reason=f"Attempt {message.attempts} failed; trying again.",
            updated_at=now,
        )
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            outcome=DeliveryAttempt.Outcome.RETRY, finished_at=now, error=error
        )
        _schedule_task(message.pk, next_at)
        return
    _finish_failed(
        message,
        worker=worker,
        error=error,
        now=now,
        claimed=True,
        reason=f"Gave up after {message.attempts} attempts."
        if retryable
        else "The provider refused it.",
    )
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(
        outcome=DeliveryAttempt.Outcome.FAILED, finished_at=now, error=error
    )


def _finish_failed(message, *, worker, error, now, claimed: bool, reason: str = "") -> None:
    qs = OutboxMessage.objects.filter(pk=message.pk)
    qs = (
        qs.filter(status=Status.SENDING, locked_by=worker)
        if claimed
        else qs.filter(_claimable(now))
    )
    qs.update(
        status=Status.FAILED,
        locked_until=None,
        last_error=error[:500],
        status_reason=reason or "It cannot be sent.",
        updated_at=now,
    )


def deliver_due(*, limit: int = 200, worker: str | None = None) -> dict:
    """Delivers every message that is due now (the periodic sweep, tests, the benchmark)."""
    counts: dict[str, int] = {}
    for message_id in due_ids(limit=limit):
        outcome = message_deliver(message_id, worker=worker)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
