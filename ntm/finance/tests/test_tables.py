from decimal import Decimal

import pytest
from django.urls import reverse

from ntm.core.tabular import ImportRefused
from ntm.finance import tables
from ntm.finance.models import Contribution, Work

HEADER = "Mã đơn vị,Ngày,Loại người đóng góp,Tên,Đồng ý công khai,Hình thức,Số lượng,Giá trị,Công trình,Ghi chú\n"


def test_a_contributions_file_with_bad_rows_writes_nothing_and_names_every_error(
    demo, works, users
):
    before = Contribution.objects.count()
    data = (
        HEADER
        + "07408.05,05/06/2024,hộ,Hộ Tốt,có,tiền mặt,,2.000.000,,\n"
        + "07408.05,31/02/2024,hộ,Hộ Sai Ngày,không,tiền mặt,,1.000.000,,\n"
        + "07408.05,05/06/2024,hộ,Hộ Lẻ,không,tiền mặt,,1000.5,,\n"
        + "06100.01,05/06/2024,hộ,Hộ Xa,không,tiền mặt,,1.000,,\n"
        + "07408.05,05/06/2024,hộ,Hộ Không Có,không,ngày công,3,,Công trình ma,\n"
        + "07408.05,05/06/2023,hộ,Hộ Không Giá,không,ngày công,3,,,\n"
    ).encode()
    with pytest.raises(ImportRefused) as refused:
        tables.import_contributions(
            user=users["thon"], unit=demo["07408.05"], source=data, filename="a.csv"
        )
    where = {(e.row, e.column) for e in refused.value.errors}
    assert (3, "Ngày") in where and (4, "Giá trị") in where and (5, "Mã đơn vị") in where
    assert (6, "Công trình") in where and (7, "Số lượng") in where
    assert (2, None) not in where and all(e.row != 2 for e in refused.value.errors)
    assert Contribution.objects.count() == before


def test_a_good_contributions_file_is_imported_with_values_from_the_rates(demo, works, users):
    data = (
        HEADER
        + "07408.05,05/06/2024,hộ,Hộ Mới,có,ngày công,3,,Nhà văn hóa thôn Cống Phên (minh họa),\n"
        + "07408.05,2024-06-06,organisation,Chi hội (minh họa),no,cash,,1 500 000,,\n"
    ).encode()
    created = tables.import_contributions(
        user=users["thon"], unit=demo["07408.05"], source=data, filename="a.csv"
    )
    assert [c.value for c in created] == [Decimal(600_000), Decimal(1_500_000)]
    assert created[0].work is not None and created[0].consent_to_publish


def test_exported_contributions_import_back_unchanged(demo, works, users):
    for fmt in ("csv", "xlsx"):
        columns, rows = tables.contribution_rows(unit=demo["07408"], year=2024)
        data = tables.render(columns, rows, fmt, "contributions")
        Contribution.objects.all().delete()
        tables.import_contributions(
            user=users["xa"], unit=demo["07408"], source=data, filename=f"c.{fmt}"
        )
        assert tables.contribution_rows(unit=demo["07408"], year=2024) == (columns, rows)


def test_exported_works_import_back_and_a_bad_work_row_refuses_the_file(demo, works, users):
    columns, rows = tables.work_rows(unit=demo["07408"], year=2024)
    data = tables.render(columns, rows, "xlsx", "works")
    saved = tables.import_works(
        user=users["xa"], unit=demo["07408"], source=data, filename="w.xlsx"
    )
    assert len(saved) == 4 and Work.objects.count() == 4
    assert tables.work_rows(unit=demo["07408"], year=2024) == (columns, rows)
    bad = (
        "unit,year,kind,name,latitude,longitude,budget_commune,budget_district\n"
        "07408.05,2024,road,Đường mới,21.3,106.2,10.000.000,\n"
        "07408.05,2024,castle,Lâu đài,,,,\n"
        "07408.05,2026,road,Đường sau cải cách,95,106,,5.000.000\n"
    ).encode()
    with pytest.raises(ImportRefused) as refused:
        tables.import_works(user=users["xa"], unit=demo["07408"], source=bad, filename="w.csv")
    assert {e.row for e in refused.value.errors} == {3, 4}
    assert Work.objects.count() == 4


def test_the_import_page_lists_errors_and_the_export_downloads(persona, client, demo, works):
    persona("thon")
    cong_phen = demo["07408.05"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("c.csv", (HEADER + "07408.05,xx,hộ,A,có,tiền mặt,,1,,\n").encode())
    response = client.post(
        reverse("finance:contributions_import", args=[cong_phen.pk, 2024]), {"file": upload}
    )
    assert response.status_code == 400 and response.context["refused"].count
    export = client.get(reverse("finance:contributions_export", args=[cong_phen.pk, 2024, "csv"]))
    assert export.status_code == 200 and "Hộ bà Trần Thị Bình" in export.content.decode("utf-8-sig")
    assert (
        client.get(
            reverse("finance:contributions_export", args=[cong_phen.pk, 2024, "pdf"])
        ).status_code
        == 404
    )


def test_a_formula_typed_as_a_name_is_exported_as_text_and_imported_back(demo, users):
    from ntm.finance import services

    services.contribution_add(
        user=users["thon"],
        unit=demo["07408.05"],
        contributor_kind="household",
        contributor_name='=HYPERLINK("x")',
        kind="cash",
        value=Decimal(1000),
        date=__import__("datetime").date(2024, 1, 1),
    )
    columns, rows = tables.contribution_rows(unit=demo["07408.05"], year=2024)
    csv_text = tables.render(columns, rows, "csv", "c").decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    Contribution.objects.all().delete()
    tables.import_contributions(
        user=users["thon"], unit=demo["07408.05"], source=csv_text.encode(), filename="c.csv"
    )
    assert Contribution.objects.get().contributor_name == '=HYPERLINK("x")'
