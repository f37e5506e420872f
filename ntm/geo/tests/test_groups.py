"""Commune groups: set by the province on a page or from a file (refused whole with every bad
row named), thresholds chosen by the group in force, and no threshold without a group."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from ntm.accounts.models import Membership, Role, User
from ntm.catalog.loader import load_criteria
from ntm.catalog.models import CriteriaSet
from ntm.core.tabular import ImportRefused
from ntm.evaluation import actions
from ntm.evaluation.models import SetResult
from ntm.geo.groups import read_groups
from ntm.geo.models import Classification, Kind
from ntm.geo.services import unit_create

GROUP = Classification.Kind.COMMUNE_GROUP


@pytest.fixture
def province(demo):
    """Bắc Ninh (2025) with Mỹ Thái from the demo and two more communes; ``bacninh`` is its
    province administrator."""
    bac_ninh = demo["07420"].parent
    for code, name in [("07500", "Xã Một"), ("07501", "Xã Hai")]:
        unit_create(
            code=code, name=name, kind=Kind.COMMUNE, parent=bac_ninh, valid_from=dt.date(2025, 7, 1)
        )
    user = User.objects.create_user("bacninh", password="x", full_name="Chị Hoa")
    Membership.objects.create(user=user, unit=bac_ninh, role=Role.PROVINCE_ADMIN)
    return bac_ninh


def _csv(text: str) -> bytes:
    return text.encode("utf-8")


def test_a_file_sets_groups_and_a_second_load_changes_nothing(province):
    data = _csv(
        "Mã xã,Tên xã,Nhóm xã,Từ ngày,Căn cứ\n"
        "07420,Xã Mỹ Thái,2,15/02/2026,QĐ 12/QĐ-UBND\n"
        "07500,Xã Một,Nhóm 1,2026-02-15,QĐ 12/QĐ-UBND\n"
    )
    rows = read_groups(data, province=province, filename="g.csv")
    assert [(r.unit.code, r.group, r.before) for r in rows] == [
        ("07420", "2", ""),
        ("07500", "1", ""),
    ]
    assert actions.commune_groups_set(rows=rows) == 2
    found = Classification.objects.get(
        unit__code="07420", unit__valid_from=dt.date(2025, 7, 1), kind=GROUP
    )
    assert (found.value, found.valid_from, found.legal_basis) == (
        "2",
        dt.date(2026, 2, 15),
        "QĐ 12/QĐ-UBND",
    )
    again = read_groups(data, province=province, filename="g.csv")
    assert actions.commune_groups_set(rows=again) == 0


def test_a_bad_file_is_refused_whole_with_every_bad_row_and_column_named(province):
    data = _csv(
        "Mã xã,Nhóm xã,Từ ngày\n"
        "07420,2,15/02/2026\n"
        "07500,4,15/02/2026\n"
        "07501,1,30/02/2026\n"
        "07408,1,15/02/2026\n"  # Dương Đức: ended in 2025, and never Bắc Ninh's
        "07420,3,15/02/2026\n"
    )
    with pytest.raises(ImportRefused) as refused:
        read_groups(data, province=province, filename="g.csv")
    where = [(e.row, e.column) for e in refused.value.errors]
    assert where == [(3, "Nhóm xã"), (4, "Từ ngày"), (5, "Mã xã"), (6, "Mã xã")]
    assert not Classification.objects.filter(kind=GROUP).exists()


def test_the_page_shows_sets_and_previews_groups_for_the_provinces_administrator(province, client):
    client.force_login(User.objects.get(username="bacninh"))
    url = reverse("geo:groups", args=[province.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Xã Mỹ Thái" in page.text
    my_thai = province.children.get(code="07420")
    response = client.post(
        url,
        {"step": "set", f"g{my_thai.pk}": "3", "valid_from": "15/02/2026", "legal_basis": "QĐ 1"},
    )
    assert response.status_code == 302
    assert Classification.objects.get(unit=my_thai, kind=GROUP).value == "3"
    # Who set it shows on the page.
    assert "Chị Hoa" in client.get(url).text
    upload = SimpleUploadedFile("nhom.csv", _csv("Mã xã,Nhóm xã,Từ ngày\n07500,2,01/03/2026\n"))
    preview = client.post(url, {"step": "upload", "file": upload})
    assert preview.status_code == 200 and len(preview.context["to_change"]) == 1
    assert not Classification.objects.filter(unit__code="07500").exists()
    assert client.post(url, {"step": "confirm"}).status_code == 302
    assert Classification.objects.get(unit__code="07500").value == "2"
    template = client.get(reverse("geo:groups_template", args=[province.pk]))
    assert "07500,Xã Một,2,01/03/2026" in template.content.decode("utf-8-sig")


def test_a_refused_upload_names_its_rows_and_an_executable_is_refused(province, client):
    client.force_login(User.objects.get(username="bacninh"))
    url = reverse("geo:groups", args=[province.pk])
    bad = SimpleUploadedFile("nhom.csv", _csv("Mã xã,Nhóm xã,Từ ngày\n07500,9,01/03/2026\n"))
    text = client.post(url, {"step": "upload", "file": bad}).text
    assert "Nhóm xã" in text and "9" in text
    exe = SimpleUploadedFile("nhom.exe", b"MZ\x90\x00")
    response = client.post(url, {"step": "upload", "file": exe})
    assert response.status_code == 200 and response.context["upload"].errors
    assert not Classification.objects.filter(kind=GROUP).exists()


def test_other_provinces_and_commune_users_cannot_set_groups(province, client, demo):
    my_thai = province.children.get(code="07420")
    url = reverse("geo:groups", args=[province.pk])
    # tinh administers Bắc Giang, which ended on 30/06/2025: not its successor.
    client.force_login(User.objects.get(username="tinh"))
    assert client.get(url).status_code in (403, 404)
    assert client.post(
        url, {"step": "set", f"g{my_thai.pk}": "1", "valid_from": "15/02/2026", "legal_basis": "x"}
    ).status_code in (403, 404)
    client.force_login(User.objects.get(username="xa"))
    assert client.get(url).status_code in (403, 404)
    # The ended province's own page is read-only for its administrator.
    client.force_login(User.objects.get(username="tinh"))
    old = demo["24"]
    assert client.get(reverse("geo:groups", args=[old.pk])).status_code == 200
    assert client.post(reverse("geo:groups", args=[old.pk]), {"step": "confirm"}).status_code == 403
    assert not Classification.objects.filter(kind=GROUP).exists()


def test_the_command_checks_previews_and_records(province, tmp_path):
    path = tmp_path / "nhom.csv"
    path.write_bytes(_csv("Mã xã,Nhóm xã,Từ ngày,Căn cứ\n07420,2,15/02/2026,QĐ 12\n"))
    out = io.StringIO()
    call_command("import_commune_groups", str(path), "--province", "24", "--dry-run", stdout=out)
    assert "07420" in out.getvalue() and not Classification.objects.filter(kind=GROUP).exists()
    call_command("import_commune_groups", str(path), "--province", "24", stdout=io.StringIO())
    assert Classification.objects.get(kind=GROUP).value == "2"
    path.write_bytes(_csv("Mã xã,Nhóm xã,Từ ngày\n07420,x,15/02/2026\n"))
    with pytest.raises(CommandError, match="Nhóm xã"):
        call_command("import_commune_groups", str(path), "--province", "24", stdout=io.StringIO())


def test_thresholds_follow_the_group_in_force_and_none_without_a_group(province, tmp_path):
    """A 2026 set with thresholds by group: Mỹ Thái without a group gets no threshold (and the
    reason); with group 2 from 15/02/2026, the group-2 threshold."""
    load_criteria(
        """
format: ntm-criteria/1
set:
  code: xa-nhom-thu
  name: {vi: "Bộ thử theo nhóm", en: "Group test set"}
  level: commune
  legal_basis: "thử nghiệm"
  valid_from: 2026-01-01
  threshold_axis: commune_group
  source: "tests"
  verified: false
criteria:
  - number: 1
    name: {vi: Giao thông, en: Roads}
    indicators:
      - code: "1.1"
        content: {vi: "Tỷ lệ đường được cứng hóa", en: "Paved roads"}
        kind: percent
        unit: "%"
        thresholds:
          - {value: 100, commune_group: "1", source: "thử", verified: false}
          - {value: 90, commune_group: "2", source: "thử", verified: false}
          - {value: 80, commune_group: "3", source: "thử", verified: false}
"""
    )
    family = CriteriaSet.objects.get(code="xa-nhom-thu")
    my_thai = province.children.get(code="07420")
    admin = User.objects.get(username="admin")
    actions.value_record(
        user=admin, unit=my_thai, criteria_set=family, code="1.1", period="2026Q1", value="95"
    )

    def indicator():
        result = SetResult.objects.get(unit=my_thai, criteria_set=family, period="2026Q1")
        return result.explanation["criteria"][0]["indicators"][0]

    assert (indicator()["status"], indicator()["reason"]) == (
        "no_threshold",
        "commune group not set",
    )
    rows = read_groups(
        _csv("Mã xã,Nhóm xã,Từ ngày\n07420,2,15/02/2026\n"), province=province, filename="g.csv"
    )
    actions.commune_groups_set(rows=rows)
    assert (indicator()["status"], indicator()["threshold"]) == ("met", "90")
