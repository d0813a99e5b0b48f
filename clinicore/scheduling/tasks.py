"""Background work of the scheduling engine."""

from datetime import timedelta

from django.tasks import task

from clinicore.core.scheduler import periodic
from clinicore.scheduling import services


@task()
def holds_expire() -> int:
    """Marks lapsed holds expired and offers their time to the waitlist.

    Availability already ignores lapsed holds and booking clears those in its way, so this only
    tidies statuses and triggers waitlist offers; running it late or twice is harmless."""
    return services.holds_expire()


@periodic("scheduling.expire_holds", every=timedelta(minutes=1))
def expire_holds() -> int:
    return services.holds_expire()
