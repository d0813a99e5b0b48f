"""Live updates: publish an event to a websocket group after the transaction commits.

Any app calls `live_publish(live_group("appointment", appt.pk), {"event": "appointment.updated", ...})`
inside its service; browsers and apps subscribed to that topic receive the payload only once the
data they would reload is committed (never a phantom update from a rolled-back write).

Who may subscribe to a topic is decided by an authorizer each app registers in its own
`clinicore/<app>/live.py` with `@live_topic("<kind>")`; the websocket consumer
(`clinicore.messaging.consumers.LiveConsumer`, route `/ws/live/?topic=<kind>:<key>`) loads every
app's `live` module and asks the authorizer on subscribe. Payloads carry ids and states, never
health data: a subscriber fetches details through the API or the page, which check access again.
"""

import asyncio
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

logger = logging.getLogger("clinicore.live")

_GROUP_SAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Subscriber:
    """Who asks to subscribe: a signed-in user, and the clinic their token is bound to (if any)."""

    user: object
    token_clinic_id: str | None = None


# kind -> fn(*, subscriber: Subscriber, key: str) -> bool (True: may subscribe; False: refused)
TOPICS: dict[str, Callable[..., bool]] = {}


def live_topic(kind: str):
    """Registers the authorizer of a topic kind, e.g. `@live_topic("board")`."""

    def register(fn):
        TOPICS[kind] = fn
        return fn

    return register


def live_group(kind: str, key: object) -> str:
    """The channel-layer group of one topic (names allow letters, digits, `.`, `_`, `-`)."""
    return _GROUP_SAFE.sub("_", f"live.{kind}.{key}")[:99]


def live_send_now(group: str, payload: dict) -> None:
    """Sends at once (outside a transaction, or from a consumer); most callers want live_publish."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return

    def send() -> None:
        try:
            async_to_sync(layer.group_send)(
                group, {"type": "live.event", "group": group, "payload": payload}
            )
        except Exception:  # a live update is a courtesy: the page still shows the truth on reload
            logger.exception("live publish failed", extra={"group": group})

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        send()
        return
    # Called from a thread that runs an event loop (sync code inside async code): async_to_sync
    # cannot run here, so send from a helper thread and wait for it.
    helper = threading.Thread(target=send, name="live-publish")
    helper.start()
    helper.join(timeout=10)


def live_publish(group: str, payload: dict) -> None:
    """Publishes `payload` to `group` after the current transaction commits (at once if none)."""
    transaction.on_commit(lambda: live_send_now(group, payload))
