"""What the patient-route walker walks: every route outside the API, the workspace, webhooks and the
Django admin — the patient's own area, chat files, video, checkout and calendar links, and the
operators' console — and, for each, how to build what its address names.

Routes are read from the URL resolver at import, so a route added later is walked on the next
run; a parameterised route nobody described here makes test_patient_routes.py fail, naming what
to add (like the API and workspace walkers do).

The owner is the walkers' signed-in patient: `world.patient_user`, whose record at clinic A is
`world.patient_a`. A factory builds something of theirs and returns the model instance whose pk
goes in the address (the test watches that row for changes).
"""

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.urls import URLPattern, URLResolver, get_resolver

# Walked elsewhere: the REST API and the workspace (test_tenant_isolation, test_role_matrix),
# signed webhooks (billing, notifications), the Django admin, files, the language switch.
WALKED_ELSEWHERE = (
    "api/",
    "c/<slug:clinic_slug>/desk/",
    "hooks/",
    "ops/admin/",
    "static/",
    "media/",
    "i18n/",
)
CONSOLE_PREFIX = "ops/"
PATIENT_AREA_PREFIX = "me/"
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def params(route: str) -> tuple[str, ...]:
    return tuple(name for _converter, name in PARAM.findall(route))


def fill(route: str, values: dict) -> str:
    return "/" + PARAM.sub(lambda m: str(values[m.group(2)]), route)


def _walk(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def outside_routes() -> list[str]:
    return sorted(
        {r for r in _walk(get_resolver().url_patterns) if not r.startswith(WALKED_ELSEWHERE)}
    )


# --- Routes that open something the signed-in patient owns --------------------------------------


@dataclass(frozen=True)
class Rule:
    """How a patient route answers people other than its owner, when that is not plain 404."""

    refused: str = "404"  # or "as-unknown": the same answer as for an id that does not exist
    staff: str = "404"  # or "serves": the clinic's staff who may see the thing are served too
    why: str = ""


OWNED_FACTORIES: dict[str, Callable] = {}  # URL parameter -> factory(world) -> owned instance
ROUTE_FACTORIES: dict[str, Callable] = {}  # route -> factory, when a route needs a given state
RULES: dict[str, Rule] = {
    "me/account/sessions/<uuid:session_id>/end/": Rule(
        refused="as-unknown",
        why=(
            "Ending a session that is not yours answers as ending one already ended does: back "
            "to the account page saying it has ended; the session stays signed in."
        ),
    ),
    "chat/files/<uuid:attachment_id>/": Rule(
        staff="serves",
        why=(
            "The clinic's staff with chat.read download their clinic's chat files here too "
            "(the inbox links to it); other clinics' staff and other patients get 404."
        ),
    ),
}


def owned(param: str | None = None, *, route: str | None = None):
    """`@owned("invoice_id")`: builds the owner's object for every route naming `<invoice_id>`;
    `@owned(route="me/…/")`: for one route that needs its object in a particular state, or that
    names several objects (then return a dict of the address's values, the instance to watch
    under "_object")."""

    def register(fn):
        if route is not None:
            ROUTE_FACTORIES[route] = fn
        else:
            OWNED_FACTORIES[param] = fn
        return fn

    return register


def factory_for(route: str) -> Callable:
    if route in ROUTE_FACTORIES:
        return ROUTE_FACTORIES[route]
    (name,) = [n for n in params(route) if n != "clinic_slug"]
    return OWNED_FACTORIES[name]


def _receptionist_actor(world):
    from clinicore.clinics.permissions import Role
    from clinicore.messaging.testing import staff_actor

    return staff_actor(world.members_a[Role.RECEPTIONIST])


@owned("appointment_id")
def _appointment(world):
    from clinicore.scheduling.testing import book

    return book(world.clinic_a, patient=world.patient_a)


@owned(route="me/visits/<uuid:appointment_id>/video/")
def _video_visit(world):
    # A video visit whose room is open now, so the owner is let in and everyone else is not.
    from clinicore.telehealth.testing import make_video_appointment

    return make_video_appointment(world.clinic_a, patient=world.patient_a)


@owned("prescription_id")
def _prescription(world):
    from clinicore.records.testing import doctor_of, make_prescription

    return make_prescription(
        world.clinic_a,
        patient=world.patient_a,
        prescriber=doctor_of(world, world.clinic_a),
        shared=True,
    )


@owned("document_id")
def _document(world):
    from clinicore.records.testing import doctor_of, make_document

    return make_document(
        world.clinic_a, patient=world.patient_a, by=doctor_of(world, world.clinic_a), shared=True
    )


@owned("invoice_id")
def _invoice(world):
    from clinicore.billing.testing import make_invoice

    return make_invoice(world.clinic_a, world.patient_a)


@owned("payment_id")
def _payment(world):
    from clinicore.billing.testing import make_desk_payment, make_invoice

    invoice = make_invoice(world.clinic_a, world.patient_a)
    return make_desk_payment(world.clinic_a, invoice, amount=Decimal("500.00"))


@owned("conversation_id")
def _conversation(world):
    from clinicore.messaging.testing import make_conversation

    return make_conversation(
        world.clinic_a, patient=world.patient_a, by=_receptionist_actor(world), text="Hello"
    )


@owned("attachment_id")
def _attachment(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from clinicore.messaging.services import attachment_upload
    from clinicore.messaging.testing import png_bytes

    return attachment_upload(
        conversation=_conversation(world),
        actor=_receptionist_actor(world),
        upload=SimpleUploadedFile("scan.png", png_bytes()),
    )


@owned("patient_id")
def _own_record(world):
    return world.patient_a


@owned("session_id")
def _signed_in_session(world):
    from clinicore.portal.models import SignedInSession
    from clinicore.portal.services import signed_in_session_record

    key = secrets.token_hex(16)
    signed_in_session_record(
        user=world.patient_user, session_key=key, ip="203.0.113.9", user_agent="Firefox/128.0"
    )
    return SignedInSession.objects.filter(user=world.patient_user, session_key=key).first()


# --- Capability links: checkouts and calendar feeds, opened by an unguessable token -------------


@dataclass(frozen=True)
class Token:
    make: Callable  # factory(world) -> (instance to watch, token)
    owner_only: bool = False  # the token alone is not enough: the owner must be signed in too
    needs: tuple[str, ...] = ()  # pytest fixtures the factory relies on (e.g. a fake gateway)


def _checkout(world, provider: str):
    from clinicore.billing import gateway
    from clinicore.billing.testing import make_invoice

    if provider == "upi" and not world.clinic_a.upi_vpa:
        world.clinic_a.upi_vpa = "clinic-a@okaxis"
        world.clinic_a.save(update_fields=["upi_vpa"])
    invoice = make_invoice(world.clinic_a, world.patient_a, currency="INR")
    session = gateway.checkout_start(
        clinic=world.clinic_a, invoice=invoice, actor=world.patient_user, provider=provider
    )
    return session.payment, session.token


def _calendar_feed(world):
    from clinicore.clinics.permissions import Role
    from clinicore.scheduling import services

    feed = services.calendar_feed_rotate(
        clinic=world.clinic_a, actor=None, practitioner=world.members_a[Role.DOCTOR]
    )
    return feed, feed.token


TOKEN_ROUTES: dict[str, Token] = {
    "pay/sandbox/<str:token>/": Token(lambda w: _checkout(w, "sandbox")),
    "pay/upi/<str:token>/": Token(lambda w: _checkout(w, "upi")),
    "pay/status/<str:token>/": Token(lambda w: _checkout(w, "sandbox")),
    "pay/razorpay/<str:token>/": Token(
        lambda w: _checkout(w, "razorpay"), owner_only=True, needs=("fake_razorpay",)
    ),
    "pay/razorpay/<str:token>/verify/": Token(
        lambda w: _checkout(w, "razorpay"), owner_only=True, needs=("fake_razorpay",)
    ),
    "cal/<str:token>.ics": Token(_calendar_feed),
}


# --- The operators' console -----------------------------------------------------------------------


@dataclass(frozen=True)
class Console:
    """A console page (404 to everyone but an operator) and what the address's id names."""

    make: Callable | None = None  # factory(world) -> the instance whose pk is the route's id
    post: dict | None = None  # what the operator posts to succeed


def _outbox_message(world):
    from clinicore.core.testing import OBJECT_FACTORIES, load_registries

    load_registries()
    return OBJECT_FACTORIES["outbox_message"](world, world.clinic_a)


CONSOLE_ROUTES: dict[str, Console] = {
    "ops/": Console(),
    "ops/clinics/new/": Console(),
    "ops/clinics/<uuid:clinic_id>/status/": Console(
        make=lambda w: w.clinic_a, post={"status": "suspended"}
    ),
    "ops/clinics/<uuid:clinic_id>/tier/": Console(
        make=lambda w: w.clinic_a, post={"tier": "enterprise"}
    ),
    # The platform outbox is part of the console: 404 to anyone but an operator, like the rest.
    "ops/outbox/": Console(),
    "ops/outbox/<uuid:outbox_message_id>/": Console(make=_outbox_message),
    "ops/outbox/<uuid:outbox_message_id>/html": Console(make=_outbox_message),
}


# --- Parameterised routes that open nothing a patient owns ----------------------------------------

NOT_OWNED: dict[str, str] = {
    "accounts/verify-email/<str:token>/": "a signed email-verification link (accounts tests)",
    "accounts/password/reset/<uidb64>/<token>/": "Django's signed password-reset link",
    "join/<str:token>/": "a staff invitation, for the invited email only (desk tests)",
    "c/<slug:clinic_slug>/join/<str:token>/": "a clinic's patient invitation (portal tests)",
}


def is_clinic_public_page(route: str) -> bool:
    """The clinic's public face (`c/<slug>/`, booking): names nothing but the clinic."""
    return bool(params(route)) and set(params(route)) == {"clinic_slug"}


def problems_of(route: str) -> list[str]:
    """Why a route cannot be walked; each problem names what its author must add here."""
    names = params(route)
    if route.startswith(CONSOLE_PREFIX):
        if route in CONSOLE_ROUTES:
            return []
        return [
            f"/{route} is a console page: add it to CONSOLE_ROUTES in "
            "clinicore/api/tests/patient_walk.py (how it refuses non-operators, what its id names)."
        ]
    if not names or route in NOT_OWNED or route in TOKEN_ROUTES or is_clinic_public_page(route):
        return []
    if "token" in names:
        return [
            f"/{route} opens by a token: add it to TOKEN_ROUTES (with a factory making the thing "
            "and its token, and whether the owner must be signed in) or, when it opens nothing a "
            "patient owns, to NOT_OWNED saying why."
        ]
    if route in ROUTE_FACTORIES:
        return []
    missing = [n for n in names if n != "clinic_slug" and n not in OWNED_FACTORIES]
    problems = [
        f'/{route} needs <{n}>: register @owned("{n}") in clinicore/api/tests/patient_walk.py '
        "(a factory building one of the signed-in patient's), or add the route to NOT_OWNED "
        "saying why it opens nothing a patient owns."
        for n in missing
    ]
    if not missing and len([n for n in names if n != "clinic_slug"]) > 1:
        problems.append(
            f'/{route} names several objects: register @owned(route="{route}") returning them.'
        )
    return problems


ROUTES = outside_routes()
CONSOLE = [r for r in ROUTES if r.startswith(CONSOLE_PREFIX)]
TOKENS = [r for r in ROUTES if r in TOKEN_ROUTES]
OWNED = [
    r
    for r in ROUTES
    if params(r)
    and not r.startswith(CONSOLE_PREFIX)
    and r not in TOKEN_ROUTES
    and r not in NOT_OWNED
    and not is_clinic_public_page(r)
]
PATIENT_PAGES = [r for r in ROUTES if r.startswith(PATIENT_AREA_PREFIX) and not params(r)]
