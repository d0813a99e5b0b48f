"""The last guards and the live board: PostgreSQL's exclusion constraints refuse overlapping rows
written past the booking service, and check-in, start and check-out reach open boards."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from channels.layers import get_channel_layer
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from clinicore.clinics.permissions import Role
from clinicore.core.live import live_group
from clinicore.core.testing import make_patient
from clinicore.scheduling.models import Appointment
from clinicore.scheduling.testing import book, make_practitioner, make_service

S = Appointment.Status


@pytest.fixture
def setup(world):
    clinic = world.clinic_a
    service = make_service(clinic, name="Consultation", duration_minutes=30)
    doctor = make_practitioner(clinic, services_=[service])
    return world, clinic, service, doctor


def _copy(appointment: Appointment, **changes) -> Appointment:
    """A second row written straight to the table, bypassing the booking service's checks."""
    fields = {
        f.attname: getattr(appointment, f.attname)
        for f in Appointment._meta.concrete_fields
        if f.attname not in ("id", "reservation_code")
    }
    fields.update(changes)
    return Appointment(reservation_code="R-" + str(abs(hash(str(changes))))[:6], **fields)


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="exclusion constraints exist on PostgreSQL only"
)


@postgres_only
@pytest.mark.parametrize(
    "status", [S.SCHEDULED, S.CONFIRMED, S.CHECKED_IN, S.HELD, S.REQUESTED, S.COMPLETED]
)
def test_it_refuses_an_overlapping_row_of_one_practitioner_in_the_database(setup, status):
    world, clinic, service, doctor = setup
    first = book(clinic, practitioner=doctor, service=service)
    later = first.occupied_start + timedelta(minutes=10)
    overlapping = _copy(
        first,
        patient_id=make_patient(clinic).pk,
        status=status,
        start=later,
        end=later + timedelta(minutes=30),
        occupied_start=later,
        occupied_end=later + timedelta(minutes=30),
        hold_expires_at=timezone.now() + timedelta(minutes=5) if status == S.HELD else None,
    )
    with pytest.raises(IntegrityError, match="appointment_practitioner_no_overlap"):
        with transaction.atomic():
            overlapping.save(force_insert=True)


@postgres_only
def test_it_refuses_one_patient_at_two_practitioners_at_once_in_the_database(setup):
    world, clinic, service, doctor = setup
    first = book(clinic, practitioner=doctor, service=service)
    other = make_practitioner(clinic, services_=[service])
    twin = _copy(first, practitioner_id=other.pk)
    with pytest.raises(IntegrityError, match="appointment_patient_no_overlap"):
        with transaction.atomic():
            twin.save(force_insert=True)


@postgres_only
def test_it_lets_finished_rows_overlap_and_the_time_be_booked_again(setup):
    world, clinic, service, doctor = setup
    first = book(clinic, practitioner=doctor, service=service)
    for status in (S.CANCELLED, S.NO_SHOW, S.RESCHEDULED, S.RELEASED, S.EXPIRED):
        with transaction.atomic():
            _copy(first, patient_id=make_patient(clinic).pk, status=status).save(force_insert=True)
    assert Appointment.objects.filter(practitioner=doctor).count() == 6


def _in_fresh_loop(coroutine_fn):
    """Runs a channel-layer coroutine in its own thread and loop, whatever loop this thread has."""

    def call(*args):
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, coroutine_fn(*args)).result(timeout=10)

    return call


@pytest.mark.django_db(transaction=True)
def test_check_in_start_and_check_out_through_the_api_reach_open_boards_after_commit(setup, api):
    world, clinic, service, doctor = setup
    appointment = book(clinic, practitioner=doctor, service=service)
    layer = get_channel_layer()
    channel = _in_fresh_loop(layer.new_channel)()
    _in_fresh_loop(layer.group_add)(live_group("board", str(clinic.pk)), channel)
    headers = world.headers("a", Role.RECEPTIONIST)
    seen = []
    for step in ("check-in", "start", "check-out"):
        r = api.post(f"/api/v1/appointments/{appointment.pk}/{step}", headers=headers)
        assert r.status_code == 200, r.content
        seen.append(_in_fresh_loop(layer.receive)(channel)["payload"])
    assert [p["event"] for p in seen] == [
        "appointment.checked_in",
        "appointment.in_progress",
        "appointment.completed",
    ]
    assert {p["appointment_id"] for p in seen} == {str(appointment.pk)}
    assert all(set(p) == {"event", "appointment_id"} for p in seen)  # ids and states only


@pytest.mark.parametrize(
    ("start_extra", "end_extra"),
    [
        (timedelta(0), timedelta(0)),
        (timedelta(microseconds=1), timedelta(microseconds=1)),
        (timedelta(seconds=59, microseconds=999999), timedelta(seconds=59, microseconds=999999)),
    ],
)
def test_busy_ranges_are_read_in_whole_seconds_rounded_outwards(setup, start_extra, end_extra):
    """Availability reads busy time as epoch seconds: a fraction of a second may only make a
    range longer, never shorter, on either database."""
    from datetime import UTC, datetime

    from clinicore.scheduling.models import TimeOff
    from clinicore.scheduling.selectors import busy_seconds

    world, clinic, service, doctor = setup
    start = datetime(2026, 12, 1, 4, 30, tzinfo=UTC) + start_extra
    end = datetime(2026, 12, 1, 6, 0, tzinfo=UTC) + end_extra
    TimeOff.objects.create(clinic=clinic, practitioner=doctor, start=start, end=end)
    busy = busy_seconds(
        clinic=clinic,
        practitioner_ids=[doctor.pk],
        start=datetime(2026, 12, 1, tzinfo=UTC),
        end=datetime(2026, 12, 2, tzinfo=UTC),
        now=datetime(2026, 11, 1, tzinfo=UTC),
    )
    ((low, high),) = busy[doctor.pk]
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert low == (start - epoch) // timedelta(seconds=1)
    assert high == -((epoch - end) // timedelta(seconds=1))
    assert type(low) is int and type(high) is int
