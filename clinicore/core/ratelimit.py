"""Fixed-window rate limits in the cache (shared across app servers when the cache is Redis)."""

import time

from django.conf import settings
from django.core.cache import cache

from clinicore.core.errors import RateLimited


def hit(bucket: str, *, limit: int, window: int = 60) -> None:
    """Counts one request in `bucket`; raises RateLimited past `limit` per `window` seconds."""
    if not settings.RATE_LIMIT_ENABLED:
        return
    slot = int(time.time() // window)
    key = f"rl:{bucket}:{slot}"
    added = cache.add(key, 1, timeout=window + 5)
    count = 1 if added else cache.incr(key)
    if count > limit:
        retry_after = window - int(time.time() % window)
        raise RateLimited(retry_after=max(retry_after, 1))
