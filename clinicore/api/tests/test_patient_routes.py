"""Nobody but its owner opens what a patient route names; capability links open by their token
alone; the console opens for operators only.

Routes come from the URL resolver (see patient_walk.py): the patient's area and payment pages,
chat files, video, checkout and calendar links, and the operators' console. A route added later is
walked without editing this file, and one nobody described fails `test_it_can_walk_every_route`.
"""

import secrets
import uuid
from dataclasses import dataclass

import pytest
from django.test import override_settings
from django.urls import reverse

from clinicore.api.tests import patient_walk as pw
from clinicore.api.tests.conftest import FAST_HASHERS
from clinicore.clinics.permissions import Role
from clinicore.core.models import AuditEntry

METHODS = ("GET", "POST")
SIGN_IN = "/accounts/login/"


@dataclass(frozen=True)
class People:
    owner: object  # the walkers' patient, P: world.patient_user, a patient of clinic A
    same_clinic_patient: object
    other_clinic_patient: object
    clinic_owner: object  # clinic A's staff, with no patient record of their own
    receptionist: object
    other_clinic_owner: object
    operator: object

    def refused(self) -> dict:
        return {
            "another patient of clinic A": self.same_clinic_patient,
            "a patient of clinic B": self.other_clinic_patient,
            "clinic B's owner": self.other_clinic_owner,
        }

    def staff(self) -> dict:
        return {"clinic A's owner": self.clinic_owner, "clinic A's receptionist": self.receptionist}


@pytest.fixture(scope="module")
def walk_people(walk_world, django_db_blocker):
    from clinicore.core.testing import make_patient, make_user

    world = walk_world
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        same = make_user("bela.patient@example.test", full_name="Bela Patient")
        make_patient(world.clinic_a, user=same, first_name="Bela")
        other = make_user("chloe.patient@example.test", full_name="Chloe Patient")
        make_patient(world.clinic_b, user=other, first_name="Chloe")
        return People(
            owner=world.patient_user,
            same_clinic_patient=same,
            other_clinic_patient=other,
            clinic_owner=world.member("a", Role.OWNER).user,
            receptionist=world.member("a", Role.RECEPTIONIST).user,
            other_clinic_owner=world.member("b", Role.OWNER).user,
            operator=make_user("operator@example.test", full_name="Olu Operator", is_staff=True),
        )


@pytest.fixture
def people(walk_people, world):
    return walk_people


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"  # chat files, documents, receipts


@pytest.fixture
def fake_razorpay(settings, world):
    """Razorpay's API and its checkout.js on 127.0.0.1, with clinic A's Razorpay keys set up."""
    from clinicore.billing.tests.fakes import razorpay_serving

    with razorpay_serving(settings, world.clinic_a) as server:
        yield server


# --- Helpers ----------------------------------------------------------------------------------------


def _as(client, user) -> None:
    client.logout()
    if user is not None:
        client.force_login(user)


def _open(client, method: str, url: str, data: dict | None = None):
    return getattr(client, method.lower())(url, data or {})


def _answer(response) -> tuple:
    """What a person sees of an answer: its status and where it sends them."""
    return response.status_code, response.get("Location", "")


def _sends_to_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(SIGN_IN)


def _succeeds(response) -> bool:
    return response.status_code == 200 or (
        response.status_code == 302 and not _sends_to_sign_in(response)
    )


def _row(instance) -> dict | None:
    return type(instance)._default_manager.filter(pk=instance.pk).values().first()


def _values(route: str, made, world) -> dict:
    if isinstance(made, dict):
        return {name: made[name] for name in pw.params(route)}
    (name,) = [n for n in pw.params(route) if n != "clinic_slug"]
    return {"clinic_slug": world.clinic_a.slug, name: made.pk}


def _watched(made):
    return made.get("_object") if isinstance(made, dict) else made


# --- Every route is described ---------------------------------------------------------------------


@pytest.mark.parametrize("route", pw.ROUTES, ids=lambda r: "/" + r)
def test_it_can_walk_every_route(route):
    problems = pw.problems_of(route)
    assert not problems, "\n".join(problems)


def test_it_describes_only_routes_that_exist():
    described = {
        *pw.RULES,
        *pw.ROUTE_FACTORIES,
        *pw.TOKEN_ROUTES,
        *pw.CONSOLE_ROUTES,
        *pw.NOT_OWNED,
    }
    stale = sorted(described - set(pw.ROUTES))
    assert not stale, f"patient_walk.py describes routes the resolver no longer has: {stale}"


def test_it_walks_the_patient_area_the_console_and_the_capability_links():
    # The families this walker exists for; an empty one would pass vacuously.
    assert "me/appointments/<uuid:appointment_id>/cancel/" in pw.OWNED
    assert "chat/files/<uuid:attachment_id>/" in pw.OWNED
    assert "pay/razorpay/<str:token>/verify/" in pw.TOKENS
    assert "ops/clinics/<uuid:clinic_id>/status/" in pw.CONSOLE
    assert "me/account/" in pw.PATIENT_PAGES


# --- What a patient owns: their own, and nobody else's ------------------------------------------


@pytest.mark.parametrize("route", pw.OWNED, ids=lambda r: "/" + r)
def test_it_answers_404_to_everyone_but_the_owner(route, world, people, client):
    problems = pw.problems_of(route)
    assert not problems, "\n".join(problems)
    rule = pw.RULES.get(route, pw.Rule())
    made = pw.factory_for(route)(world)
    watched = _watched(made)
    url = pw.fill(route, _values(route, made, world))
    unknown_url = pw.fill(
        route,
        {
            **_values(route, made, world),
            **{n: uuid.uuid4() for n in pw.params(route) if n != "clinic_slug"},
        },
    )

    refused = dict(people.refused())
    if rule.staff != "serves":
        refused.update(people.staff())
    before, audits = _row(watched), AuditEntry.objects.count()
    refusals = {}
    for who, user in refused.items():
        _as(client, user)
        for method in METHODS:
            refusals[who, method] = _open(client, method, url)
    _as(client, None)
    for method in METHODS:
        response = _open(client, method, url)
        assert _sends_to_sign_in(response), (
            f"{method} {url} as a stranger gave {_answer(response)}, not the sign-in page"
        )
    assert _row(watched) == before, f"{url} changed the owner's object for someone else"
    assert AuditEntry.objects.count() == audits, f"{url} recorded an action for someone else"

    _as(client, people.owner)
    unknown = {method: _open(client, method, unknown_url) for method in METHODS}
    mine = {method: _open(client, method, url) for method in METHODS}
    accepted = [m for m in METHODS if mine[m].status_code != 405]
    assert accepted, f"{url} answers its owner 405 to both GET and POST"
    for method in accepted:
        assert _succeeds(mine[method]), (
            f"{method} {url} as its owner gave {_answer(mine[method])}: the factory does not "
            "build something the owner can open, so the refusals above prove nothing"
        )
        if rule.refused == "404":
            assert unknown[method].status_code == 404, (
                f"{method} {unknown_url} (unknown id) gave its owner {_answer(unknown[method])}"
            )

    for (who, method), response in refusals.items():
        if method not in accepted:
            assert response.status_code in (404, 405), (
                f"{method} {url} as {who}: {_answer(response)}"
            )
        elif rule.refused == "as-unknown":
            assert _answer(response) == _answer(unknown[method]), (
                f"{method} {url} as {who} gave {_answer(response)}, not the answer to an unknown "
                f"id {_answer(unknown[method])} ({rule.why})"
            )
        else:
            assert response.status_code == 404, (
                f"{method} {url} gave {who} {_answer(response)} for the owner's object "
                "(must be 404, never revealing it exists)"
            )

    if rule.staff == "serves":
        # Deliberate: see the rule's reason. Staff are answered as the owner is.
        for who, user in people.staff().items():
            _as(client, user)
            for method in METHODS:
                response = _open(client, method, url)
                assert _answer(response)[0] == mine[method].status_code, (
                    f"{method} {url} as {who} gave {_answer(response)} ({rule.why})"
                )


# --- Capability links: the token opens them, nothing else does ----------------------------------


@pytest.mark.parametrize("route", pw.TOKENS, ids=lambda r: "/" + r)
def test_it_opens_a_capability_link_by_its_token_alone(route, world, people, client, request):
    spec = pw.TOKEN_ROUTES[route]
    for fixture in spec.needs:
        request.getfixturevalue(fixture)
    watched, token = spec.make(world)
    url = pw.fill(route, {"token": token})
    wrong_url = pw.fill(route, {"token": secrets.token_urlsafe(24)})

    before, audits = _row(watched), AuditEntry.objects.count()
    refusals = {}
    if spec.owner_only:
        for who, user in {**people.refused(), **people.staff()}.items():
            _as(client, user)
            for method in METHODS:
                refusals[who, method] = _open(client, method, url)
    _as(client, None)
    strangers = {method: _open(client, method, url) for method in METHODS}
    wrong_for_stranger = {method: _open(client, method, wrong_url) for method in METHODS}
    if spec.owner_only:
        for method, response in strangers.items():
            assert _sends_to_sign_in(response), f"{method} {url} as a stranger: {_answer(response)}"
        assert _row(watched) == before, f"{url} changed the checkout for someone else"
        assert AuditEntry.objects.count() == audits, f"{url} recorded an action for someone else"

    _as(client, people.owner)
    wrong = {method: _open(client, method, wrong_url) for method in METHODS}
    mine = {method: _open(client, method, url) for method in METHODS}
    accepted = [m for m in METHODS if mine[m].status_code != 405]
    assert accepted, f"{url} answers its owner 405 to both GET and POST"
    for method in accepted:
        assert _succeeds(mine[method]), f"{method} {url} as its owner: {_answer(mine[method])}"
        assert wrong[method].status_code == 404, (
            f"{method} {wrong_url} (a token that does not exist) gave {_answer(wrong[method])}"
        )
        if spec.owner_only:
            assert _sends_to_sign_in(wrong_for_stranger[method]), _answer(
                wrong_for_stranger[method]
            )
        else:
            assert wrong_for_stranger[method].status_code == 404, _answer(
                wrong_for_stranger[method]
            )
            # A capability URL: whoever holds the token opens it, signed in or not.
            assert _succeeds(strangers[method]), (
                f"{method} {url} with its token, signed out: {_answer(strangers[method])}"
            )
    for (who, method), response in refusals.items():
        expected = (404,) if method in accepted else (404, 405)
        assert response.status_code in expected, (
            f"{method} {url} gave {who} {_answer(response)}: the token is not enough, it is the "
            "owner's checkout"
        )


# --- The operators' console --------------------------------------------------------------------------


@pytest.mark.parametrize("route", pw.CONSOLE, ids=lambda r: "/" + r)
def test_it_opens_the_console_for_operators_only(route, world, people, client):
    problems = pw.problems_of(route)
    assert not problems, "\n".join(problems)
    spec = pw.CONSOLE_ROUTES[route]
    made = spec.make(world) if spec.make else None
    names = pw.params(route)
    url = pw.fill(route, {name: made.pk for name in names})
    unknown_url = pw.fill(route, {name: uuid.uuid4() for name in names})

    before = _row(made) if made is not None else None
    audits = AuditEntry.objects.count()
    signed_in = {
        "clinic A's owner": people.clinic_owner,
        "a patient": people.owner,
        "clinic B's owner": people.other_clinic_owner,
    }
    for who, user in [*signed_in.items(), ("a stranger", None)]:
        _as(client, user)
        for method in METHODS:
            response = _open(client, method, url, spec.post)
            assert response.status_code == 404, (
                f"{method} {url} gave {who} {_answer(response)}: the console is not there for them"
            )
    if made is not None:
        assert _row(made) == before, f"{url} changed clinic data for a non-operator"
    assert AuditEntry.objects.count() == audits, f"{url} recorded an action for a non-operator"

    _as(client, people.operator)
    answers = {}
    for method in METHODS:
        if names:
            answers[method, "unknown"] = _open(client, method, unknown_url, spec.post)
        answers[method] = _open(client, method, url, spec.post)
    accepted = [m for m in METHODS if answers[m].status_code != 405]
    assert accepted, f"{url} answers an operator 405 to both GET and POST"
    for method in accepted:
        assert _succeeds(answers[method]), (
            f"{method} {url} as an operator: {_answer(answers[method])}"
        )
        if names:
            unknown = answers[method, "unknown"]
            assert unknown.status_code == 404, (
                f"{method} {unknown_url} as an operator: {_answer(unknown)}"
            )


# --- The patient's own pages: sign-in first, and only their own things listed ----------------------


def _owner_belongings(world) -> dict[str, str]:
    """One of each thing the owner can own, built for them: kind -> id."""
    made = {}
    for name, factory in sorted(pw.OWNED_FACTORIES.items()):
        made[name] = str(factory(world).pk)
    return made


def _ids_in(body: bytes, ids: dict[str, str]) -> list[str]:
    text = body.decode(errors="replace").lower()
    return sorted(
        name for name, value in ids.items() if value in text or value.replace("-", "") in text
    )


@pytest.mark.parametrize("route", pw.PATIENT_PAGES, ids=lambda r: "/" + r)
def test_it_shows_a_patient_page_only_to_its_signed_in_person(route, world, people, client):
    url = pw.fill(route, {})
    _as(client, None)
    for method in METHODS:
        response = _open(client, method, url)
        assert _sends_to_sign_in(response), f"{method} {url} as a stranger: {_answer(response)}"

    belongings = _owner_belongings(world)
    belongings.pop("patient_id")  # the owner's record is theirs; clinic A's id is no secret
    for who, user in {**people.refused(), **people.staff()}.items():
        _as(client, user)
        response = client.get(url)
        assert response.status_code in (200, 405), f"GET {url} as {who}: {_answer(response)}"
        leaked = _ids_in(response.content, belongings)
        assert not leaked, f"GET {url} shows {who} the owner's {leaked}"

    _as(client, people.owner)
    response = client.get(url)
    assert response.status_code in (200, 405), f"GET {url} as its owner: {_answer(response)}"


def test_it_lists_the_owners_things_on_their_own_pages(world, people, client):
    # The page test above looks for these ids; here the owner sees them, so it can see a leak.
    belongings = _owner_belongings(world)
    _as(client, people.owner)
    shown = set()
    for route in pw.PATIENT_PAGES:
        response = client.get(pw.fill(route, {}))
        if response.status_code == 200:
            shown |= set(_ids_in(response.content, belongings))
    # Chat files are listed only inside their conversation (walked above, by route).
    expected = {
        "appointment_id",
        "conversation_id",
        "document_id",
        "invoice_id",
        "patient_id",
        "payment_id",
        "prescription_id",
        "session_id",
    }
    assert expected <= shown, f"the owner's pages show none of their {sorted(expected - shown)}"


def test_it_refuses_a_conversation_about_someone_elses_record(world, people, client):
    # The one patient page that names a record in its form rather than its address.
    from clinicore.messaging.models import Conversation

    form = {"patient_id": str(world.patient_a.pk), "department": "general", "text": "Hello"}
    for who, user in {**people.refused(), **people.staff()}.items():
        _as(client, user)
        response = client.post(reverse("messaging-portal:new"), form)
        assert response.status_code == 404, (
            f"{who} started a chat as the owner: {_answer(response)}"
        )
    assert not Conversation.objects.filter(patient=world.patient_a).exists()

    _as(client, people.owner)
    response = client.post(reverse("messaging-portal:new"), form)
    assert response.status_code == 302 and response["Location"].startswith("/me/messages/")
    assert Conversation.objects.filter(patient=world.patient_a).count() == 1
