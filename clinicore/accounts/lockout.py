"""Sign-in lockout: too many failed passwords for one email (or from one address) locks it.

Counters live in the cache (Redis in production, so every app server sees them). A failure
counts for LOGIN_LOCKOUT_SECONDS; reaching the limit locks sign-in for LOGIN_LOCKOUT_SECONDS.
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from clinicore.core.errors import RateLimited


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:40]
    return f"login-fail:{kind}:{digest}"


def _subjects(email: str, ip: str) -> list[tuple[str, int]]:
    subjects = [(_key("email", email), settings.LOGIN_MAX_FAILURES)] if email else []
    if ip:
        subjects.append((_key("ip", ip), settings.LOGIN_MAX_FAILURES_PER_IP))
    return subjects


def locked_for(*, email: str, ip: str) -> int:
    """Seconds until sign-in is possible again for this email/address (0 when not locked)."""
    now = time.time()
    wait = 0.0
    for key, _limit in _subjects(email, ip):
        state = cache.get(key)
        if not state or not state.get("locked_until"):
            continue
        if state["locked_until"] > now:
            wait = max(wait, state["locked_until"] - now)
        else:
            cache.delete(key)  # the lock has run out: start counting afresh
    return math.ceil(wait)


def lockout_check(*, email: str, ip: str) -> None:
    wait = locked_for(email=email, ip=ip)
    if wait:
        minutes = max(1, math.ceil(wait / 60))
        raise RateLimited(
            _(
                "Too many failed sign-in attempts. Sign-in is locked for %(minutes)d more "
                "minute(s); try again later or reset your password."
            )
            % {"minutes": minutes},
            code="login_locked",
            retry_after=wait,
        )


def failure_record(*, email: str, ip: str) -> None:
    now = time.time()
    window = settings.LOGIN_LOCKOUT_SECONDS
    for key, limit in _subjects(email, ip):
        state = cache.get(key) or {"count": 0, "locked_until": None}
        state["count"] += 1
        if state["count"] >= limit:
            state["locked_until"] = now + window
        cache.set(key, state, timeout=window * 2)


def success_record(*, email: str) -> None:
    cache.delete(_key("email", email))
