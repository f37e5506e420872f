"""The cheapest-path program against brute force on small random cases."""

import itertools
import subprocess
import sys
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ntm.decisions.optimise import Gap, cheapest_path


@st.composite
def cases(draw):
    """Up to 4 open criteria of 1–3 open indicators, each with 0–2 costed ways to close it."""
    gaps = []
    for number in range(1, draw(st.integers(1, 4)) + 1):
        for k in range(draw(st.integers(1, 3))):
            code = f"{number}.{k + 1}"
            ways = draw(st.integers(0, 2))
            if ways == 0:
                gaps.append(Gap(code, number, Decimal(0), closes=False))
            for _ in range(ways):
                gaps.append(Gap(code, number, Decimal(draw(st.integers(0, 50))) * 10**6))
    return gaps


def _brute(gaps, met):
    """Every subset of gaps: (criteria completed, cost) of each."""
    needs = {}
    for g in gaps:
        needs.setdefault(g.criterion, set()).add(g.code)
    for size in range(len(gaps) + 1):
        for subset in itertools.combinations(gaps, size):
            closed = {(g.criterion, g.code) for g in subset if g.closes}
            done = {n for n, codes in needs.items() if all((n, c) in closed for c in codes)}
            yield done, sum((g.cost for g in subset), Decimal(0))


def _check_consistent(path, gaps):
    needs = {}
    for g in gaps:
        needs.setdefault(g.criterion, set()).add(g.code)
    closed = {(g.criterion, g.code) for g in path.chosen if g.closes}
    done = {n for n, codes in needs.items() if all((n, c) in closed for c in codes)}
    assert set(path.completed) == done
    assert path.cost == sum((g.cost for g in path.chosen), Decimal(0))
    assert path.met_after == path.met_before + len(done)


@settings(max_examples=60, deadline=None)
@given(gaps=cases(), met=st.integers(0, 5), extra=st.integers(0, 5))
def test_cheapest_path_to_a_count_costs_what_brute_force_finds(gaps, met, extra):
    target = met + extra
    path = cheapest_path(gaps, target, met=met)
    options = [cost for done, cost in _brute(gaps, met) if met + len(done) >= target]
    assert path.feasible == bool(options)
    if options:
        assert path.cost == min(options)
        assert path.met_after >= target
        _check_consistent(path, gaps)


@settings(max_examples=60, deadline=None)
@given(gaps=cases(), budget=st.integers(0, 200))
def test_most_criteria_within_a_budget_agrees_with_brute_force(gaps, budget):
    money = Decimal(budget) * 10**6
    path = cheapest_path(gaps, None, money, met=2)
    options = [(len(done), cost) for done, cost in _brute(gaps, 2) if cost <= money]
    best = max(n for n, _cost in options)
    assert path.feasible
    assert len(path.completed) == best
    assert path.cost == min(cost for n, cost in options if n == best)
    assert path.cost <= money
    _check_consistent(path, gaps)


@settings(max_examples=40, deadline=None)
@given(gaps=cases(), data=st.data())
def test_named_criteria_are_met_at_least_cost(gaps, data):
    numbers = sorted({g.criterion for g in gaps})
    wanted = data.draw(st.sets(st.sampled_from(numbers), min_size=1))
    path = cheapest_path(gaps, wanted, met=0)
    options = [cost for done, cost in _brute(gaps, 0) if wanted <= done]
    assert path.feasible == bool(options)
    if options:
        assert path.cost == min(options)
        assert wanted <= set(path.completed)


def test_a_cheaper_gap_that_completes_nothing_is_named():
    gaps = [
        Gap("8.2", 8, Decimal(700_000_000)),
        Gap("17.3", 17, Decimal(500_000_000)),
        Gap("15.1", 15, Decimal(100_000_000)),
        Gap("15.2", 15, Decimal(900_000_000)),
    ]
    path = cheapest_path(gaps, 14, met=12)
    assert [g.code for g in path.chosen] == ["8.2", "17.3"]
    assert path.cost == Decimal(1_200_000_000)
    assert [g.code for g in path.cheaper_unused] == ["15.1"]


def test_an_indicator_without_a_cost_makes_its_criterion_unreachable():
    gaps = [Gap("10", 10, Decimal(0), closes=False), Gap("8.4", 8, Decimal(5))]
    path = cheapest_path(gaps, 14, met=12)
    assert not path.feasible
    assert path.unreachable == (10,)
    assert not cheapest_path(gaps, [10], met=12).feasible
    assert cheapest_path(gaps, 13, met=12).completed == (8,)


def test_the_optimiser_does_not_import_django():
    code = (
        "import sys, ntm.decisions.optimise, ntm.decisions.trend; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@settings(max_examples=40, deadline=None)
@given(gaps=cases(), extra=st.integers(0, 4), data=st.data())
def test_a_count_with_required_criteria_agrees_with_brute_force(gaps, extra, data):
    numbers = sorted({g.criterion for g in gaps})
    required = data.draw(st.sets(st.sampled_from(numbers), max_size=2))
    path = cheapest_path(gaps, 1 + extra, met=1, required=required)
    options = [
        cost for done, cost in _brute(gaps, 1) if 1 + len(done) >= 1 + extra and required <= done
    ]
    assert path.feasible == bool(options)
    if options:
        assert path.cost == min(options)
        assert required <= set(path.completed)


def test_the_solver_prints_nothing_on_standard_output():
    """HiGHS prints a banner when the first solver is built; a command printing JSON would
    begin with it."""
    code = (
        "from decimal import Decimal; from ntm.decisions.optimise import Gap, cheapest_path; "
        "cheapest_path([Gap('8.4', 8, Decimal(5))], 1); "
        "cheapest_path([Gap('8.4', 8, Decimal(5))], 1); print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "ok\n"
