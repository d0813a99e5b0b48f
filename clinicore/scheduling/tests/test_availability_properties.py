"""Availability as pure interval arithmetic, checked against a brute-force oracle.

The oracle walks every candidate start minute by minute in local wall time; it shares no code
with the implementation beyond the standard library. Schedules are generated across the DST
changes of New York, London and Sydney, and in Kolkata (half-hour offset).
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinicore.scheduling import availability as av

ZONES = ["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata"]
# Two-week windows around each zone's DST changes in 2026 (Kolkata has none; any date will do).
DST_STARTS = {
    "America/New_York": [date(2026, 3, 2), date(2026, 10, 26)],
    "Europe/London": [date(2026, 3, 23), date(2026, 10, 19)],
    "Australia/Sydney": [date(2026, 3, 30), date(2026, 9, 28)],
    "Asia/Kolkata": [date(2026, 3, 2), date(2026, 11, 2)],
}


@st.composite
def scenario(draw):
    zone = draw(st.sampled_from(ZONES))
    tz = ZoneInfo(zone)
    first = draw(st.sampled_from(DST_STARTS[zone])) + timedelta(days=draw(st.integers(0, 6)))
    days = draw(st.integers(1, 10))
    last = first + timedelta(days=days - 1)
    weekly = []
    for weekday in range(7):
        # Whole-hour ranges from 06:00 to 22:00: away from the 00:00–03:00 DST transitions, so
        # the oracle can compare wall times; the UTC offset still changes across the dates.
        hours = sorted(draw(st.lists(st.integers(6, 22), min_size=0, max_size=4, unique=True)))
        for a, b in zip(hours[::2], hours[1::2], strict=False):
            weekly.append(av.WeeklyRange(weekday, time(a), time(b)))
    overrides = []
    for _ in range(draw(st.integers(0, 2))):
        day = first + timedelta(days=draw(st.integers(0, days - 1)))
        if draw(st.booleans()):
            overrides.append(av.DateRange(day, None, None))
        else:
            a = draw(st.integers(6, 20))
            overrides.append(av.DateRange(day, time(a), time(a + draw(st.integers(1, 2)))))
    # Keep overrides consistent: a day off and ranges on the same date mean ranges only.
    start_utc = datetime.combine(first, time(0), tz).astimezone(UTC)
    span_minutes = days * 24 * 60
    busy = []
    for _ in range(draw(st.integers(0, 12))):
        offset = draw(st.integers(0, span_minutes)) // 5 * 5
        length = draw(st.integers(1, 36)) * 5
        busy.append(
            (start_utc + timedelta(minutes=offset), start_utc + timedelta(minutes=offset + length))
        )
    closures = []
    if draw(st.booleans()):
        day = first + timedelta(days=draw(st.integers(0, days - 1)))
        closures.append((day, day))
    duration = timedelta(minutes=draw(st.sampled_from([15, 20, 30, 45, 60])))
    step = timedelta(minutes=draw(st.sampled_from([5, 10, 15, 30])))
    before = timedelta(minutes=draw(st.sampled_from([0, 0, 5, 10])))
    after = timedelta(minutes=draw(st.sampled_from([0, 0, 5, 15])))
    now = start_utc + timedelta(minutes=draw(st.integers(-600, span_minutes)))
    notice = timedelta(minutes=draw(st.sampled_from([0, 30, 120, 24 * 60])))
    window = timedelta(days=draw(st.integers(1, 12)))
    return dict(
        tz=tz,
        first=first,
        last=last,
        weekly=weekly,
        overrides=overrides,
        busy=busy,
        closures=closures,
        duration=duration,
        step=step,
        before=before,
        after=after,
        now=now,
        notice=notice,
        window=window,
    )


def compute(s):
    spans = av.working_spans(
        tz=s["tz"], first=s["first"], last=s["last"], weekly=s["weekly"], overrides=s["overrides"]
    )
    busy = s["busy"] + av.closure_ranges(tz=s["tz"], closures=s["closures"])
    free = av.subtract(spans, busy)
    return av.cut_slots(
        free,
        duration=s["duration"],
        step=s["step"],
        buffer_before=s["before"],
        buffer_after=s["after"],
        earliest=s["now"] + s["notice"],
        latest=s["now"] + s["window"],
    )


def _local_ranges(s, day: date):
    day_overrides = [o for o in s["overrides"] if o.date == day]
    if day_overrides:
        return [(o.start, o.end) for o in day_overrides if o.start]
    return [(r.start, r.end) for r in s["weekly"] if r.weekday == day.weekday()]


def _working_at(s, instant: datetime) -> bool:
    local = instant.astimezone(s["tz"])
    return any(a <= local.time() < b for a, b in _local_ranges(s, local.date()))


def _closed_at(s, instant: datetime) -> bool:
    local_day = instant.astimezone(s["tz"]).date()
    return any(a <= local_day <= b for a, b in s["closures"])


def _busy_at(s, instant: datetime) -> bool:
    return any(a <= instant < b for a, b in s["busy"]) or _closed_at(s, instant)


def oracle(s):
    """Every start on a working range's step grid whose visit + buffers is, minute by minute,
    working time and not busy, within notice and window."""
    tz = s["tz"]
    out = []
    day = s["first"]
    earliest, latest = s["now"] + s["notice"], s["now"] + s["window"]
    while day <= s["last"]:
        for a, b in _local_ranges(s, day):
            anchor = datetime.combine(day, a, tz).astimezone(UTC)
            end = datetime.combine(day, b, tz).astimezone(UTC)
            start = anchor
            while start < end:
                occ_start, occ_end = start - s["before"], start + s["duration"] + s["after"]
                minute = occ_start
                ok = earliest <= start <= latest
                while ok and minute < occ_end:
                    if (
                        minute < anchor
                        or minute >= end
                        or not _working_at(s, minute)
                        or _busy_at(s, minute)
                    ):
                        ok = False
                    minute += timedelta(minutes=1)
                if ok:
                    out.append((start, start + s["duration"]))
                start += s["step"]
        day += timedelta(days=1)
    return sorted(out)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_it_offers_exactly_the_slots_the_oracle_finds(s):
    got = [(slot.start, slot.end) for slot in compute(s)]
    assert got == oracle(s)


@settings(max_examples=200, deadline=None)
@given(scenario())
def test_it_never_offers_a_slot_over_busy_time_and_keeps_notice_and_window(s):
    closures = av.closure_ranges(tz=s["tz"], closures=s["closures"])
    for slot in compute(s):
        assert slot.end - slot.start == s["duration"]  # real minutes, across any offset change
        assert slot.start >= s["now"] + s["notice"]
        assert slot.start <= s["now"] + s["window"]
        for a, b in s["busy"] + closures:
            assert not (slot.occupied_start < b and a < slot.occupied_end), (slot, (a, b))


def test_it_ends_a_range_that_ends_in_the_spring_forward_gap_when_the_clocks_jump():
    ny = ZoneInfo("America/New_York")
    spans = av.working_spans(
        tz=ny,
        first=date(2026, 3, 8),
        last=date(2026, 3, 8),
        weekly=[av.WeeklyRange(6, time(1), time(2, 30))],
    )
    assert len(spans) == 1
    assert spans[0].start == datetime(2026, 3, 8, 6, 0, tzinfo=UTC)  # 01:00 EST
    assert spans[0].end == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT, the jump
    slots = av.cut_slots(spans, duration=timedelta(minutes=30), step=timedelta(minutes=30))
    assert [s.start.astimezone(ny).strftime("%H:%M") for s in slots] == ["01:00", "01:30"]


def test_it_lasts_four_real_hours_from_midnight_to_three_on_the_fall_back_night():
    ny = ZoneInfo("America/New_York")
    spans = av.working_spans(
        tz=ny,
        first=date(2026, 11, 1),
        last=date(2026, 11, 1),
        weekly=[av.WeeklyRange(6, time(0), time(3))],
    )
    assert spans[0].end - spans[0].start == timedelta(hours=4)
    slots = av.cut_slots(spans, duration=timedelta(hours=1), step=timedelta(hours=1))
    assert len(slots) == 4
    # 01:00 happens twice; the two visits at 01:00 EDT and 01:00 EST are both offered.
    assert [s.start.astimezone(ny).strftime("%H:%M %Z") for s in slots] == [
        "00:00 EDT",
        "01:00 EDT",
        "01:00 EST",
        "02:00 EST",
    ]


def test_it_keeps_the_wall_clock_of_weekly_hours_across_a_london_change():
    london = ZoneInfo("Europe/London")
    rules = [av.WeeklyRange(d, time(9), time(10)) for d in range(7)]
    spans = av.working_spans(
        tz=london, first=date(2026, 3, 28), last=date(2026, 3, 30), weekly=rules
    )
    assert [s.start.astimezone(london).strftime("%H:%M") for s in spans] == [
        "09:00",
        "09:00",
        "09:00",
    ]
    assert [s.start.hour for s in spans] == [9, 8, 8]  # in UTC: GMT then BST


def test_it_cuts_slots_on_the_half_hour_offset_grid_in_kolkata():
    kolkata = ZoneInfo("Asia/Kolkata")
    spans = av.working_spans(
        tz=kolkata,
        first=date(2026, 6, 1),
        last=date(2026, 6, 1),
        weekly=[av.WeeklyRange(0, time(9), time(10))],
    )
    slots = av.cut_slots(spans, duration=timedelta(minutes=20), step=timedelta(minutes=20))
    assert [s.start.astimezone(kolkata).strftime("%H:%M") for s in slots] == [
        "09:00",
        "09:20",
        "09:40",
    ]
    assert slots[0].start == datetime(2026, 6, 1, 3, 30, tzinfo=UTC)


def test_it_replaces_a_day_with_its_override_and_honours_a_day_off():
    tz = ZoneInfo("Asia/Kolkata")
    weekly = [av.WeeklyRange(d, time(9), time(17)) for d in range(7)]
    overrides = [
        av.DateRange(date(2026, 6, 1), time(14), time(15)),
        av.DateRange(date(2026, 6, 2), None, None),
    ]
    spans = av.working_spans(
        tz=tz, first=date(2026, 6, 1), last=date(2026, 6, 3), weekly=weekly, overrides=overrides
    )
    local = [
        (s.start.astimezone(tz).strftime("%d %H:%M"), s.end.astimezone(tz).strftime("%H:%M"))
        for s in spans
    ]
    assert local == [("01 14:00", "15:00"), ("03 09:00", "17:00")]


def test_it_counts_remaining_visits_per_period_without_overlap():
    tz = ZoneInfo("Asia/Kolkata")
    spans = av.working_spans(
        tz=tz,
        first=date(2026, 6, 1),
        last=date(2026, 6, 1),
        weekly=[av.WeeklyRange(0, time(9), time(13)), av.WeeklyRange(0, time(14), time(15))],
    )
    slots = av.cut_slots(
        spans, duration=timedelta(minutes=60), step=timedelta(minutes=15), practitioner_id="p"
    )
    capacity = av.period_capacity(slots, tz)
    assert capacity == {(date(2026, 6, 1), "morning"): 3, (date(2026, 6, 1), "afternoon"): 2}
