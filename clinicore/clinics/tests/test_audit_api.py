"""Clinic admins read their own clinic's audit log, filtered; never another clinic's."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinicore.clinics.permissions import Role

pytestmark = pytest.mark.django_db


def test_it_shows_who_opened_a_patient_record(api, world):
    doctor = world.members_a[Role.DOCTOR]
    api.get(f"/api/v1/patients/{world.patient_a.pk}", world.headers("a", Role.DOCTOR))
    response = api.get(
        "/api/v1/audit",
        world.headers("a", Role.ADMIN),
        entity_type="patient",
        entity_id=str(world.patient_a.pk),
        action="patient.read_clinical",
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 1
    assert items[0]["actor_id"] == str(doctor.user_id)
    assert items[0]["actor_label"] == doctor.user.email


def test_it_filters_by_actor_and_date_range(api, world):
    receptionist = world.members_a[Role.RECEPTIONIST]
    api.put(
        f"/api/v1/patients/{world.patient_a.pk}",
        {"phone": "+91 98111 22222"},
        world.headers("a", Role.RECEPTIONIST),
    )
    headers = world.headers("a", Role.MANAGER)
    mine = api.get("/api/v1/audit", headers, actor=str(receptionist.user_id)).json()
    assert [e["action"] for e in mine["items"]] == ["patient.update"]
    assert mine["items"][0]["fields"] == ["phone"]
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert api.get("/api/v1/audit", headers, since=future).json()["count"] == 0
    assert api.get("/api/v1/audit", headers, until=future).json()["count"] >= 1


def test_it_never_shows_another_clinics_entries(api, world):
    api.get(f"/api/v1/patients/{world.patient_b.pk}", world.headers("b", Role.OWNER))
    items = api.get("/api/v1/audit", world.headers("a", Role.OWNER), entity_type="patient").json()[
        "items"
    ]
    assert str(world.patient_b.pk) not in {e["entity_id"] for e in items}
    assert {e["entity_id"] for e in items} <= {
        str(world.patient_a.pk),
        str(world.other_patient_a.pk),
    }


def test_a_receptionist_cannot_read_the_audit_log(api, world):
    assert api.get("/api/v1/audit", world.headers("a", Role.RECEPTIONIST)).status_code == 403
