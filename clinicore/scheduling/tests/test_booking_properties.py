"""Every offered slot can be booked, and booking removes exactly what it should: property tests
through the database with a frozen clock, in four time zones across DST changes."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinicore.core.errors import Conflict
from clinicore.core.testing import make_clinic, make_patient
from clinicore.scheduling import selectors, services
from clinicore.scheduling.models import Appointment, WorkingHours
from clinicore.scheduling.testing import make_practitioner, make_service

ZONES = {
    "America/New_York": date(2026, 3, 5),
    "Europe/London": date(2026, 3, 26),
    "Australia/Sydney": date(2026, 4, 2),
    "Asia/Kolkata": date(2026, 3, 5),
}


@st.composite
def plan(draw):
    zone = draw(st.sampled_from(sorted(ZONES)))
    hours = {}
    for weekday in range(7):
        a = draw(st.integers(7, 12))
        b = draw(st.integers(a + 2, 20))
        hours[weekday] = (a, b)
    return {
        "zone": zone,
        "hours": hours,
        "duration": draw(st.sampled_from([20, 30, 45])),
        "before": draw(st.sampled_from([0, 5, 10])),
        "after": draw(st.sampled_from([0, 10, 15])),
        "notice": draw(st.sampled_from([0, 60, 24 * 60])),
        "step": draw(st.sampled_from([10, 15, 30])),
        "now_offset_hours": draw(st.integers(0, 72)),
        "picks": draw(st.lists(st.integers(0, 10_000), min_size=1, max_size=4)),
        "time_off_day": draw(st.integers(0, 8)),
        "closure_day": draw(st.one_of(st.none(), st.integers(0, 8))),
    }


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(p=plan())
def test_it_books_every_offered_slot_and_then_stops_offering_what_overlaps(p, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    first = ZONES[p["zone"]]
    with transaction.atomic():
        clinic = make_clinic(time_zone=p["zone"], slot_step_minutes=p["step"])
        service = make_service(
            clinic,
            duration_minutes=p["duration"],
            buffer_before_minutes=p["before"],
            buffer_after_minutes=p["after"],
            min_notice_minutes=p["notice"],
            booking_window_days=10,
        )
        doctor = make_practitioner(clinic, services_=[service], hours=[])
        WorkingHours.objects.bulk_create(
            [
                WorkingHours(
                    clinic=clinic,
                    practitioner=doctor,
                    weekday=d,
                    start_time=time(a),
                    end_time=time(b),
                )
                for d, (a, b) in p["hours"].items()
            ]
        )
        tz = selectors.clinic_tz(clinic)
        now = datetime.combine(first, time(6), tz).astimezone(UTC) + timedelta(
            hours=p["now_offset_hours"]
        )
        off_day = first + timedelta(days=p["time_off_day"])
        services.time_off_create(
            clinic=clinic,
            actor=None,
            practitioner=doctor,
            start=datetime.combine(off_day, time(11), tz),
            end=datetime.combine(off_day, time(13), tz),
        )
        if p["closure_day"] is not None:
            day = first + timedelta(days=p["closure_day"])
            services.closure_create(
                clinic=clinic, actor=None, start_date=day, end_date=day, name="Holiday"
            )
        last = first + timedelta(days=9)
        with time_machine.travel(now, tick=False):
            slots, _ = selectors.available_slots(
                clinic=clinic, service=service, first=first, last=last, now=now
            )
            booked = []
            for pick in p["picks"]:
                if not slots:
                    break
                slot = slots[pick % len(slots)]
                appointment, created = services.appointment_book(
                    clinic=clinic,
                    actor=None,
                    patient=make_patient(clinic),
                    practitioner=doctor,
                    service=service,
                    start=slot.start,
                    as_patient=True,
                    now=now,
                )
                assert created and appointment.start == slot.start
                booked.append(appointment)
                slots, _ = selectors.available_slots(
                    clinic=clinic, service=service, first=first, last=last, now=now
                )
                for other in slots:
                    for a in booked:
                        assert not (
                            other.occupied_start < a.occupied_end
                            and a.occupied_start < other.occupied_end
                        )
            # Booking the exact time of a booked visit again is refused with a clear conflict.
            if booked:
                with pytest.raises(Conflict) as exc:
                    services.appointment_book(
                        clinic=clinic,
                        actor=None,
                        patient=make_patient(clinic),
                        practitioner=doctor,
                        service=service,
                        start=booked[0].start,
                        as_patient=True,
                        now=now,
                    )
                assert exc.value.code == "slot_unavailable"
            for slot in slots:
                local = slot.start.astimezone(tz)
                a, b = p["hours"][local.weekday()]
                assert time(a) <= (slot.occupied_start.astimezone(tz)).time()
                assert slot.occupied_end.astimezone(tz).time() <= time(
                    b
                ) or slot.occupied_end.astimezone(tz).time() == time(0)
                assert slot.start >= now + timedelta(minutes=p["notice"])
        assert Appointment.objects.filter(clinic=clinic).count() == len(booked)
        transaction.set_rollback(True)
