"""One check for every uploaded file: type by extension *and* content, and size."""

import io
import os
import warnings
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from ntm.core.tabular import limits

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
    if content_type.startswith("image/"):
        _check_pixels(content)
    return CheckedUpload(os.path.basename(name)[:200], extension, content_type)


def _check_pixels(content: bytes) -> None:
    """A photo of a few hundred kilobytes may declare a bitmap of gigabytes (a decompression
    bomb): the header's size is checked before anything decodes the pixels."""
    limit = settings.NTM_MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow warns from 89 megapixels; the limit below decides.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        width = height = limit  # beyond Pillow's own limit: refused below
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise UploadError(_("The image cannot be read.")) from exc
    if width * height > limit:
        raise UploadError(
            _("The image is %(w)s × %(h)s pixels; at most %(mp)s megapixels are accepted.")
            % {"w": width, "h": height, "mp": f"{limit / 1e6:g}"}
        )


def check_table_upload(upload: Any, kind: str = "default") -> None:
    """An uploaded table (CSV or XLSX) before it is read: its type by name, and its size
    against the import's limit (``tabular.limits``), from the size the upload declares."""
    if not str(upload.name).lower().endswith((".csv", ".xlsx", ".txt")):
        raise UploadError(_("Upload a CSV or XLSX file."))
    limit = limits(kind).bytes
    if upload.size > limit:
        raise UploadError(
            _("The file is %(size)s MB; at most %(limit)s MB are read.")
            % {"size": f"{upload.size / 2**20:.1f}", "limit": f"{limit / 2**20:g}"}
        )


class TableUploadForm(forms.Form):
    """A form uploading one table (``file``): refused by type and size before it is read.
    Subclasses give the field its label."""

    file = forms.FileField()

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        try:
            check_table_upload(upload)
        except UploadError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload
