"""The province roll-up: the province page's numbers, exact shares, a fixed number of queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ntm.catalog.models import CriteriaSet
from ntm.engine.periods import parse_period
from ntm.evaluation.models import SetResult
from ntm.evaluation.selectors import criterion_rollup, subunit_results
from ntm.geo.models import AdminUnit, Kind, Level
from ntm.geo.services import unit_create
from ntm.reports import rollup
from ntm.reports.common import ReportError, unverified_footnote
from ntm.reports.render.text import MOTTO, NATION
from ntm.reports.tests.demo_module import demo_db  # noqa: F401  (module-scoped fixture)
from ntm.reports.tests.helpers import docx_table, open_docx, open_xlsx, pdf_text, sheet_rows

pytestmark = pytest.mark.usefixtures("demo_db")
ADVANCED = "xa-ntm-nang-cao-2021-2025"
Q4 = parse_period("2024Q4")


def _unit(code: str) -> AdminUnit:
    return AdminUnit.objects.get(code=code, valid_from=None)


def _data(code: str = "24", period=Q4):
    with translation.override("vi"):
        family = CriteriaSet.objects.get(code=ADVANCED)
        return rollup.data_for(unit=_unit(code), period=period, family=family)


@pytest.fixture(scope="module")
def files(demo_db, django_db_blocker):  # noqa: F811
    with django_db_blocker.unblock(), translation.override("vi"):
        data = _data()
        return data, {fmt: rollup.build(data, fmt) for fmt in rollup.FORMATS}


def test_shares_are_exact_and_half_up():
    assert rollup.share(1, 3) == Decimal("33.3")
    assert rollup.share(2, 3) == Decimal("66.7")
    assert rollup.share(1, 16) == Decimal("6.3")  # 6.25: half-up, not half-even
    assert rollup.share(0, 0) == Decimal("0.0")


def test_numbers_are_the_province_pages(db):
    data = _data()
    province = _unit("24")
    family = CriteriaSet.objects.get(code=ADVANCED)
    rows = subunit_results(parent=province, family=family, period=Q4, level=Level.COMMUNE)
    assert sorted(c.code for c in data.communes) == sorted(r.unit.code for r in rows)
    page = {r.unit.code: (r.result.met, r.result.total) if r.result else None for r in rows}
    assert {c.code: (c.met, c.total) if c.met is not None else None for c in data.communes} == page
    duong_duc = next(c for c in data.communes if c.code == "07408")
    assert (duong_duc.met, duong_duc.total, duong_duc.period) == (13, 19, "2024Q4")
    assert duong_duc.district == "Huyện Lạng Giang" and duong_duc.unverified
    counted = criterion_rollup(rows)
    assert [(c.number, c.met) for c in data.criteria] == [
        (n, counter["met"]) for n, counter in counted.items()
    ]
    assert data.with_result == 1 and data.met_all == 0
    eight = next(c for c in data.criteria if c.number == 8)
    assert (eight.met, eight.communes, eight.share) == (1, 1, Decimal("100.0"))
    q1 = {c.number: c for c in _data(period=parse_period("2024Q1")).criteria}
    assert q1[8].share == Decimal("0.0")


def test_query_count_does_not_grow_with_communes(db):
    with CaptureQueriesContext(connection) as before:
        _data()
    family = CriteriaSet.objects.get(code=ADVANCED)
    district = _unit("217")
    for n in range(5):
        commune = unit_create(
            code=f"0750{n}", name=f"Xã Thử {n}", kind=Kind.COMMUNE, parent=district
        )
        SetResult.objects.create(
            unit=commune,
            criteria_set=family,
            applied_set=family,
            period="2024Q4",
            period_end=Q4.end,
            met=19 if n < 2 else 10,
            total=19,
            basis="both",  # as the pipeline stores a result of approved values only
            status="met" if n < 2 else "not_met",
            criteria_status=" ".join(
                f"{i}m" if n < 2 or i <= 10 else f"{i}n" for i in range(1, 20)
            ),
        )
    with CaptureQueriesContext(connection) as after:
        data = _data()
    assert len(after) == len(before) <= 8
    assert data.with_result == 6 and data.met_all == 2
    eleven = next(c for c in data.criteria if c.number == 11)
    # Dương Đức meets 11 too (13/19 at Q4), plus the two complete communes: 3 of 6.
    assert (eleven.met, eleven.communes, eleven.share) == (3, 6, Decimal("50.0"))


def test_report_errors(db):
    with pytest.raises(ReportError, match="tỉnh hoặc huyện"):
        _data("07408")
    with translation.override("vi"):
        village_set = CriteriaSet.objects.get(code="thon-ntm-kieu-mau-bac-giang-minh-hoa")
        with pytest.raises(ReportError, match="không phải bộ tiêu chí cấp xã"):
            rollup.data_for(unit=_unit("24"), period=Q4, family=village_set)
    with pytest.raises(ReportError, match="2023Q4"):
        _data(period=parse_period("2023Q4"))


def test_xlsx_keeps_numbers(files):
    _data, content = files
    workbook = open_xlsx(content["xlsx"])
    assert workbook.sheetnames == ["Các xã", "Theo tiêu chí"]
    rows = sheet_rows(workbook["Các xã"])
    assert rows[0][0] == "UBND TỈNH BẮC GIANG" and NATION in rows[0]
    duong_duc = next(r for r in rows if r[1] == "07408")
    assert duong_duc[2:9] == ("Xã Dương Đức", "Huyện Lạng Giang", 13, 19, "Chưa đạt", "2024Q4", "*")
    assert isinstance(duong_duc[4], int)
    shares = sheet_rows(workbook["Theo tiêu chí"])
    assert shares[0][0] == "II. SỐ XÃ ĐẠT TỪNG TIÊU CHÍ"
    assert shares[1] == ("TT", "Tiêu chí", "Số xã đạt", "Số xã có kết quả", "Tỷ lệ (%)")
    eight = next(r for r in shares if r[0] == 8)
    assert eight[2:] == (1, 1, 100)
    two = next(r for r in shares if r[0] == 2)
    assert two[2:] == (0, 1, 0)
    assert workbook["Theo tiêu chí"].cell(row=3, column=5).number_format == "#,##0.0"
    assert [r for r in shares if r[0]][-1][:5] == ("Số xã đạt đủ bộ tiêu chí", None, 0, 1, 0)


def test_docx_and_pdf(files):
    data, content = files
    document = open_docx(content["docx"])
    communes = docx_table(document, 1)
    assert communes[0][:5] == ["TT", "Mã", "Xã", "Huyện", "Số tiêu chí đạt"]
    assert communes[1][:6] == ["1", "07408", "Xã Dương Đức", "Huyện Lạng Giang", "13", "19"]
    assert len(document.inline_shapes) == 1  # the shares chart
    text = pdf_text(content["pdf"])
    for expected in (
        NATION,
        MOTTO,
        "UBND TỈNH BẮC GIANG",
        "BÁO CÁO",
        "Xã Dương Đức",
        "100,0",
        "PHÓ CHỦ TỊCH",
    ):
        assert expected in text
    assert "1/4 xã đã có kết quả đánh giá" in text
    with translation.override("vi"):
        assert unverified_footnote() in rollup.document_for(data, charts=False).footnotes
