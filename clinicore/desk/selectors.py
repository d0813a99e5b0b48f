"""Reads of the front desk: today's board, a scanned code's patient, the next free slot."""

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from clinicore.clinics.models import Membership
from clinicore.patients.models import Patient
from clinicore.scheduling import availability as av
from clinicore.scheduling import selectors as sched
from clinicore.scheduling.models import Appointment, Service

S = Appointment.Status
LATE_AFTER = dt.timedelta(minutes=10)  # not arrived this long after the start: late
NO_SHOW_AFTER = dt.timedelta(minutes=30)  # … this long: suggest marking a no-show
WAITING = (S.CHECKED_IN,)
EXPECTED = (S.REQUESTED, S.SCHEDULED, S.CONFIRMED)


@dataclass
class BoardRow:
    appointment: Appointment
    local_start: dt.datetime
    late: bool = False
    no_show_due: bool = False
    waiting_minutes: int | None = None

    @property
    def flag(self) -> str:
        if self.no_show_due:
            return "no_show_due"
        if self.late:
            return "late"
        return ""


@dataclass
class BoardColumn:
    practitioner: Membership
    rows: list[BoardRow] = field(default_factory=list)


@dataclass
class Board:
    day: dt.date
    columns: list[BoardColumn]
    counts: dict

    @property
    def rows(self) -> list[BoardRow]:
        return sorted((r for c in self.columns for r in c.rows), key=lambda r: r.local_start)


def local_day_bounds(clinic, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = ZoneInfo(clinic.time_zone)
    return (
        av.local_to_utc(day, dt.time(0), tz),
        av.local_to_utc(day + dt.timedelta(days=1), dt.time(0), tz),
    )


def today(clinic, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(ZoneInfo(clinic.time_zone)).date()


def board_for_day(
    *, clinic, day: dt.date | None = None, now: dt.datetime | None = None, practitioner_id=None
) -> Board:
    """Appointments of a local day by practitioner and time, with late/no-show flags and waits."""
    now = now or timezone.now()
    day = day or today(clinic, now)
    tz = ZoneInfo(clinic.time_zone)
    start, end = local_day_bounds(clinic, day)
    qs = sched.appointment_list(
        clinic=clinic, start=start, end=end, practitioner_id=practitioner_id
    ).exclude(status=S.RESCHEDULED)
    columns: dict = {}
    counts = {
        "total": 0,
        "arrived": 0,
        "waiting": 0,
        "late": 0,
        "done": 0,
        "no_show": 0,
        "cancelled": 0,
    }
    for appt in qs:
        row = BoardRow(appointment=appt, local_start=appt.start.astimezone(tz))
        if appt.status in EXPECTED:
            row.late = now > appt.start + LATE_AFTER
            row.no_show_due = now > appt.start + NO_SHOW_AFTER
            counts["late"] += int(row.late)
        if appt.status in WAITING and appt.checked_in_at:
            row.waiting_minutes = max(0, int((now - appt.checked_in_at).total_seconds() // 60))
            counts["waiting"] += 1
        counts["total"] += int(appt.status != S.CANCELLED)
        counts["arrived"] += int(appt.status in (S.CHECKED_IN, S.IN_PROGRESS, S.COMPLETED))
        counts["done"] += int(appt.status == S.COMPLETED)
        counts["no_show"] += int(appt.status == S.NO_SHOW)
        counts["cancelled"] += int(appt.status == S.CANCELLED)
        column = columns.setdefault(
            appt.practitioner_id, BoardColumn(practitioner=appt.practitioner)
        )
        column.rows.append(row)
    ordered = sorted(columns.values(), key=lambda c: c.practitioner.display_name)
    return Board(day=day, columns=ordered, counts=counts)


def patient_by_code(*, clinic, code: str) -> tuple[Patient | None, Appointment | None]:
    """A scanned or typed code: a patient card's barcode, or an appointment's reservation code."""
    code = (code or "").strip()
    if not code or len(code) > 64:
        return None, None
    patient = Patient.objects.filter(clinic=clinic, barcode__iexact=code, is_active=True).first()
    if patient is not None:
        return patient, None
    appt = (
        Appointment.objects.filter(clinic=clinic, reservation_code__iexact=code)
        .select_related("patient", "practitioner__user", "service")
        .first()
    )
    if appt is not None:
        return appt.patient, appt
    return None, None


def todays_appointment(*, clinic, patient, now: dt.datetime | None = None) -> Appointment | None:
    """The patient's visit today that the desk would act on: the open one nearest to now."""
    now = now or timezone.now()
    start, end = local_day_bounds(clinic, today(clinic, now))
    candidates = list(
        sched.appointment_list(clinic=clinic, patient_id=patient.pk, start=start, end=end).filter(
            Q(status__in=EXPECTED) | Q(status__in=(S.CHECKED_IN, S.IN_PROGRESS))
        )
    )
    if not candidates:
        return None
    return min(candidates, key=lambda a: abs((a.start - now).total_seconds()))


@dataclass
class FreeSlot:
    start: dt.datetime
    practitioner: Membership


def next_free_slot(
    *, clinic, service: Service, practitioner_id=None, now: dt.datetime | None = None, days: int = 7
) -> FreeSlot | None:
    """The earliest time from now that fits `service` inside someone's working hours (staff book
    walk-ins without the online notice and window rules)."""
    now = now or timezone.now()
    first = today(clinic, now)
    last = first + dt.timedelta(days=days - 1)
    practitioners = {
        m.pk: m
        for m in sched.practitioners_of(clinic, service=service, practitioner_id=practitioner_id)
    }
    schedules = sched.schedules_for(
        clinic=clinic, practitioner_ids=practitioners, first=first, last=last, now=now
    )
    step = dt.timedelta(minutes=clinic.slot_step_minutes or 15)
    best = None
    for pk, schedule in schedules.items():
        slots = av.cut_slots(
            sched.free_spans(clinic=clinic, schedule=schedule, first=first, last=last),
            duration=service.duration,
            step=step,
            buffer_before=service.buffer_before,
            buffer_after=service.buffer_after,
            earliest=now,
            latest=None,
            service_mode=service.mode,
            practitioner_id=pk,
        )
        if slots and (
            best is None or (slots[0].start, str(pk)) < (best.start, str(best.practitioner.pk))
        ):
            best = FreeSlot(start=slots[0].start, practitioner=practitioners[pk])
    return best
