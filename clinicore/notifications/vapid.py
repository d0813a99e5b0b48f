"""VAPID keys for web push: from settings in production, generated once for the embedded run."""

import base64
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@lru_cache(maxsize=1)
def _key() -> ec.EllipticCurvePrivateKey:
    raw = settings.VAPID_PRIVATE_KEY
    if raw:
        padded = raw + "=" * (-len(raw) % 4)
        value = int.from_bytes(base64.urlsafe_b64decode(padded), "big")
        return ec.derive_private_key(value, ec.SECP256R1())
    path = Path(settings.VAR_DIR) / "vapid_private.pem"
    if path.exists():
        return serialization.load_pem_private_key(path.read_bytes(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    return key


def vapid_private_key() -> str:
    """The private key as pywebpush takes it: base64url of the raw 32-byte scalar."""
    return _b64(_key().private_numbers().private_value.to_bytes(32, "big"))


def vapid_public_key() -> str:
    """The application server key browsers subscribe with: base64url of the uncompressed point."""
    return _b64(
        _key()
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
