"""Factories and request bodies for the API walkers (see clinicore.core.testing)."""

import itertools

from clinicore.clinics.permissions import Role
from clinicore.core.testing import make_member, object_factory, request_body

_n = itertools.count(1)

# --- Clinic profile, staff, branches --------------------------------------------------------------


@object_factory("membership")
def _membership(world, clinic):
    return make_member(clinic, Role.RECEPTIONIST)


@request_body("PUT /api/v1/clinics/current")
def _clinic_update(world, clinic):
    return {"tagline": "Open every day", "time_zone": clinic.time_zone, "currency": clinic.currency}


@request_body("POST /api/v1/clinics/current/staff")
def _staff_add(world, clinic):
    n = next(_n)
    return {
        "email": f"new.staff{n}.{clinic.slug}@example.com",
        "full_name": f"New Staff {n}",
        "role": "nurse",
        "specialization": "Triage",
    }


@request_body("PUT /api/v1/clinics/current/staff/{membership_id}")
def _staff_update(world, clinic):
    return {"role": "nurse", "specialization": "Wound care"}


@request_body("POST /api/v1/clinics/current/branches")
def _branch_create(world, clinic):
    return {"name": f"Branch {next(_n)}", "city": clinic.city, "rooms": ["Consult 1", "Consult 2"]}


# --- API keys (integrations) -----------------------------------------------------------------------


@object_factory("api_key")
def _api_key(world, clinic):
    from clinicore.clinics.api_keys import api_key_create

    owner = world.member("a" if clinic == world.clinic_a else "b", Role.OWNER).user
    return api_key_create(
        clinic=clinic, actor=owner, name=f"Walker key {next(_n)}", scopes=["patients.read"]
    )[0]


@request_body("POST /api/v1/clinics/current/api-keys")
def _api_key_create(world, clinic):
    return {"name": f"Lab sync {next(_n)}", "scopes": ["patients.read", "schedule.read"]}
