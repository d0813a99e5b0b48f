"""Every API operation and workspace page answers each role as the permission matrix says.

Allowed role → 2xx, other roles → 403, anonymous → 401 (pages: a redirect to sign-in), a patient
login → 403 unless the operation lets patients act for themselves.
"""

import pytest

from clinicore.api.tests import walk
from clinicore.clinics.permissions import MATRIX, Role, role_has
from clinicore.core.testing import OBJECT_FACTORIES, REQUEST_BODIES, bearer

ANONYMOUS = "anonymous"
PATIENT = "patient"
CALLERS = [*Role.values, PATIENT, ANONYMOUS]

CASES = [(op, caller) for op in walk.OPERATIONS for caller in CALLERS]


def _expected(op, caller) -> str:
    if op.is_public:
        return "not-401"
    if caller == ANONYMOUS:
        return "401"
    if caller == PATIENT:
        if op.is_authenticated_only or op.patient:
            return "2xx-or-404" if op.kind else "2xx"
        return "403"
    if op.is_authenticated_only:
        return "2xx"
    return "2xx" if role_has(caller, op.permission) else "403"


def _headers(world, caller) -> dict:
    if caller == ANONYMOUS:
        return {}
    if caller == PATIENT:
        return bearer(world.patient_user, world.clinic_a)
    return world.headers("a", caller)


@pytest.mark.parametrize(("op", "caller"), CASES, ids=lambda v: v if isinstance(v, str) else v.key)
def test_it_answers_each_role_as_the_matrix_says(op, caller, world, client):
    problems = walk.problems_of(op)
    assert not problems, "\n".join(problems)
    values = {}
    if op.kind:
        made = OBJECT_FACTORIES[op.kind](world, world.clinic_a)
        values = walk.path_values(op.path_params, op.kind, made)
    url = walk.fill(op.path, values)
    headers = _headers(world, caller)
    query = dict(op.query)
    if op.method == "get":
        response = client.get(url, query or None, headers=headers)
    else:
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        kwargs = {"headers": headers}
        if op.has_body:
            kwargs.update(
                data=REQUEST_BODIES[op.key](world, world.clinic_a), content_type="application/json"
            )
        response = getattr(client, op.method)(url, **kwargs)
    status = response.status_code
    expected = _expected(op, caller)
    detail = f"{op.key} as {caller} (x-permission {op.permission!r}) gave {status}: {walk.body_preview(response, 400)!r}"
    assert status < 500, detail
    if expected == "2xx":
        assert 200 <= status < 300, f"expected 2xx — {detail}"
    elif expected == "2xx-or-404":
        assert 200 <= status < 300 or status == 404, f"expected 2xx or 404 — {detail}"
    elif expected == "403":
        assert status == 403, f"expected 403 — {detail}"
    elif expected == "401":
        assert status == 401, f"expected 401 — {detail}"
    else:
        assert status != 401, f"a public operation asked for sign-in — {detail}"


def test_it_knows_every_role():
    assert set(MATRIX) == set(Role.values)


# --- Workspace pages ----------------------------------------------------------------------------

PAGE_CASES = [(page, caller) for page in walk.PAGES for caller in [*Role.values, ANONYMOUS]]


@pytest.mark.parametrize(
    ("page", "caller"), PAGE_CASES, ids=lambda v: v if isinstance(v, str) else "/" + v.route
)
def test_it_opens_each_page_for_the_roles_the_matrix_allows(page, caller, world, client):
    assert page.declared, f"/{page.route} is not wrapped in workspace_view(...)"
    for method in page.methods:
        # Fresh objects per request, so a POST that deactivates does not change the next one.
        url = walk.page_url(page, walk.page_values(page, world.clinic_a, world))
        if caller != ANONYMOUS:
            client.force_login(world.member("a", caller).user)
        response = getattr(client, method.lower())(url)
        status = response.status_code
        detail = f"{method} {url} as {caller} (needs {page.permission!r}) gave {status}"
        if caller == ANONYMOUS:
            assert status == 302 and "/accounts/login/" in response["Location"], detail
        elif page.permission is None or role_has(caller, page.permission):
            assert status in (200, 302), detail
            if method == "GET":
                assert status == 200, detail
        else:
            assert status == 403, detail
