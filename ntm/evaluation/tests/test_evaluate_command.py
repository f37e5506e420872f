import io
import json

import pytest
from django.core.management import CommandError, call_command

from ntm.accounts.models import User
from ntm.catalog.models import CriteriaSet
from ntm.evaluation.actions import value_record
from ntm.evaluation.models import SetResult


@pytest.fixture
def values(demo, small_set):
    """Dương Đức: irrigation met in 2024Q1, the radio station only from 2024Q3."""
    xa = User.objects.get(username="xa")
    for code, value, period in [
        ("1.1", "85,5", "2024Q1"),
        ("1.2", "đạt", "2024Q1"),
        ("households", "1200", "2024Q1"),
        ("poor_households", "90", "2024Q1"),  # 7.5 %: above the 6 % of TDMNPB
        ("3", "không đạt", "2024Q1"),
        ("3", "đạt", "2024Q3"),
    ]:
        value_record(
            user=xa,
            unit=demo["07408"],
            criteria_set=small_set,
            code=code,
            period=period,
            value=value,
        )
    return demo["07408"]


def _run(*args: str, **options: object) -> str:
    out = io.StringIO()
    call_command("evaluate", *args, stdout=out, **options)
    return out.getvalue()


def test_json_for_one_unit_set_and_period_is_one_object_with_the_documented_fields(values):
    data = json.loads(
        _run("--unit", "07408", "--set", "xa-thu-nghiem", "--period", "2024Q3", "--format", "json")
    )
    assert {
        "unit",
        "set",
        "period",
        "as_of_period",
        "met",
        "total",
        "status",
        "prerequisite_met",
        "unverified",
        "criteria",
    } <= set(data)
    assert (data["unit"], data["set"], data["period"]) == ("07408", "xa-thu-nghiem", "2024Q3")
    assert data["as_of_period"] == "2024Q3"
    assert (data["met"], data["total"], data["status"]) == (2, 3, "not_met")
    assert data["prerequisite_met"] is None and data["unverified"] is True
    assert [c["number"] for c in data["criteria"]] == [1, 2, 3]
    assert [c["status"] for c in data["criteria"]] == ["met", "not_met", "met"]
    irrigation = data["criteria"][0]["indicators"][0]
    assert {
        "code",
        "value",
        "threshold",
        "status",
        "gap",
        "rule",
        "verified",
        "value_period",
    } <= set(irrigation)
    # Numbers are the strings stored, with their Decimal precision.
    assert (irrigation["value"], irrigation["threshold"], irrigation["gap"]) == ("85.50", "80", "0")
    assert irrigation["value_period"] == "2024Q1" and irrigation["verified"] is True
    poverty = data["criteria"][1]["indicators"][0]
    assert poverty["value"] == "7.50" and poverty["gap"] == "1.50"
    assert poverty["rule"] == "region:TDMNPB" and poverty["status"] == "not_met"


def test_a_period_without_its_own_row_is_answered_by_the_latest_before_it(values):
    data = json.loads(
        _run("--unit", "07408", "--set", "xa-thu-nghiem", "--period", "2025Q1", "--format", "json")
    )
    assert (data["period"], data["as_of_period"]) == ("2025Q1", "2024Q3")
    assert (data["met"], data["total"]) == (2, 3)
    early = json.loads(
        _run("--unit", "07408", "--set", "xa-thu-nghiem", "--period", "2024Q2", "--format", "json")
    )
    assert early["as_of_period"] == "2024Q1" and early["met"] == 1


def test_json_lines_without_a_period_give_one_object_per_stored_period(values):
    lines = _run("--unit", "07408", "--set", "xa-thu-nghiem", "--format", "json").splitlines()
    objects = [json.loads(line) for line in lines]
    assert [(o["period"], o["met"]) for o in objects] == [("2024Q1", 1), ("2024Q3", 2)]
    assert all(o["as_of_period"] == o["period"] for o in objects)


def test_text_prints_a_line_per_unit_set_and_period_then_the_count(values):
    lines = _run("--unit", "07408").splitlines()
    assert lines[0].startswith("07408 xa-thu-nghiem 2024Q1: 1/3")
    assert lines[1].startswith("07408 xa-thu-nghiem 2024Q3: 2/3")
    # The saves already refreshed the results: nothing changed, nothing is rewritten.
    assert lines[-1] == "1 units, 1 sets: 2 results stored (0 written, 0 removed)."
    with_period = _run("--unit", "07408", "--period", "2024Q4").splitlines()
    assert (
        with_period[0].startswith("07408 xa-thu-nghiem 2024Q4: 2/3") and "2024Q3" in with_period[0]
    )


def test_without_a_unit_every_unit_with_values_is_re_evaluated(values, small_set):
    SetResult.objects.all().delete()
    output = _run()
    assert SetResult.objects.filter(unit=values, criteria_set=small_set).count() == 2
    assert all(len(r.criteria_status.split()) == 3 for r in SetResult.objects.all())
    assert output.splitlines()[-1] == "1 units, 1 sets: 2 results stored (2 written, 0 removed)."


def test_a_stale_result_of_a_unit_without_values_is_cleared(values, small_set, demo):
    stale = SetResult.objects.get(period="2024Q1")
    stale.pk, stale.unit = None, demo["07408.05"]
    stale.save()
    _run("--set", "xa-thu-nghiem", verbosity=0)
    assert not SetResult.objects.filter(unit=demo["07408.05"]).exists()
    assert SetResult.objects.filter(unit=values).count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "99999"], "99999"),
        (["--set", "khong-co"], "khong-co"),
        (["--period", "2024Q5"], "2024Q5"),
        (
            ["--unit", "07408", "--set", "xa-thu-nghiem", "--period", "2026", "--format", "json"],
            "2026",
        ),
        (
            ["--unit", "07408", "--set", "xa-thu-nghiem", "--period", "2023", "--format", "json"],
            "2023",
        ),
        (["--format", "xml"], "xml"),
    ],
)
def test_bad_arguments_stop_with_a_message_not_a_traceback(values, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_a_localisation_code_names_the_national_set(values, small_set, demo):
    CriteriaSet.objects.create(
        code="xa-thu-nghiem-bac-giang",
        name_vi="Bộ tiêu chí thử nghiệm tỉnh Bắc Giang",
        level="commune",
        localises=small_set,
        province=demo["24"],
    )
    with pytest.raises(CommandError, match="--set xa-thu-nghiem"):
        _run("--set", "xa-thu-nghiem-bac-giang")
