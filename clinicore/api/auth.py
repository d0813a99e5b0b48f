"""Who is calling the API: a bearer JWT, a clinic API key, or a signed-in browser session."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from clinicore.accounts.models import User
from clinicore.accounts.tokens import access_token_decode
from clinicore.accounts.twofactor import SESSION_OTP_KEY
from clinicore.clinics.api_keys import api_key_hash
from clinicore.clinics.models import ApiKey, Clinic, Membership
from clinicore.clinics.permissions import TWO_FACTOR_REQUIRED
from clinicore.core import context, ratelimit


@dataclass
class Principal:
    user: User | None
    clinic: Clinic | None
    membership: Membership | None
    api_key: ApiKey | None = None
    via: str = "jwt"
    # "otp" when the sign-in passed a TOTP check; "enrol" when an owner/admin has not turned
    # two-factor on (owner/admin-only permissions are then refused, see api.policy).
    two_factor: str | None = None

    @property
    def is_staff_member(self) -> bool:
        return self.membership is not None or self.api_key is not None


def _membership(user, clinic) -> Membership | None:
    if user is None or clinic is None:
        return None
    return (
        Membership.objects.select_related("user")
        .filter(user=user, clinic=clinic, is_active=True)
        .first()
    )


def _bind(principal: Principal) -> Principal:
    context.update(
        user_id=str(principal.user.pk) if principal.user else "",
        clinic_id=str(principal.clinic.pk) if principal.clinic else "",
    )
    # Per caller (person or integration key), beside the per-address limit of the middleware.
    caller = f"key:{principal.api_key.pk}" if principal.api_key else f"user:{principal.user.pk}"
    ratelimit.hit(f"api-caller:{caller}", limit=settings.RATE_LIMIT_API_PER_MINUTE)
    return principal


def _active_clinic(clinic_id) -> Clinic | None:
    if not clinic_id:
        return None
    try:
        return Clinic.objects.filter(
            pk=uuid.UUID(str(clinic_id)), status=Clinic.Status.ACTIVE
        ).first()
    except ValueError:
        return None


class JWTAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        claims = access_token_decode(token)
        if not claims:
            return None
        user = User.objects.filter(pk=claims["sub"], is_active=True).first()
        if user is None or claims.get("ep", 0) != user.token_epoch:
            return None
        clinic = _active_clinic(claims.get("clinic"))
        membership = _membership(user, clinic)
        return _bind(
            Principal(
                user=user,
                clinic=clinic,
                membership=membership,
                via="jwt",
                two_factor=claims.get("tfa"),
            )
        )


class ClinicApiKeyAuth(APIKeyHeader):
    param_name = "X-Clinic-API-Key"

    def authenticate(self, request, key):
        if not key or "." not in key:
            return None
        prefix = key.split(".", 1)[0]
        api_key = (
            ApiKey.objects.select_related("clinic")
            .filter(prefix=prefix, revoked_at__isnull=True, clinic__status=Clinic.Status.ACTIVE)
            .first()
        )
        if api_key is None or not _constant_time_equal(api_key.key_hash, api_key_hash(key)):
            return None
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
        return _bind(
            Principal(
                user=None, clinic=api_key.clinic, membership=None, api_key=api_key, via="api_key"
            )
        )


def _constant_time_equal(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


class BrowserSessionAuth(SessionAuth):
    """The workspace's own pages calling the API: session cookie + CSRF, clinic from X-Clinic."""

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        clinic = None
        slug = request.headers.get("X-Clinic", "")
        if slug:
            clinic = Clinic.objects.filter(slug=slug, status=Clinic.Status.ACTIVE).first()
        else:
            memberships = list(
                Membership.objects.filter(user=user, is_active=True).select_related("clinic")[:2]
            )
            if len(memberships) == 1:
                clinic = memberships[0].clinic
        membership = _membership(user, clinic)
        two_factor = "otp" if request.session.get(SESSION_OTP_KEY) else None
        if (
            two_factor is None
            and settings.TWO_FACTOR_ENFORCED
            and membership is not None
            and membership.role in TWO_FACTOR_REQUIRED
        ):
            two_factor = "enrol"
        return _bind(
            Principal(
                user=user,
                clinic=clinic,
                membership=membership,
                via="session",
                two_factor=two_factor,
            )
        )


API_AUTH = [JWTAuth(), ClinicApiKeyAuth(), BrowserSessionAuth()]
