"""The progress report (BÁO CÁO) of Dương Đức's Q4/2024 and Q1/2024 snapshots."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from ntm.engine.periods import parse_period
from ntm.finance.selectors import mobilisation, works_summary
from ntm.geo.models import AdminUnit
from ntm.planning.models import Plan, Snapshot
from ntm.reports import progress as report
from ntm.reports.common import ReportError
from ntm.reports.document import Cell, Heading, Paragraph, Table
from ntm.reports.tests.demo_module import demo_db  # noqa: F401  (module-scoped fixture)

pytestmark = pytest.mark.usefixtures("demo_db")

Q4 = parse_period("2024Q4")


def _unit(code: str) -> AdminUnit:
    return AdminUnit.objects.get(code=code, valid_from=None)


def _build(period: str):
    with translation.override("vi"):
        data = report.data_for(unit=_unit("07408"), period=parse_period(period))
        return data, report.document_for(data, charts=False)


@pytest.fixture
def q4(db):
    return _build("2024Q4")


def _texts(document) -> list[str]:
    return [b.text for b in document.blocks if isinstance(b, Heading | Paragraph)]


def _table(document, caption_start: str) -> Table:
    return next(
        b for b in document.blocks if isinstance(b, Table) and b.caption.startswith(caption_start)
    )


def _value(cell):
    return cell.value if isinstance(cell, Cell) else cell


def test_the_q4_report_is_titled_by_its_period_and_follows_the_snapshot(q4):
    data, document = q4
    assert document.title == "BÁO CÁO"
    assert document.subtitle == (
        "Kết quả thực hiện Chương trình MTQG xây dựng nông thôn mới quý IV năm 2024 "
        "trên địa bàn xã Dương Đức"
    )
    assert document.header.number == "Số:       /BC-UBND"
    assert document.header.issuer == "UBND XÃ DƯƠNG ĐỨC"
    texts = _texts(document)
    assert texts[0].startswith("Thực hiện kế hoạch triển khai thực hiện Chương trình")
    assert "UBND xã Dương Đức báo cáo kết quả thực hiện quý IV năm 2024" in texts[0]
    assert "(số liệu tính đến ngày 31/12/2024)" in texts[0]
    assert [t for t in texts if t[:3] in ("I. ", "II.", "III")] == [
        "I. KẾT QUẢ THỰC HIỆN",
        "II. KHÓ KHĂN, VƯỚNG MẮC",
        "III. NHIỆM VỤ TRỌNG TÂM QUÝ I NĂM 2025",
    ]
    # Criteria: 13/19 frozen in the snapshot, the plan's target 13 reached; unverified → *.
    snapshot = Snapshot.objects.get(plan__unit__code="07408", period="2024Q4")
    frozen = snapshot.data["criteria_sets"]["xa-ntm-nang-cao-2021-2025"]
    assert (frozen["met"], frozen["total"]) == (13, 19)
    assert (data.criteria_met, data.criteria_total, data.criteria_target) == (13, 19, 13)
    criteria = next(t for t in texts if t.startswith("Đến ngày 31/12/2024"))
    assert "đạt 13/19* tiêu chí theo Bộ tiêu chí quốc gia về xã nông thôn mới nâng cao" in criteria
    assert "đạt mục tiêu kế hoạch 13/19 tiêu chí" in criteria
    assert document.footnotes == [
        "Số liệu chỉ tính các giá trị đã được phê duyệt (số liệu chính thức).",
        "Các ngưỡng đánh dấu * chưa được đối chiếu với văn bản pháp lý (chưa kiểm chứng); "
        "cần kiểm tra lại trước khi sử dụng kết quả đánh giá.",
    ]
    # Criteria met over time: every stored result up to the period (Q1 12, Q4 13).
    assert [(p.label, p.met, p.total) for p in data.criteria_points] == [
        ("Quý I/2024", 12, 19),
        ("Quý IV/2024", 13, 19),
    ]
    assert "bản chốt tiến độ kỳ 2024Q4" in document.data_version


def test_targets_tasks_and_obstacles_are_those_the_snapshot_froze(q4):
    _data, document = q4
    snapshot = Snapshot.objects.get(plan__unit__code="07408", period="2024Q4").data
    targets = _table(document, "Các mục tiêu của kế hoạch")
    assert [row[1] for row in targets.rows] == [t["title"] for t in snapshot["targets"]]
    # printed: the result as the page shows it; the workbook: number, out of, period apart
    ocop = next(row for row in targets.rows if "OCOP" in row[1])
    assert ocop[2:] == ["0", 0, None, "", "có nguy cơ không đạt"]
    villages = next(row for row in targets.rows if row[1].startswith("Hoàn thành xây dựng thôn"))
    assert villages[2:] == ["7/7", 7, 7, "2024Q4", "đã đạt"]
    poverty = next(row for row in targets.rows if row[1].startswith("Tỷ lệ hộ nghèo"))
    assert poverty[2:5] == ["2,21", Decimal("2.21"), None]
    achieved = sum(1 for t in snapshot["targets"] if t["status"] == "achieved")
    texts = _texts(document)
    assert f"Đã đạt {achieved}/16 mục tiêu." in texts
    counts = snapshot["tasks"]
    assert (
        f"Hoàn thành {counts['done']}/{counts['total']} nhiệm vụ; "
        f"{counts['overdue']} nhiệm vụ quá hạn." in texts
    )
    overdue = _table(document, "Nhiệm vụ quá hạn")
    assert [row[1] for row in overdue.rows] == [
        t["description"] for t in snapshot["task_list"] if t["overdue"]
    ]
    assert overdue.rows[0][3:] == [dt.date(2024, 10, 31), 30, "đang thực hiện"]
    obstacle = next(t for t in texts if t.startswith("- Chủ thể sản xuất"))
    assert obstacle.endswith("(đề nghị cấp tỉnh giải quyết; chưa được giải quyết).")


def test_funds_and_works_match_the_finance_pages(q4):
    _data, document = q4
    table = mobilisation(unit=_unit("07408"), year=2024)
    assert table.total == Decimal("1715000000")
    funds = _table(document, "Kết quả huy động nguồn lực theo nguồn vốn năm 2024")
    *rows, total = funds.rows
    # The rows with money, in the page's order; the total row repeats the page's totals.
    assert [row[1] for row in rows] == [r.label for r in table.rows if r.total]
    assert [row[6] for row in rows] == [r.total for r in table.rows if r.total]
    assert [_value(c) for c in total] == [
        "",
        "Tổng cộng",
        table.cash,
        None,
        "",
        table.non_cash_value,
        Decimal("1715000000"),
        Decimal("100.0"),
    ]
    assert sum(row[7] for row in rows) == Decimal("100.0")
    labour = next(row for row in rows if row[1] == "Nhân dân đóng góp: ngày công")
    assert labour[3:5] == [Decimal("550"), "ngày công"]
    texts = _texts(document)
    assert (
        "Tổng nguồn lực huy động năm 2024: 1.715.000.000 đồng, trong đó tiền mặt "
        "1.470.000.000 đồng, hiện vật và ngày công quy đổi 245.000.000 đồng." in texts
    )
    # Q4 ends with the year: no "whole year" caveat.
    assert not any("Số liệu là của cả năm" in t for t in texts)
    works = _table(document, "Công trình: vốn kế hoạch, giải ngân và tiến độ đến ngày 31/12/2024")
    page = works_summary(unit=_unit("07408"), year=2024)
    assert [row[1] for row in works.rows] == [r.work.name for r in page]
    assert [row[3:6] for row in works.rows] == [
        [r.planned, r.disbursed, r.contributed] for r in page
    ]
    # Every work's last update is before the year's end: the page's progress.
    assert [row[6] for row in works.rows] == [r.work.percent for r in page]


def test_tasks_for_the_next_quarter_carry_over_the_open_ones(q4):
    _data, document = q4
    snapshot = Snapshot.objects.get(plan__unit__code="07408", period="2024Q4").data
    open_tasks = [t for t in snapshot["task_list"] if t["status"] in ("not_started", "in_progress")]
    table = _table(document, "Nhiệm vụ chưa hoàn thành có thời hạn đến hết quý I năm 2025")
    assert [row[1] for row in table.rows] == [t["description"] for t in open_tasks]
    assert all(row[5].endswith("(chuyển tiếp)") for row in table.rows)
    assert len(table.rows) == 11


def test_next_years_plan_tasks_due_in_the_next_quarter_are_listed(q4):
    from ntm.accounts.models import User
    from ntm.planning import services

    xa = User.objects.get(username="xa")
    plan_2025 = services.plan_create(
        user=xa, unit=_unit("07408"), year=2025, title="Kế hoạch năm 2025"
    )
    area = plan_2025.areas.first()
    services.task_add(
        user=xa,
        plan=plan_2025,
        area=area,
        description="Rà soát tiêu chí đầu năm 2025",
        deadline=dt.date(2025, 2, 28),
    )
    services.task_add(
        user=xa, plan=plan_2025, area=area, description="Việc quý II", deadline=dt.date(2025, 6, 30)
    )
    data, _document = _build("2024Q4")
    descriptions = [t.description for t in data.next_tasks]
    assert "Rà soát tiêu chí đầu năm 2025" in descriptions
    assert "Việc quý II" not in descriptions
    assert (
        next(t for t in data.next_tasks if t.description.startswith("Rà soát")).carried_over
        is False
    )


def test_the_q1_report_says_the_funds_are_the_years(db):
    data, document = _build("2024Q1")
    assert "quý I năm 2024" in document.subtitle
    assert (data.criteria_met, data.criteria_total) == (12, 19)
    assert [p.label for p in data.criteria_points] == ["Quý I/2024"]  # nothing after Q1
    texts = _texts(document)
    assert "đạt 12/19* tiêu chí" in next(t for t in texts if t.startswith("Đến ngày 31/03/2024"))
    assert "mục tiêu kế hoạch là 13/19 tiêu chí" in next(
        t for t in texts if t.startswith("Đến ngày 31/03/2024")
    )
    assert any(
        "Số liệu là của cả năm 2024, không chỉ tính đến ngày 31/03/2024." in t for t in texts
    )
    # Works' progress as of 31/03: no update was dated before April.
    assert all(w.percent == 0 for w in data.works)
    assert texts[-1] == (
        "Trên đây là báo cáo kết quả thực hiện Chương trình mục tiêu quốc gia xây dựng nông "
        "thôn mới quý I năm 2024 của UBND xã Dương Đức./."
    )


@pytest.mark.parametrize(
    ("code", "period", "message"),
    [
        ("07408", "2023Q4", "Xã Dương Đức chưa có kế hoạch năm 2023."),
        ("07408", "2024Q2", "Kế hoạch của Xã Dương Đức chưa có bản chốt tiến độ kỳ 2024Q2"),
        ("07408.05", "2024Q4", "Thôn Cống Phên chưa có kế hoạch năm 2024."),
    ],
)
def test_a_missing_plan_or_snapshot_is_a_report_error(db, code, period, message):
    with translation.override("vi"), pytest.raises(ReportError) as error:
        report.data_for(unit=_unit(code), period=parse_period(period))
    assert str(error.value).startswith(message)


def test_period_phrases_and_the_next_period():
    with translation.override("vi"):
        assert report.period_phrase(parse_period("2024H1")) == "6 tháng đầu năm 2024"
        assert report.period_phrase(parse_period("2024H2")) == "6 tháng cuối năm 2024"
        assert report.period_phrase(parse_period("2024")) == "năm 2024"
        assert report.period_phrase(parse_period("2024Q3")) == "quý III năm 2024"
    assert report.next_period(parse_period("2024Q4")).code == "2025Q1"
    assert report.next_period(parse_period("2024Q2")).code == "2024Q3"
    assert report.next_period(parse_period("2024H1")).code == "2024H2"
    assert report.next_period(parse_period("2024H2")).code == "2025H1"
    assert report.next_period(parse_period("2024")).code == "2025"


def test_data_for_takes_a_fixed_number_of_queries(db, django_assert_max_num_queries):
    unit = _unit("07408")
    assert Plan.objects.filter(unit=unit, year=2024).exists()
    with django_assert_max_num_queries(20):
        report.data_for(unit=unit, period=Q4)


# Rendered files: built once for the module, re-opened as a reader would.


@pytest.fixture(scope="module")
def files(request, django_db_blocker):
    request.getfixturevalue("demo_db")  # the module's demo database, loaded once
    with django_db_blocker.unblock(), translation.override("vi"):
        data = report.data_for(unit=_unit("07408"), period=Q4)
        document = report.document_for(data)
        return document, {fmt: report.build(data, fmt) for fmt in report.FORMATS}


def test_the_report_carries_both_charts(files):
    from ntm.reports.document import Chart

    document, _files = files
    charts = [b for b in document.blocks if isinstance(b, Chart)]
    assert [c.title for c in charts] == [
        "Số tiêu chí đạt qua các kỳ",
        "Nguồn lực huy động theo nguồn vốn",
    ]
    assert all(c.png.startswith(b"\x89PNG") and "<svg" in c.svg for c in charts)


def test_the_docx_reads_back_with_the_numbers_of_the_pages(files):
    from ntm.reports.tests.helpers import docx_text, open_docx

    _document, built = files
    word = open_docx(built["docx"])
    text = docx_text(word)
    for expected in (
        "BÁO CÁO",
        "Kết quả thực hiện Chương trình MTQG xây dựng nông thôn mới quý IV năm 2024",
        "I. KẾT QUẢ THỰC HIỆN",
        "đạt 13/19* tiêu chí theo Bộ tiêu chí quốc gia về xã nông thôn mới nâng cao",
        "Hoàn thành 2/13 nhiệm vụ; 1 nhiệm vụ quá hạn.",
        "II. KHÓ KHĂN, VƯỚNG MẮC",
        "III. NHIỆM VỤ TRỌNG TÂM QUÝ I NĂM 2025",
        "Nơi nhận:",
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Đức Khiêm",
        "Các ngưỡng đánh dấu * chưa được đối chiếu",
    ):
        assert expected in text, expected
    funds = next(
        t
        for t in word.tables
        if any(c.text == "Nhân dân đóng góp: ngày công" for c in t.columns[1].cells)
    )
    rows = [[c.text for c in row.cells] for row in funds.rows]
    total = next(r for r in rows if r[1] == "Tổng cộng")
    assert total[6:] == ["1.715.000.000", "100,0"]
    labour = next(r for r in rows if r[1] == "Nhân dân đóng góp: ngày công")
    assert labour[3:8] == ["550", "ngày công", "110.000.000", "110.000.000", "6,4"]
    assert len(word.inline_shapes) == 2  # the two charts


def test_the_xlsx_keeps_numbers_numeric_and_shares_add_up(files):
    from ntm.reports.tests.helpers import open_xlsx, sheet_rows

    _document, built = files
    book = open_xlsx(built["xlsx"])
    page = mobilisation(unit=_unit("07408"), year=2024)
    rows = sheet_rows(book["Nguồn lực"])
    lines = [r for r in rows if isinstance(r[0], int)]
    assert [r[1] for r in lines] == [line.label for line in page.rows if line.total]
    assert [r[6] for r in lines] == [line.total for line in page.rows if line.total]
    assert round(sum(r[7] for r in lines), 1) == 100.0
    total = next(r for r in rows if r[1] == "Tổng cộng")
    assert total[6] == 1715000000 and total[7] == 100
    works = sheet_rows(book["Công trình"])
    planned = [r[3] for r in works if isinstance(r[0], int)]
    assert planned == [r.planned for r in works_summary(unit=_unit("07408"), year=2024)]
    targets = sheet_rows(book.worksheets[0])
    assert any(r[1] == "Phấn đấu xây dựng 01 sản phẩm OCOP 4 sao" for r in targets)


def test_the_pdf_reads_back_with_diacritics_and_numbers(files):
    from ntm.reports.tests.helpers import pdf_text

    _document, built = files
    text = " ".join(pdf_text(built["pdf"]).split())
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "BÁO CÁO",
        "quý IV năm 2024 trên địa bàn xã Dương Đức",
        "đạt 13/19* tiêu chí",
        "1.715.000.000",
        "KHÓ KHĂN, VƯỚNG MẮC",
        "TM. ỦY BAN NHÂN DÂN",
        "Nguyễn Đức Khiêm",
        "Số liệu tính đến",
    ):
        assert expected in text, expected
