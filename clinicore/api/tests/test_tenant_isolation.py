"""Clinic B's people cannot read or change clinic A's data, through any API operation or page.

Operations come from /api/v1/openapi.json and pages from the URL resolver, so every route any
app adds is walked here without editing this file.
"""

import pytest
from django.db import transaction

from clinicore.api.tests import walk
from clinicore.clinics.permissions import Role
from clinicore.core.testing import OBJECT_FACTORIES, REQUEST_BODIES, bearer, make_user

OBJECT_OPS = [op for op in walk.OPERATIONS if op.kind]
LIST_OPS = [
    op for op in walk.OPERATIONS if op.method == "get" and not op.path_params and not op.is_public
]


def _call(client, op, url, *, headers, body=None, query=None):
    kwargs = {"headers": headers}
    if op.method == "get":
        return client.get(url, query or None, headers=headers)
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    if query:
        url = url + "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return getattr(client, op.method)(url, **kwargs)


@pytest.mark.django_db
def test_it_serves_the_document_the_walkers_walk(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    served = walk.operations(response.json())
    assert {op.key for op in served} == {op.key for op in walk.OPERATIONS}


@pytest.mark.parametrize("op", walk.OPERATIONS, ids=lambda op: op.key)
def test_it_can_walk_every_operation(op):
    assert not walk.problems_of(op), "\n".join(walk.problems_of(op))


@pytest.mark.parametrize("op", OBJECT_OPS, ids=lambda op: op.key)
def test_it_answers_404_to_another_clinics_owner(op, world, client):
    problems = walk.problems_of(op)
    assert not problems, "\n".join(problems)
    made = OBJECT_FACTORIES[op.kind](world, world.clinic_a)
    before = walk.snapshot(made)
    url = walk.fill(op.path, walk.path_values(op.path_params, op.kind, made))
    body = REQUEST_BODIES[op.key](world, world.clinic_b) if op.has_body else None
    response = _call(
        client, op, url, headers=world.headers("b", Role.OWNER), body=body, query=dict(op.query)
    )
    assert response.status_code == 404, (
        f"{op.key}: clinic B's owner got {response.status_code} for clinic A's {op.kind} "
        f"(must be 404, never revealing it exists): {walk.body_preview(response, 300)!r}"
    )
    assert walk.snapshot(made) == before, (
        f"{op.key} changed clinic A's {op.kind} for clinic B's owner"
    )


@pytest.mark.parametrize("op", [op for op in OBJECT_OPS if op.patient], ids=lambda op: op.key)
def test_it_answers_404_to_a_patient_of_another_clinic(op, world, client):
    made = OBJECT_FACTORIES[op.kind](world, world.clinic_a)
    before = walk.snapshot(made)
    url = walk.fill(op.path, walk.path_values(op.path_params, op.kind, made))
    outsider = make_user("outsider.patient@example.test")
    from clinicore.core.testing import make_patient

    make_patient(world.clinic_b, user=outsider)
    body = REQUEST_BODIES[op.key](world, world.clinic_b) if op.has_body else None
    response = _call(
        client, op, url, headers=bearer(outsider, world.clinic_b), body=body, query=dict(op.query)
    )
    assert response.status_code == 404, f"{op.key}: a clinic B patient got {response.status_code}"
    assert walk.snapshot(made) == before


def _clinic_a_ids(world) -> set[str]:
    ids = {world.clinic_a.pk.hex, world.patient_a.pk.hex, world.other_patient_a.pk.hex}
    for m in world.members_a.values():
        ids |= {m.pk.hex, m.user_id.hex}
    for factory in OBJECT_FACTORIES.values():
        # Seeding only: each factory is proven on its own by the per-operation tests, but two
        # factories may not fit together in one clinic (e.g. the same slot), so a misfit is skipped.
        try:
            with transaction.atomic():
                made = factory(world, world.clinic_a)
        except Exception:  # noqa: BLE001
            continue
        if isinstance(made, dict):
            made = made.get("_object")
        if made is not None and hasattr(made, "pk"):
            ids.add(made.pk.hex)
    return ids


@pytest.mark.parametrize("op", LIST_OPS, ids=lambda op: op.key)
def test_it_lists_nothing_of_another_clinic(op, world, client):
    secret = _clinic_a_ids(world)
    response = client.get(op.path, dict(op.query) or None, headers=world.headers("b", Role.OWNER))
    assert response.status_code < 300, (
        f"{op.key}: {response.status_code} {walk.body_preview(response, 300)!r}"
    )
    leaked = walk.uuids_in(response.json()) & secret
    assert not leaked, (
        f"{op.key} shows clinic B's owner ids of clinic A's objects: {sorted(leaked)}"
    )


# --- Workspace pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("page", walk.PAGES, ids=lambda p: "/" + p.route)
def test_it_answers_404_to_another_clinics_member_on_every_page(page, world, client):
    assert page.declared, f"/{page.route} is not wrapped in workspace_view(...)"
    url = walk.page_url(page, walk.page_values(page, world.clinic_a, world))
    client.force_login(world.member("b", Role.OWNER).user)
    for method in page.methods:
        response = getattr(client, method.lower())(url)
        assert response.status_code == 404, (
            f"{method} {url} gave clinic B's owner {response.status_code}"
        )


@pytest.mark.parametrize("page", walk.PAGES, ids=lambda p: "/" + p.route)
def test_it_answers_404_for_another_clinics_object_in_my_clinic_url(page, world, client):
    if page.kwargs == ("clinic_slug",):
        pytest.skip("no object in this page's address")
    # Clinic B's own URL, naming clinic A's objects: still 404.
    values_a = walk.page_values(page, world.clinic_a, world)
    values_a["clinic_slug"] = world.clinic_b.slug
    url = walk.page_url(page, values_a)
    client.force_login(world.member("b", Role.OWNER).user)
    for method in page.methods:
        response = getattr(client, method.lower())(url)
        assert response.status_code == 404, (
            f"{method} {url} gave clinic B's owner {response.status_code}"
        )
