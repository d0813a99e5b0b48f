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

The arithmetic runs on whole seconds since 1970 UTC (`Free`, busy pairs of ints): a two-week
calendar of twenty practitioners is thousands of ranges, and integers are several times cheaper
than aware datetimes. Busy ranges are rounded outwards and free ranges inwards, so rounding can
only ever offer less, never a slot that overlaps. Datetimes come back only for the slots offered.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
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


class Free(NamedTuple):
    """A free span in epoch seconds; `anchor` is the start of its working range."""

    start: int
    end: int
    mode: str = EITHER
    branch_id: object = None
    anchor: int = 0


Busy = tuple[int, int]  # epoch seconds, half-open

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


def seconds_floor(moment: datetime) -> int:
    return (moment - EPOCH) // _SECOND


def seconds_ceil(moment: datetime) -> int:
    return -((EPOCH - moment) // _SECOND)


def busy_seconds(start: datetime, end: datetime) -> Busy:
    """A busy range in whole seconds, rounded outwards."""
    return seconds_floor(start), seconds_ceil(end)


def seconds_of(length: timedelta) -> int:
    return length // _SECOND


def utc_at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _as_free(spans: Iterable[Span]) -> list[Free]:
    return [
        Free(
            seconds_ceil(sp.start),
            seconds_floor(sp.end),
            sp.mode,
            sp.branch_id,
            seconds_ceil(sp.anchor or sp.start),
        )
        for sp in spans
    ]


def as_span(free: Free) -> Span:
    return Span(
        utc_at(free.start), utc_at(free.end), free.mode, free.branch_id, utc_at(free.anchor)
    )


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


@lru_cache(maxsize=8192)
def _local_seconds(day: date, wall: time, tz: ZoneInfo) -> int:
    return seconds_floor(local_to_utc(day, wall, tz))


def working_free(
    *,
    tz: ZoneInfo,
    first: date,
    last: date,
    weekly: Sequence[WeeklyRange],
    overrides: Sequence[DateRange] = (),
) -> Sequence[Free]:
    """Working ranges for each local date from `first` to `last` inclusive, in epoch seconds.
    Practitioners of one clinic often share their hours: equal rules are computed once."""
    return _working_free(tz, first, last, tuple(weekly), tuple(overrides))


@lru_cache(maxsize=512)
def _working_free(
    tz: ZoneInfo,
    first: date,
    last: date,
    weekly: tuple[WeeklyRange, ...],
    overrides: tuple[DateRange, ...],
) -> tuple[Free, ...]:
    by_weekday: dict[int, list[WeeklyRange]] = {}
    for rule in weekly:
        by_weekday.setdefault(rule.weekday, []).append(rule)
    by_date: dict[date, list[DateRange]] = {}
    for override in overrides:
        by_date.setdefault(override.date, []).append(override)
    out: list[Free] = []
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
            s, e = _local_seconds(day, start, tz), _local_seconds(day, end, tz)
            if s < e:
                out.append(Free(s, e, mode, branch_id, s))
    out.sort(key=lambda f: f.start)
    return tuple(out)


def working_spans(
    *,
    tz: ZoneInfo,
    first: date,
    last: date,
    weekly: Sequence[WeeklyRange],
    overrides: Sequence[DateRange] = (),
) -> list[Span]:
    """Concrete UTC spans for each local date from `first` to `last` inclusive."""
    return [
        as_span(f)
        for f in working_free(tz=tz, first=first, last=last, weekly=weekly, overrides=overrides)
    ]


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


def merge(ranges: Iterable[tuple]) -> list[tuple]:
    """Overlapping or touching ranges joined, sorted; works on datetimes and on seconds."""
    merged: list = []
    for start, end in sorted([r for r in ranges if r[0] < r[1]]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _gaps(working: Sequence[Free], blocks: list[Busy]) -> Iterator[tuple[int, int, Free]]:
    """(start, end, working range) of each part of `working` not covered by merged `blocks`."""
    starts = [b[0] for b in blocks]
    count = len(blocks)
    for span in working:
        cursor, span_end = span[0], span[1]
        # The first block that could overlap: the one before the first starting at/after start.
        i = bisect.bisect_left(starts, cursor) - 1
        if i < 0:
            i = 0
        while i < count:
            b_start, b_end = blocks[i]
            if b_start >= span_end:
                break
            if b_end > cursor:
                if b_start > cursor:
                    yield cursor, b_start, span
                cursor = b_end
                if cursor >= span_end:
                    break
            i += 1
        if cursor < span_end:
            yield cursor, span_end, span


def subtract_free(free: Sequence[Free], busy: Iterable[Busy]) -> list[Free]:
    """The parts of `free` not covered by any busy range (half-open, epoch seconds)."""
    return [
        Free(start, end, span.mode, span.branch_id, span.anchor)
        for start, end, span in _gaps(free, merge(busy))
    ]


def subtract(spans: Sequence[Span], busy: Iterable[tuple[datetime, datetime]]) -> list[Span]:
    """The parts of `spans` not covered by any busy range (half-open ranges)."""
    free = subtract_free(_as_free(spans), [busy_seconds(s, e) for s, e in busy])
    return [as_span(f) for f in free]


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


def open_starts(
    working: Sequence[Free],
    busy: Iterable[Busy] = (),
    *,
    duration: int,
    step: int,
    buffer_before: int = 0,
    buffer_after: int = 0,
    earliest: int | None = None,
    latest: int | None = None,
    service_mode: str = EITHER,
    mode: str | None = None,
    practitioner_id=None,
) -> list[tuple[int, object, str, object]]:
    """(start, practitioner id, mode, branch id) of every slot whose visit plus buffers fits in
    `working` minus `busy`, on its working range's step grid, not before `earliest` (minimum
    notice) and not after `latest` (booking window). Epoch seconds and lengths in seconds; in
    the order of `working`. This is the hot loop of availability: no object per free span."""
    out: list[tuple[int, object, str, object]] = []
    if duration <= 0 or step <= 0:
        return out
    tail = duration + buffer_after
    for start, end, span in _gaps(working, merge(busy)):
        slot_mode = combine_modes(service_mode, span.mode, mode)
        if slot_mode is None:
            continue
        lowest = start + buffer_before
        if earliest is not None and earliest > lowest:
            lowest = earliest
        anchor = span.anchor
        first = anchor if lowest <= anchor else anchor - ((anchor - lowest) // step) * step
        last = end - tail
        if latest is not None and latest < last:
            last = latest
        if first <= last:
            out.extend(
                zip(
                    range(first, last + 1, step),
                    repeat(practitioner_id),
                    repeat(slot_mode),
                    repeat(span.branch_id),
                )
            )
    return out


def slots_of(
    starts: Sequence[tuple[int, object, str, object]],
    *,
    duration: int,
    buffer_before: int,
    buffer_after: int,
) -> list[Slot]:
    """Slots from `open_starts` items. Many slots share instants (practitioners on one grid),
    so each datetime is built once; `tuple.__new__` skips the named tuple's Python-level
    constructor, which costs more than the rest of the loop."""
    tail = duration + buffer_after
    begins = [item[0] for item in starts]
    instants = set(begins)
    instants.update(
        [s - buffer_before for s in instants],
        [s + duration for s in instants],
        [s + tail for s in instants],
    )
    at = {s: utc_at(s) for s in instants}.__getitem__
    columns = zip(
        map(at, begins),
        map(at, [s + duration for s in begins]),
        map(itemgetter(1), starts),
        map(itemgetter(2), starts),
        map(itemgetter(3), starts),
        map(at, [s - buffer_before for s in begins]),
        map(at, [s + tail for s in begins]),
        strict=True,
    )
    return list(map(tuple.__new__, repeat(Slot), columns))


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
    lengths = dict(
        duration=seconds_of(duration),
        buffer_before=seconds_of(buffer_before),
        buffer_after=seconds_of(buffer_after),
    )
    starts = open_starts(
        _as_free(free),
        step=seconds_of(step),
        earliest=None if earliest is None else seconds_ceil(earliest),
        latest=None if latest is None else seconds_floor(latest),
        service_mode=service_mode,
        mode=mode,
        practitioner_id=practitioner_id,
        **lengths,
    )
    starts.sort(key=itemgetter(0))
    return slots_of(starts, **lengths)


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
