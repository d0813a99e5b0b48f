"""Rooms on the desk: the weekly-hours page sets a range's room, the calendar shows a visit's room
and lets the desk put the visit in another free room or take it out of one."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from clinicore.clinics.models import Branch, Room
from clinicore.clinics.permissions import Role
from clinicore.scheduling.models import Appointment, WorkingHours
from clinicore.scheduling.services import appointment_book
from clinicore.scheduling.testing import make_practitioner, make_service

from .html_forms import as_post, form_fields

IST = zoneinfo.ZoneInfo("Asia/Kolkata")


@pytest.fixture
def clinic_rooms(world, settings):
    """Tuesday 10 March 2026, 7:30 in the clinic. Two doctors work every day; Asha sees Dr One at
    10:00 in Room 1 and Bela sees Dr Two at 10:00 with no room yet."""
    settings.TWO_FACTOR_ENFORCED = False
    clinic = world.clinic_a
    main = Branch.objects.create(clinic=clinic, name="Main Road")
    lake = Branch.objects.create(clinic=clinic, name="Lake View")
    room1 = Room.objects.create(clinic=clinic, branch=main, name="Room 1")
    room2 = Room.objects.create(clinic=clinic, branch=main, name="Room 2")
    lake1 = Room.objects.create(clinic=clinic, branch=lake, name="Lake 1")
    service = make_service(clinic, name="Consultation", price=Decimal("500"), currency="INR")
    one = make_practitioner(clinic, services_=[service])
    two = make_practitioner(clinic, services_=[service])
    with time_machine.travel(dt.datetime(2026, 3, 10, 7, 30, tzinfo=IST), tick=False):
        ten = dt.datetime(2026, 3, 10, 10, tzinfo=IST)
        asha, _ = appointment_book(
            clinic=clinic,
            actor=None,
            patient=world.patient_a,
            practitioner=one,
            service=service,
            start=ten,
            room_id=room1.pk,
        )
        bela, _ = appointment_book(
            clinic=clinic,
            actor=None,
            patient=world.other_patient_a,
            practitioner=two,
            service=service,
            start=ten,
        )
        yield {
            "clinic": clinic,
            "rooms": (room1, room2, lake1),
            "main": main,
            "lake": lake,
            "one": one,
            "asha": asha,
            "bela": bela,
            "calendar": "/c/clinic-a/desk/calendar/?view=day&date=2026-03-10",
        }


def _room_form(client, setup, appointment, room) -> dict:
    page = client.get(setup["calendar"]).content.decode()
    body = as_post(form_fields(page, data_room=str(appointment.pk)))
    body["room_id"] = [str(room.pk) if room else ""]
    return body


def _act(client, appointment, body):
    return client.post(
        f"/c/clinic-a/desk/appointments/{appointment.pk}/act/", body, follow=True
    ).content.decode()


def test_the_calendar_shows_each_visit_s_room(world, clinic_rooms, client):
    client.force_login(world.member("a", Role.RECEPTIONIST).user)
    page = client.get(clinic_rooms["calendar"]).content.decode()
    assert "Consultation · " in page and " · Room 1</span>" in page
    room1 = clinic_rooms["rooms"][0]
    only_room1 = client.get(clinic_rooms["calendar"] + f"&room={room1.pk}").content.decode()
    assert world.patient_a.full_name in only_room1
    assert world.other_patient_a.full_name not in only_room1


def test_a_receptionist_puts_a_visit_in_a_free_room_and_takes_it_out(world, clinic_rooms, client):
    client.force_login(world.member("a", Role.RECEPTIONIST).user)
    bela, room2 = clinic_rooms["bela"], clinic_rooms["rooms"][1]
    page = _act(client, bela, _room_form(client, clinic_rooms, bela, room2))
    assert f"{bela.reservation_code}: room changed." in page
    bela.refresh_from_db()
    assert bela.room_id == room2.pk and bela.status == Appointment.Status.SCHEDULED
    page = _act(client, bela, _room_form(client, clinic_rooms, bela, None))
    bela.refresh_from_db()
    assert bela.room_id is None


def test_a_taken_room_is_refused_with_the_reason_and_nothing_changes(world, clinic_rooms, client):
    client.force_login(world.member("a", Role.RECEPTIONIST).user)
    bela, room1 = clinic_rooms["bela"], clinic_rooms["rooms"][0]
    page = _act(client, bela, _room_form(client, clinic_rooms, bela, room1))
    assert "This room is taken at that time." in page
    bela.refresh_from_db()
    assert bela.room_id is None


def test_another_clinic_s_room_or_a_malformed_one_is_refused(world, clinic_rooms, client):
    client.force_login(world.member("a", Role.RECEPTIONIST).user)
    bela = clinic_rooms["bela"]
    elsewhere = Branch.objects.create(clinic=world.clinic_b, name="Elsewhere")
    foreign = Room.objects.create(clinic=world.clinic_b, branch=elsewhere, name="Theirs")
    body = _room_form(client, clinic_rooms, bela, foreign)
    assert "Choose a room of this clinic." in _act(client, bela, body)
    body["room_id"] = ["not-a-room"]
    assert "Choose a room of this clinic." in _act(client, bela, body)
    bela.refresh_from_db()
    assert bela.room_id is None


def test_another_clinic_cannot_change_the_room(world, clinic_rooms, client):
    client.force_login(world.member("b", Role.OWNER).user)
    bela, room2 = clinic_rooms["bela"], clinic_rooms["rooms"][1]
    response = client.post(
        f"/c/clinic-b/desk/appointments/{bela.pk}/act/", {"action": "room", "room_id": room2.pk}
    )
    assert response.status_code == 404
    bela.refresh_from_db()
    assert bela.room_id is None


def _hours_page(client, setup):
    url = f"/c/clinic-a/desk/staff/{setup['one'].pk}/hours/"
    return url, as_post(form_fields(client.get(url).content.decode(), data_hours_form=None))


def test_the_hours_page_sets_a_range_s_room(world, clinic_rooms, client):
    client.force_login(world.member("a", Role.MANAGER).user)
    url, body = _hours_page(client, clinic_rooms)
    assert len(body["room"]) == len(body["start"])
    tuesday = body["weekday"].index("1")
    body["room"][tuesday] = str(clinic_rooms["rooms"][1].pk)
    body["branch"][tuesday] = ""
    assert client.post(url, {**body, "save": ["1"]}).status_code == 302
    saved = WorkingHours.objects.get(practitioner=clinic_rooms["one"], weekday=1)
    assert saved.room == clinic_rooms["rooms"][1] and saved.branch == clinic_rooms["main"]
    # The page shows it chosen, and a round trip keeps it.
    url, body = _hours_page(client, clinic_rooms)
    assert body["room"][body["weekday"].index("1")] == str(clinic_rooms["rooms"][1].pk)


def test_the_hours_page_refuses_a_room_of_another_branch_and_keeps_the_input(
    world, clinic_rooms, client
):
    client.force_login(world.member("a", Role.MANAGER).user)
    url, body = _hours_page(client, clinic_rooms)
    before = list(WorkingHours.objects.filter(practitioner=clinic_rooms["one"]).values())
    monday = body["weekday"].index("0")
    body["branch"][monday] = str(clinic_rooms["main"].pk)
    body["room"][monday] = str(clinic_rooms["rooms"][2].pk)  # Lake 1
    response = client.post(url, {**body, "save": ["1"]})
    page = response.content.decode()
    assert response.status_code == 422 and "The room is in another branch." in page
    assert list(WorkingHours.objects.filter(practitioner=clinic_rooms["one"]).values()) == before


def test_a_form_without_the_room_column_still_saves(world, clinic_rooms, client):
    client.force_login(world.member("a", Role.MANAGER).user)
    url, body = _hours_page(client, clinic_rooms)
    del body["room"]
    assert client.post(url, {**body, "save": ["1"]}).status_code == 302
