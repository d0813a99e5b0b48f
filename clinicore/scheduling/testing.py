"""Factories for scheduling tests and the API walkers' registrations (see clinicore.core.testing).

Every factory makes fresh people and times, so the walkers can call them many times in one
world without the objects colliding (no overlap, no per-patient limit reached).
"""

import uuid
from datetime import date, time, timedelta

from django.utils import timezone

from clinicore.clinics.permissions import Role
from clinicore.core.testing import make_member, make_patient, object_factory, request_body
from clinicore.scheduling import availability as av
from clinicore.scheduling import services
from clinicore.scheduling.models import Appointment, Service, WaitlistEntry, WorkingHours
from clinicore.scheduling.selectors import clinic_tz

ALL_WEEK = [(day, time(8), time(20)) for day in range(7)]


def make_service(clinic, *, practitioners=(), **extra) -> Service:
    extra.setdefault("name", f"Consultation {uuid.uuid4().hex[:6]}")
    extra.setdefault("duration_minutes", 30)
    extra.setdefault("currency", clinic.currency)
    extra.setdefault("min_notice_minutes", 0)
    extra.setdefault("booking_window_days", 60)
    service = Service.objects.create(clinic=clinic, **extra)
    service.practitioners.set(practitioners)
    return service


def make_practitioner(clinic, *, services_=(), hours=ALL_WEEK, role=Role.DOCTOR, **extra):
    member = make_member(clinic, role, **extra)
    WorkingHours.objects.bulk_create(
        [
            WorkingHours(clinic=clinic, practitioner=member, weekday=d, start_time=s, end_time=e)
            for d, s, e in hours
        ]
    )
    for service in services_:
        service.practitioners.add(member)
    return member


def walker_service(clinic) -> Service:
    service = Service.objects.filter(clinic=clinic, name="Walker consultation").first()
    return service or make_service(clinic, name="Walker consultation")


def local_start(clinic, days_ahead: int = 1, at: time = time(9)):
    tz = clinic_tz(clinic)
    day = timezone.now().astimezone(tz).date() + timedelta(days=days_ahead)
    return av.local_to_utc(day, at, tz)


def _fresh(clinic):
    service = walker_service(clinic)
    return service, make_practitioner(clinic, services_=[service])


def book(
    clinic, *, patient=None, practitioner=None, service=None, start=None, actor=None
) -> Appointment:
    if service is None or practitioner is None:
        service, practitioner = _fresh(clinic)
    appointment, _ = services.appointment_book(
        clinic=clinic,
        actor=actor,
        patient=patient or make_patient(clinic),
        practitioner=practitioner,
        service=service,
        start=start or local_start(clinic),
    )
    return appointment


# --- Walker registrations -------------------------------------------------------------------------


@object_factory("appointment")
def _appointment(world, clinic):
    return book(clinic)


@object_factory("checked_in_appointment")
def _checked_in(world, clinic):
    return services.appointment_check_in(appointment=book(clinic), actor=None)


@object_factory("hold")
def _hold(world, clinic):
    service, practitioner = _fresh(clinic)
    return services.hold_create(
        clinic=clinic,
        actor=None,
        patient=make_patient(clinic),
        practitioner=practitioner,
        service=service,
        start=local_start(clinic),
    )


@object_factory("series")
def _series(world, clinic):
    service, practitioner = _fresh(clinic)
    return services.series_create(
        clinic=clinic,
        actor=None,
        patient=make_patient(clinic),
        practitioner=practitioner,
        service=service,
        first_start=local_start(clinic),
        occurrences=2,
    )


@object_factory("waitlist_entry")
def _waitlist_entry(world, clinic):
    today = timezone.now().date()
    return services.waitlist_join(
        clinic=clinic,
        actor=None,
        patient=make_patient(clinic),
        service=walker_service(clinic),
        earliest_date=today,
        latest_date=today + timedelta(days=14),
    )


@object_factory("waitlist_offer")
def _waitlist_offer(world, clinic):
    service, practitioner = _fresh(clinic)
    start = local_start(clinic, days_ahead=2)
    appointment = book(clinic, practitioner=practitioner, service=service, start=start)
    entry = services.waitlist_join(
        clinic=clinic,
        actor=None,
        patient=make_patient(clinic),
        service=service,
        practitioner=practitioner,
        earliest_date=date(2000, 1, 1),
        latest_date=date(2100, 1, 1),
    )
    services.appointment_cancel(appointment=appointment, actor=None)
    services.waitlist_offer_freed_slot(clinic=clinic, practitioner=practitioner, start=start)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED
    return entry


@object_factory("service")
def _service(world, clinic):
    return make_service(clinic)


@object_factory("practitioner")
def _practitioner(world, clinic):
    return make_practitioner(clinic)


@object_factory("schedule_override")
def _override(world, clinic):
    return services.override_set(
        clinic=clinic,
        actor=None,
        practitioner=make_practitioner(clinic),
        date=timezone.now().date() + timedelta(days=3),
        ranges=[],
    )[0]


@object_factory("time_off")
def _time_off(world, clinic):
    start = local_start(clinic, days_ahead=5)
    return services.time_off_create(
        clinic=clinic,
        actor=None,
        practitioner=make_practitioner(clinic),
        start=start,
        end=start + timedelta(hours=4),
    )


@object_factory("closure")
def _closure(world, clinic):
    day = timezone.now().date() + timedelta(days=20)
    return services.closure_create(
        clinic=clinic, actor=None, start_date=day, end_date=day, name="Walker holiday"
    )


def _booking_body(clinic, *, days_ahead=1) -> dict:
    service, practitioner = _fresh(clinic)
    return {
        "patient_id": str(make_patient(clinic).pk),
        "practitioner_id": str(practitioner.pk),
        "service_id": str(service.pk),
        "start": local_start(clinic, days_ahead).isoformat(),
        "reason_for_visit": "Check-up",
    }


@request_body("POST /api/v1/appointments")
def _book_body(world, clinic):
    return _booking_body(clinic)


@request_body("POST /api/v1/appointments/holds")
def _hold_body(world, clinic):
    body = _booking_body(clinic)
    body.pop("reason_for_visit")
    return body


@request_body("POST /api/v1/appointments/series")
def _series_body(world, clinic):
    body = _booking_body(clinic)
    body["first_start"] = body.pop("start")
    body.update(occurrences=3, interval_days=7)
    return body


@request_body("PUT /api/v1/appointments/series/{series_id}")
def _series_update_body(world, clinic):
    return {"reason_for_visit": "Knee physiotherapy, week 2 onwards"}


@request_body("POST /api/v1/appointments/waitlist")
def _waitlist_body(world, clinic):
    today = timezone.now().date()
    return {
        "patient_id": str(make_patient(clinic).pk),
        "service_id": str(walker_service(clinic).pk),
        "earliest_date": today.isoformat(),
        "latest_date": (today + timedelta(days=10)).isoformat(),
    }


@request_body("PUT /api/v1/appointments/{appointment_id}")
def _update_body(world, clinic):
    return {"kind": "follow_up", "reason_for_visit": "Review of X-ray"}


@request_body("POST /api/v1/appointments/{appointment_id}/reschedule")
def _reschedule_body(world, clinic):
    # Another practitioner offering the walker service, so the appointment can move to them.
    _service_, practitioner = _fresh(clinic)
    return {
        "start": local_start(clinic, days_ahead=3).isoformat(),
        "practitioner_id": str(practitioner.pk),
    }


@request_body("POST /api/v1/scheduling/services")
def _service_body(world, clinic):
    return {
        "name": f"Physiotherapy {uuid.uuid4().hex[:6]}",
        "duration_minutes": 45,
        "price": "1200.00",
        "buffer_after_minutes": 10,
        "practitioner_ids": [str(make_practitioner(clinic).pk)],
    }


@request_body("PUT /api/v1/scheduling/services/{service_id}")
def _service_update_body(world, clinic):
    return {"duration_minutes": 40, "price": "900.00"}


@request_body("PUT /api/v1/scheduling/practitioners/{practitioner_id}/working-hours")
def _hours_body(world, clinic):
    return {
        "ranges": [{"weekday": d, "start_time": "09:00", "end_time": "13:00"} for d in range(5)]
        + [
            {"weekday": d, "start_time": "14:00", "end_time": "18:00", "mode": "video"}
            for d in range(5)
        ]
    }


@request_body("POST /api/v1/scheduling/overrides")
def _override_body(world, clinic):
    return {
        "practitioner_id": str(make_practitioner(clinic).pk),
        "date": (timezone.now().date() + timedelta(days=4)).isoformat(),
        "ranges": [{"start_time": "10:00", "end_time": "12:00"}],
        "note": "Short day",
    }


@request_body("POST /api/v1/scheduling/time-off")
def _time_off_body(world, clinic):
    start = local_start(clinic, days_ahead=6)
    return {
        "practitioner_id": str(make_practitioner(clinic).pk),
        "start": start.isoformat(),
        "end": (start + timedelta(hours=3)).isoformat(),
        "reason": "Conference",
    }


@request_body("POST /api/v1/scheduling/closures")
def _closure_body(world, clinic):
    day = timezone.now().date() + timedelta(days=25)
    return {
        "start_date": day.isoformat(),
        "end_date": (day + timedelta(days=1)).isoformat(),
        "name": "Festival",
    }


@request_body("PUT /api/v1/scheduling/rules")
def _rules_body(world, clinic):
    return {"max_open_per_patient": 4, "hold_minutes": 10, "waitlist_offer_minutes": 60}
