"""Criteria sets as spreadsheets (ntm/catalog/sheets.py): export, load, preview, refusal."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from conftest import FIXTURES, ROOT
from ntm.catalog import sheets
from ntm.catalog.changes import snapshot_parsed
from ntm.catalog.document import CatalogError, parse
from ntm.catalog.loader import export_criteria
from ntm.catalog.management.commands.load_criteria import ordered_files
from ntm.catalog.models import CriteriaSet, Threshold
from ntm.evaluation import actions
from ntm.geo.models import Kind
from ntm.geo.services import unit_create

SHIPPED = sorted((ROOT / "data" / "criteria").glob("*.yaml")) + sorted(
    (ROOT / "data" / "demo").glob("*.yaml")
)
SMALL = FIXTURES / "criteria-small.yaml"


def _code(file: Path) -> str:
    return str(parse(file.read_text(encoding="utf-8"))[0]["code"])


@pytest.fixture
def shipped(db):
    """Every shipped set loaded (the demo's localisations need their province, Bắc Giang)."""
    unit_create(code="24", name="Tỉnh Bắc Giang", kind=Kind.PROVINCE)
    for file in ordered_files([str(f) for f in SHIPPED]):
        actions.criteria_load(file, filename=file.name)
    return {_code(f): f for f in SHIPPED}


@pytest.fixture
def refreshes(monkeypatch):
    """The sets whose results a load marked stale (``evaluation.actions._set_changed``)."""
    calls: list[str] = []
    original = actions._set_changed

    def spy(criteria_set, reason):
        calls.append(criteria_set.code)
        return original(criteria_set, reason)

    monkeypatch.setattr(actions, "_set_changed", spy)
    return calls


def _state() -> list[tuple]:
    return list(
        Threshold.objects.order_by("pk").values_list("pk", "value", "source", "superseded_at")
    ) + list(CriteriaSet.objects.order_by("pk").values_list("pk", "version", "file_sha256"))


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "yaml"])
def test_every_shipped_set_exported_and_loaded_back_changes_nothing(
    shipped, refreshes, tmp_path, fmt
):
    assert len(shipped) == len(SHIPPED) >= 7
    before = _state()
    for code in shipped:
        file = tmp_path / f"{code}.{fmt}"
        file.write_bytes(export_criteria(CriteriaSet.objects.get(code=code), fmt=fmt))
        summary = actions.criteria_load(file, filename=file.name)
        assert summary.unchanged and not summary.created, (code, summary.preview)
        assert summary.preview is not None and summary.preview.changes == []
    assert _state() == before
    assert refreshes == []


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_shipped_sets_sheet_reads_as_its_yaml_does(shipped, fmt):
    for code, file in shipped.items():
        yaml_fields, yaml_criteria = parse(file.read_text(encoding="utf-8"))
        data = export_criteria(CriteriaSet.objects.get(code=code), fmt=fmt)
        sheet_fields, sheet_criteria = sheets.parse_sheet(data, filename=f"{code}.{fmt}")
        assert snapshot_parsed(sheet_fields, sheet_criteria) == snapshot_parsed(
            yaml_fields, yaml_criteria
        )
        for fields_ in (yaml_fields, sheet_fields):
            fields_["data_elements"].sort(key=lambda e: e["code"])
        assert (sheet_fields, sheet_criteria) == (yaml_fields, yaml_criteria), code


def test_the_xlsx_reads_like_the_annex(shipped):
    data = export_criteria(CriteriaSet.objects.get(code="xa-ntm-2026-2030"), fmt="xlsx")
    rows = list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][:2] == ("Mã bộ tiêu chí", "xa-ntm-2026-2030")
    header = next(r for r in rows if "Mã chỉ tiêu" in r)
    assert [c for c in header if c and str(c).startswith("Ngưỡng ")] == [
        "Ngưỡng chung",
        "Ngưỡng nhóm 1",
        "Ngưỡng nhóm 2",
        "Ngưỡng nhóm 3",
    ]
    assert {"Căn cứ nhóm 2", "Xác minh nhóm 2"} <= set(header)


def _annex(path: Path, *, group_2: object = 70, extra_rows: tuple = ()) -> Path:
    """A 2026–2030-style set typed as a province would type the decision's table."""
    book = Workbook()
    sheet = book.active
    for row in [
        ("Mã bộ tiêu chí", "xa-nhom-thu"),
        ("Tên bộ tiêu chí", "Bộ tiêu chí thử theo nhóm xã"),
        ("Cấp", "xã"),
        ("Căn cứ pháp lý", "51/2025/QĐ-TTg, Phụ lục I"),
        ("Hiệu lực từ", "15/02/2026"),
        ("Ngưỡng theo", "nhóm xã"),
        ("Dữ liệu gốc", "households", "Tổng số hộ", "Households", "hộ", "số lượng"),
        ("Dữ liệu gốc", "poor_households", "Số hộ nghèo", "", "hộ", "số lượng"),
        (),
        (
            "Tiêu chí",
            "Tên tiêu chí",
            "Mã chỉ tiêu",
            "Nội dung chỉ tiêu",
            "Loại",
            "Đơn vị tính",
            "Tốt hơn khi",
            "Công thức",
            "Ngưỡng nhóm 1",
            "Căn cứ nhóm 1",
            "Xác minh nhóm 1",
            "Ngưỡng nhóm 2",
            "Căn cứ nhóm 2",
            "Xác minh nhóm 2",
            "Ngưỡng nhóm 3",
            "Căn cứ nhóm 3",
            "Xác minh nhóm 3",
        ),
        (1, "Quy hoạch", "1.1", "Có quy hoạch chung được duyệt", "đạt/không đạt", "", "", "")
        + ("Đạt", "51/2025", "có") * 3,
        (
            2,
            "Giao thông",
            "2.1",
            "Tỷ lệ đường được cứng hóa",
            "tỷ lệ",
            "%",
            "cao hơn",
            "",
            90,
            "51/2025",
            "có",
            group_2,
            "51/2025",
            "có",
            50,
            "51/2025",
            "không",
        ),
        (
            3,
            "Nghèo đa chiều",
            "3.1",
            "Tỷ lệ nghèo",
            "tỷ lệ",
            "%",
            "thấp hơn",
            "poor_households / households * 100",
            1,
            "PL I",
            "",
            2,
            "PL I",
            "",
            4,
            "PL I",
            "",
        ),
        *extra_rows,
    ]:
        sheet.append(row)
    file = path / "xa-nhom-thu.xlsx"
    book.save(file)
    return file


def test_a_set_typed_from_the_decisions_table_loads_with_a_threshold_per_group(db, tmp_path):
    summary = actions.criteria_load(_annex(tmp_path), filename="xa-nhom-thu.xlsx")
    assert summary.created and (summary.criteria, summary.indicators) == (3, 3)
    criteria_set = CriteriaSet.objects.get(code="xa-nhom-thu")
    assert criteria_set.threshold_axis == "commune_group"
    roads = Threshold.objects.filter(indicator__code="2.1").order_by("commune_group")
    assert [(t.commune_group, t.value, t.verified) for t in roads] == [
        ("1", "90", True),
        ("2", "70", True),
        ("3", "50", False),
    ]
    assert criteria_set.indicators.get(code="3.1").direction == "lower"


def test_a_bad_sheet_is_refused_whole_naming_every_row_and_column(db, tmp_path, refreshes):
    file = _annex(
        tmp_path,
        group_2="bảy mươi",
        extra_rows=[
            (4, "Văn hóa", "4.1", "Tỷ lệ thôn văn hóa", "phần trăm", "%"),
            (
                5,
                "Y tế",
                "5.1",
                "Có trạm y tế",
                "đạt/không đạt",
                "",
                "",
                "",
                "Có lẽ",
                "51/2025",
                "chắc",
            ),
            (
                6,
                "Môi trường",
                "6.1",
                "Tỷ lệ hộ có nước sạch",
                "tỷ lệ",
                "%",
                "",
                "clean / households",
            ),
        ],
    )
    with pytest.raises(CatalogError) as refused:
        actions.criteria_load(file, filename=file.name)
    errors = refused.value.errors
    assert "dòng 12, cột 'Ngưỡng nhóm 2': “bảy mươi” không phải là số" in errors[0]
    assert any(e.startswith("dòng 14, cột 'Loại': “phần trăm”") for e in errors)
    assert any(e.startswith("dòng 15, cột 'Ngưỡng nhóm 1': “Có lẽ”") for e in errors)
    assert any(e.startswith("dòng 15, cột 'Xác minh nhóm 1': “chắc”") for e in errors)
    # Checked with the YAML's own rules, placed on the indicator's row.
    assert any(e.startswith("dòng 16: indicator 6.1: formula uses unknown") for e in errors)
    assert len(errors) == 5
    assert not CriteriaSet.objects.exists() and not Threshold.objects.exists()
    assert refreshes == []


def _set_cell(file: Path, indicator: str, column: str, value: object) -> None:
    book = load_workbook(file)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows())
    header = next(r for r in rows if any(c.value == "Mã chỉ tiêu" for c in r))
    titles = {c.value: c.column for c in header}
    row = next(r for r in rows if r[titles["Mã chỉ tiêu"] - 1].value == indicator)
    sheet.cell(row=row[0].row, column=titles[column]).value = value
    book.save(file)


def test_a_changed_threshold_in_a_sheet_is_previewed_then_versioned(small_set, tmp_path, refreshes):
    file = tmp_path / "xa-thu-nghiem.xlsx"
    file.write_bytes(export_criteria(small_set, fmt="xlsx"))
    _set_cell(file, "1.1", "Ngưỡng chung", 85)
    _set_cell(file, "2", "Ngưỡng DBSH", 5)
    _set_cell(file, "2", "Căn cứ DBSH", "318/QĐ-TTg")
    _set_cell(file, "2", "Ngưỡng TDMNPB", None)
    _set_cell(file, "2", "Căn cứ TDMNPB", None)
    _set_cell(file, "2", "Xác minh TDMNPB", None)
    out = io.StringIO()
    call_command("load_criteria", str(file), stdout=out)
    text = out.getvalue()
    assert "thay đổi: ngưỡng 1.1 [chung]: value '80' → '85'" in text
    assert "thêm mới: ngưỡng 2 [DBSH]" in text
    assert "bỏ: ngưỡng 2 [TDMNPB]" in text
    assert "xa-thu-nghiem: updated;" in text
    small_set.refresh_from_db()
    assert small_set.version == 2
    versions = Threshold.objects.filter(indicator__code="1.1").order_by("created_at")
    assert [(t.value, t.superseded_at is None) for t in versions] == [("80", False), ("85", True)]
    assert not Threshold.objects.filter(region="TDMNPB", superseded_at__isnull=True).exists()
    assert refreshes == ["xa-thu-nghiem"]


def test_dry_run_previews_and_writes_nothing(small_set, tmp_path, refreshes):
    file = tmp_path / "xa-thu-nghiem.csv"
    file.write_bytes(export_criteria(small_set, fmt="csv"))
    file.write_bytes(file.read_bytes().replace(b",80,", b",85,"))
    before = _state()
    out = io.StringIO()
    call_command("load_criteria", str(file), "--dry-run", stdout=out)
    assert "thay đổi: ngưỡng 1.1 [chung]: value '80' → '85'" in out.getvalue()
    assert "would be updated (dry run, nothing written)" in out.getvalue()
    assert _state() == before and refreshes == []
    new = _annex(tmp_path)
    call_command("load_criteria", str(new), "--dry-run", stdout=out)
    assert "xa-nhom-thu: bộ tiêu chí mới, 3 tiêu chí, 3 chỉ tiêu, 9 ngưỡng" in out.getvalue()
    assert not CriteriaSet.objects.filter(code="xa-nhom-thu").exists()


def test_a_csv_saved_by_excel_with_semicolons_and_a_bom_loads(small_set, tmp_path):
    text = export_criteria(small_set, fmt="csv").decode("utf-8-sig")
    semicolons = "\n".join(line.replace(",", ";") for line in text.splitlines())
    file = tmp_path / "xa-thu-nghiem.csv"
    file.write_bytes(("\ufeff" + semicolons).encode("utf-8"))
    # The small set's texts have no commas, so the naive replacement keeps every cell.
    summary = actions.criteria_load(file, filename=file.name)
    assert summary.unchanged


def test_export_criteria_command_writes_each_format(small_set, tmp_path):
    for fmt in ("xlsx", "csv", "yaml"):
        target = tmp_path / f"out.{fmt}"
        call_command(
            "export_criteria",
            "xa-thu-nghiem",
            "--format",
            fmt,
            "-o",
            str(target),
            stdout=io.StringIO(),
        )
        assert actions.criteria_load(target, filename=target.name).unchanged


def test_errors_in_the_header_block_name_their_line(db, tmp_path):
    file = _annex(tmp_path)
    book = load_workbook(file)
    sheet = book.worksheets[0]
    sheet["B5"] = "30/02/2026"  # Hiệu lực từ
    sheet["B3"] = "huyện"  # Cấp
    sheet["A2"] = "Tên bộ"  # not a label
    book.save(file)
    with pytest.raises(CatalogError) as refused:
        sheets.parse_sheet(file.read_bytes(), filename=file.name)
    errors = refused.value.errors
    assert errors[0].startswith("dòng 2: “Tên bộ” không phải là một dòng của phần đầu")
    assert errors[1].startswith("dòng 3, cột 'Cấp': “huyện” không thuộc các giá trị: xã")
    assert errors[2].startswith("dòng 5, cột 'Hiệu lực từ': “30/02/2026”")
    # The name's line is gone: the YAML rule reports it on the set's code line.
    assert errors[3] == "dòng 1: set: 'name' needs a Vietnamese text (name: {vi: …, en: …})"
    assert len(errors) == 4
