"""REST operations on the clinic the caller acts for: profile, staff, branches, audit log."""

import uuid
from datetime import datetime

from django.db import transaction
from ninja import Query
from pydantic import Field

from clinicore.api.pagination import PageParams, page_of, paginate
from clinicore.api.policy import ClinicRouter, policy
from clinicore.clinics import selectors, services
from clinicore.clinics.access import membership_get_for_clinic
from clinicore.clinics.permissions import Perm
from clinicore.clinics.schemas import (
    AuditEntryOut,
    BranchIn,
    BranchOut,
    ClinicOut,
    ClinicUpdate,
    StaffIn,
    StaffOut,
    StaffUpdate,
)
from clinicore.core.models import AuditEntry

router = ClinicRouter(tags=["clinics"])
audit_router = ClinicRouter(tags=["audit"])


def _staff_out(m) -> dict:
    return {
        "id": m.pk,
        "user_id": m.user_id,
        "email": m.user.email,
        "full_name": m.user.full_name,
        "role": m.role,
        "title": m.title,
        "specialization": m.specialization,
        "licence_number": m.licence_number,
        "branch_id": m.branch_id,
        "is_active": m.is_active,
    }


def _branch_out(b) -> dict:
    return {
        "id": b.pk,
        "name": b.name,
        "address_line": b.address_line,
        "city": b.city,
        "phone": b.phone,
        "is_active": b.is_active,
        "rooms": [{"id": r.pk, "name": r.name, "is_active": r.is_active} for r in b.rooms.all()],
    }


@router.get(
    "/current",
    response=ClinicOut,
    summary="The clinic I act for",
    description="Profile and settings of the clinic the token is bound to.",
    openapi_extra=policy(Perm.CLINIC_READ),
)
def current_clinic(request):
    return request.auth.clinic


@router.put(
    "/current",
    response=ClinicOut,
    summary="Update my clinic's profile",
    description=(
        "Only the fields sent are changed. `time_zone` must be an IANA name (e.g. `Asia/Kolkata`); "
        "`currency` one of the supported ISO codes."
    ),
    openapi_extra=policy(Perm.CLINIC_MANAGE),
)
def update_clinic(request, payload: ClinicUpdate):
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.clinic_update(clinic=request.auth.clinic, actor=request.auth.user, **data)


class StaffFilters(PageParams):
    role: str | None = Field(None, description="Only this role.", examples=["doctor"])
    include_inactive: bool = Field(False, description="Also people whose access was removed.")


@router.get(
    "/current/staff",
    response=page_of(StaffOut),
    summary="Staff of my clinic",
    description="Active staff by name; filter by `role`, add `include_inactive=true` for former staff.",
    openapi_extra=policy(Perm.STAFF_READ),
)
def list_staff(request, filters: Query[StaffFilters]):
    qs = selectors.staff_list(
        clinic=request.auth.clinic,
        role=filters.role or "",
        include_inactive=filters.include_inactive,
    )
    result = paginate(qs, filters)
    result["items"] = [_staff_out(m) for m in result["items"]]
    return result


@router.post(
    "/current/staff",
    response={201: StaffOut},
    summary="Add a staff member",
    description=(
        "Gives a person (by email) a role at the clinic. Someone without an account gets one and sets "
        "a password through “forgot password”. Only owners may add owners."
    ),
    openapi_extra=policy(Perm.STAFF_MANAGE),
)
def add_staff(request, payload: StaffIn):
    data = payload.dict()
    membership = services.staff_add(clinic=request.auth.clinic, actor=request.auth.user, **data)
    return 201, _staff_out(membership)


@router.get(
    "/current/staff/{membership_id}",
    response=StaffOut,
    summary="A staff member",
    openapi_extra=policy(Perm.STAFF_MANAGE, obj="membership"),
)
def get_staff(request, membership_id: uuid.UUID):
    return _staff_out(
        membership_get_for_clinic(clinic=request.auth.clinic, membership_id=membership_id)
    )


@router.put(
    "/current/staff/{membership_id}",
    response=StaffOut,
    summary="Change a staff member's role or details",
    description=(
        "Only the fields sent are changed. Only an owner can change an owner or make someone owner; "
        "the last owner cannot be given another role (409 `last_owner`)."
    ),
    openapi_extra=policy(Perm.STAFF_MANAGE, obj="membership"),
)
def update_staff(request, membership_id: uuid.UUID, payload: StaffUpdate):
    with transaction.atomic():
        membership = membership_get_for_clinic(
            clinic=request.auth.clinic, membership_id=membership_id
        )
        data = payload.dict(exclude_unset=True)
        data = {k: v for k, v in data.items() if v is not None or k == "branch_id"}
        membership = services.staff_update(membership=membership, actor=request.auth.user, **data)
    return _staff_out(membership)


@router.delete(
    "/current/staff/{membership_id}",
    response=StaffOut,
    summary="Remove a staff member",
    description=(
        "Ends the person's access to this clinic (the membership is deactivated, history stays). "
        "An administrator cannot remove an owner; the last owner cannot be removed."
    ),
    openapi_extra=policy(Perm.STAFF_MANAGE, obj="membership"),
)
def remove_staff(request, membership_id: uuid.UUID):
    membership = membership_get_for_clinic(clinic=request.auth.clinic, membership_id=membership_id)
    return _staff_out(services.staff_deactivate(membership=membership, actor=request.auth.user))


@router.get(
    "/current/branches",
    response=page_of(BranchOut),
    summary="Branches of my clinic",
    description="Every branch with its rooms.",
    openapi_extra=policy(Perm.CLINIC_READ),
)
def list_branches(request, page: Query[PageParams]):
    result = paginate(selectors.branch_list(clinic=request.auth.clinic), page)
    result["items"] = [_branch_out(b) for b in result["items"]]
    return result


@router.post(
    "/current/branches",
    response={201: BranchOut},
    summary="Open a branch",
    description="Adds a branch, with its rooms when `rooms` lists their names.",
    openapi_extra=policy(Perm.CLINIC_MANAGE),
)
def create_branch(request, payload: BranchIn):
    data = payload.dict()
    rooms = data.pop("rooms")
    with transaction.atomic():
        branch = services.branch_create(clinic=request.auth.clinic, actor=request.auth.user, **data)
        for name in dict.fromkeys(r.strip() for r in rooms if r.strip()):
            services.room_create(branch=branch, actor=request.auth.user, name=name)
    return 201, _branch_out(selectors.branch_list(clinic=request.auth.clinic).get(pk=branch.pk))


class AuditFilters(PageParams):
    entity_type: str | None = Field(None, max_length=60, examples=["patient"])
    entity_id: str | None = Field(None, max_length=64)
    actor: uuid.UUID | None = Field(None, description="User id of who acted.")
    action: str | None = Field(None, max_length=60, examples=["patient.read"])
    since: datetime | None = Field(
        None, description="From this moment (ISO 8601).", examples=["2026-11-01T00:00:00Z"]
    )
    until: datetime | None = Field(None, description="Before this moment (ISO 8601).")


@audit_router.get(
    "",
    response=page_of(AuditEntryOut),
    summary="My clinic's audit log",
    description=(
        "Who did what, when and from where — every write and every opening of a patient's record, "
        "newest first. Entries name the fields written, never their values."
    ),
    openapi_extra=policy(Perm.AUDIT_READ),
)
def list_audit(request, filters: Query[AuditFilters]):
    qs = AuditEntry.objects.filter(clinic_id=request.auth.clinic.pk)
    if filters.entity_type:
        qs = qs.filter(entity_type=filters.entity_type)
    if filters.entity_id:
        qs = qs.filter(entity_id=filters.entity_id)
    if filters.actor:
        qs = qs.filter(actor_id=filters.actor)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.since:
        qs = qs.filter(at__gte=filters.since)
    if filters.until:
        qs = qs.filter(at__lt=filters.until)
    return paginate(qs.order_by("-at", "-id"), filters)


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
