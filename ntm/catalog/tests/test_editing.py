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


def test_province_admin_uploads_a_set_of_their_own_province_only(client, demo, small_set):
    from conftest import FIXTURES

    client.force_login(User.objects.get(username="tinh"))
    text = (FIXTURES / "criteria-small.yaml").read_text(encoding="utf-8")
    own = text.replace("code: xa-thu-nghiem", 'code: xa-thu-nghiem-bg\n  province: "24"')
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("catalog:upload"), {"file": SimpleUploadedFile("bg.yaml", own.encode())}
    )
    assert (
        response.status_code == 302 and CriteriaSet.objects.filter(code="xa-thu-nghiem-bg").exists()
    )
    # Overwriting the national set is refused.
    national = text.replace("code: xa-thu-nghiem", 'code: xa-thu-nghiem\n  province: "24"')
    response = client.post(
        reverse("catalog:upload"), {"file": SimpleUploadedFile("n.yaml", national.encode())}
    )
    assert (
        response.status_code == 200
        and CriteriaSet.objects.get(code="xa-thu-nghiem").province is None
    )
    client.force_login(User.objects.get(username="xa"))
    assert client.get(reverse("catalog:upload")).status_code == 403


def test_catalog_pages_flag_unverified_thresholds(client, demo, small_set):
    client.force_login(User.objects.get(username="xem"))
    text = client.get(reverse("catalog:set", args=[small_set.code])).text
    assert "badge unverified" in text
