"""Factories and request bodies for the API walkers (see clinicore.core.testing)."""

import itertools

from clinicore.clinics.permissions import Role
from clinicore.core.testing import object_factory, request_body

_n = itertools.count(1)


# --- API keys (integrations) -----------------------------------------------------------------------


@object_factory("api_key")
def _api_key(world, clinic):
    from clinicore.clinics.api_keys import api_key_create

    owner = world.member("a" if clinic == world.clinic_a else "b", Role.OWNER).user
    return api_key_create(clinic=clinic, actor=owner, name=f"Walker key {next(_n)}", scopes=["patients.read"])[0]


@request_body("POST /api/v1/clinics/current/api-keys")
def _api_key_create(world, clinic):
    return {"name": f"Lab sync {next(_n)}", "scopes": ["patients.read", "schedule.read"]}
