"""Booking through the API: availability, booking, idempotency, roles, patients, changes."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from clinicore.clinics.permissions import Role
from clinicore.core.testing import bearer
from clinicore.scheduling.models import Appointment
from clinicore.scheduling.testing import local_start, make_practitioner, make_service


@pytest.fixture
def setup(world):
    clinic = world.clinic_a
    service = make_service(
        clinic, name="Consultation", duration_minutes=30, buffer_after_minutes=10
    )
    doctor = make_practitioner(clinic, services_=[service])
    return world, clinic, service, doctor


def _body(world, service, doctor, start, **extra):
    return {
        "patient_id": str(world.other_patient_a.pk),
        "practitioner_id": str(doctor.pk),
        "service_id": str(service.pk),
        "start": start.isoformat(),
        **extra,
    }


def test_it_offers_slots_publicly_and_books_one(setup, api):
    world, clinic, service, doctor = setup
    day = timezone.now().astimezone(ZoneInfo(clinic.time_zone)).date() + timedelta(days=1)
    r = api.get(
        "/api/v1/appointments/availability",
        clinic=clinic.slug,
        service_id=str(service.pk),
        start_date=day.isoformat(),
        end_date=day.isoformat(),
    )
    assert r.status_code == 200, r.content
    slots = r.json()["slots"]
    assert slots and slots[0]["start"].endswith("+05:30")
    assert slots[0]["practitioner_id"] == str(doctor.pk)
    assert {p["period"] for p in r.json()["periods"]} == {"morning", "afternoon", "evening"}
    first = slots[0]
    headers = world.headers("a", Role.RECEPTIONIST)
    r = api.post(
        "/api/v1/appointments",
        _body(world, service, doctor, datetime.fromisoformat(first["start"])),
        headers=headers,
    )
    assert r.status_code == 201, r.content
    code = r.json()["reservation_code"]
    assert code.startswith("R-") and len(code) == 8
    r = api.get(
        "/api/v1/appointments/availability",
        clinic=clinic.slug,
        service_id=str(service.pk),
        start_date=day.isoformat(),
        end_date=day.isoformat(),
    )
    starts = [s["start"] for s in r.json()["slots"]]
    assert first["start"] not in starts


def test_it_answers_409_problem_for_a_taken_slot(setup, api):
    world, clinic, service, doctor = setup
    start = local_start(clinic)
    headers = world.headers("a", Role.RECEPTIONIST)
    assert (
        api.post(
            "/api/v1/appointments", _body(world, service, doctor, start), headers=headers
        ).status_code
        == 201
    )
    body = _body(world, service, doctor, start + timedelta(minutes=15))
    body["patient_id"] = str(world.patient_a.pk)
    r = api.post("/api/v1/appointments", body, headers=headers)
    assert r.status_code == 409
    assert r["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == "slot_unavailable"


def test_it_returns_the_same_appointment_for_a_repeated_idempotency_key(setup, api):
    world, clinic, service, doctor = setup
    headers = {**world.headers("a", Role.RECEPTIONIST), "Idempotency-Key": "abc-123"}
    body = _body(world, service, doctor, local_start(clinic))
    first = api.post("/api/v1/appointments", body, headers=headers)
    again = api.post("/api/v1/appointments", body, headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    other = api.post(
        "/api/v1/appointments",
        {**body, "start": local_start(clinic, 2).isoformat()},
        headers=headers,
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Appointment.objects.filter(clinic=clinic).count() == 1


def test_it_lets_a_patient_book_and_see_only_their_own(setup, api):
    world, clinic, service, doctor = setup
    staff = world.headers("a", Role.RECEPTIONIST)
    api.post(
        "/api/v1/appointments", _body(world, service, doctor, local_start(clinic, 2)), headers=staff
    )
    me = bearer(world.patient_user, clinic)
    r = api.post(
        "/api/v1/appointments",
        _body(world, service, doctor, local_start(clinic), symptoms="Cough"),
        headers=me,
    )
    assert r.status_code == 201, r.content
    assert r.json()["patient_id"] == str(world.patient_a.pk)  # their own record, whatever was sent
    assert r.json()["created_by"] == "patient"
    mine = api.get("/api/v1/appointments", headers=me).json()
    assert mine["count"] == 1 and mine["items"][0]["symptoms"] == "Cough"
    other_id = Appointment.objects.exclude(patient=world.patient_a).get().pk
    assert api.get(f"/api/v1/appointments/{other_id}", headers=me).status_code == 404
    # A receptionist cannot read clinical fields; a doctor can.
    own_id = r.json()["id"]
    assert api.get(f"/api/v1/appointments/{own_id}", headers=staff).json()["symptoms"] is None
    assert (
        api.get(f"/api/v1/appointments/{own_id}", headers=world.headers("a", Role.DOCTOR)).json()[
            "symptoms"
        ]
        == "Cough"
    )


def test_it_refuses_patients_a_time_off_the_slot_grid_or_inside_notice(setup, api):
    world, clinic, service, doctor = setup
    service.min_notice_minutes = 48 * 60
    service.save()
    me = bearer(world.patient_user, clinic)
    r = api.post(
        "/api/v1/appointments", _body(world, service, doctor, local_start(clinic)), headers=me
    )
    assert r.status_code == 409 and r.json()["code"] == "notice_too_short"
    r = api.post(
        "/api/v1/appointments",
        _body(world, service, doctor, local_start(clinic, 3) + timedelta(minutes=7)),
        headers=me,
    )
    assert r.status_code == 422 and r.json()["code"] == "not_a_slot"
    # Staff may book inside the notice period (a walk-in).
    staff = world.headers("a", Role.RECEPTIONIST)
    assert (
        api.post(
            "/api/v1/appointments",
            _body(world, service, doctor, local_start(clinic)),
            headers=staff,
        ).status_code
        == 201
    )


def test_it_enforces_the_cancellation_cutoff_for_patients_but_not_staff(setup, api):
    world, clinic, service, doctor = setup
    start = local_start(clinic, 2)
    r = api.post(
        "/api/v1/appointments",
        _body(world, service, doctor, start, patient_id=str(world.patient_a.pk)),
        headers=world.headers("a", Role.RECEPTIONIST),
    )
    appt_id = r.json()["id"]
    with time_machine.travel(start - timedelta(hours=23), tick=False):
        me = bearer(world.patient_user, clinic)
        r = api.delete(f"/api/v1/appointments/{appt_id}?reason=busy", headers=me)
        assert r.status_code == 409 and r.json()["code"] == "cancellation_cutoff_passed"
        assert "24 hours" in r.json()["detail"]
        r = api.delete(
            f"/api/v1/appointments/{appt_id}?reason=Patient%20called",
            headers=world.headers("a", Role.RECEPTIONIST),
        )
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["cancellation_reason"] == "Patient called"


def test_it_lets_a_patient_cancel_before_the_cutoff(setup, api):
    world, clinic, service, doctor = setup
    r = api.post(
        "/api/v1/appointments",
        _body(world, service, doctor, local_start(clinic, 3)),
        headers=bearer(world.patient_user, clinic),
    )
    r = api.delete(
        f"/api/v1/appointments/{r.json()['id']}", headers=bearer(world.patient_user, clinic)
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


def test_it_lists_appointments_in_a_constant_number_of_queries(setup, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clinicore.scheduling.testing import book

    world, clinic, service, doctor = setup
    headers = world.headers("a", Role.DOCTOR)
    book(clinic, practitioner=doctor, service=service, start=local_start(clinic, 1))
    with CaptureQueriesContext(connection) as one:
        assert api.get("/api/v1/appointments", headers=headers).json()["count"] == 1
    for days in range(2, 7):
        book(clinic, practitioner=doctor, service=service, start=local_start(clinic, days))
    with CaptureQueriesContext(connection) as six:
        assert api.get("/api/v1/appointments", headers=headers).json()["count"] == 6
    assert len(six) == len(one)
    with CaptureQueriesContext(connection) as cal:
        assert (
            len(api.get("/api/v1/appointments/calendar", headers=headers).json()["appointments"])
            == 6
        )
    assert len(cal) <= len(one) + 2
