"""The resource mobilisation table of a village, commune, district or province."""

from decimal import Decimal

import pytest
from django.utils import translation

from ntm.engine.periods import parse_period
from ntm.finance.selectors import commune_breakdown, mobilisation
from ntm.geo.models import AdminUnit
from ntm.reports import mobilisation as report
from ntm.reports.common import ReportError
from ntm.reports.document import Cell, Paragraph, Table
from ntm.reports.tests.demo_module import demo_db  # noqa: F401  (module-scoped fixture)

pytestmark = pytest.mark.usefixtures("demo_db")

YEAR = parse_period("2024")


def _unit(code: str) -> AdminUnit:
    return AdminUnit.objects.get(code=code, valid_from=None)


def _document(code: str, period=YEAR):
    with translation.override("vi"):
        data = report.data_for(unit=_unit(code), period=period)
        return data, report.document_for(data, charts=False)


def _value(cell):
    return cell.value if isinstance(cell, Cell) else cell


def _tables(document) -> list[Table]:
    return [b for b in document.blocks if isinstance(b, Table)]


def test_the_communes_table_is_the_finance_pages_row_for_row(db):
    _data, document = _document("07408")
    page = mobilisation(unit=_unit("07408"), year=2024)
    assert document.title == "KẾT QUẢ HUY ĐỘNG NGUỒN LỰC"
    assert document.subtitle == (
        "Thực hiện Chương trình mục tiêu quốc gia xây dựng nông thôn mới năm 2024 "
        "trên địa bàn xã Dương Đức"
    )
    (table,) = _tables(document)  # a commune has no per-commune breakdown
    assert table.sheet == "Theo nguồn vốn" and table.total_row
    assert [c.title for c in table.columns] == [
        "STT",
        "Nguồn vốn",
        "Tiền mặt",
        "Số lượng hiện vật, ngày công",
        "Đơn vị",
        "Giá trị quy đổi",
        "Tổng cộng",
        "Tỷ lệ (%)",
    ]
    *rows, total = table.rows
    assert len(rows) == len(page.rows) == 12
    for row, line in zip(rows, page.rows, strict=True):
        assert row[1:] == [
            line.label,
            line.cash,
            line.quantity,
            line.quantity_unit,
            line.non_cash_value,
            line.total,
            line.share,
        ]
    assert [_value(c) for c in total][1:] == [
        "Tổng cộng",
        page.cash,
        None,
        "",
        page.non_cash_value,
        Decimal("1715000000"),
        Decimal("100.0"),
    ]
    assert sum(row[7] for row in rows) == Decimal("100.0")
    assert sum(row[6] for row in rows) == page.total == Decimal("1715000000")
    summary = next(b.text for b in document.blocks if isinstance(b, Paragraph))
    # The people's rows of the page: cash 120 M, labour 110 M, land 135 M; their shares.
    assert page.people_total == Decimal("365000000")
    assert sum(r.share for r in page.rows if r.is_people) == Decimal("21.3")
    assert summary == (
        "Tổng nguồn lực huy động năm 2024 trên địa bàn xã Dương Đức: 1.715.000.000 đồng, trong "
        "đó tiền mặt 1.470.000.000 đồng, hiện vật và ngày công quy đổi 245.000.000 đồng; nhân "
        "dân đóng góp 365.000.000 đồng (21,3%)."
    )
    # The plan's signer signs the table too.
    assert document.signature.name == "Nguyễn Đức Khiêm"
    assert document.recipients == ["Lưu: VT."]
    assert document.header.number == "Số:       /BC-UBND"


@pytest.mark.parametrize("code", ["217", "24"])
def test_a_district_or_province_gets_the_per_commune_breakdown(db, code):
    _data, document = _document(code)
    unit = _unit(code)
    by_source, by_commune = _tables(document)
    assert sum(row[6] for row in by_source.rows[:-1]) == Decimal("1715000000")
    breakdown = commune_breakdown(unit=unit, year=2024)
    *rows, total = by_commune.rows
    assert by_commune.sheet == "Theo xã"
    assert [row[1:3] for row in rows] == [[r.commune.name, r.commune.code] for r in breakdown.rows]
    duong_duc = next(row for row in rows if row[2] == "07408")
    page = next(r for r in breakdown.rows if r.commune.code == "07408")
    assert duong_duc[3:] == [page.total, page.state_budget, page.people, page.other]
    assert duong_duc[3] == Decimal("1715000000")
    assert [_value(c) for c in total][3:] == [
        breakdown.total,
        breakdown.state_budget,
        breakdown.people,
        breakdown.other,
    ]
    # Above a commune nobody's plan signs: the name is left for the signer.
    assert document.signature.name == ""
    assert document.header.issuer == "UBND " + unit.name.upper()


def test_the_village_with_the_works_has_its_own_table(db):
    data, document = _document("07408.05")
    assert data.total == mobilisation(unit=_unit("07408.05"), year=2024).total
    assert document.header.issuer == "BAN PHÁT TRIỂN THÔN CỐNG PHÊN"
    assert document.signature.on_behalf == "TM. BAN PHÁT TRIỂN THÔN"
    assert document.header.number == "Số:       /BC"


@pytest.mark.parametrize(
    ("code", "period", "message"),
    [
        (
            "07408.02",
            "2024",
            "Thôn Cầu Đàm chưa có công trình hoặc khoản đóng góp nào trong năm 2024.",
        ),
        (
            "07408",
            "2023",
            "Xã Dương Đức chưa có công trình hoặc khoản đóng góp nào trong năm 2023.",
        ),
    ],
)
def test_a_unit_without_funding_data_is_a_report_error(db, code, period, message):
    with translation.override("vi"), pytest.raises(ReportError, match=message):
        report.data_for(unit=_unit(code), period=parse_period(period))


def test_data_for_takes_a_fixed_number_of_queries(db, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        report.data_for(unit=_unit("24"), period=YEAR)


# Rendered files: built once for the module, re-opened as a reader would.


@pytest.fixture(scope="module")
def files(request, django_db_blocker):
    request.getfixturevalue("demo_db")  # the module's demo database, loaded once
    with django_db_blocker.unblock(), translation.override("vi"):
        commune = report.data_for(unit=_unit("07408"), period=YEAR)
        province = report.data_for(unit=_unit("24"), period=YEAR)
        return {
            "commune": {fmt: report.build(commune, fmt) for fmt in report.FORMATS},
            "province": {"xlsx": report.build(province, "xlsx")},
        }


def test_the_xlsx_totals_and_shares_are_numbers(files, db):
    from ntm.reports.tests.helpers import open_xlsx, sheet_rows

    page = mobilisation(unit=_unit("07408"), year=2024)
    book = open_xlsx(files["commune"]["xlsx"])
    rows = sheet_rows(book["Theo nguồn vốn"])
    lines = [r for r in rows if isinstance(r[0], int)]
    assert [r[1] for r in lines] == [line.label for line in page.rows]
    assert all(isinstance(r[6], int | float) for r in lines)
    assert sum(r[6] for r in lines) == 1715000000
    assert round(sum(r[7] for r in lines), 1) == 100.0
    total = next(r for r in rows if r[1] == "Tổng cộng")
    assert (total[2], total[5], total[6], total[7]) == (1470000000, 245000000, 1715000000, 100)
    land = next(r for r in lines if r[1] == "Nhân dân đóng góp: hiến đất")
    assert land[3:5] == (450, "m² đất")


def test_the_provinces_xlsx_has_the_communes_sheet(files, db):
    from ntm.reports.tests.helpers import open_xlsx, sheet_rows

    book = open_xlsx(files["province"]["xlsx"])
    assert "Theo xã" in book.sheetnames
    rows = sheet_rows(book["Theo xã"])
    duong_duc = next(r for r in rows if r[2] == "07408")
    assert duong_duc[1] == "Xã Dương Đức" and duong_duc[3] == 1715000000
    breakdown = commune_breakdown(unit=_unit("24"), year=2024)
    total = next(r for r in rows if r[1] == "Tổng cộng")
    assert total[3:7] == (
        breakdown.total,
        breakdown.state_budget,
        breakdown.people,
        breakdown.other,
    )


def test_the_docx_and_pdf_read_back(files):
    from ntm.reports.tests.helpers import docx_text, open_docx, pdf_text

    word = open_docx(files["commune"]["docx"])
    text = docx_text(word)
    pdf = " ".join(pdf_text(files["commune"]["pdf"]).split())
    for expected in (
        "KẾT QUẢ HUY ĐỘNG NGUỒN LỰC",
        "Nhân dân đóng góp: ngày công",
        "1.715.000.000",
        "100,0",
        "Đơn vị tính: đồng",
        "Nguyễn Đức Khiêm",
    ):
        assert expected in text, expected
        assert expected in pdf, expected
    assert len(word.inline_shapes) == 1  # the funds-by-source chart
