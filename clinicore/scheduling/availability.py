"""Availability as interval arithmetic: pure functions, no database, no clock.

Weekly rules (local wall times in the clinic's time zone) become concrete UTC spans for each
local date; a date with overrides uses only its overrides; busy ranges (appointments and holds
with their buffers, time off, closures) are subtracted; what is left is cut into slots of the
service's length at the clinic's slot step, keeping minimum notice and the booking window.

Local times that do not exist or exist twice (daylight-saving changes) are resolved on purpose:

* a wall time in a spring-forward gap resolves to the instant the clocks jump (the first wall
  time after the gap), so a range 01:00–02:30 on a New York spring-forward day ends at 03:00 EDT;
* a wall time that happens twice (fall back) resolves to its first occurrence (fold=0), so a
  range 00:00–03:00 on a fall-back day lasts four real hours.

Slot starts step from the start of the working range they belong to, in real minutes, so a
slot always lasts exactly the service's duration, across any offset change.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

IN_PERSON = "in_person"
VIDEO = "video"
EITHER = "either"
_MODES = {IN_PERSON: {IN_PERSON}, VIDEO: {VIDEO}, EITHER: {IN_PERSON, VIDEO}}

# Time periods for "book a morning, the clinic picks the time": by the slot's local start.
PERIODS = (
    ("morning", time(0), time(12)),
    ("afternoon", time(12), time(17)),
    ("evening", time(17), None),
)


@dataclass(frozen=True)
class WeeklyRange:
    weekday: int  # 0 = Monday
    start: time
    end: time
    mode: str = EITHER
    branch_id: object = None


@dataclass(frozen=True)
class DateRange:
    """An override for one local date; `start`/`end` None means the day is off."""

    date: date
    start: time | None
    end: time | None
    mode: str = EITHER
    branch_id: object = None


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime
    mode: str = EITHER
    branch_id: object = None
    # Start of the working range this span came from: slot starts step from here.
    anchor: datetime | None = None


class Slot(NamedTuple):
    """An offered visit: `occupied_*` add the service's buffers (what must stay free)."""

    start: datetime
    end: datetime
    practitioner_id: object = None
    mode: str = EITHER
    branch_id: object = None
    occupied_start: datetime | None = None
    occupied_end: datetime | None = None


def slot_order(slot: Slot):
    return (slot.start, slot.end)


def local_to_utc(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time, resolving DST gaps and folds as the module says."""
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first  # exists (if it exists twice, this is the first occurrence)
    # In a gap: fold=0 and fold=1 land on either side of the jump; find the jump to the second.
    other = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    lo, hi = min(first, other), max(first, other)
    after = hi.astimezone(tz).utcoffset()
    for _ in range(40):  # bounded binary search; 40 halvings of under a day reach one second
        if hi - lo <= timedelta(seconds=1):
            break
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0)


def _dates(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def working_spans(
    *,
    tz: ZoneInfo,
    first: date,
    last: date,
    weekly: Sequence[WeeklyRange],
    overrides: Sequence[DateRange] = (),
) -> list[Span]:
    """Concrete UTC spans for each local date from `first` to `last` inclusive."""
    by_weekday: dict[int, list[WeeklyRange]] = {}
    for rule in weekly:
        by_weekday.setdefault(rule.weekday, []).append(rule)
    by_date: dict[date, list[DateRange]] = {}
    for override in overrides:
        by_date.setdefault(override.date, []).append(override)
    spans: list[Span] = []
    for day in _dates(first, last):
        if day in by_date:
            ranges = [
                (o.start, o.end, o.mode, o.branch_id) for o in by_date[day] if o.start and o.end
            ]
        else:
            ranges = [
                (r.start, r.end, r.mode, r.branch_id) for r in by_weekday.get(day.weekday(), ())
            ]
        for start, end, mode, branch_id in ranges:
            if start >= end:
                continue
            s, e = local_to_utc(day, start, tz), local_to_utc(day, end, tz)
            if s < e:
                spans.append(Span(s, e, mode, branch_id, anchor=s))
    spans.sort(key=lambda sp: sp.start)
    return spans


def closure_ranges(
    *, tz: ZoneInfo, closures: Iterable[tuple[date, date]]
) -> list[tuple[datetime, datetime]]:
    """Whole local days (start date to end date inclusive) as UTC ranges."""
    out = []
    for start_date, end_date in closures:
        out.append(
            (
                local_to_utc(start_date, time(0), tz),
                local_to_utc(end_date + timedelta(days=1), time(0), tz),
            )
        )
    return out


def merge(ranges: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(r for r in ranges if r[0] < r[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(spans: Sequence[Span], busy: Iterable[tuple[datetime, datetime]]) -> list[Span]:
    """The parts of `spans` not covered by any busy range (half-open ranges)."""
    blocks = merge(busy)
    starts = [b[0] for b in blocks]
    out: list[Span] = []
    for span in spans:
        cursor = span.start
        # The first block that could overlap: the one before the first starting at/after span.start.
        i = max(bisect.bisect_left(starts, span.start) - 1, 0)
        while i < len(blocks) and blocks[i][0] < span.end:
            b_start, b_end = blocks[i]
            if b_end > cursor:
                if b_start > cursor:
                    out.append(
                        Span(cursor, min(b_start, span.end), span.mode, span.branch_id, span.anchor)
                    )
                cursor = max(cursor, b_end)
                if cursor >= span.end:
                    break
            i += 1
        if cursor < span.end:
            out.append(Span(cursor, span.end, span.mode, span.branch_id, span.anchor))
    return out


@lru_cache(maxsize=64)
def combine_modes(*modes: str | None) -> str | None:
    """The mode a slot can be held in given the service, the working range and the request."""
    allowed = {IN_PERSON, VIDEO}
    for mode in modes:
        if mode:
            allowed &= _MODES.get(mode, set())
    if not allowed:
        return None
    return EITHER if len(allowed) == 2 else next(iter(allowed))


def cut_slots(
    free: Sequence[Span],
    *,
    duration: timedelta,
    step: timedelta,
    buffer_before: timedelta = timedelta(0),
    buffer_after: timedelta = timedelta(0),
    earliest: datetime | None = None,
    latest: datetime | None = None,
    service_mode: str = EITHER,
    mode: str | None = None,
    practitioner_id=None,
) -> list[Slot]:
    """Slots whose visit plus buffers fit inside a free span; starts on the span's step grid,
    not before `earliest` (minimum notice) and not after `latest` (booking window)."""
    if duration <= timedelta(0) or step <= timedelta(0):
        return []
    slots: list[Slot] = []
    for span in free:
        slot_mode = combine_modes(service_mode, span.mode, mode)
        if slot_mode is None:
            continue
        anchor = span.anchor or span.start
        lowest = span.start + buffer_before
        if earliest is not None and earliest > lowest:
            lowest = earliest
        steps = -((anchor - lowest) // step)  # ceil((lowest - anchor) / step)
        first = anchor + max(steps, 0) * step
        last = span.end - duration - buffer_after
        if latest is not None and latest < last:
            last = latest
        if first > last:
            continue
        branch_id = span.branch_id
        for k in range((last - first) // step + 1):
            start = first + k * step
            end = start + duration
            slots.append(
                Slot(
                    start,
                    end,
                    practitioner_id,
                    slot_mode,
                    branch_id,
                    start - buffer_before,
                    end + buffer_after,
                )
            )
    slots.sort(key=slot_order)
    return slots


def fits(free: Sequence[Span], occupied_start: datetime, occupied_end: datetime) -> Span | None:
    """The free span that holds a whole occupied range, if any."""
    for span in free:
        if span.start <= occupied_start and occupied_end <= span.end:
            return span
    return None


def period_of(local: datetime) -> str:
    t = local.time()
    for name, start, end in PERIODS:
        if start <= t and (end is None or t < end):
            return name
    return PERIODS[-1][0]


def period_capacity(slots: Iterable[Slot], tz: ZoneInfo) -> dict[tuple[date, str], int]:
    """How many visits still fit in each (local date, period): per practitioner, slots are
    packed greedily so counted visits never overlap (buffers included)."""
    capacity: dict[tuple[date, str], int] = {}
    by_practitioner: dict[object, list[Slot]] = {}
    for slot in slots:
        by_practitioner.setdefault(slot.practitioner_id, []).append(slot)
    for items in by_practitioner.values():
        last_end: datetime | None = None
        for slot in sorted(items, key=slot_order):
            if last_end is not None and slot.occupied_start < last_end:
                continue
            local = slot.start.astimezone(tz)
            key = (local.date(), period_of(local))
            capacity[key] = capacity.get(key, 0) + 1
            last_end = slot.occupied_end
    return capacity
