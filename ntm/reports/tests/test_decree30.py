"""DOCX and PDF to Decree 30/2020/NĐ-CP (issue 15, item 1): page numbers in the top margin from
page 2, rows that never split, headers repeated, the signature block kept together, columns
that hold their words, rules clear of the text. The PDF is read back with the docs-check
checks; the DOCX's XML is read for what Word and LibreOffice obey."""

import datetime as dt
from decimal import Decimal

import pdfplumber
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from docx.oxml.ns import qn

from ntm.reports.checks import check_pdf, expected_for
from ntm.reports.document import (
    Cell,
    Column,
    Document,
    Header,
    Paragraph,
    Signature,
    Table,
    for_format,
)
from ntm.reports.render import render
from ntm.reports.render.measure import CELL_MARGIN_CM, column_widths, text_cm
from ntm.reports.render.text import MOTTO, TABLE_PT, content_width_cm
from ntm.reports.tests.helpers import open_docx

TWIPS_PER_CM = 1440 / 2.54


def long_document() -> Document:
    """Several pages: a narrow "STT", codes, dates and whole-dong amounts, rows of several
    lines, a total, and a signature that lands near a page's end."""
    rows: list[list] = []
    for n in range(1, 61):
        note = "Duy tu, bảo dưỡng đường giao thông nông thôn và kênh mương nội đồng. " * (n % 4)
        rows.append(
            [
                n,
                f"16.{n % 9 + 1}",
                dt.date(2024, 1 + n % 12, 1 + n % 28),
                Decimal(110_000_000),
                note,
            ]
        )
    rows.append([Cell("Tổng cộng", colspan=3), Decimal(6_600_000_000), ""])
    return Document(
        header=Header(
            issuer="UBND XÃ DƯƠNG ĐỨC",
            issuer_parent="UBND HUYỆN LẠNG GIANG",
            place="Dương Đức",
            date=dt.date(2025, 1, 5),
        ),
        title="Báo cáo",
        subtitle="Huy động nguồn lực năm 2024",
        blocks=[
            Paragraph("Xã báo cáo kết quả huy động nguồn lực như sau."),
            Table(
                columns=[
                    Column("STT", 0.2, "center"),
                    Column("Mã", 0.2, "center"),
                    Column("Ngày", 0.3, "center"),
                    Column("Số tiền", 0.4, "right", 0),
                    Column("Ghi chú", 6),
                ],
                rows=rows,
                caption="Bảng 1. Các khoản huy động",
                unit_note="Đơn vị tính: đồng",
                total_row=True,
            ),
        ],
        signature=Signature(
            "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Đức Khiêm"
        ),
        recipients=["UBND huyện Lạng Giang;", "Lưu: VT."],
    )


@pytest.fixture(scope="module")
def files():
    with translation.override("vi"):
        document = long_document()
        return document, {fmt: render(document, fmt) for fmt in ("docx", "pdf")}


def test_column_widths_hold_each_word_in_the_default_cell_margins():
    table = long_document().blocks[1]
    assert isinstance(table, Table)
    total = content_width_cm(False)
    widths = column_widths(table.columns, table.rows, total, size=TABLE_PT, bold_last=True)
    assert sum(widths) == pytest.approx(total)
    room = [w - 2 * CELL_MARGIN_CM for w in widths]
    # The relative widths alone (0.2 of 7.1) would give "STT" 0.47 cm: one letter a line.
    assert room[0] > text_cm("STT", TABLE_PT, bold=True)
    assert room[1] > text_cm("16.1", TABLE_PT)
    assert room[2] > text_cm("01/12/2024", TABLE_PT)
    assert room[3] > text_cm("6.600.000.000", TABLE_PT, bold=True)  # the total, in bold
    assert widths[4] > 8  # the notes keep the room left


def test_docx_page_number_in_the_header_from_page_2(files):
    _document, built = files
    section = open_docx(built["docx"]).sections[0]
    assert section.different_first_page_header_footer
    assert not section.first_page_header.is_linked_to_previous
    assert "PAGE" not in section.first_page_header._element.xml
    header = section.header.paragraphs[0]
    assert header.alignment == 1  # centred
    instructions = [t.text for t in header._p.iter(qn("w:instrText"))]
    assert [i.strip() for i in instructions] == ["PAGE"]
    sizes = {r.font.size.pt for r in header.runs}
    assert sizes == {13}
    # No "1 / 8" footer any more.
    assert "PAGE" not in section.footer._element.xml


def test_docx_rows_never_split_headers_repeat_and_widths_are_fixed(files):
    document, built = files
    docx = open_docx(built["docx"])
    table = docx.tables[1]  # after the header block
    assert table.rows[0].cells[0].text == "STT"
    for row in table.rows:
        assert row._tr.trPr.find(qn("w:cantSplit")) is not None
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    tblpr = table._tbl.tblPr
    assert tblpr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    margins = tblpr.find(qn("w:tblCellMar"))
    assert margins.find(qn("w:left")).get(qn("w:w")) == str(round(CELL_MARGIN_CM * TWIPS_PER_CM))
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iter(qn("w:gridCol"))]
    source = for_format(document, "docx").blocks[1]
    expected = column_widths(
        source.columns, source.rows, content_width_cm(False), size=TABLE_PT, bold_last=True
    )
    assert grid == pytest.approx([w * TWIPS_PER_CM for w in expected], abs=2)
    # A merged cell is as wide as its columns.
    total = table.rows[-1]._tr.tc_lst[0]
    assert total.grid_span == 3
    assert total.width == pytest.approx(sum(grid[:3]) * 635, rel=0.001)  # twips → EMU
    # The closing block's row never splits either.
    closing = docx.tables[-1]
    assert closing.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None


def test_docx_rules_are_bottom_borders_as_long_as_the_texts(files):
    _document, built = files
    header = open_docx(built["docx"]).tables[0]
    left, right = header.rows[0].cells

    def rule(cell):
        (paragraph,) = [
            p for p in cell.paragraphs if p._p.find(qn("w:pPr")).find(qn("w:pBdr")) is not None
        ]
        borders = paragraph._p.pPr.find(qn("w:pBdr"))
        assert borders.find(qn("w:top")) is None and borders.find(qn("w:bottom")) is not None
        assert not paragraph.text
        fmt = paragraph.paragraph_format
        return cell.width - fmt.left_indent - fmt.right_indent

    motto_width = rule(right)
    assert motto_width / 360000 == pytest.approx(text_cm(MOTTO, 14, bold=True), abs=0.02)
    # Below the motto, not between the nation's name and the motto.
    texts = [p.text for p in right.paragraphs]
    assert texts.index(MOTTO) == texts.index("") - 1
    issuer_width = rule(left)
    issuer_cm = text_cm("UBND XÃ DƯƠNG ĐỨC", 13, bold=True)
    assert issuer_cm / 3 <= issuer_width / 360000 <= issuer_cm / 2


def test_pdf_passes_the_decree_30_checks(files, tmp_path):
    """Our PDF of several pages: page numbers from page 2, rows whole, signature together,
    nothing overlapping, rules clear of the text."""
    document, built = files
    path = tmp_path / "report.pdf"
    path.write_bytes(built["pdf"])
    assert check_pdf(path, expected_for(for_format(document, "pdf"))) == []
    with pdfplumber.open(path) as pdf:  # long enough for the page numbers to be checked
        assert len(pdf.pages) >= 3


@pytest.mark.parametrize("lines", range(20, 56, 3))
def test_pdf_signature_block_never_splits(tmp_path, lines):
    """Wherever the page ends, the titles, the name and "Nơi nhận" share a page."""
    document = Document(
        header=Header(issuer="UBND XÃ DƯƠNG ĐỨC"),
        title="Báo cáo",
        blocks=[Paragraph(f"Dòng {n}.") for n in range(lines)],
        signature=Signature(
            "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Đức Khiêm"
        ),
        recipients=["UBND huyện Lạng Giang;", "Lưu: VT."],
    )
    path = tmp_path / "signature.pdf"
    with translation.override("vi"):
        path.write_bytes(render(document, "pdf"))
    assert check_pdf(path, expected_for(document)) == []


def test_docs_check_needs_libreoffice(tmp_path):
    with pytest.raises(CommandError, match="make deps"):
        call_command("docs_check", out=str(tmp_path), soffice="no-such-office-suite")
