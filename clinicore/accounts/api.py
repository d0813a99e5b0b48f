"""Sign-in for apps: JWT access tokens bound to the clinic the person acts for."""

import uuid

from ninja import Schema
from pydantic import EmailStr, Field

from clinicore.accounts.tokens import access_token_issue
from clinicore.api.policy import AUTHENTICATED, PUBLIC, ClinicRouter, policy
from clinicore.clinics.models import Clinic, Membership
from clinicore.core.errors import NotAuthenticated
from django.contrib.auth import authenticate

router = ClinicRouter(tags=["auth"])


class LoginIn(Schema):
    email: EmailStr = Field(..., examples=["owner@sunrise.example"])
    password: str = Field(..., min_length=1, max_length=200, examples=["a long passphrase"])
    clinic: str | None = Field(None, description="Slug of the clinic to act for (staff with several clinics).")


class TokenOut(Schema):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    clinic_id: uuid.UUID | None = None


class MembershipOut(Schema):
    clinic_id: uuid.UUID
    clinic_slug: str
    clinic_name: str
    role: str


class MeOut(Schema):
    id: uuid.UUID
    email: str
    full_name: str
    phone: str
    preferred_language: str
    email_verified: bool
    clinic_id: uuid.UUID | None
    role: str | None
    memberships: list[MembershipOut]


def _clinic_for_login(user, slug: str | None) -> Clinic | None:
    memberships = Membership.objects.filter(user=user, is_active=True, clinic__status=Clinic.Status.ACTIVE)
    if slug:
        m = memberships.filter(clinic__slug=slug).select_related("clinic").first()
        return m.clinic if m else None
    ms = list(memberships.select_related("clinic")[:2])
    return ms[0].clinic if len(ms) == 1 else None


@router.post("/login", response=TokenOut, auth=None, summary="Sign in", openapi_extra=policy(PUBLIC))
def login(request, payload: LoginIn):
    user = authenticate(request, email=payload.email, password=payload.password)
    if user is None:
        raise NotAuthenticated("Email or password is wrong.", code="invalid_credentials")
    clinic = _clinic_for_login(user, payload.clinic)
    token, ttl = access_token_issue(user=user, clinic_id=clinic.pk if clinic else None)
    return {"access_token": token, "expires_in": ttl, "clinic_id": clinic.pk if clinic else None}


@router.get("/me", response=MeOut, summary="Who am I", openapi_extra=policy(AUTHENTICATED))
def me(request):
    principal = request.auth
    user = principal.user
    memberships = Membership.objects.filter(user=user, is_active=True).select_related("clinic")
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "phone": user.phone,
        "preferred_language": user.preferred_language,
        "email_verified": user.email_verified,
        "clinic_id": principal.clinic.pk if principal.clinic else None,
        "role": principal.membership.role if principal.membership else None,
        "memberships": [
            {"clinic_id": m.clinic_id, "clinic_slug": m.clinic.slug, "clinic_name": m.clinic.name, "role": m.role}
            for m in memberships
        ],
    }
