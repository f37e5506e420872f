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
