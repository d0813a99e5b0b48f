"""Shared test personas and factories: two clinics, each with one person per role, and patients.

Used by every app's tests (and the isolation/role walkers), so they build the same world.
"""

import itertools

from clinicore.accounts.models import User
from clinicore.accounts.tokens import access_token_issue
from clinicore.clinics.models import Clinic, Membership
from clinicore.clinics.permissions import Role

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def make_user(email: str | None = None, *, password: str = PASSWORD, **extra) -> User:
    n = next(_seq)
    email = email or f"person{n}@example.test"
    extra.setdefault("full_name", f"Person {n}")
    extra.setdefault("email_verified", True)
    return User.objects.create_user(email=email, password=password, **extra)


def make_clinic(slug: str | None = None, **extra) -> Clinic:
    n = next(_seq)
    slug = slug or f"clinic-{n}"
    defaults = {
        "name": f"Clinic {slug}",
        "time_zone": "Asia/Kolkata",
        "currency": "INR",
        "city": "Pune",
        "country": "IN",
    }
    defaults.update(extra)
    return Clinic.objects.create(slug=slug, **defaults)


def make_member(
    clinic: Clinic, role: str = Role.RECEPTIONIST, user: User | None = None, **extra
) -> Membership:
    user = user or make_user(
        f"{role}.{clinic.slug}.{next(_seq)}@example.test", full_name=f"{role.title()} {clinic.slug}"
    )
    if role in Role.practitioners():
        extra.setdefault("title", "Dr.")
    return Membership.objects.create(clinic=clinic, user=user, role=role, **extra)


def make_patient(clinic: Clinic, *, user: User | None = None, **extra):
    from clinicore.patients.services import patient_create

    n = next(_seq)
    extra.setdefault("first_name", f"Pat{n}")
    extra.setdefault("last_name", "Tester")
    extra.setdefault("phone", f"+91 98{n:08d}")
    return patient_create(clinic=clinic, user=user, **extra)


def bearer(user: User, clinic: Clinic | None = None) -> dict:
    """HTTP headers that authenticate `user` acting for `clinic` through the API."""
    token, _ = access_token_issue(user=user, clinic_id=clinic.pk if clinic else None)
    return {"Authorization": f"Bearer {token}"}


class World:
    """Two clinics, A and B, with a member per role and patients; plus a patient login at A."""

    def __init__(self):
        self.clinic_a = make_clinic("clinic-a", name="Clinic A")
        self.clinic_b = make_clinic(
            "clinic-b", name="Clinic B", time_zone="America/New_York", currency="USD", country="US"
        )
        self.members_a = {role: make_member(self.clinic_a, role) for role in Role.values}
        self.members_b = {role: make_member(self.clinic_b, role) for role in Role.values}
        self.patient_user = make_user("patient.a@example.test", full_name="Asha Patient")
        self.patient_a = make_patient(self.clinic_a, user=self.patient_user, first_name="Asha")
        self.other_patient_a = make_patient(self.clinic_a, first_name="Bela")
        self.patient_b = make_patient(self.clinic_b, first_name="Chloe")

    def member(self, clinic_key: str, role: str) -> Membership:
        return (self.members_a if clinic_key == "a" else self.members_b)[role]

    def headers(self, clinic_key: str, role: str) -> dict:
        m = self.member(clinic_key, role)
        return bearer(m.user, m.clinic)


# --- Registries the API walkers read -----------------------------------------------------------
#
# Every API operation declares `policy(perm, obj=...)`. The tenant-isolation and role-matrix
# tests walk /api/v1/openapi.json and need, per operation:
#   * for each `x-object` kind named in a path: a factory that makes such an object in a clinic;
#   * for each operation with a request body: a builder of a valid body for a clinic.
# Apps register them in `clinicore/<app>/testing.py`; the walkers import every such module and
# fail, naming the operation, when one is missing — so a new operation cannot go untested.

OBJECT_FACTORIES: dict = {}
REQUEST_BODIES: dict = {}


def object_factory(kind: str):
    """`@object_factory("patient") def f(world, clinic) -> model instance` (its pk goes in the path)."""

    def register(fn):
        OBJECT_FACTORIES[kind] = fn
        return fn

    return register


def request_body(operation: str):
    """`@request_body("POST /api/v1/patients") def f(world, clinic) -> dict` (a valid JSON body).

    Key: the method and the path exactly as in the OpenAPI document (with `{param}` names).
    """

    def register(fn):
        REQUEST_BODIES[operation] = fn
        return fn

    return register


def load_registries() -> None:
    import importlib
    import pkgutil

    import clinicore

    for module in pkgutil.iter_modules(clinicore.__path__):
        try:
            importlib.import_module(f"clinicore.{module.name}.testing")
        except ModuleNotFoundError as exc:
            if exc.name != f"clinicore.{module.name}.testing":
                raise
