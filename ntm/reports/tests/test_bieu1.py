"""Biểu 1 of Dương Đức: the commune page's numbers in every format, villages in section II."""

import dataclasses

import pytest
from django.utils import translation

from ntm.catalog.models import CriteriaSet
from ntm.engine.periods import parse_period
from ntm.evaluation.selectors import set_page
from ntm.geo.models import AdminUnit
from ntm.reports import bieu1
from ntm.reports.common import ReportError, unverified_footnote
from ntm.reports.render.text import MOTTO, NATION
from ntm.reports.tests.demo_module import demo_db  # noqa: F401  (module-scoped fixture)
from ntm.reports.tests.helpers import (
    docx_table,
    docx_text,
    open_docx,
    open_xlsx,
    pdf_text,
    sheet_rows,
)

pytestmark = pytest.mark.usefixtures("demo_db")
ADVANCED = "xa-ntm-nang-cao-2021-2025"


def _unit(code: str) -> AdminUnit:
    return AdminUnit.objects.get(code=code, valid_from=None)


def _data(period: str, code: str = "07408"):
    with translation.override("vi"):
        return bieu1.data_for(unit=_unit(code), period=parse_period(period))


@pytest.fixture(scope="module")
def q4_files(demo_db, django_db_blocker):  # noqa: F811
    with django_db_blocker.unblock(), translation.override("vi"):
        data = bieu1.data_for(unit=_unit("07408"), period=parse_period("2024Q4"))
        return data, {fmt: bieu1.build(data, fmt) for fmt in bieu1.FORMATS}


def test_numbers_are_the_commune_pages(db):
    unit = _unit("07408")
    family = CriteriaSet.objects.get(code=ADVANCED)
    for period, met in (("2024Q1", 12), ("2024Q4", 13)):
        data = _data(period)
        page = set_page(unit=unit, family=family, period=parse_period(period))
        assert page.result is not None
        assert (data.met, data.total) == (page.result.met, page.result.total) == (met, 19)
        assert data.set_code == ADVANCED  # the advanced set is the default
        assert data.set_name == page.applied.name
        assert [(c.number, c.status) for c in data.criteria] == [
            (r.criterion.number, r.status) for r in page.rows
        ]
        assert [c.responsible for c in data.criteria] == [
            r.responsible or [str(r.criterion.get_field_display())] for r in page.rows
        ]
    q1, q4 = _data("2024Q1"), _data("2024Q4")
    eight = {c.number: c for c in q1.criteria}[8], {c.number: c for c in q4.criteria}[8]
    assert (eight[0].status, eight[1].status) == ("not_met", "met")


def test_plan_targets_officials_and_solutions(db):
    data = _data("2024Q4")
    by_number = {c.number: c for c in data.criteria}
    assert data.count_target == 13 and data.plan_year == 2024
    assert by_number[8].targets == [
        "Đến quý IV/2024 hoàn thành thêm tiêu chí 08 về thông tin và truyền thông"
    ]
    assert any(s.startswith("Hoàn thiện hệ thống đài truyền thanh") for s in by_number[8].solutions)
    assert "Lê Thị Hương (minh họa)" in by_number[8].responsible
    indicator = {i.code: i for i in by_number[12].indicators}["12.1"]
    assert indicator.target == "76"
    assert all(i.threshold.endswith("*") for c in data.criteria for i in c.indicators)
    # Values entered in Q1 are carried forward and say so.
    assert {i.code: i for i in by_number[3].indicators}["3.1"].value == "93,5"
    assert {i.code: i for i in by_number[3].indicators}["3.1"].value_period == "2024Q1"


def test_villages_section(db):
    villages = {v.name: v for v in _data("2024Q4").villages}
    assert (villages["Thôn Cống Phên"].met, villages["Thôn Cống Phên"].total) == (7, 7)
    assert villages["Thôn Cống Phên"].period == "2024Q4"
    assert villages["Thôn Cống Phên"].target.startswith("Hoàn thành xây dựng thôn Cống Phên")
    assert villages["Thôn Hồng Giang"].met is None
    before = {v.name: v for v in _data("2024Q1").villages}
    assert (before["Thôn Cống Phên"].met, before["Thôn Cống Phên"].status) == (4, "not_met")


def test_report_errors(db):
    with pytest.raises(ReportError, match="không phải là xã"):
        _data("2024Q4", code="07408.05")
    with pytest.raises(ReportError, match="chưa có kết quả đã phê duyệt"):
        _data("2024Q4", code="07411")  # Tân Thanh: no stored results
    with translation.override("vi"):
        family = CriteriaSet.objects.get(code=ADVANCED)
        with pytest.raises(ReportError, match="2023Q4"):
            bieu1.data_for(unit=_unit("07408"), period=parse_period("2023Q4"), family=family)


def test_unverified_footnote_only_when_a_threshold_is_unverified(db):
    data = _data("2024Q4")
    with translation.override("vi"):
        assert unverified_footnote() in bieu1.document_for(data).footnotes
        verified = dataclasses.replace(
            data,
            unverified=False,
            criteria=[
                dataclasses.replace(
                    c,
                    unverified=False,
                    indicators=[dataclasses.replace(i, unverified=False) for i in c.indicators],
                )
                for c in data.criteria
            ],
        )
        assert unverified_footnote() not in bieu1.document_for(verified).footnotes


def test_docx(q4_files):
    _data, files = q4_files
    document = open_docx(files["docx"])
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape
    header = docx_table(document, 0)[0]
    assert "UBND XÃ DƯƠNG ĐỨC" in header[0] and NATION in header[1] and MOTTO in header[1]
    text = docx_text(document)
    assert "BIỂU 1" in text
    assert "Kết quả thực hiện các tiêu chí theo Bộ tiêu chí xã nông thôn mới nâng cao" in text
    assert "của xã Dương Đức tính đến quý IV năm 2024" in text
    criteria = docx_table(document, 1)
    assert criteria[0][:5] == [
        "TT",
        "Tiêu chí / chỉ tiêu",
        "Ngưỡng đạt chuẩn",
        "Hiện trạng",
        "Đánh giá",
    ]
    eight = next(r for r in criteria if r[0] == "8")
    assert eight[1].startswith("Thông tin") and eight[4] == "Đạt"
    assert "Lê Thị Hương (minh họa)" in eight[6]
    total = criteria[-1]
    assert total[0] == "Số tiêu chí đạt" and total[4] == "13/19" and total[5] == "13/19"
    indicator = next(r for r in criteria if r[0] == "3.1")
    assert indicator[2] == "≥ 90*" and indicator[3] == "93,5 (2024Q1)"
    villages = docx_table(document, 2)
    cong_phen = next(r for r in villages if r[1] == "Thôn Cống Phên")
    assert cong_phen[2:5] == ["7/7", "Đạt", "2024Q4"]
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_xlsx(q4_files):
    _data, files = q4_files
    workbook = open_xlsx(files["xlsx"])
    assert workbook.sheetnames == ["Tiêu chí", "Các thôn"]
    rows = sheet_rows(workbook["Tiêu chí"])
    assert rows[5][0] == "BIỂU 1"
    header = next(r for r in rows if r[0] == "TT")
    assert header[2:9] == (
        "So sánh",
        "Ngưỡng đạt chuẩn",
        "Ngưỡng chưa kiểm chứng",
        "Hiện trạng",
        "Kỳ số liệu",
        "Đánh giá",
        "Mục tiêu năm 2024",
    )
    eight = next(r for r in rows if r[0] == "8")
    assert eight[7] == "Đạt"
    # "≥ 90*" and "93,5 (2024Q1)" on paper: comparator, number, mark, number, period here
    assert next(r for r in rows if r[0] == "3.1")[2:8] == ("≥", 90, "*", 93.5, "2024Q1", "Đạt")
    assert next(r for r in rows if r[0] == "1.1")[2:8] == (None, "Đạt", "*", "Đạt", "2024Q1", "Đạt")
    assert next(r for r in rows if r[0] == "6.1")[5:9] == (83.33, "2024Q1", "Đạt", 80)
    total = next(r for r in rows if r[0] == "Số tiêu chí đạt")
    assert total[2:9] == ("≥", 19, "*", 13, "2024Q4", "Chưa đạt", 13)
    villages = sheet_rows(workbook["Các thôn"])
    cong_phen = next(r for r in villages if r[1] == "Thôn Cống Phên")
    assert cong_phen[:6] == (3, "Thôn Cống Phên", 7, 7, "Đạt", "2024Q4")


def test_pdf(q4_files):
    _data, files = q4_files
    text = pdf_text(files["pdf"])
    for expected in (NATION, MOTTO, "UBND XÃ DƯƠNG ĐỨC", "BIỂU 1", "13/19", "Thôn Cống Phên"):
        assert expected in text
    assert "Số liệu tính đến" in text
    assert "chưa được đối chiếu với văn bản pháp lý" in " ".join(text.split())
