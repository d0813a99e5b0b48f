"""Recurring series and the waitlist: through services and the API."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from clinicore.clinics.permissions import Role
from clinicore.core.errors import Conflict
from clinicore.core.testing import bearer, make_patient
from clinicore.scheduling import events, services
from clinicore.scheduling.models import Appointment, WaitlistEntry
from clinicore.scheduling.selectors import clinic_tz
from clinicore.scheduling.testing import book, local_start

S = Appointment.Status


# --- Series ---------------------------------------------------------------------------------------


def test_it_books_a_weekly_series_and_lets_each_occurrence_change_alone(setup, api):
    world, clinic, service, doctor = setup
    headers = world.headers("a", Role.RECEPTIONIST)
    r = api.post(
        "/api/v1/appointments/series",
        {
            "patient_id": str(world.other_patient_a.pk),
            "practitioner_id": str(doctor.pk),
            "service_id": str(service.pk),
            "first_start": local_start(clinic).isoformat(),
            "occurrences": 6,
            "interval_days": 7,
            "reason_for_visit": "Knee rehabilitation",
        },
        headers=headers,
    )
    assert r.status_code == 201, r.content
    series = r.json()
    items = series["appointments"]
    assert [a["series_index"] for a in items] == [1, 2, 3, 4, 5, 6]
    tz = clinic_tz(clinic)
    assert len({a["start"][11:16] for a in items}) == 1  # same local time every week
    # Move the 2nd, cancel the 3rd: the others stay as they were.
    moved = api.post(
        f"/api/v1/appointments/{items[1]['id']}/reschedule",
        {"start": (local_start(clinic, 8) + timedelta(hours=2)).isoformat()},
        headers=headers,
    )
    assert moved.status_code == 200, moved.content
    assert api.delete(f"/api/v1/appointments/{items[2]['id']}", headers=headers).status_code == 200
    r = api.put(
        f"/api/v1/appointments/series/{series['id']}",
        {"reason_for_visit": "Knee rehab, phase 2"},
        headers=headers,
    )
    assert r.status_code == 200
    by_index = {}
    for a in r.json()["appointments"]:
        by_index.setdefault(a["series_index"], []).append(a)
    assert [a["status"] for a in by_index[2]] == ["rescheduled", "scheduled"] or sorted(
        a["status"] for a in by_index[2]
    ) == ["rescheduled", "scheduled"]
    assert by_index[3][0]["status"] == "cancelled"
    live = [a for a in r.json()["appointments"] if a["status"] == "scheduled"]
    assert len(live) == 5 and all(a["reason_for_visit"] == "Knee rehab, phase 2" for a in live)
    assert by_index[3][0]["reason_for_visit"] == "Knee rehabilitation"
    r = api.delete(f"/api/v1/appointments/series/{series['id']}?reason=Recovered", headers=headers)
    assert {a["status"] for a in r.json()["appointments"]} == {"cancelled", "rescheduled"}
    del tz


def test_it_books_no_occurrence_when_one_date_clashes(setup):
    world, clinic, service, doctor = setup
    book(clinic, practitioner=doctor, service=service, start=local_start(clinic, 15))
    with pytest.raises(Conflict) as exc:
        services.series_create(
            clinic=clinic,
            actor=None,
            patient=make_patient(clinic),
            practitioner=doctor,
            service=service,
            first_start=local_start(clinic, 1),
            occurrences=4,
            interval_days=7,
        )
    assert exc.value.code == "series_clash"
    assert Appointment.objects.filter(series__isnull=False).count() == 0


# --- Waitlist -------------------------------------------------------------------------------------


def test_it_offers_a_freed_slot_to_the_first_waiting_patient_who_wants_it_earlier(setup, api):
    world, clinic, service, doctor = setup
    early, late = local_start(clinic, 2), local_start(clinic, 9)
    blocking = book(clinic, practitioner=doctor, service=service, start=early)
    asha_late = book(
        clinic, patient=world.patient_a, practitioner=doctor, service=service, start=late
    )
    today = timezone.now().astimezone(clinic_tz(clinic)).date()
    me = bearer(world.patient_user, clinic)
    r = api.post(
        "/api/v1/appointments/waitlist",
        {
            "service_id": str(service.pk),
            "appointment_id": str(asha_late.pk),
            "earliest_date": today.isoformat(),
            "latest_date": (today + timedelta(days=8)).isoformat(),
        },
        headers=me,
    )
    assert r.status_code == 201, r.content
    entry_id = r.json()["id"]
    second = services.waitlist_join(
        clinic=clinic,
        actor=None,
        patient=make_patient(clinic),
        service=service,
        earliest_date=today,
        latest_date=today + timedelta(days=8),
    )
    with mock.patch.object(events, "_publish") as publish:
        offered = services.waitlist_offer_freed_slot(
            clinic=clinic, practitioner=doctor, start=early
        )
        assert offered is None  # the time is still taken
        services.appointment_cancel(appointment=blocking, actor=None)
        offered = services.waitlist_offer_freed_slot(
            clinic=clinic, practitioner=doctor, start=early
        )
    assert str(offered.pk) == entry_id  # first come, first offered
    second.refresh_from_db()
    assert second.status == WaitlistEntry.Status.WAITING
    mine = api.get("/api/v1/appointments/waitlist", headers=me).json()["items"][0]
    assert mine["status"] == "offered" and mine["offered_start"]
    # Nobody else can take the offered time while it is held for Asha.
    with pytest.raises(Conflict):
        book(clinic, practitioner=doctor, service=service, start=early)
    r = api.post(f"/api/v1/appointments/waitlist/{entry_id}/accept", headers=me)
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "scheduled" and r.json()["rescheduled_from_id"] == str(
        asha_late.pk
    )
    asha_late.refresh_from_db()
    assert asha_late.status == S.RESCHEDULED
    del publish


def test_it_sends_a_waitlist_offer_event_after_commit(setup, django_capture_on_commit_callbacks):
    world, clinic, service, doctor = setup
    start = local_start(clinic, 2)
    blocking = book(clinic, practitioner=doctor, service=service, start=start)
    today = timezone.now().date()
    services.waitlist_join(
        clinic=clinic,
        actor=None,
        patient=make_patient(clinic),
        service=service,
        earliest_date=today,
        latest_date=today + timedelta(days=10),
    )
    with mock.patch.object(events, "_publish") as publish:
        with django_capture_on_commit_callbacks(execute=True):
            services.appointment_cancel(appointment=blocking, actor=None)
    names = [c.args[0] for c in publish.call_args_list]
    assert events.CANCELLED in names and events.WAITLIST_OFFERED in names


def test_it_passes_a_lapsed_waitlist_offer_to_the_next_patient(
    setup, django_capture_on_commit_callbacks
):
    world, clinic, service, doctor = setup
    start = local_start(clinic, 2)
    blocking = book(clinic, practitioner=doctor, service=service, start=start)
    today = timezone.now().astimezone(clinic_tz(clinic)).date()
    first = services.waitlist_join(
        clinic=clinic,
        actor=None,
        patient=make_patient(clinic),
        service=service,
        earliest_date=today,
        latest_date=today + timedelta(days=5),
    )
    second = services.waitlist_join(
        clinic=clinic,
        actor=None,
        patient=make_patient(clinic),
        service=service,
        earliest_date=today,
        latest_date=today + timedelta(days=5),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_cancel(appointment=blocking, actor=None)
    first.refresh_from_db()
    assert first.status == WaitlistEntry.Status.OFFERED
    later = first.offered_hold.hold_expires_at + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.holds_expire(now=later) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == WaitlistEntry.Status.WAITING and first.offered_hold is None
    assert second.status == WaitlistEntry.Status.OFFERED
    assert second.offered_hold.start == start
