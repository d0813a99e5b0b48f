"""Small helpers the workspace pages share."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from clinicore.clinics.permissions import role_has
from clinicore.core.errors import DomainError, InvalidInput


def can(request, perm: str) -> bool:
    return role_has(request.membership.role, perm)


def local_datetime(clinic, day: str, time: str) -> dt.datetime:
    """A date and wall time typed at the desk, in the clinic's zone, as an aware datetime."""
    try:
        naive = dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(time))
    except (TypeError, ValueError):
        raise InvalidInput(
            _("Choose a date and a time."), fields={"start": _("Date and time.")}
        ) from None
    from clinicore.scheduling.availability import local_to_utc

    return local_to_utc(naive.date(), naive.time(), ZoneInfo(clinic.time_zone))


def parse_day(value, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def back_with_error(request, exc: DomainError, to: str, **kwargs):
    messages.error(request, exc.message)
    return redirect(to, **kwargs)


def clinic_view(perm: str | None = None, *, methods: tuple[str, ...] = ("GET", "POST")):
    """`workspace_view` that also renders times in the clinic's time zone (not the server's)."""
    import functools

    from django.utils import timezone

    from clinicore.clinics.decorators import workspace_view

    def decorate(view):
        @functools.wraps(view)
        def in_clinic_time(request, *args, **kwargs):
            with timezone.override(ZoneInfo(request.clinic.time_zone)):
                return view(request, *args, **kwargs)

        return workspace_view(perm, methods=methods)(in_clinic_time)

    return decorate
