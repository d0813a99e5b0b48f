"""Chat attachments on disk: the type is sniffed from the content, files live outside MEDIA_ROOT."""

import hashlib
import io
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicore.core.errors import InvalidInput


class AttachmentTooLarge(InvalidInput):
    status = 413
    code = "attachment_too_large"
    title = gettext_lazy("The file is too large")


class AttachmentTypeNotAllowed(InvalidInput):
    status = 415
    code = "attachment_type_not_allowed"
    title = gettext_lazy("Only images (JPEG, PNG, GIF, WebP) and PDF files can be sent")


# (magic prefix, offset, content type). The filename and the browser's Content-Type are ignored.
_SIGNATURES = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"%PDF-", 0, "application/pdf"),
)
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


def sniff_content_type(head: bytes) -> str | None:
    for magic, offset, content_type in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _image_is_whole(data: bytes) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception:  # Pillow raises many types for a broken or disguised file
        return False
    return True


def private_storage() -> FileSystemStorage:
    return FileSystemStorage(location=Path(settings.PRIVATE_MEDIA_ROOT) / "chat", base_url=None)


def attachment_store(*, upload) -> dict:
    """Checks and stores an uploaded file; answers its stored name, sniffed type, size and hash."""
    limit = settings.CHAT_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise AttachmentTooLarge(
            _("Files can be at most %(megabytes)s MB.") % {"megabytes": limit // (1024 * 1024)}
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise AttachmentTooLarge(
            _("Files can be at most %(megabytes)s MB.") % {"megabytes": limit // (1024 * 1024)}
        )
    if not data:
        raise InvalidInput(_("The file is empty."), code="attachment_empty")
    content_type = sniff_content_type(data[:16])
    if content_type is None:
        raise AttachmentTypeNotAllowed(_("This file is not an image or a PDF."))
    if content_type.startswith("image/") and not _image_is_whole(data):
        raise AttachmentTypeNotAllowed(_("This file is not a readable image."))
    if content_type == "application/pdf" and b"%%EOF" not in data[-2048:]:
        raise AttachmentTypeNotAllowed(_("This file is not a complete PDF."))
    storage_name = f"{secrets.token_hex(16)}.{EXTENSIONS[content_type]}"
    private_storage().save(storage_name, io.BytesIO(data))
    return {
        "storage_name": storage_name,
        "content_type": content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def attachment_path(storage_name: str) -> str:
    return private_storage().path(storage_name)


def attachment_discard(storage_name: str) -> None:
    storage = private_storage()
    if storage.exists(storage_name):
        storage.delete(storage_name)


def clean_filename(name: str) -> str:
    base = Path(name or "file").name
    keep = "".join(ch for ch in base if ch.isalnum() or ch in " ._-()")[:150].strip()
    return keep or "file"
