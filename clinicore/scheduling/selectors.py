"""Reads shared by pages, the API and the booking services: schedules, availability, calendars.

Every read of appointments is bounded by the range asked: `occupied_start` is bounded from below
by the range start minus the longest possible occupied range (see models.MAX_OCCUPIED), so the
(practitioner, occupied_start) index reads only rows near the range, whatever the table size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from operator import itemgetter
from zoneinfo import ZoneInfo

from django.db.models import (
    CharField,
    DateField,
    F,
    IntegerField,
    Q,
    StringAgg,
    TimeField,
    UUIDField,
    Value,
)
from django.db.models.functions import Cast

from clinicore.clinics.models import Membership
from clinicore.clinics.permissions import Role
from clinicore.core.db import EpochSeconds
from clinicore.scheduling import availability as av
from clinicore.scheduling.models import (
    MAX_OCCUPIED,
    Appointment,
    BookingRules,
    ClinicClosure,
    ScheduleOverride,
    Service,
    TimeOff,
    WorkingHours,
)

MAX_RANGE_DAYS = 31
DEFAULT_RANGE_DAYS = 14


def clinic_tz(clinic) -> ZoneInfo:
    return ZoneInfo(clinic.time_zone or "UTC")


def booking_rules(clinic) -> BookingRules:
    rules = BookingRules.objects.filter(clinic=clinic).first()
    return rules or BookingRules(clinic=clinic)


def practitioners_of(clinic, *, service: Service | None = None, practitioner_id=None):
    qs = Membership.objects.filter(
        clinic=clinic, is_active=True, role__in=sorted(Role.practitioners())
    ).select_related("user")
    if service is not None:
        qs = qs.filter(services=service)
    if practitioner_id is not None:
        qs = qs.filter(pk=practitioner_id)
    return qs.order_by("user__full_name", "id")


def blocking_q(now: datetime) -> Q:
    """Rows that occupy time now: active statuses, holds only while unexpired."""
    return Q(status__in=Appointment.BLOCKING) & ~Q(
        status=Appointment.Status.HELD, hold_expires_at__lte=now
    )


def _epoch_lists(start_field: str, end_field: str) -> dict:
    """Per group, the starts and ends as comma-separated epoch seconds (rounded outwards):
    parsing two strings is far cheaper than thousands of rows of datetimes, and the cost of a
    two-week calendar is mostly this read."""
    return {
        "starts": StringAgg(Cast(EpochSeconds(start_field), CharField()), delimiter=Value(",")),
        "ends": StringAgg(
            Cast(EpochSeconds(end_field, ceil=True), CharField()), delimiter=Value(",")
        ),
    }


def busy_seconds(
    *, clinic, practitioner_ids, start: datetime, end: datetime, now: datetime, exclude_id=None
) -> dict:
    """Occupied ranges by practitioner id (appointments, live holds, time off), in epoch seconds.

    `occupied_start` is bounded from below by the longest possible occupied range, so the
    (practitioner, occupied_start) index reads only rows near the range, whatever the table
    size."""
    ids = list(practitioner_ids)
    appointments = Appointment.objects.filter(
        blocking_q(now),
        practitioner_id__in=ids,
        occupied_start__gte=start - MAX_OCCUPIED,
        occupied_start__lt=end,
        occupied_end__gt=start,
    )
    if exclude_id is not None:
        appointments = appointments.exclude(pk=exclude_id)
    time_off = TimeOff.objects.filter(
        clinic=clinic, practitioner_id__in=ids, start__lt=end, end__gt=start
    )
    rows = (
        appointments.order_by()
        .values("practitioner_id")
        .annotate(**_epoch_lists("occupied_start", "occupied_end"))
        .values_list("practitioner_id", "starts", "ends")
        .union(
            time_off.order_by()
            .values("practitioner_id")
            .annotate(**_epoch_lists("start", "end"))
            .values_list("practitioner_id", "starts", "ends"),
            all=True,
        )
        .order_by()
    )
    out: dict = {}
    for pk, starts, ends in rows:
        ranges = zip(map(int, starts.split(",")), map(int, ends.split(",")), strict=True)
        out.setdefault(pk, []).extend(ranges)
    return out


def _rules(*, clinic, practitioner_ids, first: date, last: date):
    """Weekly hours, date overrides and clinic closures in one round trip, as rows of
    (kind, practitioner id, weekday, date, last date, start time, end time, mode, branch id)."""
    ids = list(practitioner_ids)
    # Typed NULLs: PostgreSQL cannot infer a column's type from an untyped NULL in a UNION.
    none = {
        "no_date": Cast(Value(None), DateField()),
        "no_weekday": Cast(Value(None), IntegerField()),
        "no_time": Cast(Value(None), TimeField()),
        "no_id": Cast(Value(None), UUIDField()),
    }
    columns = ("kind", "pk_", "weekday_", "date_", "until_", "from_", "to_", "mode_", "branch_")

    def rows(qs, **fields):
        return qs.order_by().annotate(**fields).values_list(*columns)

    return (
        rows(
            WorkingHours.objects.filter(clinic=clinic, practitioner_id__in=ids),
            kind=Value("weekly"),
            pk_=F("practitioner_id"),
            weekday_=F("weekday"),
            date_=none["no_date"],
            until_=none["no_date"],
            from_=F("start_time"),
            to_=F("end_time"),
            mode_=F("mode"),
            branch_=F("branch_id"),
        )
        .union(
            rows(
                ScheduleOverride.objects.filter(
                    clinic=clinic, practitioner_id__in=ids, date__gte=first, date__lte=last
                ),
                kind=Value("override"),
                pk_=F("practitioner_id"),
                weekday_=none["no_weekday"],
                date_=F("date"),
                until_=none["no_date"],
                from_=F("start_time"),
                to_=F("end_time"),
                mode_=F("mode"),
                branch_=F("branch_id"),
            ),
            rows(
                ClinicClosure.objects.filter(
                    clinic=clinic, start_date__lte=last, end_date__gte=first
                ),
                kind=Value("closure"),
                pk_=none["no_id"],
                weekday_=none["no_weekday"],
                date_=F("start_date"),
                until_=F("end_date"),
                from_=none["no_time"],
                to_=none["no_time"],
                mode_=Value(""),
                branch_=none["no_id"],
            ),
            all=True,
        )
        .order_by()
    )


@dataclass
class Schedule:
    """What availability needs for one practitioner over a range of local dates."""

    weekly: list[av.WeeklyRange] = field(default_factory=list)
    overrides: list[av.DateRange] = field(default_factory=list)
    busy: list[av.Busy] = field(default_factory=list)  # epoch seconds


def utc_bounds(tz: ZoneInfo, first: date, last: date) -> tuple[datetime, datetime]:
    # A day's margin each side covers any offset; spans are clipped by local dates anyway.
    return (
        av.local_to_utc(first - timedelta(days=1), time(0), tz),
        av.local_to_utc(last + timedelta(days=2), time(0), tz),
    )


def schedules_for(
    *, clinic, practitioner_ids, first: date, last: date, now: datetime, exclude_appointment_id=None
) -> dict:
    """Rules, overrides and busy ranges of several practitioners: two queries in all."""
    tz = clinic_tz(clinic)
    ids = list(practitioner_ids)
    out = {pk: Schedule() for pk in ids}
    if not ids:
        return out
    closure_days = []
    for kind, pk, weekday, day, until, start_time, end_time, mode, branch_id in _rules(
        clinic=clinic, practitioner_ids=ids, first=first, last=last
    ):
        if kind == "weekly":
            out[pk].weekly.append(av.WeeklyRange(weekday, start_time, end_time, mode, branch_id))
        elif kind == "override":
            out[pk].overrides.append(av.DateRange(day, start_time, end_time, mode, branch_id))
        else:
            closure_days.append((day, until))
    closures = [av.busy_seconds(s, e) for s, e in av.closure_ranges(tz=tz, closures=closure_days)]
    start, end = utc_bounds(tz, first, last)
    busy = busy_seconds(
        clinic=clinic,
        practitioner_ids=ids,
        start=start,
        end=end,
        now=now,
        exclude_id=exclude_appointment_id,
    )
    for pk, schedule in out.items():
        schedule.busy.extend(closures)
        schedule.busy.extend(busy.get(pk, ()))
    return out


def free_spans(*, clinic, schedule: Schedule, first: date, last: date) -> list[av.Span]:
    working = av.working_free(
        tz=clinic_tz(clinic),
        first=first,
        last=last,
        weekly=schedule.weekly,
        overrides=schedule.overrides,
    )
    return [av.as_span(f) for f in av.subtract_free(working, schedule.busy)]


def notice_window(service: Service, now: datetime) -> tuple[datetime, datetime]:
    return now + timedelta(minutes=service.min_notice_minutes), now + timedelta(
        days=service.booking_window_days
    )


def available_slots(
    *,
    clinic,
    service: Service,
    first: date,
    last: date,
    now: datetime,
    practitioner_id=None,
    mode: str | None = None,
) -> tuple[list[av.Slot], dict]:
    """Slots for `service` from local date `first` to `last`, and the practitioners by id."""
    practitioners = {
        m.pk: m
        for m in practitioners_of(clinic, service=service, practitioner_id=practitioner_id).only(
            "id", "clinic_id", "role", "title", "user__full_name", "user__email"
        )
    }
    schedules = schedules_for(
        clinic=clinic, practitioner_ids=practitioners, first=first, last=last, now=now
    )
    earliest, latest = notice_window(service, now)
    tz = clinic_tz(clinic)
    lengths = dict(
        duration=av.seconds_of(service.duration),
        buffer_before=av.seconds_of(service.buffer_before),
        buffer_after=av.seconds_of(service.buffer_after),
    )
    starts: list[tuple[int, object, str, object]] = []
    for pk in sorted(schedules, key=str):
        schedule = schedules[pk]
        starts.extend(
            av.open_starts(
                av.working_free(
                    tz=tz,
                    first=first,
                    last=last,
                    weekly=schedule.weekly,
                    overrides=schedule.overrides,
                ),
                schedule.busy,
                step=(clinic.slot_step_minutes or 15) * 60,
                earliest=av.seconds_ceil(earliest),
                latest=av.seconds_floor(latest),
                service_mode=service.mode,
                mode=mode,
                practitioner_id=pk,
                **lengths,
            )
        )
    # Stable: equal starts stay in practitioner-id order, as they were appended.
    starts.sort(key=itemgetter(0))
    slots = av.slots_of(starts, **lengths)
    return slots, practitioners


def appointment_list(
    *,
    clinic,
    patient_user=None,
    practitioner_id=None,
    patient_id=None,
    status=None,
    start: datetime | None = None,
    end: datetime | None = None,
):
    qs = (
        Appointment.objects.filter(clinic=clinic)
        .exclude(
            status__in=(
                Appointment.Status.HELD,
                Appointment.Status.RELEASED,
                Appointment.Status.EXPIRED,
            )
        )
        .select_related("patient", "practitioner__user", "service")
    )
    if patient_user is not None:
        qs = qs.filter(patient__user=patient_user)
    if practitioner_id is not None:
        qs = qs.filter(practitioner_id=practitioner_id)
    if patient_id is not None:
        qs = qs.filter(patient_id=patient_id)
    if status:
        qs = qs.filter(status=status)
    if start is not None:
        qs = qs.filter(start__gte=start)
    if end is not None:
        qs = qs.filter(start__lt=end)
    return qs.order_by("start", "id")


def calendar(*, clinic, first: date, last: date, practitioner_id=None):
    tz = clinic_tz(clinic)
    start = av.local_to_utc(first, time(0), tz)
    end = av.local_to_utc(last + timedelta(days=1), time(0), tz)
    return appointment_list(clinic=clinic, practitioner_id=practitioner_id, start=start, end=end)


def feed_appointments(*, practitioner, now: datetime):
    return (
        Appointment.objects.filter(
            practitioner=practitioner,
            status__in=[s for s in Appointment.BLOCKING if s != Appointment.Status.HELD],
            start__gte=now - timedelta(days=30),
            start__lt=now + timedelta(days=180),
        )
        .select_related("service", "patient", "clinic")
        .order_by("start")[:2000]
    )
