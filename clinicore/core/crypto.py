"""Encryption of clinical free text at rest with rotatable Fernet keys (newest key first)."""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIX = "enc1:"


def _derived_key() -> bytes:
    digest = hashlib.sha256(("clinicore-field-encryption:" + settings.SECRET_KEY).encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    materials = [k.encode() for k in keys] or [_derived_key()]
    return MultiFernet([Fernet(k) for k in materials])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_text(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt_text(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise ValueError("Stored value is not encrypted text.")
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("Encrypted text cannot be read with the configured keys.") from exc


def rotate_text(stored: str) -> str:
    """Re-encrypts with the newest key (after a new key is put first in the settings)."""
    return PREFIX + fernet().rotate(stored[len(PREFIX) :].encode()).decode()
