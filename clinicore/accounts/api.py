"""Sign-up and sign-in for apps: JWT access tokens bound to a clinic, rotating refresh tokens."""

import uuid

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _

from clinicore.accounts import services
from clinicore.accounts.models import User
from clinicore.accounts.schemas import (
    DetailOut,
    LoginIn,
    MeOut,
    PasswordChangeIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    RefreshIn,
    RegisterIn,
    RegisterOut,
    TokenOut,
    VerifyEmailIn,
)
from clinicore.accounts.tokens import access_token_issue
from clinicore.api.policy import AUTHENTICATED, PUBLIC, ClinicRouter, policy
from clinicore.clinics.models import Clinic, Membership
from clinicore.clinics.permissions import TWO_FACTOR_REQUIRED
from clinicore.core.errors import InvalidInput, NotAuthenticated
from clinicore.core.middleware import client_ip

router = ClinicRouter(tags=["auth"])


def _clinic_for_login(user, slug: str | None) -> Clinic | None:
    memberships = Membership.objects.filter(
        user=user, is_active=True, clinic__status=Clinic.Status.ACTIVE
    )
    if slug:
        m = memberships.filter(clinic__slug=slug).select_related("clinic").first()
        return m.clinic if m else None
    ms = list(memberships.select_related("clinic")[:2])
    return ms[0].clinic if len(ms) == 1 else None


def _two_factor_claim(user, clinic_id, otp_verified: bool) -> str | None:
    """ "otp" after a TOTP check; "enrol" for an owner/admin who has not turned 2FA on."""
    if otp_verified:
        return "otp"
    if (
        settings.TWO_FACTOR_ENFORCED
        and clinic_id
        and Membership.objects.filter(
            user=user, clinic_id=clinic_id, is_active=True, role__in=TWO_FACTOR_REQUIRED
        ).exists()
    ):
        return "enrol"
    return None


def _token_pair(request, *, user, clinic_id, otp_verified: bool, refresh=None) -> dict:
    if refresh is None:
        refresh = services.refresh_token_issue(
            user=user,
            clinic_id=clinic_id,
            otp_verified=otp_verified,
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
        )[1]
    claim = _two_factor_claim(user, clinic_id, otp_verified)
    access, ttl = access_token_issue(user=user, clinic_id=clinic_id, two_factor=claim)
    return {
        "access_token": access,
        "expires_in": ttl,
        "refresh_token": refresh,
        "refresh_expires_in": settings.JWT_REFRESH_TTL_SECONDS,
        "clinic_id": clinic_id,
        "two_factor_enrolment_required": claim == "enrol",
        "two_factor_setup_url": settings.PUBLIC_BASE_URL + reverse("accounts:two-factor-setup")
        if claim == "enrol"
        else None,
    }


@router.post(
    "/register",
    response={201: RegisterOut},
    summary="Create a patient account",
    description="Creates a person's own account and emails a link to confirm the address. "
    "Staff accounts are created by their clinic, not here.",
    openapi_extra=policy(PUBLIC),
)
def register(request, payload: RegisterIn):
    user = services.user_register(
        email=payload.email,
        password=payload.password,
        full_name=payload.full_name,
        phone=payload.phone,
        preferred_language=payload.preferred_language,
    )
    return 201, {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "email_verified": user.email_verified,
        "detail": _("We sent a confirmation link to your email address."),
    }


@router.post(
    "/login",
    response=TokenOut,
    summary="Sign in",
    description="Exchanges email and password (and `otp` when two-factor is on) for an access "
    "token (~15 min) and a single-use refresh token (~7 days). Repeated failures lock sign-in "
    "for the email and the address for a while (429, code `login_locked`). With two-factor on "
    "and no `otp`, the answer is 401 with code `otp_required`.",
    openapi_extra=policy(PUBLIC),
)
def login(request, payload: LoginIn):
    ip = client_ip(request)
    user = services.credentials_check(email=payload.email, password=payload.password, ip=ip)
    otp_verified = False
    if services.two_factor_enabled(user):
        if not payload.otp:
            raise NotAuthenticated(
                _("Enter the 6-digit code from your authenticator app."), code="otp_required"
            )
        if not services.two_factor_verify(user=user, code=payload.otp, ip=ip):
            raise NotAuthenticated(_("That code is not right."), code="otp_invalid")
        otp_verified = True
    clinic = _clinic_for_login(user, payload.clinic)
    services.sign_in_record(user=user, via="api", two_factor=otp_verified)
    return _token_pair(
        request, user=user, clinic_id=clinic.pk if clinic else None, otp_verified=otp_verified
    )


@router.post(
    "/refresh",
    response=TokenOut,
    summary="Renew tokens",
    description="Spends a refresh token and returns a new access token and a new refresh token. "
    "Each refresh token works once: presenting a used one again ends every session of its "
    "family (401, code `refresh_token_reused`).",
    openapi_extra=policy(PUBLIC),
)
def refresh(request, payload: RefreshIn):
    rotation = services.refresh_token_rotate(
        raw=payload.refresh_token,
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
    )
    return _token_pair(
        request,
        user=rotation.user,
        clinic_id=rotation.token.clinic_id,
        otp_verified=rotation.token.otp_verified,
        refresh=rotation.raw,
    )


@router.post(
    "/logout",
    response={204: None},
    summary="Sign out",
    description="Revokes the refresh token and every token of its family. Access tokens already "
    "issued run out within their lifetime (~15 min).",
    openapi_extra=policy(PUBLIC),
)
def logout(request, payload: RefreshIn):
    services.refresh_family_revoke(raw=payload.refresh_token)
    return 204, None


@router.get(
    "/me",
    response=MeOut,
    summary="Who am I",
    description="The signed-in person, the clinic "
    "the token acts for, and every clinic they work at.",
    openapi_extra=policy(AUTHENTICATED),
)
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
        "two_factor_enabled": services.two_factor_enabled(user),
        "clinic_id": principal.clinic.pk if principal.clinic else None,
        "role": principal.membership.role if principal.membership else None,
        "memberships": [
            {
                "clinic_id": m.clinic_id,
                "clinic_slug": m.clinic.slug,
                "clinic_name": m.clinic.name,
                "role": m.role,
            }
            for m in memberships
        ],
    }


@router.post(
    "/verify-email",
    response=DetailOut,
    summary="Confirm an email address",
    description="Confirms the address with the token from the emailed link (valid 7 days).",
    openapi_extra=policy(PUBLIC),
)
def verify_email(request, payload: VerifyEmailIn):
    services.email_verify(token=payload.token)
    return {"detail": _("Your email address is confirmed.")}


@router.post(
    "/password/change",
    response=TokenOut,
    summary="Change my password",
    description="Sets a new password and signs out every device: all refresh tokens and access "
    "tokens stop working. The answer carries a fresh token pair for this device.",
    openapi_extra=policy(AUTHENTICATED),
)
def password_change(request, payload: PasswordChangeIn):
    principal = request.auth
    user = services.password_change(
        user=principal.user,
        current_password=payload.current_password,
        new_password=payload.new_password,
    )
    return _token_pair(
        request,
        user=user,
        clinic_id=principal.clinic.pk if principal.clinic else None,
        otp_verified=getattr(principal, "two_factor", None) == "otp",
    )


@router.post(
    "/password/reset",
    response={202: DetailOut},
    summary="Ask for a password reset link",
    description="Always answers 202, whether or not an account has this email (no account "
    "enumeration); when one does, a reset link is emailed.",
    openapi_extra=policy(PUBLIC),
)
def password_reset(request, payload: PasswordResetIn):
    services.password_reset_request(email=payload.email)
    return 202, {"detail": _("If an account has this email, we sent a link to reset its password.")}


@router.post(
    "/password/reset/confirm",
    response=DetailOut,
    summary="Set a new password from a reset link",
    description="Takes the `uid` and `token` of the emailed link; the link works once. Every "
    "existing session of the account ends.",
    openapi_extra=policy(PUBLIC),
)
def password_reset_confirm(request, payload: PasswordResetConfirmIn):
    try:
        uid = uuid.UUID(force_str(urlsafe_base64_decode(payload.uid)))
    except (ValueError, TypeError, OverflowError):
        uid = None
    user = User.objects.filter(pk=uid, is_active=True).first() if uid else None
    if user is None or not default_token_generator.check_token(user, payload.token):
        raise InvalidInput(
            _("This reset link is not valid or was already used. Ask for a new one."),
            code="invalid_token",
        )
    services.password_set(user=user, new_password=payload.new_password, reason="reset")
    return {"detail": _("Your password is changed. Sign in with the new one.")}
