"""The door through which apps above notifications (accounts) send a transactional email.

`accounts` sits above `notifications` in the app order, so it may not import it. It calls
`send_transactional_email(...)` here instead; notifications registers itself as the delivery
backend when Django starts (NotificationsConfig.ready), so the email becomes an outbox row in the
caller's transaction and the worker delivers it after commit, with retries, like every message.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attachment:
    """A file an email carries. The bytes are stored outside the outbox row by the backend."""

    filename: str
    content_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class TransactionalEmail:
    """One email to one person about their account, their money or their security.

    `event` names the message (its templates), e.g. "email_verification", "password_reset",
    "account_security"; `context` holds what the templates show (links, codes; no health data)."""

    event: str
    to: str
    recipient_key: str
    name: str = ""
    language: str = ""
    user_id: object = None
    context: dict = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    dedupe_key: str = ""
    ref: str = ""


class NoMessageBackend(RuntimeError):
    """No app registered a delivery backend (notifications is not installed or not ready)."""


_backend: Callable[[TransactionalEmail], object] | None = None


def backend_register(backend: Callable[[TransactionalEmail], object]) -> None:
    """Called once by the notifications app at startup with its delivery function."""
    global _backend
    _backend = backend


def send_transactional_email(
    *,
    event: str,
    to: str,
    recipient_key: str,
    name: str = "",
    language: str = "",
    user_id=None,
    context: dict | None = None,
    attachments: tuple[Attachment, ...] | list[Attachment] = (),
    dedupe_key: str = "",
    ref: str = "",
) -> object:
    """Queues the email in the caller's transaction; it leaves after commit (see the backend)."""
    if _backend is None:
        raise NoMessageBackend(
            "No message backend is registered: clinicore.notifications must be installed."
        )
    return _backend(
        TransactionalEmail(
            event=event,
            to=to,
            recipient_key=recipient_key,
            name=name,
            language=language,
            user_id=user_id,
            context=dict(context or {}),
            attachments=tuple(attachments),
            dedupe_key=dedupe_key,
            ref=ref,
        )
    )
