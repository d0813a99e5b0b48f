"""Input rules every operation shares, checked once after Ninja has parsed the request.

Values a schema lets through but a database cannot store are refused here with a 422 naming the
field, the same on SQLite and PostgreSQL: NUL characters in text (PostgreSQL refuses them,
SQLite stores them), integers beyond 64 bits (SQLite's driver raises OverflowError), and times
of day with a UTC offset (they are wall-clock times in a clinic's zone; SQLite cannot store one).
"""

from datetime import time

from django.utils.translation import gettext as _
from pydantic import BaseModel

from clinicore.core.errors import InvalidInput

NUL = "\x00"
INT64 = (-(2**63), 2**63 - 1)
MAX_DEPTH = 20


def _problems(value, path: str, found: dict, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, BaseModel):
        value = value.model_dump()
    where = path or "request"
    if isinstance(value, str):
        if NUL in value:
            found[where] = _("Text must not contain NUL characters.")
    elif isinstance(value, time):
        if value.tzinfo is not None:
            found[where] = _("Give a local time such as 09:30, without a UTC offset.")
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not INT64[0] <= value <= INT64[1]:
            found[where] = _("This number is too large.")
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and NUL in key:
                found[where] = _("Names must not contain NUL characters.")
            _problems(item, f"{path}.{key}" if path else str(key), found, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            _problems(item, f"{path}.{index}" if path else str(index), found, depth + 1)


def reject_unstorable_values(values: dict) -> None:
    found: dict = {}
    for name, value in values.items():
        # Ninja passes a body or query schema under the view's argument name; report the
        # fields the client named instead.
        _problems(value, "" if isinstance(value, BaseModel) else name, found)
    if found:
        raise InvalidInput("; ".join(f"{k}: {v}" for k, v in found.items()), fields=found)
