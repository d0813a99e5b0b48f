"""Every page answers bad addresses and junk query strings with a human page, never a 500.

Routes come from the URL resolver (workspace, portal, patient area, console), so a page any app
adds is walked here without editing this file. Each page with parameters is opened with an
unknown clinic slug, unknown ids, unknown tokens and malformed ids; each page is opened with a
query string of wrong types, impossible dates and a NUL character — as clinic A's owner and as
a patient.
"""

import re
import uuid

import pytest
from django.urls import get_resolver

from clinicore.api.tests import walk
from clinicore.clinics.permissions import Role

# Not pages: the REST API (fuzzed by test_schemathesis.py), provider webhooks (signed POSTs,
# tested by billing and notifications), Django admin, the language switch (a POST), static files.
NOT_PAGES = ("api/", "hooks/", "ops/admin/", "i18n/", "static/", "media/")

JUNK_QUERY = {
    "q": "a\x00b",
    "date": "not-a-date",
    "day": "2026-02-30",
    "week": "x",
    "start": "99999-01-01",
    "end": "-1",
    "from": "2026-13-01",
    "to": "yesterday",
    "month": "13",
    "year": "99999999999999999999",
    "page": "-1",
    "limit": "abc",
    "offset": "1e309",
    "status": "no-such-status",
    "practitioner": "not-a-uuid",
    "service": "not-a-uuid",
    "branch": "\x00",
    "patient": "00000000-0000-0000-0000-000000000000",
    "view": "../../etc/passwd",
    "next": "//evil.example/",
}

PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _routes():
    found = []
    for route, _entry in walk._walk(get_resolver().url_patterns):
        if route.startswith(NOT_PAGES) or not isinstance(route, str):
            continue
        found.append(route)
    return sorted(set(found))


ROUTES = _routes()
WITH_PARAMS = [r for r in ROUTES if PARAM.search(r)]
# Pages whose only parameter (if any) is the clinic: opened on clinic A with junk queries.
JUNK_ROUTES = [r for r in ROUTES if {m[1] for m in PARAM.findall(r)} <= {"clinic_slug"}]


def _fill(route: str, *, clinic_slug: str, malformed: bool = False) -> str:
    def value(match):
        converter, name = match.group(1), match.group(2)
        if name == "clinic_slug":
            return clinic_slug
        if converter == "uuid":
            return "not-a-uuid" if malformed else str(uuid.uuid4())
        if converter == "int":
            return "999999999"
        return "not-a-real-token"

    return "/" + PARAM.sub(value, route).lstrip("^").rstrip("$")


def _persona_login(client, world, persona):
    client.raise_request_exception = False
    if persona == "owner":
        client.force_login(world.member("a", Role.OWNER).user)
    else:
        client.force_login(world.patient_user)


def _assert_friendly(response, url, persona):
    status = response.status_code
    label = f"GET {url!r} as {persona} gave {status}"
    assert status < 500, label
    # 405 (an action page opened with GET) is HTTP's own answer with an Allow header.
    if status < 400 or status == 405:
        return
    body = response.content.decode(errors="replace")
    assert "Traceback" not in body and "Exception Value" not in body, label
    if response.get("Content-Type", "").startswith("text/html"):
        # A page of the site (its layout, a heading saying what happened), not a bare message.
        assert "<html" in body and "<h1" in body, f"{label} without a human page: {body[:200]!r}"


@pytest.mark.parametrize("persona", ["owner", "patient"])
@pytest.mark.parametrize("route", WITH_PARAMS)
def test_it_answers_unknown_and_malformed_ids_with_a_human_page(route, persona, world, client):
    _persona_login(client, world, persona)
    urls = {
        _fill(route, clinic_slug="no-such-clinic"),
        _fill(route, clinic_slug=world.clinic_a.slug),
        _fill(route, clinic_slug=world.clinic_a.slug, malformed=True),
    }
    for url in sorted(urls):
        _assert_friendly(client.get(url), url, persona)


@pytest.mark.parametrize("persona", ["owner", "patient"])
@pytest.mark.parametrize("route", JUNK_ROUTES)
def test_it_answers_junk_query_strings_without_a_server_error(route, persona, world, client):
    _persona_login(client, world, persona)
    url = _fill(route, clinic_slug=world.clinic_a.slug)
    _assert_friendly(client.get(url, JUNK_QUERY), url, persona)


def test_it_answers_a_nul_character_with_the_bad_request_page(world, client):
    _persona_login(client, world, "owner")
    url = f"/c/{world.clinic_a.slug}/desk/patients/"
    response = client.get(url, {"q": "Asha\x00"})
    assert response.status_code == 400
    assert "We could not understand that request." in response.content.decode()
    response = client.post(url.replace("patients/", "patients/new/"), {"first_name": "A\x00"})
    assert response.status_code == 400
