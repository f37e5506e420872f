"""Every report's workbook, built from the demo, read back as a reader's software would (issue 15):
numbers are numeric cells with a number format, dates are date cells, pass/fail is "Đạt"/"Chưa
đạt", periods and codes are their own text columns; rows are as high as their wrapped text, charts
sit below tables, and each sheet prints to Decree 30."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl.utils import get_column_letter

from ntm.engine.periods import parse_period
from ntm.geo.models import AdminUnit
from ntm.reports import registry
from ntm.reports.common import workbook_value
from ntm.reports.render.measure import text_pt
from ntm.reports.render.text import MOTTO, NATION, content_width_cm
from ntm.reports.render.xlsx import DIGIT_PT, EMU_PER_PT
from ntm.reports.tests.demo_module import demo_db  # noqa: F401  (module-scoped fixture)
from ntm.reports.tests.helpers import open_xlsx, sheet_rows, xlsx_layout_problems

# django_db: the session sets the test database up only for modules that declare they use it.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_db")]

BUILDS = {
    "bieu1": ("bieu1", "07408", "2024Q4"),
    "progress": ("progress", "07408", "2024Q4"),
    "plan": ("plan", "07408", "2024"),
    "mobilisation-commune": ("mobilisation", "07408", "2024"),
    "mobilisation-province": ("mobilisation", "24", "2024"),
    "province-rollup": ("province-rollup", "24", "2024Q4"),
}
# Column titles (Vietnamese) whose cells are numbers; some also hold pass/fail words.
NUMBERS = {
    "Ngưỡng đạt chuẩn",
    "Hiện trạng",
    "Số tiêu chí đạt",
    "Tổng số tiêu chí",
    "Kết quả",
    "Trên tổng số",
    "Tiến độ (%)",
    "Tiền mặt",
    "Số lượng hiện vật, ngày công",
    "Giá trị quy đổi",
    "Tổng cộng",
    "Tỷ lệ (%)",
    "Ngân sách nhà nước",
    "Nhân dân",
    "Nguồn khác",
    "Kế hoạch",
    "Đã giải ngân",
    "Nhân dân đóng góp",
    "Số xã đạt",
    "Số xã có kết quả",
}
PASS_FAIL = {"Đạt", "Chưa đạt"}
DATES = {"Thời hạn"}
# Identifiers stay text on purpose: codes with leading zeros ("07408"), "3.1", periods ("2024"),
# the criteria a task serves ("8, 11").
CODES = {"TT", "STT", "Mã", "Kỳ", "Kỳ số liệu", "Tiêu chí"}
# A number printed as text: "83,33", "1.715.000.000", "≥ 90*", "93,5 (2024Q1)", "13/19".
NUMBER_AS_TEXT = re.compile(r"^[≥≤]?\s*-?\d[\d.]*(,\d+)?\s*(\*|%|\(\d{4}\w*\))?$|^\d+\s*/\s*\d+$")


@pytest.fixture(scope="module")
def books(request, django_db_blocker):
    request.getfixturevalue("demo_db")  # the module's demo database, loaded once
    built = {}
    with django_db_blocker.unblock(), translation.override("vi"):
        for name, (kind, code, period) in BUILDS.items():
            content = registry.build(
                registry.kind_named(kind),
                unit=AdminUnit.objects.get(code=code, valid_from=None),
                period=parse_period(period),
                family=None,
                fmt="xlsx",
            ).content
            built[name] = open_xlsx(content)
    return built


def _tables(sheet):
    """Each bordered table of a sheet as (header titles, body rows of cells)."""
    tables = []
    current = None
    for row in sheet.iter_rows():
        if row[0].border.left.style != "thin":
            current = None
            continue
        if current is None:
            current = ([c.value for c in row], [])
            tables.append(current)
        else:
            current[1].append(row)
    return tables


@pytest.mark.parametrize("name", BUILDS)
def test_numbers_are_numeric_cells_with_a_number_format(books, name):
    checked = 0
    for sheet in books[name].worksheets:
        for titles, body in _tables(sheet):
            for row in body:
                for title, cell in zip(titles, row, strict=False):
                    value, where = cell.value, f"{sheet.title}!{cell.coordinate} ({title})"
                    if value is None or title in CODES:
                        continue
                    if title in DATES:
                        assert cell.is_date and cell.number_format == "dd/mm/yyyy", where
                        checked += 1
                    elif title in NUMBERS and not (isinstance(value, str) and value in PASS_FAIL):
                        # the total row's label may sit in a numeric column when merged over it
                        if isinstance(value, str) and cell.font.b:
                            continue
                        assert isinstance(value, int | float), f"{where}: {value!r}"
                        assert cell.number_format.startswith("#,##0"), where
                        checked += 1
                    if isinstance(value, str):
                        assert not NUMBER_AS_TEXT.match(value.strip()), f"{where}: {value!r}"
    assert checked >= 10  # the report's figures (or dates) were found and read


def test_biểu_1_has_comparator_threshold_value_and_period_apart(books):
    rows = sheet_rows(books["bieu1"]["Tiêu chí"])
    poverty = next(r for r in rows if r[0] == "11" and r[2] == "≤")
    assert poverty[2:8] == ("≤", 2.5, "*", 2.21, "2024Q1", "Đạt")
    sheet = books["bieu1"]["Tiêu chí"]
    value = next(c for c in sheet["F"] if c.value == 2.21)
    assert value.number_format == "#,##0.00"  # 2,21 on a Vietnamese system


def test_progress_results_are_numbers_with_their_period(books):
    rows = sheet_rows(books["progress"]["Mục tiêu"])
    culture = next(r for r in rows if isinstance(r[1], str) and "làng văn hóa" in r[1])
    assert culture[2:5] == (83.33, None, "2024Q4")
    criteria = next(r for r in rows if isinstance(r[1], str) and r[1].startswith("Hoàn thành 13"))
    assert criteria[2:5] == (13, 19, "2024Q4")


@pytest.mark.parametrize("name", BUILDS)
def test_rows_fit_their_text_charts_stay_off_tables_and_sheets_print(books, name):
    book = books[name]
    assert xlsx_layout_problems(book) == []
    for sheet in book.worksheets:
        headers = [
            r[0].row
            for titles, _body in _tables(sheet)
            for r in sheet.iter_rows()
            if [c.value for c in r] == titles
        ]
        assert all(sheet.row_dimensions[row].height for row in headers)  # header rows too
        # the first table's header row (counted before the sheet was streamed) repeats on
        # every printed page
        assert sheet.print_title_rows == f"${headers[0]}:${headers[0]}"


def test_the_roll_up_has_its_chart_signer_and_recipients(books):
    book = books["province-rollup"]
    flat = [v for sheet in book.worksheets for row in sheet_rows(sheet) for v in row if v]
    assert "Nơi nhận:" in flat and "- Lưu: VT." in flat
    assert "TM. ỦY BAN NHÂN DÂN" in flat and "PHÓ CHỦ TỊCH" in flat
    shares = book["Theo tiêu chí"]
    (chart,) = shares._images
    last_row = max(c.row for row in shares.iter_rows() for c in row if c.value is not None)
    assert chart.anchor._from.row + 1 > last_row  # below the shares table


def test_dates_read_back_as_dates(books):
    rows = sheet_rows(books["progress"]["Mục tiêu"])
    deadlines = [r[3] for r in rows if isinstance(r[3], dt.datetime)]
    assert dt.datetime(2024, 10, 31) in deadlines


def test_stored_values_become_numbers_or_words():
    with translation.override("vi"):
        assert [workbook_value(v) for v in ("93.50", "100", "-0.5", "true", "not_met")] == [
            Decimal("93.5"),
            100,
            Decimal("-0.5"),
            "Đạt",
            "Chưa đạt",
        ]
        assert workbook_value("no_data") == "Chưa có số liệu"
        assert workbook_value("") is None and workbook_value("NaN") == "NaN"


def _column_edges(sheet):
    widths = [
        sheet.column_dimensions[get_column_letter(i)].width for i in range(1, sheet.max_column + 1)
    ]
    return [sum(widths[:i]) * DIGIT_PT for i in range(len(widths) + 1)]


def _merged_at(sheet, row, text):
    cell = next(c for c in sheet[row] if c.value == text)
    merged = next(r for r in sheet.merged_cells.ranges if cell.coordinate in r)
    return merged.min_col, merged.max_col


@pytest.mark.parametrize("name", BUILDS)
def test_header_rules_are_pictures_under_the_issuer_and_the_motto(books, name):
    """Decree 30's rules: a cell border would run the whole merged width, so each is a thin
    picture centred under its text, anchored below the text's row and over no other text."""
    sheet = books[name].worksheets[0]
    edges = _column_edges(sheet)
    rules = [i for i in sheet._images if i.anchor.ext.height / EMU_PER_PT < 2]
    assert len(rules) == 2
    rows = {c.value: c.row for row in sheet.iter_rows(max_row=6) for c in row if c.value}
    # the province's reports have no parent body: the issuer is on the nation's row
    issuer = "UBND TỈNH BẮC GIANG" if "province" in name else "UBND XÃ DƯƠNG ĐỨC"
    for rule, text, size in ((rules[0], issuer, 13), (rules[1], MOTTO, 14)):
        anchor = rule.anchor._from
        assert anchor.row + 1 == rows[text] + 1  # the row under the text's (0-based anchor)
        assert anchor.rowOff / EMU_PER_PT >= 1.5  # clear of the descenders
        first, last = _merged_at(sheet, rows[text], text)
        left = edges[anchor.col] + anchor.colOff / EMU_PER_PT
        width = rule.anchor.ext.width / EMU_PER_PT
        assert abs(left + width / 2 - (edges[first - 1] + edges[last]) / 2) < 1
        printed = text_pt(text, size, bold=True)
        low, high = (0.95, 1.05) if text == MOTTO else (0.33, 0.5)
        assert low * printed <= width <= high * printed or width == pytest.approx(1.5 * 72 / 2.54)
        # nothing written where the rule is drawn
        under = [c for c in sheet[anchor.row + 1] if first <= c.column <= last]
        assert all(c.value is None for c in under)
    assert MOTTO in rows and rows[MOTTO] == rows[NATION] + 1


@pytest.mark.parametrize("name", BUILDS)
def test_sheets_print_at_full_size_with_a_13_pt_page_number(books, name):
    """The columns fit the page's text width, so fit-to-width does not shrink the sheet (nor
    its header: LibreOffice ignores ``scaleWithDoc``), and the page number is 13 pt from page
    2, none on page 1."""
    for sheet in books[name].worksheets:
        landscape = sheet.page_setup.orientation == "landscape"
        assert _column_edges(sheet)[-1] <= content_width_cm(landscape) * 72 / 2.54
        footer = sheet.HeaderFooter
        assert footer.differentFirst and footer.scaleWithDoc is False
        assert sheet.oddHeader.center.text == "&P" and sheet.oddHeader.center.size >= 13
        assert not (sheet.firstHeader.center.text or sheet.oddFooter.center.text)
        edges = _column_edges(sheet)
        for row in sheet.iter_rows():
            for cell in row:  # a number or a date never prints as "###"
                value, width = cell.value, edges[cell.column] - edges[cell.column - 1]
                if isinstance(value, dt.datetime):
                    text = value.strftime("%d/%m/%Y")
                elif isinstance(value, int | float) and cell.number_format.startswith("#,##0"):
                    decimals = cell.number_format.partition(".")[2].count("0")
                    text = f"{value:,.{decimals}f}"
                else:
                    continue
                printed = text_pt(text, cell.font.sz, bold=bool(cell.font.b)) + 4
                assert printed <= width, f"{sheet.title}!{cell.coordinate}: {text}"
