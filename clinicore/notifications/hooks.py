"""Registries higher apps plug into, since notifications imports no domain app.

* `reply_handler("appointment")`: what a "1"/"2" reply to a message about `appointment:<id>`
  does. Scheduling registers one that confirms or cancels the appointment.
* `subject_resolver("appointment")`: turns an appointment id into the recipient and context of a
  message, for `POST /api/v1/notifications/appointment`. Scheduling registers it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

REPLY_HANDLERS: dict[str, Callable] = {}
SUBJECT_RESOLVERS: dict[str, Callable] = {}


@dataclass(frozen=True)
class Subject:
    """What a message is about, as the owning app describes it."""

    recipient: object  # clinicore.notifications.services.Recipient
    context: dict = field(default_factory=dict)
    ref: str = ""  # e.g. "appointment:<uuid>" — replies to the message come back with it
    starts_at: datetime | None = None


def reply_handler(kind: str):
    """`@reply_handler("appointment") def f(*, clinic, ref_id: str, reply: str, inbound) -> str`.

    `reply` is "1" (confirm) or "2" (cancel). Return a short word saying what was done
    ("confirmed", "cancelled") or "" when nothing changed; raise a DomainError to refuse."""

    def register(fn):
        REPLY_HANDLERS[kind] = fn
        return fn

    return register


def subject_resolver(kind: str):
    """`@subject_resolver("appointment") def f(*, clinic, subject_id) -> Subject`; raise
    clinicore.core.errors.NotFound when the id is not the clinic's."""

    def register(fn):
        SUBJECT_RESOLVERS[kind] = fn
        return fn

    return register


def load() -> None:
    """Imports `<app>.notification_hooks` for each installed app, which registers handlers."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("notification_hooks")
