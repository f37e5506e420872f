"""Scenarios are judged by the engine on real values with theirs laid over, and never stored."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from ntm.decisions.errors import DecisionError
from ntm.decisions.models import Scenario
from ntm.decisions.services import (
    parse_lines,
    scenario_create,
    scenario_evaluate,
    scenario_from_targets,
    scenario_from_works,
    scenario_values_set,
)
from ntm.evaluation.models import SetResult
from ntm.evaluation.services import evaluate_with
from ntm.finance.models import Work, WorkKind
from ntm.observations.models import DataValue
from ntm.planning.models import TargetKind
from ntm.planning.services import plan_create, target_add


def _stored():
    return sorted(
        SetResult.stored.values_list("unit_id", "period", "basis", "met", "input_hash", "detail")
    )


def test_evaluating_without_an_overlay_gives_the_stored_result(commune, recorded):
    for period in ("2024Q1", "2024Q2"):
        stored = SetResult.objects.get(unit=commune, criteria_set=recorded, period=period)
        outcome = evaluate_with(unit=commune, family=recorded, period=period)
        assert (outcome.met, outcome.total) == (stored.met, stored.total)
    # A later period carries the Q2 values forward.
    assert evaluate_with(unit=commune, family=recorded, period="2024Q4").met == 1


def test_a_scenario_projects_the_count_and_never_touches_real_data(commune, recorded, users):
    before, values_before = _stored(), DataValue.objects.count()
    scenario = scenario_create(
        user=users["xa"],
        unit=commune,
        criteria_set=recorded,
        base_period="2024Q2",
        name="Đài truyền thanh",
        values={"3": "đạt"},
    )
    outcome = scenario_evaluate(scenario)
    assert (outcome.real_met, outcome.projected.met, outcome.projected.total) == (1, 2, 3)
    assert [r.number for r in outcome.changed] == [3]
    assert {(n, i.code) for n, i in outcome.gaps} == {(2, "2")}
    assert _stored() == before
    assert DataValue.objects.count() == values_before


def test_a_scenario_may_state_a_computed_indicator_directly(commune, recorded, users):
    """Poverty is computed from households; the scenario's own figure for it wins."""
    scenario = scenario_create(
        user=users["xa"],
        unit=commune,
        criteria_set=recorded,
        base_period="2024Q2",
        name="Giảm nghèo",
        values={"2": "5,5"},
    )
    row = next(r for r in scenario_evaluate(scenario).rows if r.number == 2)
    assert (row.real_status, row.status) == ("not_met", "met")
    assert row.indicators[0].overlaid and row.indicators[0].value == "5.50"


def test_a_data_element_in_a_scenario_moves_the_formula(commune, recorded, users):
    scenario = scenario_create(
        user=users["xa"],
        unit=commune,
        criteria_set=recorded,
        base_period="2024Q2",
        name="Hộ nghèo giảm",
        values={"poor_households": "4"},
    )
    row = next(r for r in scenario_evaluate(scenario).rows if r.number == 2)
    assert row.status == "met"
    assert row.indicators[0].overlaid


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"9.9": "1"}, "values"),
        ({"1.1": "120"}, "values"),
        ({"3": "có lẽ"}, "values"),
        ({}, "values"),
    ],
)
def test_bad_values_are_refused_with_the_field(commune, recorded, users, values, field):
    with pytest.raises(DecisionError) as refused:
        scenario_create(
            user=users["xa"],
            unit=commune,
            criteria_set=recorded,
            base_period="2024Q2",
            name="Sai",
            values=values,
        )
    assert refused.value.field == field
    assert not Scenario.objects.exists()


def test_bad_period_name_and_level_are_refused(commune, recorded, users, demo):
    def make(**kwargs):
        base = {
            "user": users["xa"],
            "unit": commune,
            "criteria_set": recorded,
            "base_period": "2024Q2",
            "name": "A",
            "values": {"3": "đạt"},
        }
        return scenario_create(**{**base, **kwargs})

    with pytest.raises(DecisionError, match="2024Q9"):
        make(base_period="2024Q9")
    with pytest.raises(DecisionError):
        make(name="  ")
    with pytest.raises(DecisionError):
        make(unit=demo["07408.05"])  # a village: the set is a commune's
    make()
    with pytest.raises(DecisionError):
        make()  # the same name twice


def test_only_plan_managers_in_scope_write_scenarios(commune, recorded, users, other_commune):
    with pytest.raises(PermissionDenied):
        scenario_create(
            user=users["congchuc"],
            unit=commune,
            criteria_set=recorded,
            base_period="2024Q2",
            name="A",
            values={"3": "đạt"},
        )
    with pytest.raises(Http404):
        scenario_create(
            user=users["xa"],
            unit=other_commune,
            criteria_set=recorded,
            base_period="2024Q2",
            name="A",
            values={"3": "đạt"},
        )


def test_values_are_replaced(commune, recorded, users):
    scenario = scenario_create(
        user=users["xa"],
        unit=commune,
        criteria_set=recorded,
        base_period="2024Q2",
        name="A",
        values={"3": "đạt"},
    )
    scenario_values_set(user=users["xa"], scenario=scenario, values={"1.1": "50"})
    assert dict(scenario.values.values_list("code", "text")) == {"1.1": "50"}
    assert scenario_evaluate(scenario).projected.met == 0


def test_typed_lines_are_read_and_bad_lines_named():
    assert parse_lines("8.4 = đạt\n\n17.1: 62,5\n") == {"8.4": "đạt", "17.1": "62,5"}
    with pytest.raises(DecisionError, match="2"):
        parse_lines("8.4 = đạt\nnonsense")


def test_a_scenario_from_the_plan_targets_reaches_them(commune, recorded, users):

    plan = plan_create(user=users["xa"], unit=commune, year=2024, title="Kế hoạch 2024")
    deadline = dt.date(2024, 12, 31)
    target_add(
        user=users["xa"],
        plan=plan,
        kind=TargetKind.CRITERION,
        criteria_set=recorded,
        criterion_number=3,
        title="Tiêu chí 3",
        deadline=deadline,
    )
    target_add(
        user=users["xa"],
        plan=plan,
        kind=TargetKind.INDICATOR,
        criteria_set=recorded,
        indicator_code="2",
        value=Decimal("3.5"),
        title="Nghèo 3,5%",
        deadline=deadline,
    )
    scenario = scenario_from_targets(user=users["xa"], plan=plan, criteria_set=recorded)
    assert scenario.base_period == "2024Q4"
    assert dict(scenario.values.values_list("code", "text")) == {"3": "đạt", "2": "3.5"}
    assert scenario_evaluate(scenario).projected.met == 3


def test_a_scenario_from_works_counts_those_in_progress_as_finished(commune, recorded, users):

    def work(name, status, quantity, finish=None):
        return Work.objects.create(
            unit=commune,
            year=2024,
            kind=WorkKind.IRRIGATION,
            name=name,
            status=status,
            feeds_set=recorded,
            feeds_code="1.1",
            quantity=Decimal(quantity),
            finish=finish,
        )

    work("Kênh A", Work.Status.DONE, "40", dt.date(2024, 3, 1))
    work("Kênh B", Work.Status.IN_PROGRESS, "45")
    work("Kênh C", Work.Status.PLANNED, "5")
    scenario = scenario_from_works(
        user=users["xa"], unit=commune, criteria_set=recorded, base_period="2024Q4"
    )
    assert dict(scenario.values.values_list("code", "text")) == {"1.1": "85"}
    assert scenario_evaluate(scenario).projected.met == 1
    Work.objects.filter(status=Work.Status.IN_PROGRESS).update(status=Work.Status.PLANNED)
    with pytest.raises(DecisionError):
        scenario_from_works(
            user=users["xa"], unit=commune, criteria_set=recorded, base_period="2024Q4", name="B"
        )
