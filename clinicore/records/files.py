"""Patient documents on disk: type sniffed from the content (PDF, JPEG, PNG only), size-limited,
stored under PRIVATE_MEDIA_ROOT/records with a random name, served only by authorized views."""

import hashlib
import io
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicore.core.errors import InvalidInput, NotFound


class DocumentTooLarge(InvalidInput):
    status = 413
    code = "document_too_large"
    title = gettext_lazy("The file is too large")


class DocumentTypeNotAllowed(InvalidInput):
    status = 415
    code = "document_type_not_allowed"
    title = gettext_lazy("Only PDF, JPEG and PNG files can be uploaded")


# The filename and the browser's Content-Type are ignored: only the bytes decide.
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def sniff_content_type(head: bytes) -> str | None:
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


def _image_is_whole(data: bytes) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception:  # Pillow raises many types for a broken or disguised file
        return False
    return True


def storage() -> FileSystemStorage:
    return FileSystemStorage(location=Path(settings.PRIVATE_MEDIA_ROOT) / "records", base_url=None)


def _limit_text(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB"


def document_file_store(*, upload) -> dict:
    """Checks an upload and stores it; answers its stored name, sniffed type, size and hash."""
    limit = settings.RECORDS_DOCUMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise DocumentTooLarge(_("Files can be at most %(size)s.") % {"size": _limit_text(limit)})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise DocumentTooLarge(_("Files can be at most %(size)s.") % {"size": _limit_text(limit)})
    if not data:
        raise InvalidInput(
            _("The file is empty."), code="document_empty", fields={"file": _("Empty.")}
        )
    content_type = sniff_content_type(data[:16])
    if content_type is None:
        raise DocumentTypeNotAllowed(_("This file is not a PDF, JPEG or PNG."))
    if content_type.startswith("image/") and not _image_is_whole(data):
        raise DocumentTypeNotAllowed(_("This file is not a readable image."))
    if content_type == "application/pdf" and b"%%EOF" not in data[-2048:]:
        raise DocumentTypeNotAllowed(_("This file is not a complete PDF."))
    storage_name = f"{secrets.token_hex(16)}.{EXTENSIONS[content_type]}"
    storage().save(storage_name, io.BytesIO(data))
    return {
        "storage_name": storage_name,
        "content_type": content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def document_file_discard(storage_name: str) -> None:
    store = storage()
    if store.exists(storage_name):
        store.delete(storage_name)


def clean_filename(name: str) -> str:
    base = Path(name or "document").name
    keep = "".join(ch for ch in base if ch.isalnum() or ch in " ._-()")[:150].strip()
    return keep or "document"


def document_response(document) -> HttpResponse:
    """The file itself, never cached, sandboxed so a crafted file cannot run in our origin."""
    try:
        with open(storage().path(document.storage_name), "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise NotFound(_("File not found."), code="document_file_missing") from None
    response = HttpResponse(data, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.filename)
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response
