import datetime as dt

import pytest

from conftest import FIXTURES
from ntm.core.tabular import ImportRefused
from ntm.geo.importers import import_units
from ntm.geo.models import AdminUnit, Kind, Level

REFORM = dt.date(2025, 7, 1)


def test_national_list_builds_the_tree_with_kinds_and_paths(db):
    summary = import_units(FIXTURES / "units-small.csv")
    assert summary.created["1"] == 3 and summary.created["2"] == 4 and summary.created["3"] == 7
    duong_duc = AdminUnit.objects.get(code="07408")
    assert duong_duc.kind == Kind.COMMUNE and duong_duc.level == Level.COMMUNE
    assert [a.code for a in duong_duc.ancestors()] == ["24", "217"]
    assert AdminUnit.objects.get(code="213").kind == Kind.PROVINCIAL_CITY
    assert AdminUnit.objects.get(code="07204").kind == Kind.WARD
    bac_giang = AdminUnit.objects.get(code="24")
    assert AdminUnit.objects.subtree_of(bac_giang).count() == 8


def test_importing_the_same_list_twice_changes_nothing(db):
    import_units(FIXTURES / "units-small.csv")
    before = list(AdminUnit.objects.order_by("pk").values_list("pk", "name", "path", "valid_to"))
    summary = import_units(FIXTURES / "units-small.csv")
    assert sum(summary.created.values()) == 0 and sum(summary.closed.values()) == 0
    assert (
        list(AdminUnit.objects.order_by("pk").values_list("pk", "name", "path", "valid_to"))
        == before
    )


def test_a_new_list_versions_changed_units_and_ends_missing_ones(db):
    import_units(FIXTURES / "units-small.csv")
    summary = import_units(FIXTURES / "units-small-2026.csv", valid_from=REFORM)
    old_my_thai = AdminUnit.objects.get(code="07420", valid_from=None)
    new_my_thai = AdminUnit.objects.get(code="07420", valid_from=REFORM)
    assert old_my_thai.valid_to == dt.date(2025, 6, 30)
    assert new_my_thai.parent.name == "Tỉnh Bắc Ninh" and new_my_thai.valid_to is None
    assert AdminUnit.objects.get(code="07408").valid_to == dt.date(2025, 6, 30)
    # Lạng Sơn keeps its name and has no district any more: the province continues, the commune
    # gets a new version under it.
    lang_son = AdminUnit.objects.get(code="20")
    assert lang_son.valid_to is None
    assert AdminUnit.objects.filter(code="06100").count() == 2
    assert summary.closed["2"] == 4  # every district ended
    assert AdminUnit.objects.filter(code="217").get().valid_to == dt.date(2025, 6, 30)
    on_reform_day = AdminUnit.objects.valid_on(REFORM).filter(level=Level.COMMUNE)
    assert sorted(on_reform_day.values_list("code", flat=True)) == ["06100", "07204", "07420"]


def test_the_second_list_is_idempotent_too(db):
    import_units(FIXTURES / "units-small.csv")
    import_units(FIXTURES / "units-small-2026.csv", valid_from=REFORM)
    count = AdminUnit.objects.count()
    summary = import_units(FIXTURES / "units-small-2026.csv", valid_from=REFORM)
    assert AdminUnit.objects.count() == count and sum(summary.created.values()) == 0


def _refused(text: str) -> list[tuple[int | None, str | None]]:
    with pytest.raises(ImportRefused) as info:
        import_units(text.encode(), filename="bad.csv")
    assert AdminUnit.objects.count() == 0
    return [(e.row, e.column) for e in info.value.errors]


def test_missing_column_is_refused_and_nothing_written(db):
    errors = _refused("province_code,province_name,commune_code\n24,Tỉnh Bắc Giang,07408\n")
    assert errors == [(1, "commune_name")]


def test_duplicate_code_names_both_rows_and_writes_nothing(db):
    with pytest.raises(ImportRefused) as info:
        import_units(
            "province_code,province_name,commune_code,commune_name\n"
            "24,Tỉnh Bắc Giang,07408,Xã Dương Đức\n24,Tỉnh Bắc Giang,07408,Xã Khác\n".encode(),
            filename="bad.csv",
        )
    [error] = info.value.errors
    assert (error.row, error.column) == (3, "commune_code") and "2" in error.message
    assert AdminUnit.objects.count() == 0


def test_unknown_parent_is_refused_with_row_and_column(db):
    errors = _refused(
        "province_code,province_name,commune_code,commune_name\n99,,07408,Xã Dương Đức\n"
    )
    assert errors == [(2, "province_name")]


def test_every_bad_row_is_listed_at_once(db):
    errors = _refused(
        "province_code,province_name,commune_code,commune_name\n"
        "24,Tỉnh Bắc Giang,7408,Xã Dương Đức\n"
        "24,Tỉnh Bắc Giang,07411,\n"
        "2x,Tỉnh Lạ,07412,Xã A\n"
        "24,Tỉnh Bắc Ninh,07413,Xã B\n"
    )
    assert errors == [
        (2, "commune_code"),
        (3, "commune_name"),
        (4, "province_code"),
        (5, "province_name"),
    ]


def test_partial_list_with_a_known_parent_may_omit_its_name(db):
    import_units(FIXTURES / "units-small.csv")
    import_units(
        "province_code,province_name,district_code,district_name,commune_code,commune_name\n"
        "24,,217,,07999,Xã Mới\n".encode(),
        filename="p.csv",
        partial=True,
    )
    assert AdminUnit.objects.get(code="07999").parent.code == "217"
    assert AdminUnit.objects.get(code="07408").valid_to is None
