"""Files an email carries (a receipt PDF): bytes under PRIVATE_MEDIA_ROOT, metadata on the row.

The outbox row keeps a small list of {filename, content_type, size, sha256, path}; the bytes are
stored once per content (named by their SHA-256), written before the row commits, so the worker
always finds them. A file whose row rolled back is harmless: it is never served, and the same
content written again reuses it."""

import hashlib
import mimetypes
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from clinicore.core.errors import InvalidInput
from clinicore.core.messages import Attachment

FOLDER = "notification-attachments"


def _root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / FOLDER


def _safe_filename(filename: str) -> str:
    name = get_valid_filename(os.path.basename(filename or "").strip()) if filename else ""
    return (name or "attachment")[:120]


def attachment_store(attachment: Attachment) -> dict:
    """Writes the bytes (once per content) and returns the metadata kept on the outbox row."""
    content = attachment.content
    if not isinstance(content, bytes | bytearray):
        raise InvalidInput(_("An attachment must be bytes."), code="attachment_invalid")
    if len(content) > settings.NOTIFY_ATTACHMENT_MAX_BYTES:
        raise InvalidInput(
            _("The attachment is too large to email."),
            code="attachment_too_large",
            fields={"attachments": _("Too large.")},
        )
    filename = _safe_filename(attachment.filename)
    content_type = (
        attachment.content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    )
    digest = hashlib.sha256(content).hexdigest()
    relative = f"{digest[:2]}/{digest}"
    target = _root() / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.replace(tmp, target)  # atomic: a reader never sees half a file
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    return {
        "filename": filename,
        "content_type": content_type[:100],
        "size": len(content),
        "sha256": digest,
        "path": relative,
    }


def attachment_read(meta: dict) -> bytes:
    """The stored bytes, checked against their digest; raises FileNotFoundError when missing."""
    digest = str(meta.get("sha256", ""))
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise FileNotFoundError("attachment metadata is not valid")
    # The path is derived from the digest, never taken from the row as is.
    path = _root() / digest[:2] / digest
    content = path.read_bytes()
    if hashlib.sha256(content).hexdigest() != digest:
        raise FileNotFoundError("attachment content does not match its digest")
    return content
