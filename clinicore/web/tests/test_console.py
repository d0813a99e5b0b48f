"""The platform console at /ops/: operators only; clinics list, create, suspend, re-tier."""

import pytest

from clinicore.clinics.models import Clinic, Membership
from clinicore.clinics.permissions import Role
from clinicore.core.models import AuditEntry
from clinicore.core.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = make_user("operator@example.com", is_staff=True)
    client.force_login(user)
    return user


def test_it_is_not_found_for_anyone_but_operators(client, world):
    assert client.get("/ops/").status_code == 404
    client.force_login(world.member("a", Role.OWNER).user)
    assert client.get("/ops/").status_code == 404
    assert (
        client.post(
            f"/ops/clinics/{world.clinic_a.pk}/status/", {"status": "suspended"}
        ).status_code
        == 404
    )
    world.clinic_a.refresh_from_db()
    assert world.clinic_a.is_active


def test_it_lists_clinics_with_counts(client, world, operator):
    html = client.get("/ops/").content.decode()
    assert "Clinic A" in html and "Clinic B" in html
    assert "/c/clinic-a/" in html


def test_it_creates_a_clinic_with_its_owner(client, operator):
    response = client.post(
        "/ops/clinics/new/",
        {
            "name": "Lotus Eye Care",
            "slug": "",
            "kind": "eye",
            "city": "Mumbai",
            "country": "in",
            "time_zone": "Asia/Kolkata",
            "currency": "INR",
            "tier": "professional",
            "owner_email": "Owner@Lotus.example.com",
            "owner_name": "Ritu Shah",
        },
    )
    assert response.status_code == 302
    clinic = Clinic.objects.get(slug="lotus-eye-care")
    assert (clinic.tier, clinic.country, clinic.kind) == ("professional", "IN", "eye")
    owner = Membership.objects.get(clinic=clinic)
    assert owner.role == Role.OWNER and owner.user.email == "owner@lotus.example.com"
    taken = client.post(
        "/ops/clinics/new/",
        {
            "name": "Lotus Eye Care",
            "kind": "eye",
            "city": "Pune",
            "country": "IN",
            "time_zone": "Asia/Kolkata",
            "currency": "INR",
            "tier": "starter",
            "owner_email": "x@lotus.example.com",
        },
    )
    assert (
        taken.status_code == 200
        and "Another clinic uses this web address." in taken.content.decode()
    )


def test_suspending_a_clinic_closes_its_workspace_and_api(client, api, world, operator):
    response = client.post(f"/ops/clinics/{world.clinic_a.pk}/status/", {"status": "suspended"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="clinic.suspend", clinic_id=world.clinic_a.pk).exists()
    assert api.get("/api/v1/patients", world.headers("a", Role.OWNER)).status_code == 403
    client.force_login(world.member("a", Role.RECEPTIONIST).user)
    assert client.get("/c/clinic-a/desk/patients/").status_code == 404
    assert "Clinic A" not in client.get("/").content.decode()
    client.force_login(operator)
    client.post(f"/ops/clinics/{world.clinic_a.pk}/status/", {"status": "active"})
    client.force_login(world.member("a", Role.RECEPTIONIST).user)
    assert client.get("/c/clinic-a/desk/patients/").status_code == 200


def test_it_changes_the_tier(client, world, operator):
    client.post(f"/ops/clinics/{world.clinic_b.pk}/tier/", {"tier": "enterprise"})
    world.clinic_b.refresh_from_db()
    assert world.clinic_b.tier == "enterprise"


def test_the_home_page_finds_clinics_by_specialty_and_city(client, world):
    from clinicore.core.testing import make_member

    make_member(world.clinic_b, Role.DENTIST, specialization="Orthodontics")
    html = client.get("/", {"q": "orthodont"}).content.decode()
    assert "Clinic B" in html and "Clinic A" not in html
    html = client.get("/", {"q": "pune"}).content.decode()
    assert "Clinic A" in html
    assert "No clinic matches" in client.get("/", {"q": "zzzz"}).content.decode()
