import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import FIXTURES
from ntm.core.tabular import ImportRefused
from ntm.geo.importers import import_units
from ntm.geo.mergers import compact_key, exact_key, import_mergers, name_key, parse_formed_from
from ntm.geo.models import AdminUnit, Kind, Level, Succession
from ntm.geo.services import unit_create

REFORM = dt.date(2025, 7, 1)
BEFORE = dt.date(2025, 6, 30)
MERGERS = FIXTURES / "mergers-small.csv"


def old(code: str) -> AdminUnit:
    return AdminUnit.objects.valid_on(BEFORE).get(code=code, level__lte=Level.COMMUNE)


def new(code: str) -> AdminUnit:
    return AdminUnit.objects.valid_on(REFORM).get(code=code, level__lte=Level.COMMUNE)


def successors(unit: AdminUnit) -> dict[str, str]:
    return {s.successor.code: s.kind for s in unit.successions_out.select_related("successor")}


@pytest.fixture
def reform(db):
    """Both small lists, plus a second old Xã Tân Thanh (in Huyện Yên Dũng) so that the name
    "Xã Tân Thanh" of the merger list fits two old communes of Bắc Giang."""
    import_units(FIXTURES / "units-small.csv")
    bac_giang = AdminUnit.objects.get(code="24", valid_from=None)
    yen_dung = unit_create(code="218", name="Huyện Yên Dũng", kind=Kind.DISTRICT, parent=bac_giang)
    unit_create(code="07666", name="Xã Tân Thanh", kind=Kind.COMMUNE, parent=yen_dung)
    import_units(FIXTURES / "units-small-2026.csv", valid_from=REFORM)


def test_duong_duc_gets_my_thai_07420_as_its_successor(reform):
    summary = import_mergers(MERGERS)
    my_thai = new("07420")
    assert successors(old("07408")) == {"07420": Succession.Kind.MERGED}
    assert my_thai.parent.name == "Tỉnh Bắc Ninh"
    assert sorted(my_thai.successions_in.values_list("predecessor__code", flat=True)) == [
        "07408",
        "07411",
        "07420",
        "07429",
    ]
    assert summary.rows == 5 and summary.successions_created == 9


def test_bac_giang_and_bac_ninh_merge_into_the_new_bac_ninh(reform):
    import_mergers(MERGERS)
    assert successors(old("24")) == {"24": Succession.Kind.MERGED}
    assert successors(old("27")) == {"24": Succession.Kind.MERGED}
    # Lạng Sơn continued as the same version: nothing to record.
    assert successors(old("20")) == {}


def test_a_commune_kept_as_it_was_continues_unchanged(reform):
    import_mergers(MERGERS)
    assert successors(old("06100")) == {"06100": Succession.Kind.UNCHANGED}


def test_a_partial_mention_is_recorded_as_a_split(reform):
    summary = import_mergers(MERGERS)
    assert successors(old("09163")) == {"07204": Succession.Kind.SPLIT}
    assert (summary.merged, summary.split, summary.unchanged) == (7, 1, 2)


def test_a_shared_name_is_settled_by_the_districts_of_the_other_mentions(reform):
    summary = import_mergers(MERGERS)
    # Xuân Hương, Dương Đức and Mỹ Thái were in Huyện Lạng Giang: so was this Tân Thanh.
    assert successors(old("07411")) == {"07420": Succession.Kind.MERGED}
    assert summary.disambiguated == 1


def test_ambiguous_and_unknown_names_are_reported_by_row_and_column_and_never_linked(reform):
    summary = import_mergers(MERGERS)
    assert (summary.mentions, summary.ambiguous, summary.unknown) == (12, 1, 1)
    problems = {p.kind: p for p in summary.problems}
    ambiguous, unknown = problems["ambiguous"], problems["unknown"]
    assert (ambiguous.row, ambiguous.column, ambiguous.mention) == (
        5,
        "formed_from",
        "Xã Tân Thanh",
    )
    assert ambiguous.candidates == (
        "Xã Tân Thanh (07411, Huyện Lạng Giang)",
        "Xã Tân Thanh (07666, Huyện Yên Dũng)",
    )
    assert (unknown.row, unknown.column, unknown.mention) == (5, "formed_from", "Trường bắn TB1")
    # Neither Tân Thanh went to Phường Bắc Giang.
    assert not Succession.objects.filter(successor=new("07204"), predecessor__name="Xã Tân Thanh")
    assert successors(old("07666")) == {}


def test_importing_the_merger_list_twice_changes_nothing(reform):
    unit_create(code="07408.01", name="Thôn Cống Phên", kind=Kind.VILLAGE, parent=old("07408"))
    import_mergers(MERGERS)
    history = Succession.history.count()
    units = list(AdminUnit.objects.order_by("pk").values_list("pk", "parent", "valid_to"))
    successions = list(Succession.objects.order_by("pk").values_list("pk", "kind"))
    summary = import_mergers(MERGERS)
    assert (summary.successions_created, summary.successions_updated) == (0, 0)
    assert summary.villages_transferred == 0
    assert Succession.history.count() == history
    assert list(Succession.objects.order_by("pk").values_list("pk", "kind")) == successions
    assert list(AdminUnit.objects.order_by("pk").values_list("pk", "parent", "valid_to")) == units


def test_villages_of_a_commune_taken_whole_move_to_its_successor(reform):
    village = unit_create(
        code="07408.01", name="Thôn Cống Phên", kind=Kind.VILLAGE, parent=old("07408")
    )
    summary = import_mergers(MERGERS, legal_basis="Nghị quyết 1658/NQ-UBTVQH15")
    assert summary.villages_transferred == 1
    village.refresh_from_db()
    moved = AdminUnit.objects.get(code="07408.01", valid_from=REFORM)
    assert village.valid_to == BEFORE
    assert moved.parent == new("07420") and moved.name == "Thôn Cống Phên"
    succession = village.successions_out.get()
    assert succession.successor == moved and succession.kind == Succession.Kind.TRANSFERRED
    assert succession.legal_basis == "Nghị quyết 1658/NQ-UBTVQH15"


def test_villages_of_a_commune_split_between_new_units_stay_where_they_were(reform):
    unit_create(code="09163.01", name="Khu phố 1", kind=Kind.RESIDENTIAL_GROUP, parent=old("09163"))
    summary = import_mergers(MERGERS)
    assert summary.villages_transferred == 0
    assert AdminUnit.objects.filter(code="09163.01").count() == 1


def test_a_name_given_to_two_new_units_is_recorded_as_split_for_both(reform):
    text = (
        "parent_code,code,name,formed_from\n"
        '24,07420,Xã Mỹ Thái,"Xã Dương Đức, Xã Mỹ Thái"\n'
        '24,07204,Phường Bắc Giang,"Phường Trần Phú, Xã Dương Đức"\n'
    )
    summary = import_mergers(text.encode(), filename="m.csv")
    assert successors(old("07408")) == {
        "07420": Succession.Kind.SPLIT,
        "07204": Succession.Kind.SPLIT,
    }
    [divided] = [p for p in summary.problems if p.kind == "divided"]
    assert divided.row == 2 and "Phường Bắc Giang (07204)" in divided.message


def _refused(text: str) -> list[tuple[int | None, str | None]]:
    with pytest.raises(ImportRefused) as info:
        import_mergers(text.encode(), filename="bad.csv")
    assert not Succession.objects.exists()
    return [(e.row, e.column) for e in info.value.errors]


def test_a_file_with_a_missing_column_is_refused_and_nothing_written(reform):
    errors = _refused("parent_code,code,name\n24,07420,Xã Mỹ Thái\n")
    assert errors == [(1, "formed_from")]


def test_an_unknown_new_unit_code_refuses_the_whole_file(reform):
    errors = _refused(
        "parent_code,code,name,formed_from\n"
        "24,07420,Xã Mỹ Thái,Xã Dương Đức\n"
        "24,07999,Xã Chưa Có,Xã Xuân Hương\n"
        "20,07204,Phường Bắc Giang,Phường Trần Phú\n"
    )
    assert errors == [(3, "code"), (4, "parent_code")]


def test_a_bad_effective_date_refuses_the_file(reform):
    for day in ("1 July", dt.date(2025, 8, 1)):  # not a date; a date nothing took effect on
        with pytest.raises(ImportRefused):
            import_mergers(MERGERS, effective_date=day)  # type: ignore[arg-type]
    assert not Succession.objects.exists()


def test_without_the_new_list_the_merger_list_is_refused(db):
    import_units(FIXTURES / "units-small.csv")
    with pytest.raises(ImportRefused) as info:
        import_mergers(MERGERS)
    # Every code of the list is an old code, in force on 01/07/2025 for want of a new list.
    [error] = info.value.errors
    assert (error.row, error.column) == (None, None) and "01/07/2025" in error.message
    assert not Succession.objects.exists()


def test_a_mistyped_code_naming_one_unclaimed_unit_is_read_by_name_and_reported(reform):
    summary = import_mergers(
        "parent_code,code,name,formed_from\n24,00071,Xã Mỹ Thái,Xã Dương Đức\n".encode(),
        filename="m.csv",
    )
    assert successors(old("07408")) == {"07420": Succession.Kind.MERGED}
    [problem] = summary.problems
    assert (problem.row, problem.column, problem.kind) == (2, "code", "code")


def test_vietnamese_headers_are_accepted(reform):
    text = "Mã tỉnh mới,Mã mới,Tên mới,Hình thành từ\n24,07420,Xã Mỹ Thái,Xã Dương Đức\n"
    import_mergers(text.encode(), filename="m.csv")
    assert successors(old("07408")) == {"07420": Succession.Kind.MERGED}


def test_an_error_names_the_column_as_the_file_does(reform):
    with pytest.raises(ImportRefused) as info:
        import_mergers(
            "Mã tỉnh mới,Mã mới,Tên mới,Hình thành từ\n24,07999,Xã Chưa Có,Xã Dương Đức\n".encode(),
            filename="m.csv",
        )
    assert [(e.row, e.column) for e in info.value.errors] == [(2, "Mã mới")]


def test_a_name_written_with_another_kind_is_read_as_the_only_unit_so_named_and_noted(reform):
    text = "parent_code,code,name,formed_from\n24,07204,Phường Bắc Giang,Xã Trần Phú\n"
    summary = import_mergers(text.encode(), filename="m.csv")
    assert successors(old("07204")) == {"07204": Succession.Kind.MERGED}
    [note] = summary.problems
    assert (note.row, note.kind) == (2, "kind") and "Phường Trần Phú" in note.message


def test_a_name_is_read_in_the_district_of_the_rows_other_units_when_one_there_fits(reform):
    """Xã Xuân Hương is in Lạng Giang, but the row's other unit is in the city of Bắc Giang,
    where the list has a Phường Xuân Hương: the row means that one."""
    city = AdminUnit.objects.get(code="213")
    ward = unit_create(
        code="07210", name="Phường Xuân Hương", kind=Kind.WARD, parent=city, valid_to=BEFORE
    )
    text = (
        "parent_code,code,name,formed_from\n"
        '24,07204,Phường Bắc Giang,"Phường Trần Phú, Xã Xuân Hương"\n'
    )
    summary = import_mergers(text.encode(), filename="m.csv")
    assert successors(ward) == {"07204": Succession.Kind.MERGED}
    assert successors(old("07429")) == {}
    assert summary.disambiguated == 1 and [p.kind for p in summary.problems] == ["district"]


def test_a_commune_row_naming_a_whole_old_district_takes_all_its_communes(reform):
    text = "parent_code,code,name,formed_from\n24,07420,Xã Mỹ Thái,Huyện Lạng Giang\n"
    summary = import_mergers(text.encode(), filename="m.csv")
    assert sorted(new("07420").successions_in.values_list("predecessor__code", flat=True)) == [
        "07408",
        "07411",
        "07420",
        "07429",
    ]
    assert (summary.mentions, summary.merged, summary.successions_created) == (1, 1, 4)


def test_a_district_hint_picks_among_communes_of_the_same_name(reform):
    text = (
        "parent_code,code,name,formed_from\n"
        '24,07204,Phường Bắc Giang,"Phường Trần Phú, Xã Tân Thanh (huyện Yên Dũng)"\n'
    )
    summary = import_mergers(text.encode(), filename="m.csv")
    assert successors(old("07666")) == {"07204": Succession.Kind.MERGED}
    assert successors(old("07411")) == {}
    assert summary.problems == [] and summary.disambiguated == 0


def test_the_command_prints_the_summary_and_the_first_problems(reform):
    out = io.StringIO()
    call_command("import_mergers", str(MERGERS), "--effective-date", "01/07/2025", stdout=out)
    lines = out.getvalue().splitlines()
    assert " 12 " in lines[0] and len(lines) == 3  # the summary, the ambiguous and the unknown
    out = io.StringIO()
    call_command("import_mergers", str(MERGERS), "--show-problems", "1", stdout=out)
    assert out.getvalue().splitlines()[-1].endswith("1 more")


def test_the_command_fails_only_when_the_file_is_refused(reform, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("parent_code,code,name\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_mergers", str(bad), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("import_mergers", str(MERGERS), "--effective-date", "1 July")


def test_formed_from_text_is_read_into_mentions():
    mentions = parse_formed_from(
        "Phường Quán Thánh, một phần diện tích TN, quy mô dân số của các phường Cửa Nam, "
        "Điện Biên, phần còn lại của phường Cửa Đông sau khi sắp xếp và Phường 14 (Quận 10), "
        "Phường Ngọc Thụy (phần còn lại sau khi sáp nhập vào phường Hồng Hà, phường Long Biên)"
    )
    assert [(m.name, m.list_kind, m.hint, m.partial) for m in mentions] == [
        ("Phường Quán Thánh", "", "", False),
        ("Cửa Nam", "phường", "", True),
        ("Điện Biên", "phường", "", True),
        ("phường Cửa Đông", "", "", True),
        ("Phường 14", "", "Quận 10", False),
        ("Phường Ngọc Thụy", "", "", True),
    ]


def test_notes_names_with_va_and_unchanged_units_are_read_right():
    assert [m.name for m in parse_formed_from("Xã Lao Và Chải, Xã Hữu Vinh")] == [
        "Xã Lao Và Chải",
        "Xã Hữu Vinh",
    ]
    provinces = parse_formed_from(
        "tỉnh Bình Phước và tỉnh Đồng Nai. Từ ngày 30/04/2026, Tỉnh Đồng Nai mới chuyển thành "
        "Thành phố Đồng Nai."
    )
    assert [m.name for m in provinces] == ["tỉnh Bình Phước", "tỉnh Đồng Nai"]
    assert parse_formed_from("giữ nguyên") == []
    whole = parse_formed_from(
        "Toàn bộ diện tích TN, quy mô dân số của các phường Phường Giảng Võ và Phường Cát Linh"
    )
    assert [(m.name, m.partial) for m in whole] == [
        ("Phường Giảng Võ", False),
        ("Phường Cát Linh", False),
    ]


def test_names_match_across_spellings_but_not_across_tones():
    assert exact_key("Xã Hoà Bình") == exact_key("xã Hòa Bình") != exact_key("Xã Hóa Bình")
    assert exact_key("Xã Văn Tự") != exact_key("Xã Vân Từ")
    assert name_key("Xã Văn Tự") == name_key("Xã Vân Từ")
    assert name_key("Tỉnh Bà Rịa - Vũng Tàu") == name_key("tỉnh Bà Rịa Vũng Tàu")
    assert name_key("TPHCM") == name_key("Thành phố Hồ Chí Minh")
    assert name_key("Xã Mỹ Quí") == name_key("Xã Mỹ Quý")
    assert name_key("Xã Ô Long Vĩ") == name_key("Xã Ô Long Vỹ") != name_key("Xã Ô Long 6")
    assert name_key("Phường IV") == name_key("Phường 4")
    assert name_key("Xã Cư M’gar") == name_key("Xã Cư M'gar")
    assert name_key("Thị trấn NT Việt Lâm") == name_key("Thị trấn Nông trường Việt Lâm")
    assert compact_key("Xã Ea Bia") == compact_key("Xã EaBia")
    assert compact_key("Xã Ea Ly") == compact_key("Xã Ealy")


def test_importing_again_with_another_legal_basis_updates_every_pair_with_one_history_row(reform):
    first = import_mergers(MERGERS)
    history = Succession.history.count()
    again = import_mergers(MERGERS, legal_basis="Nghị quyết 1658/NQ-UBTVQH15")
    assert (again.successions_created, again.successions_updated) == (
        0,
        first.successions_created,
    )
    assert Succession.history.count() == history + first.successions_created
    assert set(Succession.objects.values_list("legal_basis", flat=True)) == {
        "Nghị quyết 1658/NQ-UBTVQH15"
    }


def test_a_mention_spelled_otherwise_is_read_by_the_code_the_new_unit_continues(reform, tmp_path):
    """ "Xã Mỹ Thoái" names no old commune, but the new Mỹ Thái continues code 07420, whose old
    name is alike: the mention is that commune, noted for checking. An unlike name is not."""
    path = tmp_path / "m.csv"
    path.write_text(
        "parent_code,code,name,formed_from\n"
        "0,24,Tỉnh Bắc Ninh,tỉnh Bắc Giang và tỉnh Bắc Ninh\n"
        '24,07420,Xã Mỹ Thái,"Xã Dương Đức, Xã Mỹ Thoái"\n'
        '24,07204,Phường Bắc Giang,"Phường Trần Phú, Xã Hòa Bình"\n',
        encoding="utf-8",
    )
    summary = import_mergers(path, effective_date=REFORM)
    assert successors(old("07420")) == {"07420": Succession.Kind.MERGED}
    assert summary.by_code == 1 and summary.unknown == 1
    [note] = [p for p in summary.problems if p.kind == "spelling"]
    assert note.row == 3 and note.mention == "Xã Mỹ Thoái" and "07420" in note.message
