"""A circuit breaker per provider account, kept in the database so every worker shares it.

Closed: messages go out. After NOTIFY_CIRCUIT_THRESHOLD failures in a row it opens: messages
wait (no attempt is spent) until NOTIFY_CIRCUIT_OPEN_SECONDS pass. Then one worker sends a
probe (half open): success closes the circuit, failure opens it again."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from clinicore.notifications.models import ProviderCircuit

State = ProviderCircuit.State


def circuit_allow(key: str, *, now: datetime) -> datetime | None:
    """None when a message may go to the provider now; else when to try again."""
    circuit = ProviderCircuit.objects.filter(key=key).first()
    if circuit is None or circuit.state == State.CLOSED:
        return None
    probe_window = now + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
    if circuit.state == State.OPEN:
        if circuit.retry_at and circuit.retry_at > now:
            return circuit.retry_at
        won = (
            ProviderCircuit.objects.filter(key=key, state=State.OPEN)
            .filter(Q(retry_at__lte=now) | Q(retry_at__isnull=True))
            .update(state=State.HALF_OPEN, probe_until=probe_window)
        )
        return None if won else now + timedelta(seconds=1)
    # Half open: one probe at a time; a probe that never reported back is replaced.
    won = ProviderCircuit.objects.filter(
        key=key, state=State.HALF_OPEN, probe_until__lt=now
    ).update(probe_until=probe_window)
    return None if won else now + timedelta(seconds=1)


def circuit_success(key: str) -> None:
    ProviderCircuit.objects.filter(key=key).exclude(state=State.CLOSED, failures=0).update(
        state=State.CLOSED, failures=0, retry_at=None, probe_until=None
    )


def circuit_failure(key: str, *, now: datetime | None = None) -> str:
    now = now or timezone.now()
    ProviderCircuit.objects.get_or_create(key=key)
    ProviderCircuit.objects.filter(key=key).update(failures=F("failures") + 1)
    circuit = ProviderCircuit.objects.get(key=key)
    if circuit.state == State.HALF_OPEN or circuit.failures >= settings.NOTIFY_CIRCUIT_THRESHOLD:
        ProviderCircuit.objects.filter(key=key).update(
            state=State.OPEN,
            opened_at=now,
            retry_at=now + timedelta(seconds=settings.NOTIFY_CIRCUIT_OPEN_SECONDS),
            probe_until=None,
        )
        return State.OPEN
    return circuit.state
