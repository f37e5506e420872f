"""plan_cheapest on stored results and costs; projections from the stored history."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from ntm.decisions.selectors import projected_count, projections
from ntm.decisions.services import gap_cost_set
from ntm.evaluation.actions import value_record
from ntm.evaluation.models import SetResult


@pytest.fixture
def costed(commune, recorded, users):
    for code, cost in [("1.2", 1), ("2", 300_000_000), ("3", 900_000_000)]:
        gap_cost_set(
            user=users["xa"], unit=commune, criteria_set=recorded, indicator_code=code, cost=cost
        )
    return recorded


def _run(*args):
    out = StringIO()
    call_command("plan_cheapest", *args, stdout=out)
    return out.getvalue()


def test_plan_cheapest_prints_the_path_as_json(costed):
    found = json.loads(
        _run("--unit", "07408", "--set", costed.code, "--target", "2", "--format", "json")
    )
    assert found["period"] == "2024Q2"
    assert (found["met_before"], found["met_after"], found["total"]) == (1, 2, 3)
    assert found["chosen"] == [{"code": "2", "criterion": 2, "cost": "300000000"}]
    assert found["explanation"].startswith("đóng 2: 300 triệu đồng")


def test_plan_cheapest_on_an_earlier_period_and_a_budget(costed):
    # In 2024Q1 criterion 1 is open too (1.1 at 70, no cost): it cannot be completed.
    found = json.loads(
        _run(
            "--unit",
            "07408",
            "--set",
            costed.code,
            "--budget",
            "1.200.000.000",
            "--period",
            "2024Q1",
            "--format",
            "json",
        )
    )
    assert found["unreachable"] == [1]
    assert found["completed"] == [2, 3]
    assert found["cost"] == "1200000000"


def test_plan_cheapest_explains_an_unreachable_target(costed):
    text = _run("--unit", "07408", "--set", costed.code, "--target", "3", "--period", "2024Q1")
    assert "Không thể đạt mục tiêu" in text and "1" in text
    with pytest.raises(CommandError):
        _run("--unit", "07408", "--set", costed.code, "--target", "9")
    with pytest.raises(CommandError):
        _run("--unit", "99999", "--set", costed.code, "--target", "2")


def test_unfinished_works_give_a_cost_when_none_is_entered(commune, recorded, work_feeding):
    work_feeding(commune, "Đài truyền thanh xã", 450_000_000)
    found = json.loads(
        _run("--unit", "07408", "--set", recorded.code, "--criteria", "3", "--format", "json")
    )
    assert found["cost"] == "450000000"


def test_projections_follow_the_pace_of_the_stored_history(commune, recorded, users):

    value_record(
        user=users["admin"],
        unit=commune,
        criteria_set=recorded,
        code="1.1",
        period="2024Q2",
        value="74",
    )
    value_record(
        user=users["admin"],
        unit=commune,
        criteria_set=recorded,
        code="1.1",
        period="2024Q3",
        value="78",
    )
    found = {p.code: p for p in projections(unit=commune, family=recorded, deadline_year=2024)}
    one = found["1.1"]
    assert [v for _p, v in one.points] == [70, 74, 78]
    assert one.slope == 4
    assert one.reaches == "2024Q4" and not one.deadline_missed
    # Poverty stays at 10% with the same households: no pace, never reached.
    assert "2" not in found or found["2"].reaches is None


def test_the_cheapest_path_page_shows_projections_as_projections(
    persona, client, commune, recorded, users
):

    for period, value in [("2024Q2", "71"), ("2024Q3", "72")]:
        value_record(
            user=users["admin"],
            unit=commune,
            criteria_set=recorded,
            code="1.1",
            period=period,
            value=value,
        )
    persona("xa")
    text = client.get(reverse("decisions:cheapest", args=[commune.pk, recorded.code])).content
    text = text.decode()
    # One point a quarter from 72 in 2024Q3: 80 in 2026Q3, after the end of 2024.
    assert "Theo nhịp độ hiện nay, cuối năm 2024 đạt 0/3 tiêu chí" in text
    assert "2026Q3" in text and "sau cuối năm 2024" in text and "(dự báo)" in text


def test_key_criteria_come_first_when_asked(commune, recorded, users):
    """Poverty (2) is a key criterion of the test set: dearer than the radio (3), but kept."""
    for code, cost in [("2", 300_000_000), ("3", 100_000_000)]:
        gap_cost_set(
            user=users["xa"], unit=commune, criteria_set=recorded, indicator_code=code, cost=cost
        )
    plain = json.loads(
        _run("--unit", "07408", "--set", recorded.code, "--target", "2", "--format", "json")
    )
    keys = json.loads(
        _run(
            "--unit",
            "07408",
            "--set",
            recorded.code,
            "--target",
            "2",
            "--key-criteria",
            "--format",
            "json",
        )
    )
    assert (plain["completed"], keys["completed"]) == ([3], [2])
    short = _run(
        "--unit", "07408", "--set", recorded.code, "--budget", "200000000", "--key-criteria"
    )
    assert "Ngân sách không đủ" in short


def test_the_projected_count_at_year_end(commune, recorded, users):
    """1.1 climbs 4 points a quarter from 70 (Q1) to 78 (Q3): 82 in Q4, criterion 1 is met by
    the end of 2024 at this pace; poverty and the radio have no pace: 1/3."""
    for period, value in [("2024Q2", "74"), ("2024Q3", "78")]:
        value_record(
            user=users["admin"],
            unit=commune,
            criteria_set=recorded,
            code="1.1",
            period=period,
            value=value,
        )
    result = SetResult.objects.get(unit=commune, criteria_set=recorded, period="2024Q3")
    found = projections(unit=commune, family=recorded, deadline_year=2024)
    assert result.met == 0
    assert projected_count(result=result, found=found, year=2024) == 1
    assert projected_count(result=result, found=found, year=2023) == 0


def test_a_criterion_met_already_needs_nothing_and_an_unknown_one_is_refused(costed):
    found = json.loads(
        _run("--unit", "07408", "--set", costed.code, "--criteria", "1", "--format", "json")
    )
    assert (found["feasible"], found["chosen"], found["cost"]) == (True, [], "0")
    assert "Không cần đóng" in found["explanation"]
    with pytest.raises(CommandError, match="không có tiêu chí 7"):
        _run("--unit", "07408", "--set", costed.code, "--criteria", "1,7")
