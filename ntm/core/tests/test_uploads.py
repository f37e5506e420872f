import io

import pytest
from PIL import Image

from ntm.core.uploads import DOCUMENTS, IMAGES, UploadError, check_upload


def test_type_is_judged_by_extension_and_content():
    checked = check_upload("Biên bản.PDF", b"%PDF-1.7", allowed=DOCUMENTS, max_bytes=100)
    assert (checked.extension, checked.content_type) == (".pdf", "application/pdf")
    with pytest.raises(UploadError):
        check_upload("a.pdf", b"<html>", allowed=DOCUMENTS, max_bytes=100)
    with pytest.raises(UploadError):
        check_upload("a.pdf", b"%PDF", allowed=IMAGES, max_bytes=100)
    with pytest.raises(UploadError):
        check_upload("a.exe", b"MZ", allowed=DOCUMENTS, max_bytes=100)


def test_empty_and_oversized_files_are_refused_and_folders_dropped():
    with pytest.raises(UploadError):
        check_upload("a.png", b"", allowed=IMAGES, max_bytes=100)
    with pytest.raises(UploadError):
        check_upload("a.png", b"\x89PNG" + b"0" * 200, allowed=IMAGES, max_bytes=100)
    picture = io.BytesIO()
    Image.new("L", (4, 4)).save(picture, "PNG")
    checked = check_upload("../../x/anh.png", picture.getvalue(), allowed=IMAGES, max_bytes=1000)
    assert checked.name == "anh.png"
