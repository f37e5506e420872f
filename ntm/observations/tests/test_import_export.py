import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from conftest import FIXTURES
from ntm.accounts.models import User
from ntm.catalog.models import CriteriaSet
from ntm.core.tabular import ImportRefused
from ntm.evaluation.actions import value_record, values_import
from ntm.evaluation.models import SetResult
from ntm.geo.models import AdminUnit
from ntm.observations.exporters import export_values
from ntm.observations.models import DataValue
from ntm.observations.services import period_lock, value_approve, value_submit


@pytest.fixture
def xa(demo):
    return User.objects.get(username="xa")


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def _set(user, unit, criteria_set, code, value, period="2024Q1"):
    return value_record(
        user=user, unit=unit, criteria_set=criteria_set, code=code, period=period, value=value
    )


def _values():
    return sorted(
        DataValue.objects.values_list(
            "unit_id", "criteria_set_id", "code", "period", "text", "note", "status"
        )
    )


def test_a_good_file_imports_every_row_and_the_results_appear(xa, demo, small_set):
    preview = values_import(FIXTURES / "values-good.csv", user=xa)
    assert preview.counts == {"create": 5, "update": 0, "unchanged": 0}
    assert DataValue.objects.count() == 5
    irrigation = DataValue.objects.get(code="1.1")
    assert irrigation.text == "85.5" and irrigation.note == "Báo cáo thủy lợi 2024"
    assert irrigation.updated_by == xa and irrigation.history.get().history_user == xa
    result = SetResult.objects.get(unit=demo["07408"], criteria_set=small_set, period="2024Q1")
    assert (result.met, result.total) == (2, 3)  # irrigation and poverty met, radio not
    assert preview.results == 1
    first = preview.rows[0]
    assert (first.row, first.unit_code, first.unit_name, first.set_code) == (
        2,
        "07408",
        "Xã Dương Đức",
        "xa-thu-nghiem",
    )
    assert (first.code, first.period, first.old, first.new, first.action) == (
        "1.1",
        "2024Q1",
        "",
        "85.5",
        "create",
    )
    with translation.override("en"):
        text = preview.as_text()
    assert "5 rows: 5 new, 0 changed, 0 unchanged" in text and "1 results recomputed" in text


def test_a_file_with_several_bad_rows_names_each_row_and_column_and_writes_nothing(
    xa, demo, small_set
):
    _set(xa, demo["07408"], small_set, "1.1", "70")
    before = _values()
    results = list(SetResult.objects.values_list("pk", "met", "detail"))
    with pytest.raises(ImportRefused) as refused:
        values_import(FIXTURES / "values-bad.csv", user=xa)
    assert [(e.row, e.column) for e in refused.value.errors] == [
        (2, "unit"),  # no such unit
        (3, "set"),  # no such set
        (4, "code"),  # not an indicator of the set
        (5, "period"),  # no fifth quarter
        (6, "value"),  # a percentage above 100
        (7, "value"),  # neither đạt nor không đạt
        (9, "code"),  # the same unit, set, code and period as row 8
        (10, "unit"),  # a village, the set is for communes
        (11, "value"),  # empty
        (12, "unit"),  # Dương Đức no longer exists in 2025Q4
    ]
    assert "row 8" in refused.value.errors[6].message
    assert _values() == before
    assert list(SetResult.objects.values_list("pk", "met", "detail")) == results


def test_nothing_is_written_or_evaluated_when_one_row_of_many_is_bad(xa, demo, small_set):
    data = (FIXTURES / "values-good.csv").read_bytes() + b"07408,xa-thu-nghiem,1.1,2024Q2,abc,\n"
    with pytest.raises(ImportRefused) as refused:
        values_import(data, user=xa, filename="values.csv")
    assert [(e.row, e.column) for e in refused.value.errors] == [(7, "value")]
    assert not DataValue.objects.exists() and not SetResult.objects.exists()
    assert not DataValue.history.exists()


def test_a_dry_run_writes_nothing_and_previews_create_update_and_unchanged(xa, demo, small_set):
    duong_duc = demo["07408"]
    _set(xa, duong_duc, small_set, "1.1", "85,5")
    _set(xa, duong_duc, small_set, "1.2", "không đạt")
    before = _values()
    results = list(SetResult.objects.values_list("pk", "met", "computed_at"))
    preview = values_import(FIXTURES / "values-good.csv", user=xa, dry_run=True)
    assert [(r.code, r.action, r.old, r.new) for r in preview.rows] == [
        ("1.1", "update", "85.5", "85.5"),  # the note is new
        ("1.2", "update", "không đạt", "đạt"),
        ("households", "create", "", "1200"),
        ("poor_households", "create", "", "60"),
        ("3", "create", "", "không đạt"),
    ]
    assert preview.dry_run and preview.results == 0
    assert _values() == before
    assert list(SetResult.objects.values_list("pk", "met", "computed_at")) == results
    with translation.override("en"):
        assert preview.as_text().startswith("Dry run: nothing was written.")

    values_import(FIXTURES / "values-good.csv", user=xa)
    again = values_import(FIXTURES / "values-good.csv", user=xa, dry_run=True)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 5}


def test_an_unchanged_file_rewrites_nothing_and_keeps_notes_when_the_cell_is_empty(
    xa, demo, small_set
):
    values_import(FIXTURES / "values-good.csv", user=xa)
    history = DataValue.history.count()
    data = _csv(
        "unit,set,code,period,value,note",
        "07408,xa-thu-nghiem,1.1,2024Q1,85.50,",  # same number, empty note cell
    )
    preview = values_import(data, user=xa, filename="values.csv")
    assert preview.counts["unchanged"] == 1 and DataValue.history.count() == history
    assert DataValue.objects.get(code="1.1").note == "Báo cáo thủy lợi 2024"


def test_a_foreign_unit_is_refused_as_having_no_permission(xa, demo, small_set, other_commune):
    data = _csv(
        "unit,set,code,period,value",
        "07408,xa-thu-nghiem,1.1,2024Q1,85",
        "06100,xa-thu-nghiem,1.1,2024Q1,85",
    )
    with translation.override("en"), pytest.raises(ImportRefused) as refused:
        values_import(data, user=xa, filename="values.csv")
    [error] = refused.value.errors
    assert (error.row, error.column) == (3, "unit") and "06100" in error.message
    assert "may not" in error.message
    assert not DataValue.objects.exists()


def test_viewers_and_specialists_outside_their_field_are_refused(demo, small_set):
    data = _csv("unit,set,code,period,value", "07408,xa-thu-nghiem,1.1,2024Q1,85")
    with pytest.raises(ImportRefused) as refused:
        values_import(data, user=User.objects.get(username="xem"), filename="values.csv")
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "unit")]
    with pytest.raises(ImportRefused) as refused:
        values_import(data, user=User.objects.get(username="congchuc"), filename="values.csv")
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "code")]  # agriculture
    assert not DataValue.objects.exists()


def test_a_locked_period_and_an_approved_value_are_refused(xa, demo, small_set):
    value, _ = _set(xa, demo["07408"], small_set, "1.2", "đạt", period="2024Q2")
    value_submit(user=xa, value=value)
    value_approve(user=xa, value=value)
    period_lock(user=User.objects.get(username="tinh"), unit=demo["24"], period="2024H1")
    data = _csv(
        "unit,set,code,period,value",
        "07408,xa-thu-nghiem,1.1,2024Q1,85",  # in the locked half-year
        "07408,xa-thu-nghiem,1.1,2024Q3,85",  # fine
    )
    with translation.override("en"), pytest.raises(ImportRefused) as refused:
        values_import(data, user=xa, filename="values.csv")
    [error] = refused.value.errors
    assert (error.row, error.column) == (2, "period") and "locked" in error.message

    data = _csv("unit,set,code,period,value", "07408,xa-thu-nghiem,1.2,2024Q2,không đạt")
    period_lock(user=xa, unit=demo["07408"], period="2023")  # another period: no effect
    with translation.override("en"), pytest.raises(ImportRefused) as refused:
        values_import(data, user=xa, filename="values.csv")
    assert "locked" in refused.value.errors[0].message  # 2024Q2 is in the locked 2024H1
    assert DataValue.objects.get().text == "đạt" and DataValue.objects.count() == 1


def test_an_approved_value_is_refused_in_an_open_period(xa, demo, small_set):
    value, _ = _set(xa, demo["07408"], small_set, "1.2", "đạt", period="2024Q3")
    value_submit(user=xa, value=value)
    value_approve(user=xa, value=value)
    data = _csv("unit,set,code,period,value", "07408,xa-thu-nghiem,1.2,2024Q3,không đạt")
    with translation.override("en"), pytest.raises(ImportRefused) as refused:
        values_import(data, user=xa, filename="values.csv")
    [error] = refused.value.errors
    assert (error.row, error.column) == (2, "value") and "approved" in error.message


def test_bom_semicolons_vietnamese_headers_and_percent_with_comma_are_accepted(xa, demo, small_set):
    preview = values_import(FIXTURES / "values-vietnamese.csv", user=xa)
    assert preview.counts["create"] == 3
    values = {v.code: v for v in DataValue.objects.filter(period="2024Q2")}
    assert values["1.1"].number == Decimal("99.7") and values["1.1"].text == "99.7"
    assert values["1.1"].note == "Theo biên bản nghiệm thu"
    assert values["1.2"].flag is True and values["3"].flag is True
    assert {v.unit for v in values.values()} == {demo["07408"]}  # "7408": Excel dropped the 0


def test_errors_name_the_columns_as_written_in_the_file(xa, demo, small_set):
    data = "Mã đơn vị;Bộ tiêu chí;Mã chỉ tiêu;Kỳ;Giá trị\n07408;xa-thu-nghiem;1.1;Quý 1;85\n"
    with pytest.raises(ImportRefused) as refused:
        values_import(data.encode(), user=xa, filename="gia-tri.csv")
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "Kỳ")]


def test_a_localised_set_code_is_refused_with_the_national_code(xa, demo, small_set):
    CriteriaSet.objects.create(
        code="xa-thu-nghiem-bac-giang",
        name_vi="Bộ tiêu chí thử nghiệm tỉnh Bắc Giang",
        level="commune",
        localises=small_set,
        province=demo["24"],
    )
    data = _csv("unit,set,code,period,value", "07408,xa-thu-nghiem-bac-giang,1.1,2024Q1,85")
    with pytest.raises(ImportRefused) as refused:
        values_import(data, user=xa, filename="values.csv")
    [error] = refused.value.errors
    assert error.column == "set" and "xa-thu-nghiem" in error.message.replace(
        "xa-thu-nghiem-bac-giang", ""
    )


def test_a_missing_column_refuses_the_file(xa, demo, small_set):
    with pytest.raises(ImportRefused) as refused:
        values_import(_csv("unit,set,code,value", "07408,xa-thu-nghiem,1.1,85"), user=xa)
    assert [(e.row, e.column) for e in refused.value.errors] == [(1, "period")]


def test_an_xlsx_file_imports_with_numeric_and_percent_formatted_cells(xa, demo, small_set):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Mã đơn vị", "Bộ tiêu chí", "Mã chỉ tiêu", "Kỳ", "Giá trị", "Ghi chú"])
    sheet.append(["07408", "xa-thu-nghiem", "1.1", "2024", 0.825, "nhập dạng phần trăm"])
    sheet["E2"].number_format = "0.0%"
    sheet.append(["07408", "xa-thu-nghiem", "households", "2024", 1200, None])
    sheet.append(["07408", "xa-thu-nghiem", "poor_households", "2024", 48, None])
    sheet.append(["07408", "xa-thu-nghiem", "1.2", "2024", "không đạt", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = values_import(buffer.getvalue(), user=xa, filename="gia-tri.xlsx")
    assert preview.counts["create"] == 4
    values = {v.code: v.text for v in DataValue.objects.all()}
    assert values == {
        "1.1": "82.5",
        "households": "1200",
        "poor_households": "48",
        "1.2": "không đạt",
    }
    result = SetResult.objects.get(period="2024")
    poverty = result.explanation["criteria"][1]["indicators"][0]
    assert poverty["value"] == "4.00" and poverty["status"] == "met"


def _sample_values(xa, demo, small_set):
    duong_duc, village = demo["07408"], demo["07408.05"]
    _set(xa, duong_duc, small_set, "1.1", "85,55%")
    _set(xa, duong_duc, small_set, "1.2", "có")
    _set(xa, duong_duc, small_set, "households", "1 234")  # grouping: 1234 households
    _set(xa, duong_duc, small_set, "poor_households", "61")
    _set(xa, duong_duc, small_set, "3", "không", period="2024")
    value_record(
        user=xa,
        unit=duong_duc,
        criteria_set=small_set,
        code="1.1",
        period="2024Q2",
        value="99.9999",
        note='=SUM(A1) "ghi chú", có dấu phẩy',
    )
    return duong_duc, village


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_leaves_every_value_unchanged(xa, demo, small_set, fmt):
    duong_duc, _ = _sample_values(xa, demo, small_set)
    before = _values()
    history = DataValue.history.count()
    units = AdminUnit.objects.subtree_of(duong_duc)
    data = export_values(units=units, fmt=fmt)
    preview = values_import(data, user=xa, filename=f"export.{fmt}")
    assert preview.counts == {"create": 0, "update": 0, "unchanged": 6}
    assert _values() == before and DataValue.history.count() == history

    # Into an empty database the export recreates exactly the same values.
    DataValue.objects.all().delete()
    values_import(data, user=xa, filename=f"export.{fmt}")
    assert [v[2:6] for v in _values()] == [v[2:6] for v in before]


def test_the_export_has_the_import_columns_in_a_stable_order(xa, demo, small_set):
    _sample_values(xa, demo, small_set)
    text = export_values(units=[demo["07408"]], criteria_set=small_set, periods=["2024Q1"])
    assert text.startswith("\ufeff".encode())
    lines = text.decode("utf-8-sig").splitlines()
    assert lines == [
        "unit,set,code,period,value,note",
        "07408,xa-thu-nghiem,1.1,2024Q1,85.55,",
        "07408,xa-thu-nghiem,1.2,2024Q1,đạt,",
        "07408,xa-thu-nghiem,households,2024Q1,1234,",
        "07408,xa-thu-nghiem,poor_households,2024Q1,61,",
    ]


def test_the_xlsx_export_has_a_bold_header_and_text_codes(xa, demo, small_set):
    from openpyxl import load_workbook

    _sample_values(xa, demo, small_set)
    data = export_values(units=[demo["07408"]], fmt="xlsx")
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["unit", "set", "code", "period", "value", "note"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet["A2"].value == "07408" and sheet["D2"].value == "2024Q1"
    assert sheet.column_dimensions["B"].width >= len("xa-thu-nghiem")
    notes = [c.value for c in sheet["F"] if c.value and c.value.startswith("=")]
    assert notes == ['=SUM(A1) "ghi chú", có dấu phẩy']  # text, not a formula


def test_the_import_command_lists_every_error_and_exits_non_zero(xa, demo, small_set):
    with pytest.raises(CommandError) as refused:
        call_command("import_values", str(FIXTURES / "values-bad.csv"), user="xa")
    message = str(refused.value)
    assert message.count("\n") == 10  # the heading and ten errors
    assert not DataValue.objects.exists()
    with pytest.raises(CommandError, match="nobody"):
        call_command("import_values", str(FIXTURES / "values-good.csv"), user="nobody")
    with pytest.raises(CommandError):
        call_command("import_values", str(FIXTURES / "no-such-file.csv"), user="xa")


def test_the_import_command_dry_run_and_import_print_a_summary(xa, demo, small_set):
    out = io.StringIO()
    with translation.override("en"):
        call_command(
            "import_values", str(FIXTURES / "values-good.csv"), user="xa", dry_run=True, stdout=out
        )
    assert "Dry run" in out.getvalue() and "5 new" in out.getvalue()
    assert not DataValue.objects.exists()
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_values", str(FIXTURES / "values-good.csv"), user="xa", stdout=out)
    assert "5 new" in out.getvalue() and DataValue.objects.count() == 5


def test_the_export_command_writes_every_version_of_the_unit_and_its_subtree(
    xa, demo, small_set, tmp_path
):
    _sample_values(xa, demo, small_set)
    target = tmp_path / "values.xlsx"
    out = io.StringIO()
    call_command("export_values", unit="24", output=str(target), stdout=out)
    assert target.read_bytes()[:2] == b"PK" and "6 values" in out.getvalue()
    out = io.StringIO()
    call_command(
        "export_values", unit="07408", set_code="xa-thu-nghiem", periods=["2024"], stdout=out
    )
    assert out.getvalue().splitlines() == [
        "unit,set,code,period,value,note",
        "07408,xa-thu-nghiem,3,2024,không đạt,",
    ]
    for bad in ({"unit": "99999"}, {"unit": "07408", "periods": ["2024Q9"]}):
        with pytest.raises(CommandError):
            call_command("export_values", **bad, stdout=io.StringIO())
    with pytest.raises(CommandError, match="-o"):
        call_command("export_values", unit="07408", format="xlsx", stdout=io.StringIO())


def test_the_sets_needing_an_imported_set_are_refreshed_too(xa, demo, small_set, tmp_path):
    from ntm.catalog.loader import load_criteria

    advanced = tmp_path / "advanced.yaml"
    advanced.write_text(
        "\n".join(
            [
                "format: ntm-criteria/1",
                "set:",
                "  code: xa-thu-nghiem-nang-cao",
                '  name: {vi: "Bộ nâng cao thử nghiệm", en: "Advanced test set"}',
                "  level: commune",
                "  valid_from: 2022-01-01",
                "  threshold_axis: none",
                "  prerequisite: xa-thu-nghiem",
                "criteria:",
                "  - number: 1",
                "    name: {vi: Môi trường, en: Environment}",
                "    indicators:",
                '      - code: "1"',
                '        content: {vi: "Xanh sạch đẹp", en: "Clean"}',
                "        kind: pass_fail",
                "        thresholds:",
                '          - {value: true, source: "thử nghiệm", verified: true}',
            ]
        ),
        encoding="utf-8",
    )
    load_criteria(advanced)
    advanced_set = CriteriaSet.objects.get(code="xa-thu-nghiem-nang-cao")
    _set(xa, demo["07408"], small_set, "1.1", "70")
    _set(xa, demo["07408"], advanced_set, "1", "đạt")
    stored = SetResult.objects.get(criteria_set=advanced_set)
    assert stored.prerequisite_met is False and stored.status == "not_met"
    data = _csv(
        "unit,set,code,period,value",
        "07408,xa-thu-nghiem,1.1,2024Q1,90",
        "07408,xa-thu-nghiem,1.2,2024Q1,đạt",
        "07408,xa-thu-nghiem,households,2024Q1,100",
        "07408,xa-thu-nghiem,poor_households,2024Q1,1",
        "07408,xa-thu-nghiem,3,2024Q1,đạt",
    )
    preview = values_import(data, user=xa, filename="values.csv")
    assert preview.results == 2
    assert SetResult.objects.get(criteria_set=small_set).status == "met"
    refreshed = SetResult.objects.get(criteria_set=advanced_set)
    assert refreshed.prerequisite_met is True and refreshed.status == "met"


def test_export_with_a_period_takes_only_the_units_that_had_the_code_then(small_set, demo):
    with pytest.raises(CommandError, match="No unit had the code '07408' in 2026Q1"):
        call_command("export_values", unit="07408", periods=["2026Q1"], stdout=io.StringIO())
    out = io.StringIO()
    call_command("export_values", unit="07408", periods=["2024Q1"], stdout=out)
    assert out.getvalue().startswith("unit,set,code,period,value,note")


def test_export_takes_per_period_the_unit_that_had_a_reused_code_then(reform, small_set):
    province_admin = User.objects.get(username="thanhhoa")
    values_import(
        _csv(
            "unit,set,code,period,value",
            "14758,xa-thu-nghiem,3,2024Q4,không đạt",
            "14758,xa-thu-nghiem,3,2025Q4,đạt",
            "14755,xa-thu-nghiem,3,2024Q4,đạt",
        ),
        user=province_admin,
        filename="v.csv",
    )
    out = io.StringIO()
    call_command("export_values", unit="14758", periods=["2025Q4", "2024Q4"], stdout=out)
    rows = out.getvalue().splitlines()[1:]
    assert rows == ["14758,xa-thu-nghiem,3,2024Q4,không đạt,", "14758,xa-thu-nghiem,3,2025Q4,đạt,"]
    stored = {(v.unit.name, v.period) for v in DataValue.objects.filter(unit__code="14758")}
    assert stored == {("Phường Đông Thọ", "2024Q4"), ("Phường Hàm Rồng", "2025Q4")}
    with pytest.raises(CommandError, match="No unit had the code '14755' in 2025Q4"):
        call_command(
            "export_values", unit="14755", periods=["2024Q4", "2025Q4"], stdout=io.StringIO()
        )
