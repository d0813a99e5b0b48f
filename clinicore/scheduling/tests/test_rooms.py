"""Rooms in weekly hours: a range can name the room the practitioner sees patients in, and
in-person visits booked in it take that room when it is free — never at the cost of the booking."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from clinicore.clinics.models import Branch, Room
from clinicore.clinics.permissions import Role
from clinicore.scheduling.models import Mode, WorkingHours
from clinicore.scheduling.services import (
    appointment_book,
    appointment_reschedule,
    override_set,
    working_hours_replace,
)
from clinicore.scheduling.testing import make_practitioner, make_service

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
NOW = dt.datetime(2026, 3, 9, 7, 0, tzinfo=IST)  # Monday morning in the clinic
TUESDAY = dt.date(2026, 3, 10)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), IST)


@pytest.fixture
def rooms(world):
    """Clinic A with two branches; Dr One sees patients in Room 1 on Tuesday mornings and by video
    on Tuesday evenings, and in Room 2 on Wednesday mornings."""
    clinic = world.clinic_a
    main = Branch.objects.create(clinic=clinic, name="Main Road")
    lake = Branch.objects.create(clinic=clinic, name="Lake View")
    room1 = Room.objects.create(clinic=clinic, branch=main, name="Room 1")
    room2 = Room.objects.create(clinic=clinic, branch=main, name="Room 2")
    lake_room = Room.objects.create(clinic=clinic, branch=lake, name="Lake 1")
    service = make_service(clinic, name="Consultation", duration_minutes=30, mode=Mode.EITHER)
    doctor = make_practitioner(clinic, services_=[service], hours=[])
    working_hours_replace(
        clinic=clinic,
        actor=None,
        practitioner=doctor,
        ranges=[
            _range(1, 9, 13, room_id=room1.pk),
            _range(1, 18, 20, mode=Mode.VIDEO),
            _range(2, 9, 13, room_id=room2.pk),
            _range(3, 9, 13),
        ],
    )
    with time_machine.travel(NOW, tick=False):
        yield {
            "world": world,
            "clinic": clinic,
            "main": main,
            "lake": lake,
            "room1": room1,
            "room2": room2,
            "lake_room": lake_room,
            "service": service,
            "doctor": doctor,
        }


def _range(weekday, start, end, *, mode=Mode.EITHER, **extra):
    return {
        "weekday": weekday,
        "start_time": dt.time(start),
        "end_time": dt.time(end),
        "mode": mode,
        **extra,
    }


def _book(rooms, start, *, patient=None, practitioner=None, mode="in_person", **extra):
    return appointment_book(
        clinic=rooms["clinic"],
        actor=None,
        patient=patient or rooms["world"].patient_a,
        practitioner=practitioner or rooms["doctor"],
        service=rooms["service"],
        start=start,
        mode=mode,
        **extra,
    )[0]


def test_it_saves_a_range_s_room_and_takes_the_branch_from_it(rooms):
    saved = {
        (h.weekday, h.start_time.hour): (h.room_id, h.branch_id)
        for h in WorkingHours.objects.filter(practitioner=rooms["doctor"])
    }
    assert saved[(1, 9)] == (rooms["room1"].pk, rooms["main"].pk)
    assert saved[(2, 9)] == (rooms["room2"].pk, rooms["main"].pk)
    assert saved[(3, 9)] == (None, None)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"room_id": "lake_room", "branch_id": "main"}, "ranges.0.room_id", "another branch"),
        ({"room_id": "room1", "mode": Mode.VIDEO}, "ranges.0.room_id", "no room"),
        ({"room_id": "foreign"}, "ranges.0.room_id", "room of this clinic"),
        ({"room_id": "inactive"}, "ranges.0.room_id", "room of this clinic"),
    ],
)
def test_it_refuses_a_room_that_cannot_be_the_range_s(rooms, change, field, message):
    from clinicore.core.errors import InvalidInput

    world = rooms["world"]
    foreign_branch = Branch.objects.create(clinic=world.clinic_b, name="Elsewhere")
    named = {
        "lake_room": rooms["lake_room"].pk,
        "room1": rooms["room1"].pk,
        "main": rooms["main"].pk,
        "foreign": Room.objects.create(clinic=world.clinic_b, branch=foreign_branch, name="X").pk,
        "inactive": Room.objects.create(
            clinic=rooms["clinic"], branch=rooms["main"], name="Closed", is_active=False
        ).pk,
    }
    values = {k: named.get(v, v) for k, v in change.items()}
    before = sorted(
        WorkingHours.objects.filter(practitioner=rooms["doctor"]).values_list("pk", flat=True)
    )
    with pytest.raises(InvalidInput) as caught:
        working_hours_replace(
            clinic=rooms["clinic"],
            actor=None,
            practitioner=rooms["doctor"],
            ranges=[_range(4, 9, 12, **values)],
        )
    assert message in caught.value.message and field in caught.value.fields
    after = sorted(
        WorkingHours.objects.filter(practitioner=rooms["doctor"]).values_list("pk", flat=True)
    )
    assert after == before  # nothing replaced


def test_an_in_person_visit_takes_the_room_of_its_range(rooms):
    tuesday = _book(rooms, at(TUESDAY, 10))
    wednesday = _book(rooms, at(TUESDAY + dt.timedelta(days=1), 10))
    thursday = _book(rooms, at(TUESDAY + dt.timedelta(days=2), 10))
    assert tuesday.room_id == rooms["room1"].pk
    assert wednesday.room_id == rooms["room2"].pk
    assert thursday.room_id is None  # that range names no room


def test_a_video_visit_takes_no_room(rooms):
    visit = _book(rooms, at(TUESDAY, 10), mode="video")
    assert visit.mode == "video" and visit.room_id is None


def test_a_taken_room_leaves_the_visit_roomless_instead_of_refusing_it(rooms):
    clinic = rooms["clinic"]
    colleague = make_practitioner(clinic, services_=[rooms["service"]], role=Role.DOCTOR)
    # The desk put the colleague's 10:00 visit in Room 1 by hand.
    theirs = _book(
        rooms,
        at(TUESDAY, 10),
        patient=rooms["world"].other_patient_a,
        practitioner=colleague,
        room_id=rooms["room1"].pk,
    )
    mine = _book(rooms, at(TUESDAY, 10))
    assert theirs.room_id == rooms["room1"].pk
    assert mine.status == "scheduled" and mine.room_id is None
    later = _book(rooms, at(TUESDAY, 11))
    assert later.room_id == rooms["room1"].pk  # free again by then


def test_a_one_day_change_replaces_the_range_and_its_room(rooms):
    override_set(
        clinic=rooms["clinic"],
        actor=None,
        practitioner=rooms["doctor"],
        date=TUESDAY,
        ranges=[{"start_time": dt.time(10), "end_time": dt.time(12)}],
    )
    assert _book(rooms, at(TUESDAY, 10)).room_id is None


def test_a_moved_visit_takes_the_room_of_its_new_time_or_keeps_its_own(rooms):
    tuesday = _book(rooms, at(TUESDAY, 10))
    on_wednesday = appointment_reschedule(
        appointment=tuesday, actor=None, start=at(TUESDAY + dt.timedelta(days=1), 10)
    )
    assert on_wednesday.room_id == rooms["room2"].pk  # Wednesday's range names Room 2
    on_thursday = appointment_reschedule(
        appointment=on_wednesday, actor=None, start=at(TUESDAY + dt.timedelta(days=2), 10)
    )
    assert on_thursday.room_id == rooms["room2"].pk  # no room that day: it keeps its own


def test_the_api_reads_and_writes_a_range_s_room(rooms, api):
    world, doctor = rooms["world"], rooms["doctor"]
    url = f"/api/v1/scheduling/practitioners/{doctor.pk}/working-hours"
    manager = world.headers("a", Role.MANAGER)
    listed = api.get(url, headers=manager).json()
    assert {r["room_id"] for r in listed} == {str(rooms["room1"].pk), str(rooms["room2"].pk), None}
    body = {"ranges": [{"weekday": 4, "start_time": "09:00", "end_time": "12:00"}]}
    body["ranges"][0]["room_id"] = str(rooms["lake_room"].pk)
    r = api.put(url, body, headers=manager)
    assert r.status_code == 200, r.content
    assert r.json()[0]["room_id"] == str(rooms["lake_room"].pk)
    assert r.json()[0]["branch_id"] == str(rooms["lake"].pk)
    body["ranges"][0]["branch_id"] = str(rooms["main"].pk)
    refused = api.put(url, body, headers=manager)
    assert refused.status_code == 422 and "ranges.0.room_id" in refused.json()["fields"]
