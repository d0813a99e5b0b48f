"""Short human codes that people read aloud: no 0/O, 1/I/L, 2/Z, 5/S, 8/B confusion."""

import secrets

ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"


def short_code(prefix: str, length: int = 6) -> str:
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(length))
