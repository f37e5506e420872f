"""Hostile uploads (issue 14): each is refused or read within a stated memory bound, with the
limit named, and nothing is written. Peak memory is measured with tracemalloc (Python's own
allocations: the lists openpyxl and the csv module build)."""

import io
import re
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from ntm.accounts.models import User
from ntm.core.csvout import safe_cell, unguard, write_csv
from ntm.core.tabular import ImportRefused, decode, read_rows, read_table, trusted
from ntm.core.uploads import IMAGES, UploadError, check_upload
from ntm.observations.models import DataValue

MB = 2**20


def _peak(function, *args, **kwargs):
    tracemalloc.start()
    try:
        try:
            outcome = function(*args, **kwargs)
        except ImportRefused as exc:
            outcome = exc
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_dimension(data: bytes, ref: str) -> bytes:
    """The same workbook whose first sheet declares another dimension."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), content
                )
            target.writestr(item, content)
    return out.getvalue()


def test_a_declared_dimension_of_the_whole_sheet_costs_nothing():
    data = _with_dimension(
        _xlsx([["unit", "set", "code", "period", "value"], ["07408", "s", "1.1", "2024Q4", "80"]]),
        "A1:XFD1048576",
    )
    assert len(data) < 10_000
    rows, peak = _peak(read_rows, data, filename="bom.xlsx")
    assert rows == [
        ["unit", "set", "code", "period", "value"],
        ["07408", "s", "1.1", "2024Q4", "80"],
    ]
    assert peak < 20 * MB, f"peak {peak / MB:.1f} MB"


def test_too_many_rows_are_refused_at_the_limit(settings):
    settings.NTM_TABLE_LIMITS = {
        **settings.NTM_TABLE_LIMITS,
        "default": {"bytes": 20 * MB, "rows": 1000, "columns": 50},
    }
    data = _xlsx([["code", "value"]] + [[f"c{i}", i] for i in range(5000)])
    refused, peak = _peak(read_rows, data, filename="dai.xlsx")
    assert isinstance(refused, ImportRefused)
    assert "1000" in str(refused) and refused.errors[0].row == 1001
    assert peak < 20 * MB
    csv = "\n".join(["code,value"] + [f"c{i},{i}" for i in range(5000)]).encode()
    refused, _peak_csv = _peak(read_rows, csv, filename="dai.csv")
    assert isinstance(refused, ImportRefused) and "1000" in str(refused)


def test_too_many_columns_and_too_many_bytes_are_refused(settings):
    settings.NTM_TABLE_LIMITS = {
        **settings.NTM_TABLE_LIMITS,
        "default": {"bytes": 50_000, "rows": 1000, "columns": 20},
    }
    with pytest.raises(ImportRefused, match="20"):
        read_rows(("a," * 30 + "b\n").encode(), filename="rong.csv")
    with pytest.raises(ImportRefused, match="MB"):
        read_rows(b"code,value\n" + b"x,1\n" * 20_000, filename="lon.csv")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(settings):
    settings.NTM_TABLE_LIMITS = {
        **settings.NTM_TABLE_LIMITS,
        "default": {"bytes": 5 * MB, "rows": 1000, "columns": 50},
    }
    out = io.BytesIO()
    base = zipfile.ZipFile(io.BytesIO(_xlsx([["a"]])))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in base.infolist():
            target.writestr(item, base.read(item.filename))
        with target.open("xl/padding.xml", "w") as bomb:
            chunk = b" " * MB
            for _ in range(110):
                bomb.write(chunk)
    data = out.getvalue()
    assert len(data) < 1 * MB
    refused, peak = _peak(read_rows, data, filename="bom.xlsx")
    assert isinstance(refused, ImportRefused) and "MB" in str(refused)
    assert peak < 20 * MB


def test_control_characters_are_refused_with_their_row_and_column():
    with pytest.raises(ImportRefused) as refused:
        read_rows("code,note\n1.1,tốt\n1.2,có\x00NUL\n".encode(), filename="nul.csv")
    error = refused.value.errors[0]
    assert error.row == 3 and error.column == "B" and "0" in error.message


def test_a_stray_byte_in_utf8_is_refused_and_windows_1258_is_said():
    good = "code,note\n1.1,Đường thôn\n1.2,Nhà văn hóa\n".encode()
    stray = good.replace(b"1.2", b"1.2\xff")
    with pytest.raises(ImportRefused) as refused:
        read_rows(stray, filename="le.csv")
    assert refused.value.errors[0].row == 3
    # Windows-1258 has "ơ" and "Đ" but writes the dot below as a combining mark.
    legacy = "code,note\n1.1,Đơn vi\u0323 thôn\n".encode("cp1258")
    table = read_table(
        legacy, aliases={"code": [], "note": []}, required=["code"], filename="cu.csv"
    )
    assert table.encoding == "cp1258" and table.rows[0][1]["note"] == "Đơn vị thôn"
    assert decode(legacy, declared="cp1258")[0].endswith("thôn\n")


def test_csv_cells_that_look_like_formulas_are_guarded_and_read_back():
    for text in ('=HYPERLINK("http://x")', "+1+1", "-A1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text and unguard(safe_cell(text)) == text
    assert safe_cell("-5") == "-5" and safe_cell("-2,5") == "-2,5" and safe_cell(3) == 3
    data = write_csv(["code", "note"], [["1.1", "=1+1"], ["1.2", "-3"]])
    assert b"'=1+1" in data and b",-3" in data
    assert read_rows(data, filename="x.csv")[1:] == [["1.1", "=1+1"], ["1.2", "-3"]]


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def test_an_image_declaring_a_huge_bitmap_is_refused():
    with pytest.raises(UploadError, match="megapixel"):
        check_upload("anh.png", _png_header(30_000, 30_000), allowed=IMAGES, max_bytes=MB)
    with pytest.raises(UploadError, match="megapixel"):
        check_upload("anh.png", _png_header(100_000, 100_000), allowed=IMAGES, max_bytes=MB)
    check_upload("anh.png", _png_header(4000, 3000), allowed=IMAGES, max_bytes=MB)


def test_a_big_refusal_shows_fifty_problems_and_offers_the_whole_list(client, demo):
    client.force_login(User.objects.get(username="admin"))
    unit = demo["07408"]
    lines = ["unit,set,code,period,value"] + [
        f"99{i:03d},khong-co,1.1,2024Q4,80" for i in range(400)
    ]
    upload = SimpleUploadedFile("sai.csv", "\n".join(lines).encode(), content_type="text/csv")
    response = client.post(reverse("observations:import", args=[unit.pk]), {"file": upload})
    page = response.content.decode()
    assert page.count("<li>") - page.count('<li class="') < 200  # bounded, whatever the menu holds
    assert len(page) < 200_000
    link = re.search(r'href="(/imports/refused/[^"]+\.csv)"', page)
    assert link, "no download link"
    listing = client.get(link.group(1)).content.decode("utf-8-sig").splitlines()
    assert len(listing) >= 401  # header and one line per problem at least
    assert not DataValue.objects.filter(unit__code__startswith="99").exists()
    client.logout()
    assert client.get(link.group(1)).status_code == 302  # to the login page


def test_the_works_import_refuses_a_file_over_the_limit_before_reading_it(client, demo, settings):
    settings.NTM_TABLE_LIMITS = {
        **settings.NTM_TABLE_LIMITS,
        "default": {"bytes": 10_000, "rows": 1000, "columns": 50},
    }
    client.force_login(User.objects.get(username="admin"))
    unit = demo["07408"]
    upload = SimpleUploadedFile("lon.csv", b"x" * 20_000, content_type="text/csv")
    response = client.post(reverse("finance:works_import", args=[unit.pk, 2024]), {"file": upload})
    assert response.status_code in (200, 400)
    assert "MB" in response.content.decode()


def test_an_administrators_command_reads_beyond_the_webs_limits(settings):
    settings.NTM_TABLE_LIMITS = {
        **settings.NTM_TABLE_LIMITS,
        "default": {"bytes": 20 * MB, "rows": 5, "columns": 50},
    }
    data = "\n".join(["code,value"] + [f"c{i},{i}" for i in range(10)]).encode()
    with pytest.raises(ImportRefused):
        read_rows(data, filename="x.csv")
    with trusted():
        assert len(read_rows(data, filename="x.csv")) == 11
    with pytest.raises(ImportRefused):  # only inside
        read_rows(data, filename="x.csv")
