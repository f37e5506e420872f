"""Browser flow: from Dương Đức's criteria page the manager downloads Biểu 1, the Q4/2024
progress report and the 2024 plan, and the numbers match the page."""

import io
import subprocess

import pytest

from tests.e2e.test_unit_browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _pdf_text(path: str) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", path, "-"], check=True, capture_output=True, text=True
    ).stdout


def test_official_downloads_the_reports_from_the_commune_page(live_server, page, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    from ntm.demo.loader import load_demo

    units = load_demo(with_values=True)
    base, unit = live_server.url, units["07408"].pk
    login(page, base, "xa")

    page.goto(f"{base}/units/{unit}/sets/xa-ntm-nang-cao-2021-2025/?period=2024Q4")
    headline = page.locator(".headline .count strong").inner_text()
    assert headline == "13/19"
    with page.expect_download() as info:
        page.get_by_role("link", name="PDF").first.click()
    pdf = tmp_path / "bieu1.pdf"
    info.value.save_as(pdf)
    assert info.value.suggested_filename == "bieu1-07408-2024Q4.pdf"
    text = _pdf_text(str(pdf))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert headline in text

    page.goto(f"{base}/units/{unit}/plans/2024/snapshots/2024Q4/")
    with page.expect_download() as info:
        page.get_by_role("link", name="DOCX").first.click()
    report = Document(io.BytesIO(info.value.path().read_bytes()))
    body = "\n".join(p.text for p in report.paragraphs)
    body += "\n".join(c.text for t in report.tables for r in t.rows for c in r.cells)
    assert "13/19" in body

    page.goto(f"{base}/units/{unit}/plans/2024/")
    with page.expect_download() as info:
        page.get_by_role("link", name="XLSX").first.click()
    workbook = load_workbook(io.BytesIO(info.value.path().read_bytes()))
    cells = [
        str(c)
        for ws in workbook.worksheets
        for row in ws.iter_rows(values_only=True)
        for c in row
        if c is not None
    ]
    assert any("KẾ HOẠCH" in c.upper() for c in cells)
