"""Booking through the API: availability, booking, idempotency, roles, patients, changes."""

from datetime import date, datetime, timedelta
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


def _availability(api, clinic, service, first, last=None, **filters):
    return api.get(
        "/api/v1/appointments/availability",
        clinic=clinic.slug,
        service_id=str(service.pk),
        start_date=first.isoformat(),
        end_date=(last or first).isoformat(),
        **filters,
    )


def test_it_filters_availability_by_practitioner_and_mode_and_caps_the_range(setup, api):
    world, clinic, service, doctor = setup
    from datetime import time

    from clinicore.scheduling.models import WorkingHours

    service.mode = "either"
    service.save(update_fields=["mode"])
    # A second doctor who sees patients by video only, in the evening.
    video_doctor = make_practitioner(clinic, services_=[service], hours=[])
    WorkingHours.objects.bulk_create(
        [
            WorkingHours(
                clinic=clinic,
                practitioner=video_doctor,
                weekday=d,
                start_time=time(18),
                end_time=time(20),
                mode="video",
            )
            for d in range(7)
        ]
    )
    day = timezone.now().astimezone(ZoneInfo(clinic.time_zone)).date() + timedelta(days=1)
    everyone = _availability(api, clinic, service, day).json()["slots"]
    assert {s["practitioner_id"] for s in everyone} == {str(doctor.pk), str(video_doctor.pk)}
    only_video_doctor = _availability(api, clinic, service, day, doctor_id=str(video_doctor.pk))
    assert {s["practitioner_id"] for s in only_video_doctor.json()["slots"]} == {
        str(video_doctor.pk)
    }
    video = _availability(api, clinic, service, day, mode="video").json()["slots"]
    assert video and {s["mode"] for s in video} == {"video"}
    # The first doctor's hours take either mode; the evening doctor's only video.
    assert {s["practitioner_id"] for s in video} == {str(doctor.pk), str(video_doctor.pk)}
    in_person = _availability(api, clinic, service, day, mode="in_person").json()["slots"]
    assert {s["practitioner_id"] for s in in_person} == {str(doctor.pk)}

    default = api.get(
        "/api/v1/appointments/availability", clinic=clinic.slug, service_id=str(service.pk)
    ).json()
    first, last = date.fromisoformat(default["start_date"]), date.fromisoformat(default["end_date"])
    assert (last - first).days == 13  # two weeks by default
    assert _availability(api, clinic, service, day, day + timedelta(days=30)).status_code == 200
    too_long = _availability(api, clinic, service, day, day + timedelta(days=31))
    assert too_long.status_code == 422
    assert "31 days" in too_long.json()["detail"]
    backwards = _availability(api, clinic, service, day, day - timedelta(days=1))
    assert backwards.status_code == 422


def test_a_patient_books_a_morning_and_the_clinic_confirms_the_time(setup, api):
    world, clinic, service, doctor = setup
    day = timezone.now().astimezone(ZoneInfo(clinic.time_zone)).date() + timedelta(days=2)
    patient = bearer(world.patient_user, clinic)
    r = api.post(
        "/api/v1/appointments",
        {
            "service_id": str(service.pk),
            "booking_mode": "time_period",
            "period": "morning",
            "date": day.isoformat(),
        },
        headers=patient,
    )
    assert r.status_code == 201, r.content
    booked = r.json()
    assert booked["status"] == "requested" and booked["period"] == "morning"
    local = datetime.fromisoformat(booked["start"]).astimezone(ZoneInfo(clinic.time_zone))
    assert local.date() == day and local.hour < 12
    confirmed = api.post(
        f"/api/v1/appointments/{booked['id']}/confirm",
        headers=world.headers("a", Role.RECEPTIONIST),
    )
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["start"] == booked["start"]
    # A missing period is a clear 422, not a guess.
    r = api.post(
        "/api/v1/appointments",
        {"service_id": str(service.pk), "booking_mode": "time_period", "date": day.isoformat()},
        headers=patient,
    )
    assert r.status_code == 422 and "period" in r.json()["fields"]


def test_it_updates_details_and_keeps_clinical_fields_to_clinical_roles(setup, api):
    world, clinic, service, doctor = setup
    appointment = Appointment.objects.get(
        pk=api.post(
            "/api/v1/appointments",
            _body(world, service, doctor, local_start(clinic)),
            headers=world.headers("a", Role.RECEPTIONIST),
        ).json()["id"]
    )
    url = f"/api/v1/appointments/{appointment.pk}"
    desk = world.headers("a", Role.RECEPTIONIST)
    r = api.put(url, {"reason_for_visit": "Knee pain", "kind": "follow_up"}, headers=desk)
    assert r.status_code == 200, r.content
    assert r.json()["reason_for_visit"] == "Knee pain" and r.json()["kind"] == "follow_up"
    refused = api.put(url, {"notes": "Suspected ligament tear"}, headers=desk)
    assert refused.status_code == 403
    doctor_headers = world.headers("a", Role.DOCTOR)
    r = api.put(url, {"notes": "Suspected ligament tear"}, headers=doctor_headers)
    assert r.status_code == 200 and r.json()["notes"] == "Suspected ligament tear"
    assert api.get(url, headers=desk).json()["notes"] is None  # the desk never sees them
    bad = api.put(url, {"kind": "surgery"}, headers=desk)
    assert bad.status_code == 422
    appointment.refresh_from_db()
    assert appointment.kind == "follow_up" and appointment.notes == "Suspected ligament tear"
    api.delete(url, headers=desk)
    closed = api.put(url, {"reason_for_visit": "Later"}, headers=desk)
    assert closed.status_code == 409 and closed.json()["code"] == "invalid_transition"


def _room(clinic, name="Room 1"):
    from clinicore.clinics.models import Branch, Room

    branch, _ = Branch.objects.get_or_create(clinic=clinic, name="Main")
    return Room.objects.create(clinic=clinic, branch=branch, name=name)


def test_staff_put_a_visit_in_a_room_that_holds_one_visit_at_a_time(setup, api):
    world, clinic, service, doctor = setup
    desk = world.headers("a", Role.RECEPTIONIST)
    room, other_room = _room(clinic), _room(clinic, "Room 2")
    start = local_start(clinic)
    r = api.post(
        "/api/v1/appointments",
        _body(world, service, doctor, start, room_id=str(room.pk)),
        headers=desk,
    )
    assert r.status_code == 201, r.content
    assert r.json()["room_id"] == str(room.pk)
    # Another doctor at the same time cannot use the same room, but can use another.
    colleague = make_practitioner(clinic, services_=[service])
    body = _body(world, service, colleague, start, room_id=str(room.pk))
    body["patient_id"] = str(world.patient_a.pk)
    taken = api.post("/api/v1/appointments", body, headers=desk)
    assert taken.status_code == 409 and taken.json()["code"] == "room_taken"
    body["room_id"] = str(other_room.pk)
    second = api.post("/api/v1/appointments", body, headers=desk)
    assert second.status_code == 201, second.content
    # Moving the second visit into the first room is refused too; the room stays as it was.
    url = f"/api/v1/appointments/{second.json()['id']}"
    moved = api.put(url, {"room_id": str(room.pk)}, headers=desk)
    assert moved.status_code == 409 and moved.json()["code"] == "room_taken"
    assert api.get(url, headers=desk).json()["room_id"] == str(other_room.pk)
    # Another clinic's room is not a choice.
    foreign = _room(world.clinic_b, "Their room")
    wrong = api.put(url, {"room_id": str(foreign.pk)}, headers=desk)
    assert wrong.status_code == 422 and "room_id" in wrong.json()["fields"]
    # Once the first visit is cancelled, its room is free.
    api.delete(f"/api/v1/appointments/{r.json()['id']}", headers=desk)
    assert api.put(url, {"room_id": str(room.pk)}, headers=desk).json()["room_id"] == str(room.pk)
