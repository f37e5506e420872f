"""One check for every uploaded file: type by extension *and* content, and size."""

import os
from dataclasses import dataclass

from django.utils.translation import gettext as _

PDF = (".pdf", "application/pdf", b"%PDF")
PNG = (".png", "image/png", b"\x89PNG")
JPG = (".jpg", "image/jpeg", b"\xff\xd8\xff")
JPEG = (".jpeg", "image/jpeg", b"\xff\xd8\xff")
DOCX = (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK")
XLSX = (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK")
ODT = (".odt", "application/vnd.oasis.opendocument.text", b"PK")
ODS = (".ods", "application/vnd.oasis.opendocument.spreadsheet", b"PK")

CSV = (".csv", "text/csv", b"")  # text: no signature to check; the reader decodes it
TABLES = (CSV, XLSX)
IMAGES = (PNG, JPG, JPEG)
DOCUMENTS = (PDF, *IMAGES, DOCX, XLSX, ODT, ODS)


class UploadError(ValueError):
    pass


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # the file's own name, without any folder
    extension: str
    content_type: str


def check_upload(
    name: str, content: bytes, *, allowed: tuple[tuple[str, str, bytes], ...], max_bytes: int
) -> CheckedUpload:
    """Refuse a file whose extension is not allowed, whose content does not match it, that is
    empty or larger than ``max_bytes``; messages are for people."""
    extension = os.path.splitext(name.lower())[1]
    kinds = {ext: (ctype, magic) for ext, ctype, magic in allowed}
    if extension not in kinds:
        raise UploadError(
            _("Attach one of these file types: %(types)s.")
            % {"types": ", ".join(sorted(k.lstrip(".").upper() for k in kinds))}
        )
    content_type, magic = kinds[extension]
    if not content:
        raise UploadError(_("The file is empty."))
    if len(content) > max_bytes:
        raise UploadError(_("The file is larger than %(mb)d MB.") % {"mb": max_bytes // 2**20})
    if not content.startswith(magic):
        raise UploadError(
            _("The file's content does not match its type %(ext)s.") % {"ext": extension}
        )
    return CheckedUpload(os.path.basename(name)[:200], extension, content_type)
