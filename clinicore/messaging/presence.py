"""Who has a live connection right now: a short-lived mark in the cache (Redis across servers)."""

from django.conf import settings
from django.core.cache import cache


def _key(user_id) -> str:
    return f"presence:{user_id}"


def presence_mark(user_id) -> None:
    """Called on connect and on every client heartbeat; the mark fades if the client goes away."""
    cache.set(_key(user_id), 1, timeout=settings.CHAT_PRESENCE_TTL_SECONDS)


def presence_clear(user_id) -> None:
    cache.delete(_key(user_id))


def is_online(user_id) -> bool:
    return bool(cache.get(_key(user_id)))
