from decimal import Decimal

import pytest

from ntm.accounts.models import User
from ntm.evaluation.actions import value_record
from ntm.evaluation.models import SetResult
from ntm.observations.models import DataValue, ValueStatus
from ntm.observations.services import (
    DataError,
    evidence_add,
    period_lock,
    value_approve,
    value_reopen,
    value_submit,
)


@pytest.fixture
def xa(demo):
    return User.objects.get(username="xa")


def _set(user, unit, small_set, code, value, period="2024Q1"):
    return value_record(
        user=user, unit=unit, criteria_set=small_set, code=code, period=period, value=value
    )


def test_a_saved_value_refreshes_the_units_result_at_once(xa, demo, small_set):
    duong_duc = demo["07408"]
    _set(xa, duong_duc, small_set, "1.1", "85,5%")
    _set(xa, duong_duc, small_set, "1.2", "đạt")
    result = SetResult.objects.get(unit=duong_duc, criteria_set=small_set, period="2024Q1")
    assert (result.met, result.total) == (1, 3)
    first = result.explanation["criteria"][0]["indicators"][0]
    assert first["value"] == "85.50" and first["threshold"] == "80" and first["status"] == "met"
    _set(xa, duong_duc, small_set, "1.1", "70")
    result = SetResult.objects.get(unit=duong_duc, criteria_set=small_set, period="2024Q1")
    assert result.met == 0 and result.explanation["criteria"][0]["indicators"][0]["gap"] == "10.00"
    assert result.criteria_status == "1n 2d 3d"


def test_formula_indicator_is_computed_from_data_elements_with_regional_threshold(
    xa, demo, small_set
):
    duong_duc = demo["07408"]  # Bắc Giang: TDMNPB, threshold 6
    _set(xa, duong_duc, small_set, "households", "1200")
    _set(xa, duong_duc, small_set, "poor_households", "60")
    detail = SetResult.objects.get(unit=duong_duc, period="2024Q1").explanation
    poverty = detail["criteria"][1]["indicators"][0]
    assert poverty["value"] == "5.00" and poverty["value_source"] == "computed"
    assert poverty["threshold"] == "6" and poverty["rule"] == "region:TDMNPB"
    assert poverty["status"] == "met" and poverty["verified"] is False


def test_values_carry_forward_to_later_periods(xa, demo, small_set):
    duong_duc = demo["07408"]
    _set(xa, duong_duc, small_set, "1.1", "85", period="2024Q1")
    _set(xa, duong_duc, small_set, "3", "không đạt", period="2024Q1")
    _set(xa, duong_duc, small_set, "3", "đạt", period="2024Q4")
    q1, q4 = SetResult.objects.filter(unit=duong_duc).order_by("period_end")
    assert (q1.period, q4.period) == ("2024Q1", "2024Q4")
    q4_irrigation = q4.explanation["criteria"][0]["indicators"][0]
    assert q4_irrigation["value"] == "85.00" and q4_irrigation["value_period"] == "2024Q1"
    assert (
        q1.explanation["criteria"][2]["status"] == "not_met"
        and q4.explanation["criteria"][2]["status"] == "met"
    )


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("1.1", "101", "between"),
        ("1.1", "abc", "not a number"),
        ("1.2", "maybe", "đạt"),
        ("households", "-3", "negative"),
        ("households", "2,5", "whole"),
        ("9.9", "1", "neither"),
    ],
)
def test_bad_values_are_refused_with_a_reason_and_nothing_changes(
    xa, demo, small_set, code, value, message
):
    from django.utils import translation

    with translation.override("en"), pytest.raises(DataError, match=message):
        _set(xa, demo["07408"], small_set, code, value)
    assert not DataValue.objects.exists() and not SetResult.objects.exists()


def test_bad_period_and_wrong_level_are_refused(xa, demo, small_set):
    with pytest.raises(DataError):
        _set(xa, demo["07408"], small_set, "1.1", "50", period="2024Q5")
    with pytest.raises(DataError):
        _set(xa, demo["07408"], small_set, "1.1", "50", period="2021")  # before the set
    admin = User.objects.get(username="admin")
    with pytest.raises(DataError):
        _set(admin, demo["07408.05"], small_set, "1.1", "50")  # a village, commune set


def test_foreign_units_are_refused(demo, small_set, other_commune):
    from django.http import Http404

    with pytest.raises(Http404):
        _set(User.objects.get(username="xa"), other_commune, small_set, "1.1", "50")
    assert not DataValue.objects.exists()


def test_viewers_and_front_cannot_write(demo, small_set):
    from django.core.exceptions import PermissionDenied

    for name in ("xem", "mttq"):
        with pytest.raises(PermissionDenied):
            _set(User.objects.get(username=name), demo["07408"], small_set, "1.1", "50")


def test_specialist_edits_only_the_criteria_of_their_fields(demo, small_set):
    congchuc = User.objects.get(username="congchuc")  # culture, education, health
    _set(congchuc, demo["07408"], small_set, "3", "đạt")  # criterion 3: culture
    _set(congchuc, demo["07408"], small_set, "households", "100")  # data elements: anyone
    with pytest.raises(DataError, match="field"):
        _set(congchuc, demo["07408"], small_set, "1.1", "90")  # agriculture


def test_approval_locks_and_reopening_needs_a_reason(xa, demo, small_set):
    value, _ = _set(xa, demo["07408"], small_set, "1.1", "85")
    value_submit(user=xa, value=value)
    value_approve(user=xa, value=value)
    assert value.status == ValueStatus.APPROVED
    with pytest.raises(DataError, match="approved"):
        _set(xa, demo["07408"], small_set, "1.1", "90")
    with pytest.raises(DataError):
        value_reopen(user=xa, value=value, reason=" ")
    value_reopen(user=xa, value=value, reason="Số liệu thống kê được điều chỉnh")
    _set(xa, demo["07408"], small_set, "1.1", "90")
    history = DataValue.history.filter(id=value.id).order_by("history_date")
    assert [h.text for h in history][:1] == ["85"] and history.last().text == "90"
    assert history.last().history_user == xa


def test_specialists_cannot_approve(demo, small_set, xa):
    from django.core.exceptions import PermissionDenied

    value, _ = _set(xa, demo["07408"], small_set, "1.1", "85")
    with pytest.raises(PermissionDenied):
        value_approve(user=User.objects.get(username="congchuc"), value=value)


def test_locked_period_refuses_changes_in_the_subtree(xa, demo, small_set):
    tinh = User.objects.get(username="tinh")
    period_lock(user=tinh, unit=demo["24"], period="2024", reason="Đã báo cáo tỉnh")
    with pytest.raises(DataError, match="locked"):
        _set(xa, demo["07408"], small_set, "1.1", "85", period="2024Q3")
    _set(xa, demo["07408"], small_set, "1.1", "85", period="2025Q1")


def test_unchanged_value_is_not_rewritten(xa, demo, small_set):
    value, changed = _set(xa, demo["07408"], small_set, "1.1", "85")
    again, changed_again = _set(xa, demo["07408"], small_set, "1.1", "85,00")
    assert changed and not changed_again and again.pk == value.pk
    assert value.history.count() == 1


def test_evidence_type_is_checked_by_name_and_content(xa, demo, small_set, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    value, _ = _set(xa, demo["07408"], small_set, "1.1", "85")
    evidence = evidence_add(user=xa, value=value, name="bien-ban.pdf", content=b"%PDF-1.4 test")
    assert evidence.size == 13 and len(evidence.sha256) == 64
    with pytest.raises(DataError):
        evidence_add(user=xa, value=value, name="virus.exe", content=b"MZ")
    with pytest.raises(DataError):
        evidence_add(user=xa, value=value, name="fake.pdf", content=b"<html>")
    assert value.evidence.count() == 1


def test_typed_decimal_values_are_checked_too(xa, demo, small_set):
    with pytest.raises(DataError):
        value_record(
            user=xa,
            unit=demo["07408"],
            criteria_set=small_set,
            code="1.1",
            period="2024",
            value=Decimal("150"),
        )
