"""Browser flow on a phone-sized window: the village head records a work's progress with a photo."""

import struct
import zlib

import pytest

from tests.e2e.test_unit_browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def test_village_head_records_progress_with_a_photo_from_a_phone(
    live_server, page, tmp_path, settings
):
    from ntm.demo.loader import load_demo
    from ntm.finance.models import Work

    settings.MEDIA_ROOT = tmp_path
    load_demo(with_values=True)
    work = Work.objects.get(name__startswith="Sân thể thao thôn Cống Phên")
    before = work.updates.count()
    photo = tmp_path / "san-the-thao.png"
    photo.write_bytes(tiny_png())

    assert page.viewport_size["width"] <= 400  # phone-sized window
    login(page, live_server.url, "thon")
    page.goto(f"{live_server.url}/units/{work.unit_id}/works/{work.pk}/")
    page.fill("input[name=date]", "2024-11-20")
    page.fill("input[name=percent]", "85")
    page.fill("textarea[name=note]", "Đã lát xong mặt sân")
    page.set_input_files("input[type=file]", str(photo))
    page.locator("form button[type=submit].primary").first.click()
    page.wait_for_load_state()

    work.refresh_from_db()
    assert work.updates.count() == before + 1 and work.percent == 85
    latest = work.updates.order_by("-date", "-pk").first()
    assert latest.photo and latest.photo_type == "image/png"
