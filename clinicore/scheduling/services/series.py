"""Recurring follow-ups: a series of appointments, each movable or cancellable alone."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicore.clinics.models import Membership
from clinicore.core.errors import Conflict, InvalidInput
from clinicore.scheduling import availability as av
from clinicore.scheduling import events, selectors
from clinicore.scheduling.models import (
    Appointment,
    Series,
    Service,
)
from clinicore.scheduling.services._base import (
    S,
    _audit,
)
from clinicore.scheduling.services.booking import _claim, _who
from clinicore.scheduling.services.changes import appointment_cancel, appointment_update

# --- Series ---------------------------------------------------------------------------------------


@transaction.atomic
def series_create(
    *,
    clinic,
    actor,
    patient,
    practitioner: Membership,
    service: Service,
    first_start: datetime,
    occurrences: int,
    interval_days: int = 7,
    as_patient: bool = False,
    now: datetime | None = None,
    **details,
) -> Series:
    """Books every occurrence or none: a clash on any date answers 409 naming the dates."""
    now = now or timezone.now()
    if not 2 <= occurrences <= 52:
        raise InvalidInput(_("A series has 2 to 52 occurrences."), fields={"occurrences": "2–52."})
    if not 1 <= interval_days <= 90:
        raise InvalidInput(
            _("Occurrences are 1 to 90 days apart."), fields={"interval_days": "1–90."}
        )
    series = Series.objects.create(
        clinic=clinic,
        patient=patient,
        practitioner=practitioner,
        service=service,
        interval_days=interval_days,
        occurrences=occurrences,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    tz = selectors.clinic_tz(clinic)
    local_first = first_start.astimezone(tz)
    clashes = []
    for index in range(occurrences):
        # Same local wall time each time, so a DST change does not shift the visit by an hour.
        day = local_first.date() + timedelta(days=index * interval_days)
        start = av.local_to_utc(day, local_first.time().replace(tzinfo=None), tz)
        try:
            with transaction.atomic():
                _claim(
                    clinic=clinic,
                    actor=actor,
                    patient=patient,
                    practitioner=practitioner,
                    service=service,
                    start=start,
                    mode=details.get("mode"),
                    status=S.SCHEDULED,
                    enforce_rules=as_patient,
                    now=now,
                    count_limit=False,
                    series=series,
                    series_index=index + 1,
                    **{k: v for k, v in details.items() if k != "mode"},
                    **_who(actor, as_patient=as_patient),
                )
        except Conflict as exc:
            clashes.append(f"{day.isoformat()} ({exc.message})")
    if clashes:
        raise Conflict(
            _("These occurrences cannot be booked: %(clashes)s") % {"clashes": "; ".join(clashes)},
            code="series_clash",
        )
    _audit(
        "series.create", series, actor=actor, fields=["occurrences", "interval_days", "first_start"]
    )
    for occurrence in Appointment.objects.filter(series=series):
        events.appointment_booked(occurrence)
    return series


def series_future(series: Series, now: datetime):
    return Appointment.objects.filter(
        series=series, status__in=Appointment.OPEN, start__gt=now
    ).order_by("start")


@transaction.atomic
def series_update(*, series: Series, actor, now: datetime | None = None, **details) -> Series:
    """Applies detail changes to every upcoming open occurrence; moved or cancelled ones keep
    their own state (a moved occurrence is a new row that still belongs to the series)."""
    now = now or timezone.now()
    unknown = set(details) - {"kind", "reason_for_visit", "notes"}
    if unknown:
        raise InvalidInput(fields={k: _("Unknown field.") for k in sorted(unknown)})
    for appointment in series_future(series, now):
        appointment_update(appointment=appointment, actor=actor, **details)
    _audit("series.update", series, actor=actor, fields=details.keys())
    return series


@transaction.atomic
def series_cancel(*, series: Series, actor, reason: str = "", now: datetime | None = None) -> int:
    """Cancels every upcoming open occurrence; past and already-changed ones stay as they are."""
    now = now or timezone.now()
    count = 0
    for appointment in series_future(series, now):
        appointment_cancel(
            appointment=appointment, actor=actor, reason=reason or "Series cancelled", now=now
        )
        count += 1
    _audit("series.cancel", series, actor=actor, fields=["status"])
    return count
