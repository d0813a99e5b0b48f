"""The booking calendar: two weeks of free times (or day periods) read from scheduling's availability."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from clinicore.portal.templatetags import localfmt
from clinicore.scheduling import availability as av
from clinicore.scheduling import selectors as scheduling

DAYS = 14
SLOT_FORMAT = "%Y%m%dT%H%MZ"


def slot_key(start: datetime) -> str:
    return start.astimezone(UTC).strftime(SLOT_FORMAT)


def slot_parse(value: str) -> datetime | None:
    try:
        return datetime.strptime(value or "", SLOT_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


@dataclass
class Day:
    date: date
    slots: list = field(default_factory=list)  # (start, practitioner, key, label, aria label)
    periods: list = field(default_factory=list)  # (period, capacity)


@dataclass
class Calendar:
    first: date
    last: date
    days: list[Day]
    previous_first: date | None
    next_first: date | None

    @property
    def open_index(self) -> int:
        """The first day with something free starts unfolded; the others fold on small screens."""
        for i, d in enumerate(self.days):
            if d.slots or any(c for _p, c in d.periods):
                return i
        return 0

    @property
    def has_any(self) -> bool:
        return any(d.slots or any(c for _p, c in d.periods) for d in self.days)


def clinic_today(clinic, now: datetime) -> date:
    return now.astimezone(scheduling.clinic_tz(clinic)).date()


def _slots(
    *, clinic, service, first, last, now, practitioner_id, mode, exclude_appointment_id=None
):
    if exclude_appointment_id is None:
        slots, _ = scheduling.available_slots(
            clinic=clinic,
            service=service,
            first=first,
            last=last,
            now=now,
            practitioner_id=practitioner_id,
            mode=mode,
        )
        return slots
    # Rescheduling: the visit being moved does not block its own new time.
    practitioners = list(
        scheduling.practitioners_of(clinic, service=service, practitioner_id=practitioner_id)
    )
    schedules = scheduling.schedules_for(
        clinic=clinic,
        practitioner_ids=[p.pk for p in practitioners],
        first=first,
        last=last,
        now=now,
        exclude_appointment_id=exclude_appointment_id,
    )
    earliest, latest = scheduling.notice_window(service, now)
    step = timedelta(minutes=clinic.slot_step_minutes or 15)
    out = []
    for pk, schedule in schedules.items():
        out.extend(
            av.cut_slots(
                scheduling.free_spans(clinic=clinic, schedule=schedule, first=first, last=last),
                duration=service.duration,
                step=step,
                buffer_before=service.buffer_before,
                buffer_after=service.buffer_after,
                earliest=earliest,
                latest=latest,
                service_mode=service.mode,
                mode=mode,
                practitioner_id=pk,
            )
        )
    out.sort(key=lambda s: (s.start, str(s.practitioner_id)))
    return out


def two_weeks(
    *,
    clinic,
    service,
    practitioner_id,
    mode: str | None,
    first: date,
    now: datetime,
    periods: bool = False,
    exclude_appointment_id=None,
) -> Calendar:
    today = clinic_today(clinic, now)
    first = max(first, today)
    last_bookable = today + timedelta(days=service.booking_window_days)
    first = min(first, last_bookable)
    last = first + timedelta(days=DAYS - 1)
    slots = _slots(
        clinic=clinic,
        service=service,
        first=first,
        last=last,
        now=now,
        practitioner_id=practitioner_id,
        mode=mode,
        exclude_appointment_id=exclude_appointment_id,
    )
    tz = scheduling.clinic_tz(clinic)
    days = {first + timedelta(days=i): Day(first + timedelta(days=i)) for i in range(DAYS)}
    if periods:
        capacity = av.period_capacity(slots, tz)
        for day in days.values():
            day.periods = [
                (name, capacity.get((day.date, name), 0))
                for name in ("morning", "afternoon", "evening")
            ]
    else:
        seen = set()
        # Formatting dates for the locale is slow; a wall time reads the same on every day.
        time_labels: dict = {}
        day_labels: dict = {}
        for slot in slots:
            local = slot.start.astimezone(tz)
            local_day = local.date()
            if local_day in days and slot.start not in seen:
                # "First available": one button per time; the first practitioner free then.
                seen.add(slot.start)
                wall = (local.time(), local.utcoffset())
                if wall not in time_labels:
                    time_labels[wall] = localfmt.clinic_time(slot.start, clinic)
                if local_day not in day_labels:
                    day_labels[local_day] = localfmt.clinic_date(slot.start, clinic)
                label = time_labels[wall]
                days[local_day].slots.append(
                    (
                        slot.start,
                        slot.practitioner_id,
                        slot_key(slot.start),
                        label,
                        f"{day_labels[local_day]}, {label}",
                    )
                )
    previous_first = first - timedelta(days=DAYS) if first > today else None
    if previous_first is not None and previous_first < today:
        previous_first = today
    next_first = last + timedelta(days=1) if last < last_bookable else None
    return Calendar(first, last, list(days.values()), previous_first, next_first)


def nearest_free(
    *, clinic, service, practitioner_id, mode, wanted: datetime, now: datetime, count: int = 6
) -> list:
    """The free times closest to the one just lost, any practitioner if none was chosen."""
    today = clinic_today(clinic, now)
    wanted_day = wanted.astimezone(scheduling.clinic_tz(clinic)).date()
    first = max(today, wanted_day - timedelta(days=3))
    slots = _slots(
        clinic=clinic,
        service=service,
        first=first,
        last=first + timedelta(days=DAYS - 1),
        now=now,
        practitioner_id=practitioner_id,
        mode=mode,
    )
    unique = {}
    for slot in slots:
        unique.setdefault(slot.start, slot.practitioner_id)
    ranked = sorted(unique.items(), key=lambda item: abs((item[0] - wanted).total_seconds()))
    return [(start, who, slot_key(start)) for start, who in sorted(ranked[:count])]
