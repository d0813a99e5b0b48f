"""Who is acting, for which clinic, from where: set per request or task, read by audit and logs."""

import contextvars
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ActorContext:
    request_id: str = ""
    user_id: str = ""
    clinic_id: str = ""
    ip: str = ""
    user_agent: str = ""


# The default is a frozen (immutable) dataclass, so sharing it is safe.
_current: contextvars.ContextVar[ActorContext] = contextvars.ContextVar(
    "clinicore_actor",
    default=ActorContext(),  # noqa: B039
)


def current() -> ActorContext:
    return _current.get()


def set_context(**changes) -> contextvars.Token:
    return _current.set(replace(_current.get(), **changes))


def reset(token: contextvars.Token) -> None:
    _current.reset(token)


def update(**changes) -> None:
    """Changes fields of the current context in place (inside one request or task)."""
    _current.set(replace(_current.get(), **changes))
