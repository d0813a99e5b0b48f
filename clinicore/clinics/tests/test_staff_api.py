"""Owners and admins manage their clinic's profile, staff and branches through the API."""

import pytest

from clinicore.clinics.models import Membership
from clinicore.clinics.permissions import Role
from clinicore.core.models import AuditEntry
from clinicore.core.testing import make_member

pytestmark = pytest.mark.django_db


def test_it_updates_the_clinic_profile_and_audits_field_names(api, world):
    headers = world.headers("a", Role.OWNER)
    response = api.put(
        "/api/v1/clinics/current",
        {"tagline": "Open on Sundays", "time_zone": "Asia/Kolkata", "currency": "inr"},
        headers,
    )
    assert response.status_code == 200, response.json()
    assert response.json()["tagline"] == "Open on Sundays"
    assert response.json()["currency"] == "INR"
    entry = AuditEntry.objects.filter(action="clinic.update", clinic_id=world.clinic_a.pk).get()
    assert entry.fields == ["currency", "tagline"] or entry.fields == ["tagline"]


def test_it_refuses_a_time_zone_that_is_not_iana(api, world):
    response = api.put(
        "/api/v1/clinics/current",
        {"time_zone": "India Standard Time"},
        world.headers("a", Role.ADMIN),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert "time_zone" in body["fields"]
    world.clinic_a.refresh_from_db()
    assert world.clinic_a.time_zone == "Asia/Kolkata"


def test_it_refuses_an_unsupported_currency(api, world):
    response = api.put(
        "/api/v1/clinics/current", {"currency": "XYZ"}, world.headers("a", Role.OWNER)
    )
    assert response.status_code == 422
    assert "currency" in response.json()["fields"]


def test_it_adds_a_staff_member_by_email_and_lists_them(api, world):
    headers = world.headers("a", Role.ADMIN)
    response = api.post(
        "/api/v1/clinics/current/staff",
        {
            "email": "Kavya.Rao@Example.com",
            "full_name": "Kavya Rao",
            "role": "doctor",
            "title": "Dr.",
            "specialization": "Cardiology",
        },
        headers,
    )
    assert response.status_code == 201, response.json()
    assert response.json()["email"] == "kavya.rao@example.com"
    listed = api.get("/api/v1/clinics/current/staff", headers, role="doctor").json()
    assert [s["full_name"] for s in listed["items"]] == [
        world.members_a[Role.DOCTOR].user.full_name,
        "Kavya Rao",
    ] or "Kavya Rao" in [s["full_name"] for s in listed["items"]]
    assert all(s["role"] == "doctor" for s in listed["items"])
    again = api.post(
        "/api/v1/clinics/current/staff",
        {"email": "kavya.rao@example.com", "role": "nurse"},
        headers,
    )
    assert again.status_code == 409
    assert again.json()["code"] == "already_member"


def test_an_admin_cannot_make_an_owner_or_remove_one(api, world):
    headers = world.headers("a", Role.ADMIN)
    owner = world.members_a[Role.OWNER]
    response = api.delete(f"/api/v1/clinics/current/staff/{owner.pk}", headers)
    assert response.status_code == 403
    assert response.json()["code"] == "owner_only"
    receptionist = world.members_a[Role.RECEPTIONIST]
    promote = api.put(
        f"/api/v1/clinics/current/staff/{receptionist.pk}", {"role": "owner"}, headers
    )
    assert promote.status_code == 403
    owner.refresh_from_db()
    receptionist.refresh_from_db()
    assert owner.is_active and receptionist.role == Role.RECEPTIONIST


def test_the_last_owner_cannot_be_demoted_or_removed(api, world):
    owner = world.members_a[Role.OWNER]
    headers = world.headers("a", Role.OWNER)
    demote = api.put(f"/api/v1/clinics/current/staff/{owner.pk}", {"role": "admin"}, headers)
    assert demote.status_code == 409
    assert demote.json()["code"] == "last_owner"
    remove = api.delete(f"/api/v1/clinics/current/staff/{owner.pk}", headers)
    assert remove.status_code == 409
    second = make_member(world.clinic_a, Role.OWNER)
    demote = api.put(
        f"/api/v1/clinics/current/staff/{owner.pk}", {"role": "admin"}, bearer_of(second)
    )
    assert demote.status_code == 200
    assert demote.json()["role"] == "admin"


def bearer_of(membership):
    from clinicore.core.testing import bearer

    return bearer(membership.user, membership.clinic)


def test_removing_a_member_ends_their_api_access(api, world):
    nurse = world.members_a[Role.NURSE]
    nurse_headers = world.headers("a", Role.NURSE)
    assert api.get("/api/v1/patients", nurse_headers).status_code == 200
    response = api.delete(
        f"/api/v1/clinics/current/staff/{nurse.pk}", world.headers("a", Role.OWNER)
    )
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert Membership.objects.get(pk=nurse.pk).is_active is False
    assert api.get("/api/v1/patients", nurse_headers).status_code == 403


def test_it_opens_a_branch_with_rooms(api, world):
    headers = world.headers("a", Role.OWNER)
    response = api.post(
        "/api/v1/clinics/current/branches",
        {"name": "Baner", "city": "Pune", "rooms": ["Consult 1", "Consult 1", "X-ray"]},
        headers,
    )
    assert response.status_code == 201, response.json()
    assert sorted(r["name"] for r in response.json()["rooms"]) == ["Consult 1", "X-ray"]
    dup = api.post("/api/v1/clinics/current/branches", {"name": "baner"}, headers)
    assert dup.status_code == 409
    listed = api.get(
        "/api/v1/clinics/current/branches", world.headers("a", Role.RECEPTIONIST)
    ).json()
    assert [b["name"] for b in listed["items"]] == ["Baner"]


def test_staff_of_another_clinic_is_not_found(api, world):
    other = world.members_b[Role.NURSE]
    response = api.get(f"/api/v1/clinics/current/staff/{other.pk}", world.headers("a", Role.OWNER))
    assert response.status_code == 404


def test_the_staff_list_runs_a_fixed_number_of_queries(api, world, django_assert_max_num_queries):
    for _ in range(5):
        make_member(world.clinic_a, Role.NURSE)
    with django_assert_max_num_queries(8):
        response = api.get("/api/v1/clinics/current/staff", world.headers("a", Role.OWNER))
    assert response.json()["count"] == len(Role.values) + 5
