"""The demo clinics get realistic, consistent schedules and appointments."""

import random

from clinicore.clinics.models import Clinic
from clinicore.clinics.permissions import Role
from clinicore.core.testing import make_clinic, make_member, make_patient
from clinicore.scheduling import demo
from clinicore.scheduling.models import Appointment, Service, WorkingHours


def _seed(kind, tz, currency, specializations):
    clinic = make_clinic(kind=kind, time_zone=tz, currency=currency)
    role = Role.DENTIST if kind == Clinic.Kind.DENTAL else Role.DOCTOR
    members = {r: [] for r in Role.values}
    for spec in specializations:
        members[role].append(make_member(clinic, role, specialization=spec))
    members[Role.RECEPTIONIST].append(make_member(clinic, Role.RECEPTIONIST))
    patients = [make_patient(clinic) for _ in range(25)]
    demo.seed(clinic, members=members, patients=patients, rng=random.Random(7))
    return clinic


def test_it_seeds_services_hours_and_weeks_of_appointments_that_never_overlap(db):
    clinic = _seed(
        Clinic.Kind.MULTISPECIALTY,
        "Asia/Kolkata",
        "INR",
        ["Cardiology", "Orthopedics", "General Medicine"],
    )
    names = set(Service.objects.filter(clinic=clinic).values_list("name", flat=True))
    assert {"General consultation", "Physiotherapy session", "Video consultation"} <= names
    assert WorkingHours.objects.filter(clinic=clinic).count() >= 20
    appointments = list(Appointment.objects.filter(clinic=clinic))
    statuses = {a.status for a in appointments}
    assert {"completed", "cancelled", "scheduled", "confirmed"} <= statuses
    assert len(appointments) > 60
    assert Appointment.objects.filter(clinic=clinic, series__isnull=False).count() == 4
    live = [a for a in appointments if a.status in Appointment.BLOCKING]
    for a in live:
        for b in live:
            if a.pk != b.pk and a.practitioner_id == b.practitioner_id:
                assert not (a.occupied_start < b.occupied_end and b.occupied_start < a.occupied_end)
            if a.pk != b.pk and a.patient_id == b.patient_id:
                assert not (a.start < b.end and b.start < a.end)


def test_it_seeds_a_dental_clinic_with_dental_services(db):
    clinic = _seed(
        Clinic.Kind.DENTAL, "America/New_York", "USD", ["General Dentistry", "Endodontics"]
    )
    root_canal = Service.objects.get(clinic=clinic, name="Root canal treatment")
    assert root_canal.price == 1100 and root_canal.currency == "USD" and root_canal.payment_required
    assert Appointment.objects.filter(clinic=clinic, service__name="Dental cleaning").exists()
