"""Clinic API keys: created once, stored hashed, scoped, revocable."""

import hashlib

import pytest

from clinicore.clinics.models import ApiKey
from clinicore.clinics.permissions import Role
from clinicore.core.models import AuditEntry

pytestmark = pytest.mark.django_db

KEYS = "/api/v1/clinics/current/api-keys"


def _create(api, world, scopes, name="Lab sync"):
    response = api.post(
        KEYS, {"name": name, "scopes": scopes}, headers=world.headers("a", Role.OWNER)
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_it_shows_the_key_once_and_keeps_only_its_hash(api, world):
    created = _create(api, world, ["patients.read"])
    raw = created["key"]
    assert raw.startswith(created["prefix"] + ".")
    stored = ApiKey.objects.get(pk=created["id"])
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.split(".", 1)[1] not in str(ApiKey.objects.filter(pk=stored.pk).values().first())
    listed = api.get(KEYS, headers=world.headers("a", Role.OWNER)).json()
    assert listed["count"] == 1 and "key" not in listed["items"][0]
    assert raw not in str(listed)
    assert AuditEntry.objects.filter(action="api_key.create", entity_id=str(stored.pk)).exists()


def test_it_lets_a_key_do_what_its_scopes_allow_and_nothing_else(api, world):
    raw = _create(api, world, ["patients.read"])["key"]
    headers = {"X-Clinic-API-Key": raw}
    patients = api.get("/api/v1/patients", headers=headers)
    assert patients.status_code == 200
    names = {p["first_name"] for p in patients.json()["items"]}
    assert "Asha" in names and "Chloe" not in names  # clinic A's patients only
    create = api.post("/api/v1/patients", {"first_name": "Nope"}, headers=headers)
    assert create.status_code == 403
    assert api.get("/api/v1/auth/me", headers=headers).status_code == 403  # a key is not a person


def test_it_stops_a_revoked_key_at_once(api, world):
    created = _create(api, world, ["patients.read"])
    headers = {"X-Clinic-API-Key": created["key"]}
    assert api.get("/api/v1/patients", headers=headers).status_code == 200
    revoked = api.delete(f"{KEYS}/{created['id']}", headers=world.headers("a", Role.ADMIN))
    assert revoked.status_code == 204
    response = api.get("/api/v1/patients", headers=headers)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert AuditEntry.objects.filter(action="api_key.revoke", entity_id=created["id"]).exists()


def test_it_refuses_a_forged_secret_with_a_real_prefix(api, world):
    created = _create(api, world, ["patients.read"])
    forged = created["prefix"] + ".not-the-secret"
    assert api.get("/api/v1/patients", headers={"X-Clinic-API-Key": forged}).status_code == 401


def test_it_refuses_unknown_scopes(api, world):
    response = api.post(
        KEYS,
        {"name": "Bad", "scopes": ["patients.read", "everything"]},
        headers=world.headers("a", Role.OWNER),
    )
    assert response.status_code == 422 and "everything" in response.json()["fields"]["scopes"]


def test_it_lets_only_key_managers_manage_keys(api, world):
    assert api.get(KEYS, headers=world.headers("a", Role.MANAGER)).status_code == 403
    assert (
        api.post(
            KEYS,
            {"name": "x", "scopes": ["patients.read"]},
            headers=world.headers("a", Role.RECEPTIONIST),
        ).status_code
        == 403
    )


def test_it_hides_another_clinics_keys(api, world):
    created = _create(api, world, ["patients.read"])
    response = api.delete(f"{KEYS}/{created['id']}", headers=world.headers("b", Role.OWNER))
    assert response.status_code == 404
    assert ApiKey.objects.get(pk=created["id"]).revoked_at is None
