"""The periodic scheduler's runner: one row per job, claimed with a lease so that two
schedulers never run a job at once, and a run missed while none was up happens on return.

PostgreSQL: the due job is picked with SELECT … FOR UPDATE SKIP LOCKED. SQLite: the claim runs in
a write transaction that takes the database's write lock at BEGIN (IMMEDIATE), so claims are
serialized. Either way the claim is a conditional UPDATE on the lease as the last guard."""

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from clinicore.core.scheduler import PeriodicJob, discover
from clinicore.notifications.models import ScheduledJob

logger = logging.getLogger("clinicore.scheduler")

LEASE = timedelta(minutes=10)


def owner_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{threading.get_ident() % 10000}"


def jobs_sync(jobs: dict[str, PeriodicJob], *, now: datetime) -> None:
    """A row for every registered job; a new job runs at once, a changed interval is kept."""
    for job in jobs.values():
        every = int(job.every.total_seconds())
        row, created = ScheduledJob.objects.get_or_create(
            name=job.name, defaults={"every_seconds": every, "next_run_at": now}
        )
        if not created and row.every_seconds != every:
            ScheduledJob.objects.filter(pk=row.pk).update(every_seconds=every)


def _due(names, now: datetime):
    return ScheduledJob.objects.filter(name__in=list(names), next_run_at__lte=now).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    )


def job_claim(names, *, owner: str, now: datetime) -> ScheduledJob | None:
    with transaction.atomic():
        qs = _due(names, now).order_by("next_run_at")
        if connection.vendor == "postgresql":
            qs = qs.select_for_update(skip_locked=True)
        job = qs.first()
        if job is None:
            return None
        won = (
            _due([job.name], now)
            .filter(pk=job.pk)
            .update(locked_until=now + LEASE, locked_by=owner)
        )
        return job if won else None


def job_run(row: ScheduledJob, job: PeriodicJob, *, owner: str) -> str:
    status, error = "ok", ""
    try:
        job.func()
    except Exception as exc:  # one failing job must not stop the others
        logger.exception("periodic job failed", extra={"job": job.name})
        status, error = "error", f"{type(exc).__name__}: {exc}"[:500]
    finished = timezone.now()
    next_run = row.next_run_at + job.every
    if next_run <= finished:
        next_run = finished + job.every  # missed runs collapse into the one just made
    ScheduledJob.objects.filter(pk=row.pk, locked_by=owner).update(
        last_run_at=finished,
        next_run_at=next_run,
        last_status=status,
        last_error=error,
        run_count=row.run_count + 1,
        locked_until=None,
        locked_by="",
    )
    return status


def run_pending(
    jobs: dict[str, PeriodicJob] | None = None, *, owner: str | None = None, limit: int = 100
) -> list[str]:
    """Runs every job that is due now (each at most once); returns the names it ran."""
    jobs = jobs if jobs is not None else discover()
    owner = owner or owner_name()
    now = timezone.now()
    jobs_sync(jobs, now=now)
    ran = []
    for _ in range(limit):
        row = job_claim(jobs.keys(), owner=owner, now=timezone.now())
        if row is None:
            break
        job_run(row, jobs[row.name], owner=owner)
        ran.append(row.name)
    return ran


def run_forever(*, tick: float, stop: threading.Event, owner: str | None = None) -> None:
    jobs = discover()
    owner = owner or owner_name()
    logger.info("scheduler started", extra={"jobs": sorted(jobs), "owner": owner})
    while not stop.is_set():
        try:
            run_pending(jobs, owner=owner)
        except Exception:  # the database may be briefly unavailable; try again next tick
            logger.exception("scheduler tick failed")
        finally:
            from django.db import close_old_connections

            close_old_connections()
        stop.wait(tick)
