"""Every renderer writes the Decree 30 layout; each file is re-opened and read back."""

import datetime as dt
import io
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import translation
from docx.shared import Cm
from PIL import Image

from ntm.reports.charts import criteria_met_chart
from ntm.reports.document import (
    DATA,
    PRINT,
    Cell,
    Column,
    Document,
    Header,
    Heading,
    Paragraph,
    Signature,
    Table,
    for_format,
)
from ntm.reports.render import render
from ntm.reports.render.pdf import render_html
from ntm.reports.render.text import date_line, number_line, vn_number
from ntm.reports.tests.helpers import (
    docx_table,
    docx_text,
    open_docx,
    open_xlsx,
    pdf_first_page_png,
    pdf_text,
    sheet_rows,
    xlsx_layout_problems,
)

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
AS_OF = dt.datetime(2025, 1, 5, 8, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))


def sample(*, landscape: bool = False) -> Document:
    return Document(
        header=Header(
            issuer="UBND XÃ DƯƠNG ĐỨC",
            issuer_parent="UBND HUYỆN LẠNG GIANG",
            number="12/BC-UBND",
            place="Dương Đức",
            date=dt.date(2025, 1, 5),
        ),
        title="Báo cáo",
        subtitle="Kết quả xây dựng xã nông thôn mới nâng cao năm 2024",
        blocks=[
            Heading("I. KẾT QUẢ ĐẠT ĐƯỢC"),
            Paragraph("Xã đạt thêm tiêu chí số 08 về Thông tin và Truyền thông."),
            Table(
                columns=[
                    Column("TT", 0.5, "center"),
                    Column("Nguồn vốn", 3),
                    Column("Số tiền", 1.5, "right", 0),
                    Column("Tỷ lệ (%)", 1, "right", 1),
                ],
                rows=[
                    [1, "Ngân sách trung ương", Decimal("1234567000"), Decimal("61.22")],
                    [2, "Nhân dân đóng góp", Decimal("782000000"), Decimal("38.78")],
                    [Cell("Tổng cộng", colspan=2), Decimal("2016567000"), Decimal(100)],
                ],
                caption="Bảng 1. Nguồn vốn",
                unit_note="Đơn vị tính: đồng",
                total_row=True,
            ),
            Table(
                columns=[Column("Tiêu chí", 3), Column("Đạt", 1, "right")],
                rows=[["Giao thông", 13]],
                sheet="Tiêu chí",
            ),
            criteria_met_chart([("2024Q1", 12), ("2024Q4", 13)], 19, title="Số tiêu chí đạt"),
        ],
        signature=Signature("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn A"),
        recipients=["UBND huyện Lạng Giang;", "Lưu: VT."],
        footnotes=["* Ngưỡng minh họa, chưa xác minh."],
        as_of=AS_OF,
        data_version="05/01/2025 08:00:00#42",
        landscape=landscape,
    )


@pytest.fixture(scope="module")
def files():
    with translation.override("vi"):
        document = sample()
        return {fmt: render(document, fmt) for fmt in ("docx", "xlsx", "pdf")}


def test_vietnamese_numbers_and_decree_30_lines():
    assert vn_number(Decimal("1234567.891"), 1) == "1.234.567,9"
    assert vn_number(Decimal("0.05"), 1) == "0,1"  # half-up
    assert vn_number(-1234) == "-1.234"
    assert vn_number(Decimal("85.50")) == "85,50"
    header = Header(issuer="X", place="Dương Đức", date=dt.date(2024, 3, 7))
    assert date_line(header) == "Dương Đức, ngày 07 tháng 3 năm 2024"
    assert date_line(Header(issuer="X", place="A", date=dt.date(2025, 2, 15))) == (
        "A, ngày 15 tháng 02 năm 2025"
    )
    assert date_line(Header(issuer="X", place="A")).startswith("A, ngày ")
    assert number_line(Header(issuer="X", number="5/KH-UBND")) == "Số: 5/KH-UBND"
    assert number_line(Header(issuer="X")).startswith("Số:")


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown format"):
        render(sample(), "odt")


def test_docx_layout(files):
    document = open_docx(files["docx"])
    section = document.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.01)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.01)
    assert abs(section.left_margin - Cm(3)) < Cm(0.01)
    assert abs(section.top_margin - Cm(2)) < Cm(0.01)
    assert Cm(1.5) - Cm(0.01) <= section.right_margin <= Cm(2) + Cm(0.01)
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size.pt == 13
    fonts = normal.element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == (
        "Times New Roman"
    )

    left, right = docx_table(document, 0)[0]
    assert left.splitlines()[:2] == ["UBND HUYỆN LẠNG GIANG", "UBND XÃ DƯƠNG ĐỨC"]
    assert "Số: 12/BC-UBND" in left
    assert right.splitlines()[:2] == [NATION, MOTTO]
    assert "Dương Đức, ngày 05 tháng 01 năm 2025" in right
    issuer_run = document.tables[0].rows[0].cells[0].paragraphs[1].runs[0]
    assert issuer_run.bold

    text = docx_text(document)
    assert "BÁO CÁO" in text
    assert "Số liệu tính đến 05/01/2025 08:30 · phiên bản dữ liệu 05/01/2025 08:00:00#42" in text
    assert "* Ngưỡng minh họa, chưa xác minh." in text

    money = docx_table(document, 1)
    assert money[0] == ["TT", "Nguồn vốn", "Số tiền", "Tỷ lệ (%)"]
    assert money[1] == ["1", "Ngân sách trung ương", "1.234.567.000", "61,2"]
    assert money[3][0] == money[3][1] == "Tổng cộng"  # merged over two columns
    total_run = document.tables[1].rows[3].cells[2].paragraphs[0].runs[0]
    assert total_run.bold
    assert docx_table(document, 2)[1] == ["Giao thông", "13"]

    closing = docx_table(document, 3)[0]
    assert closing[0].splitlines() == ["Nơi nhận:", "- UBND huyện Lạng Giang;", "- Lưu: VT."]
    label = document.tables[3].rows[0].cells[0].paragraphs[0].runs[0]
    assert label.bold and label.italic
    assert closing[1].splitlines()[:3] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert closing[1].splitlines()[-1] == "Nguyễn Văn A"
    assert len(document.inline_shapes) == 1  # the chart


def test_docx_landscape():
    document = open_docx(render(sample(landscape=True), "docx"))
    section = document.sections[0]
    assert section.page_width > section.page_height
    assert abs(section.page_width - Cm(29.7)) < Cm(0.01)


def test_xlsx_numbers_sheets_and_print_setup(files):
    workbook = open_xlsx(files["xlsx"])
    assert workbook.sheetnames == ["Bảng 1. Nguồn vốn", "Tiêu chí"]
    first = workbook.worksheets[0]
    rows = sheet_rows(first)
    assert rows[0][0] == "UBND HUYỆN LẠNG GIANG"
    assert NATION in rows[0]
    assert MOTTO in rows[1]
    assert not any(rows[2])  # the row holding the rules under the issuer and the motto
    assert "Dương Đức, ngày 05 tháng 01 năm 2025" in rows[3]
    assert rows[5][0] == "BÁO CÁO"
    flat = [value for row in rows for value in row if value is not None]
    assert any(str(v).startswith("Số liệu tính đến 05/01/2025 08:30") for v in flat)
    header = next(i for i, row in enumerate(rows) if row[:2] == ("TT", "Nguồn vốn"))
    assert rows[header + 1] == (1, "Ngân sách trung ương", 1234567000, pytest.approx(61.22))
    amount = first.cell(row=header + 3, column=3)
    assert amount.value == 782000000 and amount.number_format == "#,##0"
    assert first.cell(row=header + 2, column=4).number_format == "#,##0.0"
    assert first.cell(row=header + 4, column=1).font.b  # total row bold
    assert f"A{header + 4}:B{header + 4}" in {str(r) for r in first.merged_cells.ranges}
    assert first.freeze_panes == f"A{header + 2}"
    assert first.page_setup.paperSize == 9  # A4
    assert first.page_setup.fitToWidth == 1
    assert first.sheet_properties.pageSetUpPr.fitToPage
    assert first.cell(row=header + 1, column=2).font.name == "Times New Roman"
    assert first.column_dimensions["B"].width > first.column_dimensions["A"].width
    assert "Nơi nhận:" in flat and "PHÓ CHỦ TỊCH" in flat and "Nguyễn Văn A" in flat
    # the chart follows the table of the other sheet: only the header's two rules are here
    assert [i.anchor.ext.height for i in first._images] == [9525, 9525]  # 0.75 pt

    second = workbook["Tiêu chí"]
    assert sheet_rows(second)[:2] == [
        ("Tiêu chí", "Đạt"),
        ("Giao thông", 13),
    ]
    assert second.freeze_panes == "A2"
    (chart,) = second._images
    assert chart.anchor._from.row + 1 > 2  # below the table's last row (openpyxl counts from 0)


def test_pdf_text_and_first_page(files):
    text = pdf_text(files["pdf"])
    assert NATION in text
    assert MOTTO in text
    assert "UBND XÃ DƯƠNG ĐỨC" in text
    assert "Dương Đức, ngày 05 tháng 01 năm 2025" in text
    assert "BÁO CÁO" in text
    assert "1.234.567.000" in text and "61,2" in text
    assert "Số liệu tính đến 05/01/2025 08:30" in text
    assert "Nơi nhận:" in text and "PHÓ CHỦ TỊCH" in text
    assert not re.search(r"\b1\s*/\s*\d", text)  # no "1 / 8" footer any more
    page = Image.open(io.BytesIO(pdf_first_page_png(files["pdf"])))
    assert page.height > page.width  # portrait A4


def test_html_loads_nothing_remote():
    with translation.override("vi"):
        html = render_html(sample())
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:|url\(\s*["']?https?:""", html)
    assert "<script" not in html
    assert 'src="data:image/svg+xml;base64,' in html


def test_xlsx_long_tables_take_the_fast_path():
    rows = [[n, f"Xã {n}", n % 20, Decimal(n) / 8] for n in range(1, 2502)]
    rows.append([Cell("Tổng", colspan=2), 999, Decimal("1.5")])
    document = Document(
        header=Header(issuer="UBND TỈNH THỬ"),
        title="Báo cáo",
        blocks=[
            Table(
                columns=[
                    Column("TT"),
                    Column("Xã", 2),
                    Column("Đạt", 1, "right", 0),
                    Column("Tỷ lệ", 1, "right", 1),
                ],
                rows=rows,
                sheet="Các xã",
                total_row=True,
            )
        ],
    )
    book = open_xlsx(render(document, "xlsx"))
    assert xlsx_layout_problems(book) == []
    sheet = book["Các xã"]
    values = sheet_rows(sheet)
    header = next(i for i, row in enumerate(values) if row[:2] == ("TT", "Xã"))
    assert values[header + 1][:4] == (1, "Xã 1", 1, 0.125)
    assert values[header + 2501][:3] == (2501, "Xã 2501", 1)
    assert sheet.cell(row=header + 2, column=4).number_format == "#,##0.0"
    total = sheet.cell(row=header + 2503, column=1)
    assert total.value == "Tổng" and total.font.b
    assert sheet.print_options.gridLines


def test_xlsx_rows_fit_their_text_charts_sit_below_tables_and_pages_print_per_decree_30():
    long = "Xã tiếp tục huy động nguồn lực, duy tu bảo dưỡng đường giao thông nông thôn. " * 6
    document = sample()
    document.blocks.insert(2, Paragraph(long))
    document.blocks.append(Table(columns=[Column("Ghi chú", 1)], rows=[[long]], sheet="Tiêu chí"))
    workbook = open_xlsx(render(document, "xlsx"))
    assert xlsx_layout_problems(workbook) == []
    first = workbook.worksheets[0]
    paragraph = next(c for row in first.iter_rows() for c in row if c.value == long)
    assert first.row_dimensions[paragraph.row].height >= 3 * 12 * 1.15  # wraps to several lines
    assert first.print_area == f"'{first.title}'!$A$1:$D${first.max_row}"
    assert first.oddHeader.center.text == "&P" and first.oddHeader.center.size == 13
    assert first.HeaderFooter.differentFirst and not first.firstHeader.center.text
    assert not first.oddFooter.center.text
    second = workbook["Tiêu chí"]
    (chart,) = second._images
    table_end = max(c.row for row in second.iter_rows() for c in row if c.value == "Giao thông")
    assert (
        table_end
        < chart.anchor._from.row + 1
        < next(c.row for row in second.iter_rows() for c in row if c.value == long)
    )
    assert second.print_title_rows == "$1:$1"


def test_columns_of_one_format_and_spans_over_them():
    table = Table(
        columns=[
            Column("Chỉ tiêu", 3),
            Column("Giá trị", 1, formats=PRINT),
            Column("Giá trị", 1, "right", formats=DATA),
            Column("Kỳ", 1, formats=DATA),
            Column("Đánh giá", 1),
        ],
        rows=[
            ["Tỷ lệ hộ nghèo", "2,21 (2024Q1)", Decimal("2.21"), "2024Q1", "Đạt"],
            [Cell("Tiêu chí 11", bold=True, colspan=4), "Đạt"],
        ],
        sheet="Chỉ tiêu",
    )
    document = Document(header=Header(issuer="UBND XÃ THỬ"), title="Biểu", blocks=[table])
    printed = for_format(document, "docx").blocks[0]
    assert [c.title for c in printed.columns] == ["Chỉ tiêu", "Giá trị", "Đánh giá"]
    assert printed.rows == [
        ["Tỷ lệ hộ nghèo", "2,21 (2024Q1)", "Đạt"],
        [Cell("Tiêu chí 11", bold=True, colspan=2), "Đạt"],
    ]
    assert docx_table(open_docx(render(document, "docx")), 1)[1] == [
        "Tỷ lệ hộ nghèo",
        "2,21 (2024Q1)",
        "Đạt",
    ]
    rows = sheet_rows(open_xlsx(render(document, "xlsx"))["Chỉ tiêu"])
    header = rows.index(("Chỉ tiêu", "Giá trị", "Kỳ", "Đánh giá"))
    assert rows[header + 1] == ("Tỷ lệ hộ nghèo", pytest.approx(2.21), "2024Q1", "Đạt")
    assert rows[header + 2] == ("Tiêu chí 11", None, None, "Đạt")  # merged over three columns
