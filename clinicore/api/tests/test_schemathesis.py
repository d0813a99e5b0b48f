"""Fuzzes every operation of /api/v1/openapi.json (schemathesis) through the real Django app.

Valid and invalid input (schemathesis' coverage phase: boundaries, wrong types, missing fields,
huge numbers, malformed UUIDs, NUL bytes; then random examples of both kinds) is sent as clinic
A's owner to every operation, and as a patient to every operation a patient may call. Each
answer must use a documented status code, never a 5xx, and its body must match the documented
schema. Valid examples of an operation on a tenant object are sent to a real object of clinic A
(from the walkers' object factories), so the handlers run past the 404.

Nothing is excluded: every operation is fuzzed as the owner. The patient run leaves out the
staff-only operations, which refuse a patient in the policy layer before any handler runs; that
refusal is tested per operation by test_role_matrix.py.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from clinicore.api.policy import AUTHENTICATED, PUBLIC
from clinicore.api.tests import walk
from clinicore.clinics.permissions import Role
from clinicore.core.testing import OBJECT_FACTORIES, bearer

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

# Bounded and reproducible: the coverage phase's deterministic cases (about 60 an operation)
# plus a few random ones. The patient run has only the random ones: the owner run already sends
# the coverage cases to every operation, and time is shared with the rest of the suite.
FUZZ = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
FUZZ_RANDOM_ONLY = settings(FUZZ, phases=[Phase.generate])

# The in-process WSGI client does not decompress; GZipMiddleware would otherwise answer gzip.
PLAIN = {"Accept-Encoding": "identity"}

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
# Other HTTP methods on each path: Django answers 405 before any of our code runs.
schema.config.phases.coverage.unexpected_methods = set()


def _patient_may_call(ctx) -> bool:
    op = ctx.operation.definition.raw
    return bool(op.get("x-patient")) or op.get("x-permission") in (PUBLIC, AUTHENTICATED)


patient_schema = schema.include(_patient_may_call)


@pytest.fixture(autouse=True)
def _keep_test_transaction():
    """The real WSGI handler closes the database connection around each request; inside the
    test's transaction that would drop the world, so requests keep the connection (as Django's
    own test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def real_object(world):
    """Path values of one real clinic A object per kind, made on first use in this test."""
    made = {}

    def values_for(case) -> dict | None:
        kind = case.operation.definition.raw.get("x-object")
        if not kind or kind not in OBJECT_FACTORIES:
            return None
        if kind not in made:
            params = tuple(case.path_parameters or {})
            made[kind] = walk.path_values(
                params, kind, OBJECT_FACTORIES[kind](world, world.clinic_a)
            )
        return made[kind]

    return values_for


def _call(case, headers):
    """One request in its own savepoint, rolled back after: like a production request in
    autocommit, a statement the database refuses (then answered 422) cannot poison the test's
    transaction for the next example."""
    savepoint = transaction.savepoint()
    try:
        case.call_and_validate(headers={**headers, **PLAIN}, checks=CHECKS)
    finally:
        transaction.savepoint_rollback(savepoint)


def _aim_at_real_object(case, real_object) -> None:
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    values = real_object(case)
    if values:
        case.path_parameters = {**(case.path_parameters or {}), **values}


@schema.parametrize()
@FUZZ
def test_it_answers_the_owner_within_the_documented_contract(case, world, real_object):
    _aim_at_real_object(case, real_object)
    _call(case, world.headers("a", Role.OWNER))


@patient_schema.parametrize()
@FUZZ_RANDOM_ONLY
def test_it_answers_a_patient_within_the_documented_contract(case, world, real_object):
    _aim_at_real_object(case, real_object)
    _call(case, bearer(world.patient_user, world.clinic_a))
