"""Signed JWT access tokens for the REST API (short-lived; refresh tokens live in the database)."""

import hashlib
import secrets
import uuid
from datetime import timedelta

import jwt
from django.conf import settings
from django.core import signing
from django.utils import timezone

ALGORITHM = "HS256"
ISSUER = "clinicore"


def access_token_issue(*, user, clinic_id=None, two_factor: str | None = None) -> tuple[str, int]:
    """A signed access token. `two_factor` is "otp" when the sign-in passed a TOTP check and
    "enrol" when the person must still turn on two-factor (see docs/authentication.md)."""
    now = timezone.now()
    ttl = settings.JWT_ACCESS_TTL_SECONDS
    claims = {
        "iss": ISSUER,
        "sub": str(user.pk),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl)).timestamp()),
        "jti": uuid.uuid4().hex,
        "typ": "access",
        "ep": user.token_epoch,
    }
    if clinic_id:
        claims["clinic"] = str(clinic_id)
    if two_factor:
        claims["tfa"] = two_factor
    return jwt.encode(claims, settings.JWT_SIGNING_KEY, algorithm=ALGORITHM), ttl


def access_token_decode(token: str) -> dict | None:
    """The claims of a valid, unexpired access token, or None."""
    try:
        claims = jwt.decode(
            token,
            settings.JWT_SIGNING_KEY,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "iat"]},
            leeway=5,
        )
    except jwt.PyJWTError:
        return None
    if claims.get("typ") != "access":
        return None
    return claims


# --- Refresh tokens: random, stored only as a hash ------------------------------------------


def refresh_token_new() -> tuple[str, str]:
    """A fresh raw refresh token and the hash that is stored."""
    raw = secrets.token_urlsafe(32)
    return raw, refresh_token_hash(raw)


def refresh_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# --- Email verification links: signed, time-limited, single-purpose ------------------------

EMAIL_VERIFY_SALT = "clinicore.accounts.email-verify"
EMAIL_VERIFY_MAX_AGE = 7 * 24 * 3600


def email_verification_token(user) -> str:
    # The email is signed too: a link sent to an old address stops working after a change.
    return signing.dumps(
        {"u": str(user.pk), "e": user.email}, salt=EMAIL_VERIFY_SALT, compress=True
    )


def email_verification_read(token: str) -> dict | None:
    try:
        return signing.loads(token, salt=EMAIL_VERIFY_SALT, max_age=EMAIL_VERIFY_MAX_AGE)
    except signing.BadSignature:
        return None
