"""REST operations on the clinic the caller acts for: profile and staff."""

import uuid

from ninja import Schema

from clinicore.api.policy import ClinicRouter, policy
from clinicore.clinics.models import Membership
from clinicore.clinics.permissions import Perm

router = ClinicRouter(tags=["clinics"])


class ClinicOut(Schema):
    id: uuid.UUID
    name: str
    slug: str
    kind: str
    time_zone: str
    currency: str
    default_language: str
    address_line: str
    city: str
    country: str
    phone: str
    email: str
    status: str
    tier: str


class StaffOut(Schema):
    id: uuid.UUID
    user_id: uuid.UUID
    email: str
    full_name: str
    role: str
    title: str
    specialization: str
    is_active: bool


@router.get("/current", response=ClinicOut, summary="The clinic I act for", openapi_extra=policy(Perm.CLINIC_READ))
def current_clinic(request):
    return request.auth.clinic


@router.get("/current/staff", response=list[StaffOut], summary="Staff of my clinic", openapi_extra=policy(Perm.STAFF_READ))
def list_staff(request):
    memberships = Membership.objects.filter(clinic=request.auth.clinic).select_related("user").order_by("user__full_name")
    return [
        {"id": m.pk, "user_id": m.user_id, "email": m.user.email, "full_name": m.user.full_name, "role": m.role,
         "title": m.title, "specialization": m.specialization, "is_active": m.is_active}
        for m in memberships
    ]


# --- API keys for integrations (X-Clinic-API-Key) ------------------------------------------------
# Kept in one block: the raw key is answered once, at creation; only its hash is stored.

from datetime import datetime as _datetime  # noqa: E402

from ninja import Query as _Query  # noqa: E402
from ninja import Schema as _Schema  # noqa: E402
from pydantic import Field as _Field  # noqa: E402

from clinicore.api.pagination import PageParams as _PageParams  # noqa: E402
from clinicore.api.pagination import page_of as _page_of  # noqa: E402
from clinicore.api.pagination import paginate as _paginate  # noqa: E402
from clinicore.clinics import api_keys as _api_keys  # noqa: E402


class ApiKeyIn(_Schema):
    name: str = _Field(..., min_length=1, max_length=100, examples=["Lab results sync"])
    scopes: list[str] = _Field(
        ...,
        min_length=1,
        description="Permissions the key may use (names from x-permission).",
        examples=[["patients.read", "schedule.read"]],
    )


class ApiKeyOut(_Schema):
    id: uuid.UUID
    name: str
    prefix: str = _Field(
        ...,
        description="The public start of the key, to recognise it.",
        examples=["ck_3f9a0c1b2d4e"],
    )
    scopes: list[str]
    created_at: _datetime
    created_by_email: str | None = None
    last_used_at: _datetime | None = None
    revoked_at: _datetime | None = None


class ApiKeyCreated(ApiKeyOut):
    key: str = _Field(..., description="The full key. Shown only in this answer: store it now.")


def _api_key_out(key) -> dict:
    return {
        "id": key.pk,
        "name": key.name,
        "prefix": key.prefix,
        "scopes": list(key.scopes or []),
        "created_at": key.created_at,
        "created_by_email": key.created_by.email if key.created_by_id else None,
        "last_used_at": key.last_used_at,
        "revoked_at": key.revoked_at,
    }


@router.get(
    "/current/api-keys",
    response=_page_of(ApiKeyOut),
    summary="My clinic's API keys",
    description="Integration keys of the clinic, newest first, revoked ones included. The keys "
    "themselves are never shown again after creation.",
    openapi_extra=policy(Perm.API_KEYS_MANAGE),
)
def list_api_keys(request, page: _Query[_PageParams]):
    result = _paginate(_api_keys.api_key_list(clinic=request.auth.clinic), page)
    result["items"] = [_api_key_out(k) for k in result["items"]]
    return result


@router.post(
    "/current/api-keys",
    response={201: ApiKeyCreated},
    summary="Create an API key",
    description="Creates a key limited to `scopes`. Send it as `X-Clinic-API-Key`. The full key "
    "is in this answer only; we keep just a hash.",
    openapi_extra=policy(Perm.API_KEYS_MANAGE),
)
def create_api_key(request, payload: ApiKeyIn):
    key, raw = _api_keys.api_key_create(
        clinic=request.auth.clinic,
        actor=request.auth.user,
        name=payload.name,
        scopes=payload.scopes,
    )
    return 201, {**_api_key_out(key), "key": raw}


@router.delete(
    "/current/api-keys/{api_key_id}",
    response={204: None},
    summary="Revoke an API key",
    description="The key stops working at once (401). Revoking twice is harmless.",
    openapi_extra=policy(Perm.API_KEYS_MANAGE, obj="api_key"),
)
def revoke_api_key(request, api_key_id: uuid.UUID):
    key = _api_keys.api_key_get_for_clinic(clinic=request.auth.clinic, api_key_id=api_key_id)
    _api_keys.api_key_revoke(clinic=request.auth.clinic, actor=request.auth.user, api_key=key)
    return 204, None
