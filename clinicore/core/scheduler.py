"""The registry of periodic jobs: any app marks a function in its tasks.py with @periodic.

The runner (`manage.py scheduler`, in clinicore.notifications) imports every installed app's
`tasks` module, keeps one row per job in the database, and claims due jobs so that two
schedulers never run the same job at once and a run missed while no scheduler was up happens
as soon as one comes back. Jobs should be quick; heavy work enqueues tasks for the worker.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    func: Callable[[], object]


JOBS: dict[str, PeriodicJob] = {}


def periodic(name: str, *, every: timedelta):
    """`@periodic("scheduling.expire_holds", every=timedelta(minutes=1))` on a function that
    takes no arguments. Names are unique across the product: prefix them with the app label."""
    if every.total_seconds() < 1:
        raise ValueError("A periodic job runs at most once a second.")

    def register(func):
        existing = JOBS.get(name)
        if existing is not None and existing.func.__qualname__ != func.__qualname__:
            raise ValueError(f"Periodic job {name!r} is registered twice.")
        JOBS[name] = PeriodicJob(name=name, every=every, func=func)
        return func

    return register


def discover() -> dict[str, PeriodicJob]:
    """Imports `<app>.tasks` for every installed app, which registers their periodic jobs."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")
    return dict(JOBS)
