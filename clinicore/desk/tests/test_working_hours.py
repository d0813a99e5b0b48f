"""A person's weekly hours page: split shifts, modes and branches survive editing unchanged."""

import datetime as dt

import pytest

from clinicore.clinics.models import Branch
from clinicore.clinics.permissions import Role
from clinicore.scheduling.models import Mode, WorkingHours
from clinicore.scheduling.services import working_hours_replace

from .html_forms import as_post, form_fields


@pytest.fixture
def week(world, settings):
    """A demo doctor's week: mornings and afternoons in person at the main branch, video evenings
    on Tuesday, a Saturday morning either way at any branch, Wednesday off."""
    settings.TWO_FACTOR_ENFORCED = False
    clinic = world.clinic_a
    main = Branch.objects.create(clinic=clinic, name="Main Road")
    Branch.objects.create(clinic=clinic, name="Lake View")
    doctor = world.member("a", Role.DOCTOR)
    t = dt.time
    ranges = [
        (0, t(9), t(13), Mode.IN_PERSON, main.pk),
        (0, t(14), t(17, 30), Mode.IN_PERSON, main.pk),
        (1, t(9), t(13), Mode.IN_PERSON, main.pk),
        (1, t(14), t(17, 30), Mode.IN_PERSON, main.pk),
        (1, t(18), t(20), Mode.VIDEO, None),
        (3, t(9), t(13), Mode.IN_PERSON, main.pk),
        (5, t(9), t(13), Mode.EITHER, None),
    ]
    working_hours_replace(
        clinic=clinic,
        actor=None,
        practitioner=doctor,
        ranges=[
            {"weekday": d, "start_time": s, "end_time": e, "mode": m, "branch_id": b}
            for d, s, e, m, b in ranges
        ],
    )
    return {"doctor": doctor, "main": main, "url": f"/c/clinic-a/desk/staff/{doctor.pk}/hours/"}


def _saved(doctor):
    return sorted(
        (h.weekday, h.start_time, h.end_time, h.mode, h.branch_id)
        for h in WorkingHours.objects.filter(practitioner=doctor)
    )


def _manager(client, world):
    client.force_login(world.member("a", Role.MANAGER).user)


def test_it_shows_every_range_of_a_split_week_with_its_mode_and_branch(world, week, client):
    _manager(client, world)
    page = client.get(week["url"]).content.decode()
    fields = form_fields(page, data_hours_form=None)
    shown = [
        (w, s, e, m, b)
        for w, s, e, m, b in zip(
            *[
                [v for k, v in fields if k == name]
                for name in ("weekday", "start", "end", "mode", "branch")
            ],
            strict=True,
        )
        if s
    ]
    main = str(week["main"].pk)
    assert shown == [
        ("0", "09:00", "13:00", "in_person", main),
        ("0", "14:00", "17:30", "in_person", main),
        ("1", "09:00", "13:00", "in_person", main),
        ("1", "14:00", "17:30", "in_person", main),
        ("1", "18:00", "20:00", "video", ""),
        ("3", "09:00", "13:00", "in_person", main),
        ("5", "09:00", "13:00", "either", ""),
    ]
    assert "Lake View" in page and "Wednesday" in page


def test_a_split_week_survives_a_round_trip_through_the_page_unchanged(world, week, client):
    before = _saved(week["doctor"])
    _manager(client, world)
    fields = form_fields(client.get(week["url"]).content.decode(), data_hours_form=None)
    response = client.post(week["url"], as_post(fields, save="1"), follow=True)
    assert "Working hours saved." in response.content.decode()
    assert _saved(week["doctor"]) == before and len(before) == 7


def test_invalid_ranges_show_errors_keep_the_input_and_change_nothing(world, week, client):
    before = _saved(week["doctor"])
    _manager(client, world)
    body = as_post(form_fields(client.get(week["url"]).content.decode(), data_hours_form=None))
    body["start"][1] = "12:00"  # Monday afternoon now starts inside the morning
    body["start"][3], body["end"][3] = "18:00", "17:00"  # Tuesday afternoon ends before it starts
    body["end"][6] = ""  # Thursday's morning loses its end
    response = client.post(week["url"], {**body, "save": ["1"]})
    page = response.content.decode()
    assert response.status_code == 422
    assert "Nothing was saved" in page
    assert "Overlaps 09:00–13:00 on the same day." in page
    assert "The start must be before the end." in page
    assert "Give both a start and an end time." in page
    assert 'value="12:00"' in page and 'value="18:00"' in page  # what was typed is still there
    assert _saved(week["doctor"]) == before


def test_ranges_are_added_and_removed_without_javascript(world, week, client):
    _manager(client, world)
    body = as_post(form_fields(client.get(week["url"]).content.decode(), data_hours_form=None))
    added = client.post(week["url"], {**body, "add": ["2"]})  # Wednesday
    assert added.status_code == 200 and "Not saved yet" in added.content.decode()
    body = as_post(form_fields(added.content.decode(), data_hours_form=None))
    wednesday = [i for i, d in enumerate(body["weekday"]) if d == "2"]
    assert len(wednesday) == 2  # the blank day's row and the new one
    body["start"][wednesday[0]], body["end"][wednesday[0]] = "08:00", "12:00"
    body["start"][wednesday[1]], body["end"][wednesday[1]] = "16:00", "19:00"
    body["mode"][wednesday[1]] = "video"
    removed = client.post(week["url"], {**body, "remove": ["4"]})  # Tuesday's video evening
    assert removed.status_code == 200 and "18:00" not in removed.content.decode()
    body = as_post(form_fields(removed.content.decode(), data_hours_form=None), save="1")
    assert client.post(week["url"], body).status_code == 302
    saved = _saved(week["doctor"])
    assert (2, dt.time(8), dt.time(12), "either", None) in saved
    assert (2, dt.time(16), dt.time(19), "video", None) in saved
    assert not any(d == 1 and m == "video" for d, _s, _e, m, _b in saved)
    assert len(saved) == 8


def test_only_schedule_managers_of_the_clinic_open_the_hours(world, week, client):
    client.force_login(world.member("a", Role.RECEPTIONIST).user)
    assert client.get(week["url"]).status_code == 403
    client.force_login(world.member("b", Role.OWNER).user)
    assert client.get(week["url"]).status_code == 404
