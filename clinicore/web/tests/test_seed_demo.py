"""`manage.py seed_demo` loads two real-looking clinics once, with logins that work."""

import random
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from clinicore.clinics.models import Branch, Clinic, Membership
from clinicore.clinics.permissions import Role
from clinicore.patients.models import Patient
from clinicore.web.management.commands.seed_demo import patient_rows

pytestmark = pytest.mark.django_db


def _seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_it_loads_two_clinics_with_staff_patients_and_logins():
    output = _seed()
    sunrise = Clinic.objects.get(slug="sunrise")
    bright = Clinic.objects.get(slug="brightsmile")
    assert (sunrise.currency, sunrise.time_zone, sunrise.kind, sunrise.upi_vpa) == (
        "INR",
        "Asia/Kolkata",
        "multispecialty",
        "sunriseclinic@okaxis",
    )
    assert (bright.currency, bright.time_zone, bright.kind, bright.city) == (
        "USD",
        "America/New_York",
        "dental",
        "Boston",
    )
    for clinic in (sunrise, bright):
        assert Patient.objects.filter(clinic=clinic).count() >= 55
        assert Branch.objects.filter(clinic=clinic).count() == 2
        roles = set(Membership.objects.filter(clinic=clinic).values_list("role", flat=True))
        assert {Role.OWNER, Role.ADMIN, Role.MANAGER, Role.NURSE, Role.RECEPTIONIST} <= roles
    assert {Role.PHARMACIST, Role.LAB_TECHNICIAN, Role.DOCTOR} <= set(
        Membership.objects.filter(clinic=sunrise).values_list("role", flat=True)
    )
    assert (
        Membership.objects.filter(clinic=bright, role=Role.DENTIST)
        .exclude(specialization="")
        .count()
        >= 3
    )
    assert Patient.objects.filter(clinic=sunrise).exclude(allergies="").exists()
    assert "clinicore-demo" in output and "reception@sunrise.example" in output
    assert "two-factor" in output
    assert authenticate(email="reception@sunrise.example", password="clinicore-demo") is not None
    operator = authenticate(email="ops@clinicore.example", password="clinicore-demo")
    assert operator is not None and operator.is_superuser
    both = Patient.objects.filter(user__email="asha.verma@patient.example")
    assert {p.clinic.slug for p in both} == {"sunrise", "brightsmile"}
    _rooms_are_used_and_never_double_booked(sunrise)


def _rooms_are_used_and_never_double_booked(clinic):
    from clinicore.scheduling.models import Appointment, WorkingHours

    assert WorkingHours.objects.filter(clinic=clinic, room__isnull=False).exists()
    assert not WorkingHours.objects.filter(clinic=clinic, mode="video", room__isnull=False).exists()
    live = list(
        Appointment.objects.filter(
            clinic=clinic, room__isnull=False, status__in=Appointment.BLOCKING
        ).values_list("room_id", "start", "end", "mode")
    )
    assert len(live) > 20 and {mode for *_, mode in live} == {"in_person"}
    by_room: dict = {}
    for room, start, end, _mode in sorted(live):
        if room in by_room:
            assert by_room[room] <= start, "two visits share a room"
        by_room[room] = end


def test_the_same_seed_gives_the_same_people():
    first = patient_rows("in", random.Random(7), count=30)
    again = patient_rows("in", random.Random(7), count=30)
    other = patient_rows("in", random.Random(8), count=30)
    assert first == again and first != other
    assert len({(r["first_name"], r["last_name"]) for r in first}) == 30


def test_if_empty_does_nothing_when_a_clinic_exists():
    _seed()
    count = Patient.objects.count()
    assert "nothing loaded" in _seed(if_empty=True)
    assert Patient.objects.count() == count
