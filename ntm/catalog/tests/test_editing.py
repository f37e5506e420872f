import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from ntm.accounts.models import User
from ntm.catalog.models import CriteriaSet, Indicator, Threshold
from ntm.catalog.services import CatalogEditError, set_localise, threshold_set


@pytest.fixture
def localised(demo, small_set):
    return set_localise(
        user=User.objects.get(username="tinh"),
        national=small_set,
        province=demo["24"],
        legal_basis="741/QĐ-UBND",
    )


def test_province_admin_localises_a_national_set(localised, small_set):
    assert localised.localises == small_set and localised.province.code == "24"
    assert localised.criteria.count() == 3 and localised.indicators.count() == 4
    assert Threshold.objects.filter(indicator__criteria_set=localised).count() == 5


def test_threshold_change_keeps_who_when_before_and_after(localised):
    tinh = User.objects.get(username="tinh")
    indicator = Indicator.objects.get(criteria_set=localised, code="1.1")
    new = threshold_set(
        user=tinh,
        indicator=indicator,
        value="85",
        source="741/QĐ-UBND",
        verified=True,
        reason="Theo quyết định của tỉnh",
    )
    old = Threshold.objects.get(indicator=indicator, superseded_at__isnull=False)
    assert (old.value, new.value) == ("80", "85") and old.superseded_by == tinh
    assert new.created_by == tinh and new.change_reason == "Theo quyết định của tỉnh"


def test_national_sets_and_other_provinces_cannot_be_edited(localised, small_set, other_commune):
    tinh = User.objects.get(username="tinh")
    national = Indicator.objects.get(criteria_set=small_set, code="1.1")
    with pytest.raises(CatalogEditError):
        threshold_set(user=tinh, indicator=national, value="85", source="x", reason="x")
    with pytest.raises((PermissionDenied, Http404)):
        set_localise(
            user=User.objects.get(username="xa"),
            national=small_set,
            province=User.objects.get(username="tinh").memberships.get().unit,
            legal_basis="x",
        )


@pytest.mark.parametrize(("value", "ok"), [("85", True), ("101", False), ("abc", False)])
def test_threshold_values_are_validated_by_kind(localised, value, ok):
    indicator = Indicator.objects.get(criteria_set=localised, code="1.1")

    def call():
        return threshold_set(
            user=User.objects.get(username="tinh"),
            indicator=indicator,
            value=value,
            source="x",
            reason="y",
        )

    if ok:
        call()
    else:
        with pytest.raises(CatalogEditError):
            call()


def test_changed_threshold_recomputes_the_communes_of_the_province(client, localised, demo):
    from ntm.evaluation.actions import value_record
    from ntm.evaluation.models import SetResult

    xa = User.objects.get(username="xa")
    value_record(
        user=xa,
        unit=demo["07408"],
        criteria_set=localised.localises,
        code="1.1",
        period="2024Q1",
        value="82",
    )
    assert (
        SetResult.objects.get(unit=demo["07408"]).explanation["criteria"][0]["indicators"][0][
            "status"
        ]
        == "met"
    )
    client.force_login(User.objects.get(username="tinh"))
    url = reverse("catalog:indicator", args=[localised.code, "1.1"])
    response = client.post(url, {"value": "85", "source": "741/QĐ-UBND", "reason": "Điều chỉnh"})
    assert response.status_code == 302
    result = SetResult.objects.get(unit=demo["07408"])
    assert result.explanation["criteria"][0]["indicators"][0]["status"] == "not_met"
    assert result.applied_set == localised


def _upload(client, name, text, step="upload"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("catalog:upload"),
        {"step": step, "file": SimpleUploadedFile(name, text.encode())},
    )


def test_province_admin_uploads_a_set_of_the_province_they_administer_today(
    client, demo, small_set
):
    from conftest import FIXTURES
    from ntm.accounts.services import memberships_carry_over

    text = (FIXTURES / "criteria-small.yaml").read_text(encoding="utf-8")
    own = text.replace("code: xa-thu-nghiem", 'code: xa-thu-nghiem-bn\n  province: "24"').replace(
        "valid_from: 2022-01-01", "valid_from: 2026-02-15"
    )
    # tinh administered Bắc Giang, which ended on 30/06/2025: code 24 is Bắc Ninh's now, and
    # Bắc Ninh is not theirs to configure.
    client.force_login(User.objects.get(username="tinh"))
    assert client.get(reverse("catalog:upload")).status_code == 403
    assert _upload(client, "bn.yaml", own).status_code == 403
    assert not CriteriaSet.objects.filter(code="xa-thu-nghiem-bn").exists()
    # Carried over to Bắc Ninh, they may: checked and previewed first, saved on confirmation.
    memberships_carry_over(unit=demo["07420"].parent, actor=None)
    client.force_login(User.objects.get(username="tinh"))
    response = _upload(client, "bn.yaml", own)
    assert response.status_code == 200 and "xa-thu-nghiem-bn" in response.text
    assert not CriteriaSet.objects.filter(code="xa-thu-nghiem-bn").exists()
    response = client.post(reverse("catalog:upload"), {"step": "confirm"})
    assert response.status_code == 302
    created = CriteriaSet.objects.get(code="xa-thu-nghiem-bn")
    assert created.province == demo["07420"].parent
    [change] = created.changes.all()
    assert change.user.username == "tinh" and change.action == "load" and change.lines
    page = client.get(reverse("catalog:set", args=[created.code])).text
    assert "bn.yaml" in page and str(change.lines[0]) in page
    # Overwriting the national set is refused, nothing written.
    national = text.replace("code: xa-thu-nghiem", 'code: xa-thu-nghiem\n  province: "24"')
    response = _upload(client, "n.yaml", national)
    assert response.status_code == 200 and 'role="alert"' in response.text
    assert CriteriaSet.objects.get(code="xa-thu-nghiem").province is None
    # Nothing refused was held for confirmation.
    assert client.post(reverse("catalog:upload"), {"step": "confirm"}).status_code == 200
    assert CriteriaSet.objects.get(code="xa-thu-nghiem").province is None
    client.force_login(User.objects.get(username="xa"))
    assert client.get(reverse("catalog:upload")).status_code == 403


def test_a_changed_threshold_in_the_exported_sheet_is_previewed_then_versioned(
    client, demo, small_set
):
    from io import BytesIO

    import openpyxl

    client.force_login(User.objects.get(username="admin"))
    sheet = client.get(reverse("catalog:export", args=[small_set.code, "xlsx"]))
    assert sheet.status_code == 200 and sheet["Content-Disposition"].endswith('.xlsx"')
    # Loaded back unchanged: nothing to save.
    from django.core.files.uploadedfile import SimpleUploadedFile

    same = client.post(
        reverse("catalog:upload"),
        {"step": "upload", "file": SimpleUploadedFile("same.xlsx", sheet.content)},
    )
    assert "nothing to change" in same.text.lower() or "không có gì" in same.text.lower()
    book = openpyxl.load_workbook(BytesIO(sheet.content))
    rows = list(book.active.iter_rows())
    header = next(r for r in rows if any(c.value == "Mã chỉ tiêu" for c in r))
    code_col = next(c.column for c in header if c.value == "Mã chỉ tiêu")
    general = next(c.column for c in header if str(c.value).startswith("Ngưỡng chung"))
    row = next(r for r in rows if r[code_col - 1].value == "1.1")
    before = row[general - 1].value
    row[general - 1].value = 77
    out = BytesIO()
    book.save(out)
    preview = client.post(
        reverse("catalog:upload"),
        {"step": "upload", "file": SimpleUploadedFile("changed.xlsx", out.getvalue())},
    )
    assert "1.1" in preview.text and "77" in preview.text
    old = Threshold.objects.get(
        indicator__criteria_set=small_set,
        indicator__code="1.1",
        superseded_at__isnull=True,
        region="",
        commune_group="",
    )
    assert client.post(reverse("catalog:upload"), {"step": "confirm"}).status_code == 302
    old.refresh_from_db()
    assert old.superseded_at is not None and old.value == str(before)
    new = Threshold.objects.get(
        indicator__criteria_set=small_set,
        indicator__code="1.1",
        superseded_at__isnull=True,
        region="",
        commune_group="",
    )
    assert new.value == "77"
    assert small_set.changes.get().user.username == "admin"


def test_a_bad_sheet_is_refused_whole_naming_its_rows(client, demo, small_set):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(User.objects.get(username="admin"))
    sheet = client.get(reverse("catalog:export", args=[small_set.code, "csv"])).content.decode()
    broken = (
        sheet.replace(",phần trăm,", ",phần trăm kiểu lạ,", 1)
        if ",phần trăm," in sheet
        else (sheet.replace("tỷ lệ", "tỷ lệ lạ", 1))
    )
    response = client.post(
        reverse("catalog:upload"),
        {"step": "upload", "file": SimpleUploadedFile("bad.csv", broken.encode())},
    )
    assert response.status_code == 200 and 'role="alert"' in response.text
    assert "dòng" in response.text  # the row is named
    assert not small_set.changes.exists()


def test_catalog_pages_flag_unverified_thresholds(client, demo, small_set):
    client.force_login(User.objects.get(username="xem"))
    text = client.get(reverse("catalog:set", args=[small_set.code])).text
    assert "badge unverified" in text
