"""Reads shared by pages, the API and the booking services: schedules, availability, calendars.

Every read of appointments is bounded by the range asked: `occupied_start` is bounded from below
by the range start minus the longest possible occupied range (see models.MAX_OCCUPIED), so the
(practitioner, occupied_start) index reads only rows near the range, whatever the table size.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from operator import itemgetter
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Q,
)

from clinicore.clinics.models import Membership
from clinicore.clinics.permissions import Role
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


# Each engine's way to list a group's instants as comma-separated whole epoch seconds, rounded
# outwards (starts down, ends up). On SQLite datetimes are stored as 'YYYY-MM-DD HH:MM:SS[.f]'
# in UTC, with a fraction only when it is not zero; the fraction is cut off before strftime,
# which would round it to milliseconds first.
_EPOCH_LISTS = {
    "postgresql": (
        "string_agg(floor(date_part('epoch', s))::bigint::text, ',')",
        "string_agg(ceil(date_part('epoch', e))::bigint::text, ',')",
    ),
    "sqlite": (
        "group_concat(CAST(strftime('%%s', substr(s, 1, 19)) AS INTEGER), ',')",
        "group_concat(CAST(strftime('%%s', substr(e, 1, 19)) AS INTEGER)"
        " + (instr(e, '.') > 0), ',')",
    ),
}


def busy_seconds(
    *, clinic, practitioner_ids, start: datetime, end: datetime, now: datetime, exclude_id=None
) -> dict:
    """Occupied ranges by practitioner id (appointments, live holds, time off), in epoch seconds
    rounded outwards.

    One row per practitioner with the starts and ends as comma-separated integers: parsing two
    strings is far cheaper than thousands of rows of datetimes. Written as SQL because this is
    the hot read of every calendar: building it through the ORM cost more than running it.
    `occupied_start` is bounded from below by the longest possible occupied range, so the
    (practitioner, occupied_start) index reads only rows near the range, whatever the table
    size."""
    ids = list(practitioner_ids)
    if not ids:
        return {}
    uuid_field = Appointment._meta.pk
    db_ids = [uuid_field.get_db_prep_value(pk, connection) for pk in ids]
    at = connection.ops.adapt_datetimefield_value
    marks = ", ".join(["%s"] * len(ids))
    blocking = ", ".join(["%s"] * len(Appointment.BLOCKING))
    exclude = "AND id <> %s" if exclude_id is not None else ""
    starts, ends = _EPOCH_LISTS[connection.vendor]
    # Only table names, fixed fragments and placeholders are formatted in; values are parameters.
    sql = f"""
        SELECT practitioner_id, {starts}, {ends} FROM (
            SELECT practitioner_id, occupied_start AS s, occupied_end AS e
            FROM {Appointment._meta.db_table}
            WHERE practitioner_id IN ({marks})
              AND occupied_start >= %s AND occupied_start < %s AND occupied_end > %s
              AND status IN ({blocking})
              AND NOT (status = %s AND hold_expires_at IS NOT NULL AND hold_expires_at <= %s)
              {exclude}
            UNION ALL
            SELECT practitioner_id, "start" AS s, "end" AS e
            FROM {TimeOff._meta.db_table}
            WHERE clinic_id = %s AND practitioner_id IN ({marks})
              AND "start" < %s AND "end" > %s
        ) busy
        GROUP BY practitioner_id"""  # noqa: S608
    params = [
        *db_ids,
        at(start - MAX_OCCUPIED),
        at(end),
        at(start),
        *Appointment.BLOCKING,
        Appointment.Status.HELD,
        at(now),
        *([uuid_field.get_db_prep_value(exclude_id, connection)] if exclude_id else []),
        uuid_field.get_db_prep_value(clinic.pk, connection),
        *db_ids,
        at(end),
        at(start),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_key = dict(zip(db_ids, ids, strict=True))
    out: dict = {}
    for key, starts_text, ends_text in rows:
        pk = by_key[key]
        out[pk] = list(
            zip(map(int, starts_text.split(",")), map(int, ends_text.split(",")), strict=True)
        )
    return out


def _as(parse, value):
    """SQLite answers raw SQL with text where PostgreSQL answers typed values."""
    return parse(value) if isinstance(value, str) else value


def _uuid(value):
    return _as(uuid.UUID, value)


def _rules(*, clinic, practitioner_ids, first: date, last: date):
    """Weekly hours, date overrides and clinic closures in one round trip, as rows of
    (kind, practitioner id, weekday, date, last date, start time, end time, mode, branch id).
    SQL for the same reason as `busy_seconds`; NULLs are typed for PostgreSQL's UNION."""
    ids = list(practitioner_ids)
    uuid_field = Appointment._meta.pk
    db_ids = [uuid_field.get_db_prep_value(pk, connection) for pk in ids]
    marks = ", ".join(["%s"] * len(ids))
    clinic_id = uuid_field.get_db_prep_value(clinic.pk, connection)
    day = connection.ops.adapt_datefield_value
    sql = f"""
        SELECT 'weekly', practitioner_id, weekday, CAST(NULL AS date), CAST(NULL AS date),
               start_time, end_time, mode, branch_id
        FROM {WorkingHours._meta.db_table}
        WHERE clinic_id = %s AND practitioner_id IN ({marks})
        UNION ALL
        SELECT 'override', practitioner_id, CAST(NULL AS integer), "date", CAST(NULL AS date),
               start_time, end_time, mode, branch_id
        FROM {ScheduleOverride._meta.db_table}
        WHERE clinic_id = %s AND practitioner_id IN ({marks}) AND "date" >= %s AND "date" <= %s
        UNION ALL
        SELECT 'closure', CAST(NULL AS {_UUID_TYPE[connection.vendor]}), CAST(NULL AS integer),
               start_date, end_date, CAST(NULL AS time), CAST(NULL AS time), '',
               CAST(NULL AS {_UUID_TYPE[connection.vendor]})
        FROM {ClinicClosure._meta.db_table}
        WHERE clinic_id = %s AND start_date <= %s AND end_date >= %s"""  # noqa: S608
    params = [clinic_id, *db_ids, clinic_id, *db_ids, day(first), day(last)]
    params += [clinic_id, day(last), day(first)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_key = {uuid_field.get_db_prep_value(pk, connection): pk for pk in ids}
    for kind, pk, weekday, on, until, start_time, end_time, mode, branch_id in rows:
        yield (
            kind,
            by_key.get(pk),
            weekday,
            _as(date.fromisoformat, on),
            _as(date.fromisoformat, until),
            _as(time.fromisoformat, start_time),
            _as(time.fromisoformat, end_time),
            mode,
            _uuid(branch_id) if branch_id is not None else None,
        )


_UUID_TYPE = {"postgresql": "uuid", "sqlite": "char(32)"}


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
