"""The reads of decision support cost a fixed number of queries, whatever the data's size."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ntm.decisions.selectors import open_gaps, projections
from ntm.decisions.services import gap_cost_set, scenario_create, scenario_evaluate


def _count(call):
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_judging_a_scenario_costs_the_same_with_more_values(
    commune, recorded, users, django_assert_num_queries
):
    small = scenario_create(
        user=users["xa"],
        unit=commune,
        criteria_set=recorded,
        base_period="2024Q2",
        name="Một giá trị",
        values={"3": "đạt"},
    )
    large = scenario_create(
        user=users["xa"],
        unit=commune,
        criteria_set=recorded,
        base_period="2024Q2",
        name="Bốn giá trị",
        values={"3": "đạt", "1.1": "90", "poor_households": "2", "1.2": "đạt"},
    )
    fresh = type(small).objects.select_related("unit", "criteria_set")
    first, second = fresh.get(pk=small.pk), fresh.get(pk=large.pk)
    n = _count(lambda: scenario_evaluate(first))
    with django_assert_num_queries(n):
        scenario_evaluate(second)
    assert n <= 12


def test_open_gaps_and_projections_cost_a_fixed_number_of_queries(
    commune, recorded, users, django_assert_num_queries
):
    with django_assert_num_queries(3):  # result, entered costs, works' budget lines
        open_gaps(unit=commune, family=recorded)
    for code in ("1.1", "2", "3"):
        gap_cost_set(
            user=users["xa"], unit=commune, criteria_set=recorded, indicator_code=code, cost=1
        )
    with django_assert_num_queries(2):  # result, entered costs (every gap has one)
        open_gaps(unit=commune, family=recorded)
    with django_assert_num_queries(1):
        projections(unit=commune, family=recorded)
