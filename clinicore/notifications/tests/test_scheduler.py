"""The periodic scheduler: two schedulers never double-run a job; a missed run happens on return."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from clinicore.core.scheduler import PeriodicJob
from clinicore.notifications import scheduler
from clinicore.notifications.models import ScheduledJob


def _jobs(calls, *, sleep=0.0, every=timedelta(minutes=5)):
    def job():
        calls.append(threading.get_ident())
        time.sleep(sleep)

    return {"test.tick": PeriodicJob(name="test.tick", every=every, func=job)}


@pytest.mark.django_db
def test_it_runs_a_due_job_once_and_schedules_the_next_run():
    calls = []
    with time_machine.travel(datetime(2026, 1, 5, 9, 0, tzinfo=UTC), tick=False):
        assert scheduler.run_pending(_jobs(calls), owner="s1") == ["test.tick"]
        assert scheduler.run_pending(_jobs(calls), owner="s1") == []
    row = ScheduledJob.objects.get(name="test.tick")
    assert len(calls) == 1 and row.run_count == 1 and row.last_status == "ok"
    assert row.next_run_at == datetime(2026, 1, 5, 9, 5, tzinfo=UTC) and row.locked_until is None


@pytest.mark.django_db
def test_it_runs_a_missed_job_once_when_the_scheduler_comes_back():
    calls = []
    with time_machine.travel(datetime(2026, 1, 5, 9, 0, tzinfo=UTC), tick=False) as clock:
        scheduler.run_pending(_jobs(calls), owner="s1")
        clock.move_to(datetime(2026, 1, 5, 13, 2, tzinfo=UTC))  # down for four hours
        assert scheduler.run_pending(_jobs(calls), owner="s1") == ["test.tick"]
    assert len(calls) == 2  # one catch-up run, not 48
    assert ScheduledJob.objects.get().next_run_at == datetime(2026, 1, 5, 13, 7, tzinfo=UTC)


@pytest.mark.django_db
def test_it_records_a_failing_job_and_keeps_the_schedule():
    def broken():
        raise RuntimeError("stock service down")

    jobs = {"test.broken": PeriodicJob(name="test.broken", every=timedelta(minutes=1), func=broken)}
    assert scheduler.run_pending(jobs, owner="s1") == ["test.broken"]
    row = ScheduledJob.objects.get()
    assert (
        row.last_status == "error"
        and "stock service down" in row.last_error
        and row.locked_until is None
    )


@pytest.mark.django_db(transaction=True)
def test_it_never_runs_one_job_in_two_schedulers_at_once():
    calls = []
    jobs = _jobs(calls, sleep=0.5)
    scheduler.jobs_sync(jobs, now=datetime.now(UTC))
    ran, errors = [], []
    start = threading.Barrier(4)

    def one_scheduler(n):
        from django.db import connection

        try:
            start.wait()
            ran.extend(scheduler.run_pending(jobs, owner=f"scheduler-{n}"))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_scheduler, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert len(calls) == 1 and ran == ["test.tick"]
    assert ScheduledJob.objects.get().run_count == 1


def test_it_discovers_the_outbox_sweep():
    from clinicore.core.scheduler import discover

    assert "notifications.outbox_sweep" in discover()
