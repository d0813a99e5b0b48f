"""The calendar's actions, used through its forms: move, cancel, confirm and no-show a visit, and
time off and one-day changes edited in place — including what a refused change looks like."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from clinicore.clinics.permissions import Role
from clinicore.scheduling.models import Appointment, ScheduleOverride, TimeOff
from clinicore.scheduling.services import appointment_book
from clinicore.scheduling.testing import make_practitioner, make_service

from .html_forms import as_post, form_fields

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
S = Appointment.Status


@pytest.fixture
def day(world, settings):
    """Tuesday 10 March 2026 at 7:30 in the clinic: Asha at 10:00 and Bela at 11:00 with one
    doctor (30-minute consultations; the doctor works every day)."""
    settings.TWO_FACTOR_ENFORCED = False
    clinic = world.clinic_a
    service = make_service(clinic, name="Consultation", price=Decimal("500"), currency="INR")
    doctor = make_practitioner(clinic, services_=[service])
    with time_machine.travel(dt.datetime(2026, 3, 10, 7, 30, tzinfo=IST), tick=False):
        booked = [
            appointment_book(
                clinic=clinic,
                actor=None,
                patient=patient,
                practitioner=doctor,
                service=service,
                start=dt.datetime(2026, 3, 10, hour, tzinfo=IST),
            )[0]
            for patient, hour in ((world.patient_a, 10), (world.other_patient_a, 11))
        ]
        yield {
            "doctor": doctor,
            "asha": booked[0],
            "bela": booked[1],
            "url": f"/c/clinic-a/desk/calendar/?view=day&date=2026-03-10&practitioner={doctor.pk}",
        }


def _as(client, world, role):
    client.force_login(world.member("a", role).user)
    return client


def _calendar(client, day) -> str:
    return client.get(day["url"]).content.decode()


SCHEDULE = "/c/clinic-a/desk/calendar/schedule/"


def _schedule_change(client, day, form: str, **changes) -> str:
    """Fills the calendar's time-off or one-day form as a manager would and sends it."""
    body = as_post(form_fields(_calendar(client, day), data_schedule_form=form))
    body.update({name: [value] for name, value in changes.items()})
    return client.post(SCHEDULE, body, follow=True).content.decode()


def _remove(client, page: str, row) -> str:
    body = as_post(form_fields(page, data_remove=str(row.pk)))
    return client.post(SCHEDULE, body, follow=True).content.decode()


def _act(client, day, appointment, action):
    page = _calendar(client, day)
    body = as_post(form_fields(page, data_act=str(appointment.pk)), action=action)
    form_action = f"/c/clinic-a/desk/appointments/{appointment.pk}/act/"
    return client.post(form_action, body, follow=True)


def test_a_receptionist_moves_a_visit_to_a_free_time(world, day, client):
    _as(client, world, Role.RECEPTIONIST)
    body = as_post(form_fields(_calendar(client, day), data_move=str(day["asha"].pk)))
    assert body["date"] == ["2026-03-10"] and body["time"] == ["10:00"]
    body["time"] = ["12:30"]
    response = client.post(
        f"/c/clinic-a/desk/appointments/{day['asha'].pk}/act/", body, follow=True
    )
    moved = Appointment.objects.get(rescheduled_from=day["asha"])
    page = response.content.decode()
    assert f"{moved.reservation_code}: Scheduled." in page
    assert response.redirect_chain[-1][0] == day["url"]  # back on the same calendar view
    assert moved.start == dt.datetime(2026, 3, 10, 12, 30, tzinfo=IST)
    day["asha"].refresh_from_db()
    assert day["asha"].status == S.RESCHEDULED
    assert '<span class="cal-time">12:30</span>' in page
    assert '<span class="cal-time">10:00</span>' not in page


def test_a_move_onto_a_taken_time_shows_why_and_changes_nothing(world, day, client):
    _as(client, world, Role.RECEPTIONIST)
    body = as_post(form_fields(_calendar(client, day), data_move=str(day["asha"].pk)))
    body["time"] = ["11:00"]  # Bela's visit
    response = client.post(
        f"/c/clinic-a/desk/appointments/{day['asha'].pk}/act/", body, follow=True
    )
    page = response.content.decode()
    assert "This time is no longer available; choose another slot." in page
    day["asha"].refresh_from_db()
    assert day["asha"].status == S.SCHEDULED
    assert day["asha"].start == dt.datetime(2026, 3, 10, 10, tzinfo=IST)
    assert Appointment.objects.filter(clinic=world.clinic_a).count() == 2
    assert '<span class="cal-time">10:00</span>' in page


def test_a_receptionist_confirms_then_cancels_a_visit(world, day, client):
    _as(client, world, Role.RECEPTIONIST)
    confirmed = _act(client, day, day["asha"], "confirm")
    assert f"{day['asha'].reservation_code}: Confirmed." in confirmed.content.decode()
    day["asha"].refresh_from_db()
    assert day["asha"].status == S.CONFIRMED and day["asha"].confirmed_at is not None
    assert 'value="confirm"' not in form_fields_html(confirmed, day["asha"])
    cancelled = _act(client, day, day["asha"], "cancel")
    assert f"{day['asha'].reservation_code}: Cancelled." in cancelled.content.decode()
    day["asha"].refresh_from_db()
    assert day["asha"].status == S.CANCELLED


def form_fields_html(response, appointment) -> str:
    """The calendar entry's action form as HTML (its buttons are not fields)."""
    page = response.content.decode()
    start = page.index(f'data-act="{appointment.pk}"')
    return page[start : page.index("</form>", start)]


def test_a_receptionist_marks_a_no_show_and_it_cannot_be_undone_by_confirming(world, day, client):
    _as(client, world, Role.RECEPTIONIST)
    page = _act(client, day, day["bela"], "no_show").content.decode()
    assert f"{day['bela'].reservation_code}: No-show." in page
    day["bela"].refresh_from_db()
    assert day["bela"].status == S.NO_SHOW
    assert f'data-act="{day["bela"].pk}"' not in page  # no more changes offered
    refused = client.post(
        f"/c/clinic-a/desk/appointments/{day['bela'].pk}/act/",
        {"action": "confirm", "next": day["url"]},
        follow=True,
    )
    assert "cannot be confirmed" in refused.content.decode()
    day["bela"].refresh_from_db()
    assert day["bela"].status == S.NO_SHOW


def test_calendar_actions_are_for_booking_staff_of_the_same_clinic(world, day, client):
    url = f"/c/clinic-a/desk/appointments/{day['asha'].pk}/act/"
    _as(client, world, Role.LAB_TECHNICIAN)
    assert client.post(url, {"action": "cancel"}).status_code == 403
    client.force_login(world.member("b", Role.RECEPTIONIST).user)
    assert client.post(f"/c/clinic-b/desk/appointments/{day['asha'].pk}/act/").status_code == 404
    day["asha"].refresh_from_db()
    assert day["asha"].status == S.SCHEDULED


def test_a_manager_adds_and_removes_time_off_on_the_calendar(world, day, client):
    _as(client, world, Role.MANAGER)
    fields = dict(form_fields(_calendar(client, day), data_schedule_form="time_off"))
    assert fields["practitioner_id"] == str(day["doctor"].pk)  # the calendar's practitioner
    page = _schedule_change(
        client,
        day,
        "time_off",
        start_date="2026-03-10",
        start_time="14:00",
        end_date="2026-03-10",
        end_time="16:30",
        reason="Conference call",
    )
    assert "Schedule updated." in page and "Conference call" in page
    assert "10 Mar 14:00 – 10 Mar 16:30" in page
    off = TimeOff.objects.get(practitioner=day["doctor"])
    assert off.start == dt.datetime(2026, 3, 10, 14, tzinfo=IST)
    assert off.end == dt.datetime(2026, 3, 10, 16, 30, tzinfo=IST)
    removed = _remove(client, page, off)
    assert "Conference call" not in removed and not TimeOff.objects.exists()


def test_time_off_that_ends_before_it_starts_is_refused(world, day, client):
    _as(client, world, Role.MANAGER)
    page = _schedule_change(
        client, day, "time_off", start_date="2026-03-12", end_date="2026-03-11", reason="Backwards"
    )
    assert "Time off must start before it ends." in page
    assert "Schedule updated." not in page and "Backwards" not in page
    assert not TimeOff.objects.exists()


def test_a_manager_sets_other_hours_for_one_day_then_a_day_off_then_removes_it(world, day, client):
    _as(client, world, Role.MANAGER)
    page = _schedule_change(
        client,
        day,
        "override",
        date="2026-03-10",
        start_time="13:00",
        end_time="15:00",
        note="Half day",
    )
    assert "Schedule updated." in page and "13:00–15:00 Half day" in page
    row = ScheduleOverride.objects.get(practitioner=day["doctor"])
    assert (row.date, row.start_time, row.end_time) == (
        dt.date(2026, 3, 10),
        dt.time(13),
        dt.time(15),
    )
    page = _schedule_change(client, day, "override", date="2026-03-10", note="Away")
    assert "day off Away" in page and "Half day" not in page
    row = ScheduleOverride.objects.get(practitioner=day["doctor"])  # replaced, not added
    assert row.start_time is None
    page = _remove(client, page, row)
    assert "None in this range." in page and not ScheduleOverride.objects.exists()


def test_one_day_hours_that_end_before_they_start_are_refused(world, day, client):
    _as(client, world, Role.MANAGER)
    page = _schedule_change(
        client, day, "override", date="2026-03-10", start_time="15:00", end_time="13:00"
    )
    assert "Each range must start before it ends." in page
    assert not ScheduleOverride.objects.exists()


def test_a_one_day_change_can_split_the_day_and_choose_how_patients_are_seen(world, day, client):
    _as(client, world, Role.MANAGER)
    page = _schedule_change(
        client,
        day,
        "override",
        date="2026-03-10",
        start_time="09:00",
        end_time="11:00",
        start_time_2="16:00",
        end_time_2="18:00",
        mode="video",
        note="Clinic painted",
    )
    assert "09:00–11:00 (Video) Clinic painted" in page
    assert "16:00–18:00 (Video) Clinic painted" in page
    rows = ScheduleOverride.objects.filter(practitioner=day["doctor"]).order_by("start_time")
    assert [(r.start_time, r.end_time, r.mode) for r in rows] == [
        (dt.time(9), dt.time(11), "video"),
        (dt.time(16), dt.time(18), "video"),
    ]


def test_a_one_day_range_with_one_time_missing_is_refused_not_read_as_a_day_off(world, day, client):
    _as(client, world, Role.MANAGER)
    page = _schedule_change(client, day, "override", date="2026-03-10", start_time="10:00")
    assert "Give both a start and an end time." in page and "Schedule updated." not in page
    assert not ScheduleOverride.objects.exists()
    page = _schedule_change(
        client,
        day,
        "override",
        date="2026-03-10",
        start_time="10:00",
        end_time="12:00",
        mode="teleport",
    )
    assert "Unknown mode." in page and not ScheduleOverride.objects.exists()


def test_only_schedule_managers_edit_time_off(world, day, client):
    _as(client, world, Role.RECEPTIONIST)
    response = client.post(
        SCHEDULE,
        {
            "kind": "time_off",
            "practitioner_id": str(day["doctor"].pk),
            "start_date": "2026-03-10",
            "end_date": "2026-03-10",
        },
    )
    assert response.status_code == 403 and not TimeOff.objects.exists()
    assert "Add time off" not in _calendar(client, day)
