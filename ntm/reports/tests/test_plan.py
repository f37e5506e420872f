"""The plan document (KẾ HOẠCH) generated from Dương Đức's 2024 plan."""

import datetime as dt

import pytest
from django.utils import translation

from ntm.engine.periods import parse_period
from ntm.geo.models import AdminUnit, Level
from ntm.planning.models import Plan, Task
from ntm.planning.selectors import plan_page
from ntm.reports import plan as report
from ntm.reports.common import ReportError
from ntm.reports.document import Heading, Paragraph, Table
from ntm.reports.tests.demo_module import demo_db  # noqa: F401  (module-scoped fixture)

pytestmark = pytest.mark.usefixtures("demo_db")

YEAR = parse_period("2024")


def _unit(code: str) -> AdminUnit:
    return AdminUnit.objects.get(code=code, valid_from=None)


@pytest.fixture
def plan(db) -> Plan:
    return Plan.objects.select_related("unit").get(unit__code="07408", year=2024)


@pytest.fixture
def document(plan):
    with translation.override("vi"):
        return report.document_for(report.data_for(unit=plan.unit, period=YEAR))


def _texts(document) -> list[str]:
    return [b.text for b in document.blocks if isinstance(b, Heading | Paragraph)]


def test_the_document_follows_the_reference_plans_sections(document, plan):
    assert document.title == "KẾ HOẠCH"
    assert document.subtitle == (
        "Triển khai thực hiện Chương trình mục tiêu Quốc gia xây dựng nông thôn mới năm 2024 "
        "trên địa bàn xã Dương Đức"
    )
    assert document.header.issuer == "UBND XÃ DƯƠNG ĐỨC"
    assert document.header.issuer_parent == "UBND HUYỆN LẠNG GIANG"
    assert document.header.place == "Dương Đức"
    assert document.header.number == "Số:       /KH-UBND"  # the demo plan has no number yet
    headings = [b.text for b in document.blocks if isinstance(b, Heading) and b.level == 1]
    assert headings == [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. MỤC TIÊU",
        "III. NHIỆM VỤ, GIẢI PHÁP",
        "IV. TỔ CHỨC THỰC HIỆN",
    ]
    # The appendix follows the signature, on its own page.
    assert [b.text for b in document.appendix if isinstance(b, Heading)] == [
        "PHỤ LỤC: DANH MỤC NHIỆM VỤ"
    ]
    texts = _texts(document)
    # The "Căn cứ…" lines come first, as typed on the plan, then the issuing sentence.
    basis = [line for line in plan.legal_basis.splitlines() if line.strip()]
    assert texts[: len(basis)] == basis
    assert texts[len(basis)].startswith("UBND xã Dương Đức ban hành kế hoạch triển khai thực hiện")
    assert texts[len(basis)].endswith("cụ thể như sau:")
    purposes = texts.index("1. Mục đích")
    requirements = texts.index("2. Yêu cầu")
    assert texts[purposes + 1 : requirements] == [
        "- " + line for line in plan.purposes.splitlines() if line.strip()
    ]
    assert any(t.startswith("Trên đây là Kế hoạch triển khai thực hiện") for t in texts)
    assert document.recipients == [r for r in plan.recipients.splitlines() if r.strip()]
    assert document.recipients[-1] == "Lưu: VP UBND."
    signature = document.signature
    assert (signature.on_behalf, signature.authority, signature.position, signature.name) == (
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Đức Khiêm",
    )
    assert document.as_of is not None and document.data_version


def test_targets_are_numbered_and_tasks_grouped_by_solution_area_as_on_the_page(document, plan):
    page = plan_page(plan=plan)
    texts = _texts(document)
    start, end = texts.index("II. MỤC TIÊU"), texts.index("III. NHIỆM VỤ, GIẢI PHÁP")
    assert texts[start + 1 : end] == [
        f"{i}. {row.target.title}" for i, row in enumerate(page.targets, start=1)
    ]
    assert len(page.targets) == 16
    # Section III: each solution area with its tasks, in the page's order.
    end_iii = texts.index("IV. TỔ CHỨC THỰC HIỆN")
    section = texts[end + 1 : end_iii]
    areas = [t for t in section if not t.startswith("- ")]
    assert areas == [f"{i}. {name}" for i, (name, _r) in enumerate(page.tasks_by_area, start=1)]
    tasks = [t for t in section if t.startswith("- ")]
    assert len(tasks) == len(page.tasks) == 13
    ocop = next(t for t in tasks if "OCOP 4 sao" in t)
    assert "thời hạn: 31/10/2024" in ocop
    assert "thực hiện: Hội Nông dân, Công chức chuyên môn" in ocop


def test_section_iv_derives_each_bodys_tasks_from_the_tasks(document, plan):
    texts = _texts(document)
    appendix = next(b for b in document.appendix if isinstance(b, Table))
    numbers = {row[1]: row[0] for row in appendix.rows}
    tasks = list(plan.tasks.all())
    front = next(t for t in texts if t.split(". ", 1)[-1].startswith("Mặt trận Tổ quốc:"))
    expected = sorted(numbers[t.description] for t in tasks if "mttq" in t.organisations)
    assert expected  # the demo gives the Front two tasks
    assert "nhiệm vụ số " + ", ".join(map(str, expected)) + " tại Phụ lục" in front
    # One paragraph per body, in the order of the organisation choices, then the officials.
    section = texts[texts.index("IV. TỔ CHỨC THỰC HIỆN") + 1 :]
    section = section[: next(i for i, t in enumerate(section) if t.startswith("Trên đây"))]
    with translation.override("vi"):
        used = [
            str(label)
            for code, label in Task.Organisation.choices
            if any(code in t.organisations for t in tasks)
        ]
    assert [t.split(". ", 1)[1].split(":")[0] for t in section[:-2]] == used
    assert [t.split(".")[0] for t in section] == [str(i) for i in range(1, len(used) + 3)]
    assert section[-1].endswith(
        "hằng quý, 6 tháng báo cáo tiến độ thực hiện nhiệm vụ được giao và những vướng mắc cần "
        "tháo gỡ về Ban quản lý xây dựng nông thôn mới để tổng hợp, báo cáo Ban Chỉ đạo."
    )
    officials = next(t for t in texts if "Cán bộ, công chức được phân công" in t)
    assert "Trưởng thôn Cống Phên (minh họa): nhiệm vụ số 13" in officials


def test_the_appendix_lists_every_task_with_its_deadline(document, plan):
    appendix = next(b for b in document.appendix if isinstance(b, Table))
    assert appendix.sheet == "Phụ lục"
    assert [c.title for c in appendix.columns][:2] == ["STT", "Nhiệm vụ"]
    page = plan_page(plan=plan)
    assert [row[0] for row in appendix.rows] == list(range(1, len(page.tasks) + 1))
    assert [row[1] for row in appendix.rows] == [r.task.description for r in page.tasks]
    assert [row[6] for row in appendix.rows] == [r.task.deadline for r in page.tasks]
    broadcast = next(row for row in appendix.rows if "đài truyền thanh" in row[1])
    assert broadcast[5] == "8"  # the criterion it serves


def test_a_numbered_dated_plan_prints_its_number_and_date(plan):
    plan.number, plan.issued_on = "25/KH-UBND", dt.date(2024, 3, 12)
    plan.save(update_fields=["number", "issued_on"])
    with translation.override("vi"):
        data = report.data_for_plan(plan)
    assert data.header.number == "25/KH-UBND"
    assert data.header.date == dt.date(2024, 3, 12)


def test_signer_lines_become_the_signature_block():
    commune = AdminUnit(level=Level.COMMUNE, name="Xã A", code="1")
    village = AdminUnit(level=Level.VILLAGE, name="Thôn B", code="1.1")
    with translation.override("vi"):
        chair = report.signature_for(commune, "Chủ tịch Nguyễn Văn An")
        assert (chair.authority, chair.position, chair.name) == ("", "CHỦ TỊCH", "Nguyễn Văn An")
        deputy = report.signature_for(commune, "KT. Chủ tịch - Phó Chủ tịch Lê Thị Hoa")
        assert (deputy.authority, deputy.position, deputy.name) == (
            "KT. CHỦ TỊCH",
            "PHÓ CHỦ TỊCH",
            "Lê Thị Hoa",
        )
        blank = report.signature_for(commune, "")
        assert blank.on_behalf == "TM. ỦY BAN NHÂN DÂN" and blank.name == ""
        board = report.signature_for(village, "Trưởng ban Trần Văn Bình")
        assert (board.on_behalf, board.position, board.name) == (
            "TM. BAN PHÁT TRIỂN THÔN",
            "TRƯỞNG BAN",
            "Trần Văn Bình",
        )


def test_no_plan_for_the_year_or_the_village_is_a_report_error(db):
    with translation.override("vi"):
        with pytest.raises(ReportError, match="Xã Dương Đức chưa có kế hoạch năm 2023"):
            report.data_for(unit=_unit("07408"), period=parse_period("2023"))
        with pytest.raises(ReportError, match="Thôn Cống Phên chưa có kế hoạch năm 2024"):
            report.data_for(unit=_unit("07408.05"), period=YEAR)


def test_reading_the_plan_takes_a_fixed_number_of_queries(plan, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        report.data_for(unit=plan.unit, period=YEAR)


# Rendered files: built once for the module, re-opened as a reader would.


@pytest.fixture(scope="module")
def files(request, django_db_blocker):
    request.getfixturevalue("demo_db")  # the module's demo database, loaded once
    with django_db_blocker.unblock(), translation.override("vi"):
        plan = Plan.objects.get(unit__code="07408", year=2024)
        data = report.data_for_plan(plan)
        return {fmt: report.build(data, fmt) for fmt in report.FORMATS}


def test_the_docx_reads_back_in_the_reference_plans_order(files, plan):
    from ntm.reports.tests.helpers import open_docx

    word = open_docx(files["docx"])
    paragraphs = [p.text for p in word.paragraphs if p.text.strip()]
    order = [
        "KẾ HOẠCH",
        "Triển khai thực hiện Chương trình mục tiêu Quốc gia xây dựng nông thôn mới năm 2024 "
        "trên địa bàn xã Dương Đức",
        plan.legal_basis.splitlines()[0],
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Mục đích",
        "2. Yêu cầu",
        "II. MỤC TIÊU",
        "1. Hoàn thành 13/19 tiêu chí xã nông thôn mới nâng cao theo bộ tiêu chí giai đoạn "
        "2021-2025",
        "III. NHIỆM VỤ, GIẢI PHÁP",
        "1. Lãnh đạo, chỉ đạo",
        "IV. TỔ CHỨC THỰC HIỆN",
        "PHỤ LỤC: DANH MỤC NHIỆM VỤ",
    ]
    positions = [paragraphs.index(text) for text in order]
    assert positions == sorted(positions)
    everything = "\n".join(paragraphs) + "\n".join(
        c.text for t in word.tables for row in t.rows for c in row.cells
    )
    for expected in ("Nơi nhận:", "- Lưu: VP UBND.", "TM. ỦY BAN NHÂN DÂN", "Nguyễn Đức Khiêm"):
        assert expected in everything, expected
    # Nơi nhận and the signature close the plan; the appendix follows them on a new page.
    body = list(word.element.body.iterchildren())
    closing = next(t for t in word.tables if "Nơi nhận:" in t.rows[0].cells[0].text)
    heading = next(p for p in word.paragraphs if p.text == "PHỤ LỤC: DANH MỤC NHIỆM VỤ")
    assert body.index(closing._tbl) < body.index(heading._p)
    assert any(
        'w:type="page"' in e.xml for e in body[body.index(closing._tbl) : body.index(heading._p)]
    )
    appendix = next(t for t in word.tables if t.rows[0].cells[1].text == "Nhiệm vụ")
    body = [[c.text for c in row.cells] for row in appendix.rows[1:]]
    assert len(body) == plan.tasks.count() == 13
    assert body[3][5:] == ["8", "30/11/2024"]


def test_the_xlsx_carries_the_tasks_table(files, plan):
    from ntm.reports.tests.helpers import open_xlsx, sheet_rows

    book = open_xlsx(files["xlsx"])
    rows = sheet_rows(book["Phụ lục"])
    tasks = [r for r in rows if isinstance(r[0], int)]
    assert [r[0] for r in tasks] == list(range(1, 14))
    page = plan_page(plan=plan)
    assert [r[1] for r in tasks] == [row.task.description for row in page.tasks]
    assert tasks[0][6] == dt.datetime(2024, 3, 31)  # a date cell, shown 31/03/2024
    deadline = next(c for c in book["Phụ lục"]["G"] if c.value == tasks[0][6])
    assert deadline.is_date and deadline.number_format == "dd/mm/yyyy"
    assert any(r[0] == "KẾ HOẠCH" for r in rows)


def test_the_pdf_reads_back_with_diacritics(files):
    from ntm.reports.tests.helpers import pdf_text

    text = " ".join(pdf_text(files["pdf"]).split())
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "KẾ HOẠCH",
        "Căn cứ Kế hoạch số 22/KH-UBND ngày 07/02/2024 của UBND huyện Lạng Giang",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "IV. TỔ CHỨC THỰC HIỆN",
        "Mặt trận Tổ quốc: chủ trì hoặc phối hợp thực hiện các nhiệm vụ số 3, 10",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Đức Khiêm",
    ):
        assert expected in text, expected
