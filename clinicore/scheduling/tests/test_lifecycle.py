"""Status machine, holds, patient rules, calendars, management and messages: through services and the API."""

from datetime import time, timedelta
from unittest import mock

import pytest
import time_machine
from django.utils import timezone
from icalendar import Calendar

from clinicore.clinics.permissions import Role
from clinicore.core.errors import Conflict
from clinicore.core.testing import bearer, make_patient
from clinicore.scheduling import events, services
from clinicore.scheduling.models import Appointment, BookingRules
from clinicore.scheduling.selectors import available_slots, clinic_tz
from clinicore.scheduling.testing import book, local_start, make_practitioner, make_service

S = Appointment.Status


# --- Status machine -------------------------------------------------------------------------------


def _reschedule(*, appointment, actor):
    """Moves the visit a day later; answers the old row, which is what changes status."""
    services.appointment_reschedule(
        appointment=appointment, actor=actor, start=appointment.start + timedelta(days=1)
    )
    appointment.refresh_from_db()
    return appointment


ALL_ACTIONS = {
    "reschedule": _reschedule,
    "confirm": services.appointment_confirm,
    "check_in": services.appointment_check_in,
    "start": services.appointment_start,
    "check_out": services.appointment_check_out,
    "no_show": services.appointment_no_show,
    "cancel": services.appointment_cancel,
}
TARGET = {
    "reschedule": S.RESCHEDULED,
    "confirm": S.CONFIRMED,
    "check_in": S.CHECKED_IN,
    "start": S.IN_PROGRESS,
    "check_out": S.COMPLETED,
    "no_show": S.NO_SHOW,
    "cancel": S.CANCELLED,
}
# How to bring a fresh (scheduled) appointment to each status.
PATHS = {
    S.REQUESTED: [],  # booked by time period: the clinic picks the time
    S.SCHEDULED: [],
    S.CONFIRMED: ["confirm"],
    S.CHECKED_IN: ["check_in"],
    S.IN_PROGRESS: ["check_in", "start"],
    S.COMPLETED: ["check_in", "check_out"],
    S.NO_SHOW: ["no_show"],
    S.CANCELLED: ["cancel"],
    S.RESCHEDULED: ["reschedule"],
}


def _fresh(clinic, doctor, service, status) -> Appointment:
    if status != S.REQUESTED:
        return book(clinic, practitioner=doctor, service=service)
    appointment, _ = services.appointment_book(
        clinic=clinic,
        actor=None,
        patient=make_patient(clinic),
        practitioner=doctor,
        service=service,
        booking_mode=Appointment.BookingMode.TIME_PERIOD,
        period="morning",
        date=local_start(clinic).astimezone(clinic_tz(clinic)).date(),
    )
    return appointment


@pytest.mark.parametrize("status", list(PATHS))
@pytest.mark.parametrize("action", list(ALL_ACTIONS))
def test_it_allows_exactly_the_transitions_of_the_status_machine(setup, status, action):
    world, clinic, service, doctor = setup
    appointment = _fresh(clinic, doctor, service, status)
    for step in PATHS[status]:
        appointment = ALL_ACTIONS[step](appointment=appointment, actor=None)
    assert appointment.status == status
    allowed = TARGET[action] in services.TRANSITIONS.get(status, ())
    if allowed:
        result = ALL_ACTIONS[action](appointment=appointment, actor=None)
        assert result.status == TARGET[action]
    else:
        with pytest.raises(Conflict) as exc:
            ALL_ACTIONS[action](appointment=appointment, actor=None)
        assert exc.value.code == "invalid_transition"
        assert (
            status.replace("_", " ").replace("checked in", "checked in")
            in exc.value.message.lower().replace("-", " ")
            or Appointment.Status(status).label.lower() in exc.value.message.lower()
        )
        appointment.refresh_from_db()
        assert appointment.status == status


def test_it_walks_a_visit_through_the_api_and_answers_409_naming_the_status(setup, api):
    world, clinic, service, doctor = setup
    appointment = book(clinic, practitioner=doctor, service=service)
    headers = world.headers("a", Role.RECEPTIONIST)
    base = f"/api/v1/appointments/{appointment.pk}"
    for step, status in (
        ("confirm", "confirmed"),
        ("check-in", "checked_in"),
        ("start", "in_progress"),
        ("check-out", "completed"),
    ):
        r = api.post(f"{base}/{step}", headers=headers)
        assert r.status_code == 200, r.content
        assert r.json()["status"] == status
    body = api.post(f"{base}/no-show", headers=headers)
    assert body.status_code == 409
    assert body.json()["code"] == "invalid_transition"
    assert "completed" in body.json()["detail"]
    stamps = api.get(base, headers=headers).json()
    assert stamps["checked_in_at"] and stamps["started_at"] and stamps["checked_out_at"]


def test_it_frees_the_slot_when_cancelled_and_tells_the_rest_of_the_product(setup):
    world, clinic, service, doctor = setup
    start = local_start(clinic)
    appointment = book(clinic, practitioner=doctor, service=service, start=start)
    with mock.patch.object(events, "_publish") as publish:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr("django.db.transaction.on_commit", lambda fn, *a, **k: fn())
            services.appointment_cancel(
                appointment=appointment, actor=None, reason="Feeling better"
            )
    assert publish.call_args_list[0].args[0] == events.CANCELLED
    again = book(clinic, practitioner=doctor, service=service, start=start)
    assert again.status == S.SCHEDULED


def test_it_reschedules_to_a_new_row_and_keeps_history(setup, api):
    world, clinic, service, doctor = setup
    old = book(clinic, practitioner=doctor, service=service, start=local_start(clinic))
    r = api.post(
        f"/api/v1/appointments/{old.pk}/reschedule",
        {"start": local_start(clinic, 2).isoformat()},
        headers=world.headers("a", Role.RECEPTIONIST),
    )
    assert r.status_code == 200, r.content
    new = r.json()
    assert new["rescheduled_from_id"] == str(old.pk)
    assert new["reservation_code"] != old.reservation_code
    old.refresh_from_db()
    assert old.status == S.RESCHEDULED
    # The old time is free again, the new one is not.
    assert (
        book(clinic, practitioner=doctor, service=service, start=local_start(clinic)).status
        == S.SCHEDULED
    )
    with pytest.raises(Conflict):
        book(clinic, practitioner=doctor, service=service, start=local_start(clinic, 2))


# --- Patient rules --------------------------------------------------------------------------------


def test_it_refuses_a_patient_two_overlapping_visits_with_different_practitioners(setup):
    world, clinic, service, doctor = setup
    other_doctor = make_practitioner(clinic, services_=[service])
    patient = make_patient(clinic)
    start = local_start(clinic)
    book(clinic, patient=patient, practitioner=doctor, service=service, start=start)
    with pytest.raises(Conflict) as exc:
        book(
            clinic,
            patient=patient,
            practitioner=other_doctor,
            service=service,
            start=start + timedelta(minutes=15),
        )
    assert exc.value.code == "patient_overlap"


def test_it_refuses_one_person_overlapping_visits_at_two_clinics(setup):
    world, clinic, service, doctor = setup
    other = world.clinic_b
    other_service = make_service(other, duration_minutes=30)
    other_doctor = make_practitioner(
        other, services_=[other_service], hours=[(d, time(0), time(23, 59)) for d in range(7)]
    )
    me_at_b = make_patient(other, user=world.patient_user)
    start = local_start(clinic)
    book(clinic, patient=world.patient_a, practitioner=doctor, service=service, start=start)
    with pytest.raises(Conflict) as exc:
        book(other, patient=me_at_b, practitioner=other_doctor, service=other_service, start=start)
    assert exc.value.code == "patient_overlap"


def test_it_limits_open_appointments_per_patient(setup):
    world, clinic, service, doctor = setup
    BookingRules.objects.create(clinic=clinic, max_open_per_patient=2)
    patient = make_patient(clinic)
    book(
        clinic, patient=patient, practitioner=doctor, service=service, start=local_start(clinic, 1)
    )
    book(
        clinic, patient=patient, practitioner=doctor, service=service, start=local_start(clinic, 2)
    )
    with pytest.raises(Conflict) as exc:
        book(
            clinic,
            patient=patient,
            practitioner=doctor,
            service=service,
            start=local_start(clinic, 3),
        )
    assert exc.value.code == "patient_limit_reached"
    assert "at most 2" in exc.value.message


def test_it_refuses_booking_outside_working_hours_even_for_staff(setup):
    world, clinic, service, doctor = setup
    with pytest.raises(Conflict) as exc:
        book(clinic, practitioner=doctor, service=service, start=local_start(clinic, 1, time(6)))
    assert exc.value.code == "outside_working_hours"


def test_it_subtracts_time_off_and_clinic_closures(setup):
    world, clinic, service, doctor = setup
    now = timezone.now()
    day = now.astimezone(clinic_tz(clinic)).date() + timedelta(days=2)
    start = local_start(clinic, 2, time(10))
    services.time_off_create(
        clinic=clinic, actor=None, practitioner=doctor, start=start, end=start + timedelta(hours=2)
    )
    slots, _ = available_slots(clinic=clinic, service=service, first=day, last=day, now=now)
    assert slots and all(
        not (s.occupied_start < start + timedelta(hours=2) and start < s.occupied_end)
        for s in slots
    )
    services.closure_create(clinic=clinic, actor=None, start_date=day, end_date=day, name="Holi")
    slots, _ = available_slots(clinic=clinic, service=service, first=day, last=day, now=now)
    assert slots == []


# --- Holds ----------------------------------------------------------------------------------------


def test_it_holds_a_slot_until_it_expires_and_then_frees_it_by_itself(setup):
    world, clinic, service, doctor = setup
    start = local_start(clinic)
    now = timezone.now()
    hold = services.hold_create(
        clinic=clinic,
        actor=None,
        patient=make_patient(clinic),
        practitioner=doctor,
        service=service,
        start=start,
        minutes=10,
        now=now,
    )
    assert hold.status == S.HELD and hold.reservation_code.startswith("R-")
    day = start.astimezone(clinic_tz(clinic)).date()

    def offered(at):
        return {
            s.start
            for s in available_slots(clinic=clinic, service=service, first=day, last=day, now=at)[0]
        }

    assert start not in offered(now)
    with pytest.raises(Conflict):
        book(clinic, practitioner=doctor, service=service, start=start)
    later = now + timedelta(minutes=11)
    assert start in offered(later)  # no task needed: an expired hold simply stops counting
    with time_machine.travel(later, tick=False):
        taken = book(clinic, practitioner=doctor, service=service, start=start)
    hold.refresh_from_db()
    assert hold.status == S.EXPIRED
    assert taken.status == S.SCHEDULED
    with pytest.raises(Conflict) as exc:
        services.hold_convert_to_appointment(clinic=clinic, actor=None, hold=hold, now=later)
    assert exc.value.code == "hold_not_live"


def test_it_converts_a_live_hold_in_place_and_ignores_a_repeat(setup):
    world, clinic, service, doctor = setup
    hold = services.hold_create(
        clinic=clinic,
        actor=None,
        patient=make_patient(clinic),
        practitioner=doctor,
        service=service,
        start=local_start(clinic),
        hold_ref="pay_123",
    )
    appointment = services.hold_convert_to_appointment(
        clinic=clinic, actor=None, hold=hold, status=S.CONFIRMED, reason_for_visit="Back pain"
    )
    assert appointment.pk == hold.pk and appointment.status == S.CONFIRMED
    assert appointment.reservation_code == hold.reservation_code
    again = services.hold_convert_to_appointment(clinic=clinic, actor=None, hold=hold)
    assert again.status == S.CONFIRMED


def test_it_releases_a_hold_and_the_periodic_task_expires_the_lapsed(setup):
    world, clinic, service, doctor = setup
    now = timezone.now()
    a = services.hold_create(
        clinic=clinic,
        actor=None,
        patient=make_patient(clinic),
        practitioner=doctor,
        service=service,
        start=local_start(clinic),
        now=now,
    )
    b = services.hold_create(
        clinic=clinic,
        actor=None,
        patient=make_patient(clinic),
        practitioner=doctor,
        service=service,
        start=local_start(clinic, 2),
        minutes=5,
        now=now,
    )
    assert services.hold_release(clinic=clinic, actor=None, hold=a).status == S.RELEASED
    assert (
        services.hold_release(clinic=clinic, actor=None, hold=a).status == S.RELEASED
    )  # twice is harmless
    assert services.holds_expire(now=now + timedelta(minutes=4)) == 0
    assert services.holds_expire(now=now + timedelta(minutes=6)) == 1
    b.refresh_from_db()
    assert b.status == S.EXPIRED


def test_it_lets_a_patient_hold_and_release_through_the_api(setup, api):
    world, clinic, service, doctor = setup
    me = bearer(world.patient_user, clinic)
    r = api.post(
        "/api/v1/appointments/holds",
        {
            "practitioner_id": str(doctor.pk),
            "service_id": str(service.pk),
            "start": local_start(clinic).isoformat(),
        },
        headers=me,
    )
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "held" and r.json()["hold_expires_at"]
    r = api.delete(f"/api/v1/appointments/holds/{r.json()['id']}", headers=me)
    assert r.status_code == 200 and r.json()["status"] == "released"


# --- Calendars ------------------------------------------------------------------------------------


def test_it_gives_an_ics_file_a_calendar_library_reads_back(setup, api):
    world, clinic, service, doctor = setup
    appointment = book(clinic, patient=world.patient_a, practitioner=doctor, service=service)
    r = api.get(
        f"/api/v1/appointments/{appointment.pk}/calendar.ics",
        headers=bearer(world.patient_user, clinic),
    )
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    event = cal.walk("VEVENT")[0]
    assert event.decoded("dtstart") == appointment.start
    assert event.decoded("dtend") == appointment.end
    assert "Physiotherapy session" in str(event.get("summary"))
    assert appointment.reservation_code in str(event.get("description"))


def test_it_serves_a_private_practitioner_feed_by_token_without_login(setup, api, client):
    world, clinic, service, doctor = setup
    book(clinic, patient=world.patient_a, practitioner=doctor, service=service)
    r = api.post(
        f"/api/v1/scheduling/practitioners/{doctor.pk}/calendar-feed",
        headers=world.headers("a", Role.MANAGER),
    )
    assert r.status_code == 200, r.content
    url = r.json()["url"]
    path = (
        url.split("127.0.0.1:8000", 1)[-1]
        if "127.0.0.1:8000" in url
        else "/" + url.split("/", 3)[3]
    )
    feed = client.get(path)
    assert feed.status_code == 200
    events_ = Calendar.from_ical(feed.content).walk("VEVENT")
    assert len(events_) == 1 and "Asha" in str(events_[0].get("summary"))
    assert client.get("/cal/not-a-token.ics").status_code == 404
    # Issuing a new URL retires the old one.
    api.post(
        f"/api/v1/scheduling/practitioners/{doctor.pk}/calendar-feed",
        headers=world.headers("a", Role.MANAGER),
    )
    assert client.get(path).status_code == 404


def test_it_shows_staff_a_two_week_calendar(setup, api):
    world, clinic, service, doctor = setup
    book(clinic, practitioner=doctor, service=service, start=local_start(clinic, 3))
    book(clinic, practitioner=doctor, service=service, start=local_start(clinic, 20))
    r = api.get("/api/v1/appointments/calendar", headers=world.headers("a", Role.NURSE))
    assert r.status_code == 200
    body = r.json()
    assert body["end_date"] and len(body["appointments"]) == 1
    assert str(doctor.pk) in {p["id"] for p in body["practitioners"]}


# --- Management API ------------------------------------------------------------------------------


def test_it_lets_a_manager_set_hours_and_services_and_a_receptionist_only_read(setup, api):
    world, clinic, service, doctor = setup
    manager, receptionist = world.headers("a", Role.MANAGER), world.headers("a", Role.RECEPTIONIST)
    body = {
        "ranges": [
            {"weekday": 0, "start_time": "09:00", "end_time": "12:00"},
            {"weekday": 0, "start_time": "11:00", "end_time": "13:00"},
        ]
    }
    r = api.put(
        f"/api/v1/scheduling/practitioners/{doctor.pk}/working-hours", body, headers=manager
    )
    assert r.status_code == 422 and "overlap" in r.json()["detail"]
    body["ranges"][1]["start_time"] = "14:00"
    body["ranges"][1]["end_time"] = "17:00"
    assert (
        api.put(
            f"/api/v1/scheduling/practitioners/{doctor.pk}/working-hours", body, headers=manager
        ).status_code
        == 200
    )
    assert (
        api.put(
            f"/api/v1/scheduling/practitioners/{doctor.pk}/working-hours",
            body,
            headers=receptionist,
        ).status_code
        == 403
    )
    hours = api.get(
        f"/api/v1/scheduling/practitioners/{doctor.pk}/working-hours", headers=receptionist
    ).json()
    assert [(h["start_time"], h["end_time"]) for h in hours] == [
        ("09:00:00", "12:00:00"),
        ("14:00:00", "17:00:00"),
    ]
    r = api.post(
        "/api/v1/scheduling/services",
        {
            "name": "Root canal",
            "duration_minutes": 90,
            "price": "8500",
            "practitioner_ids": [str(doctor.pk)],
        },
        headers=manager,
    )
    assert r.status_code == 201 and r.json()["price"] == "8500.00" and r.json()["currency"] == "INR"
    assert (
        api.post("/api/v1/scheduling/services", {"name": "Root canal"}, headers=manager).status_code
        == 409
    )


# --- Messages ---------------------------------------------------------------------------------------


def test_it_queues_a_booking_message_with_reminders_and_confirms_on_a_reply(
    setup, django_capture_on_commit_callbacks
):
    from clinicore.notifications.models import OutboxMessage
    from clinicore.scheduling.notification_hooks import appointment_reply

    world, clinic, service, doctor = setup
    world.patient_a.email = "asha@example.test"
    world.patient_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(
            clinic,
            patient=world.patient_a,
            practitioner=doctor,
            service=service,
            start=local_start(clinic, 3),
        )
    events_ = set(OutboxMessage.objects.filter(clinic=clinic).values_list("event", flat=True))
    assert {"appointment_booked", "appointment_reminder"} <= events_
    booked = OutboxMessage.objects.filter(event="appointment_booked", channel="email").get()
    assert (
        appointment.reservation_code in booked.body_text
        and "Physiotherapy session" in booked.body_text
    )
    assert (
        appointment_reply(clinic=clinic, ref_id=str(appointment.pk), reply="1", inbound=None)
        == "confirmed"
    )
    appointment.refresh_from_db()
    assert appointment.status == S.CONFIRMED
