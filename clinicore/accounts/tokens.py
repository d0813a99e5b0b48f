"""Signed JWT access tokens for the REST API (short-lived; refresh tokens live in the database)."""

import uuid
from datetime import timedelta

import jwt
from django.conf import settings
from django.utils import timezone

ALGORITHM = "HS256"
ISSUER = "clinicore"


def access_token_issue(*, user, clinic_id=None) -> tuple[str, int]:
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
