"""The province allocation against brute force on small random cases."""

import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ntm.decisions.optimise import Candidate, allocate


@st.composite
def provinces(draw):
    """Up to 8 communes in groups A–C: some at the standard, some with no path, the rest with a
    cost of 0–60 million."""
    communes = []
    for n in range(draw(st.integers(0, 8))):
        met = draw(st.integers(10, 19))
        cost = draw(st.one_of(st.none(), st.integers(0, 60)))
        communes.append(
            Candidate(
                id=f"{n:05d}",
                met=met,
                target=19,
                cost=None if cost is None else Decimal(cost) * 10**6,
                group=draw(st.sampled_from("ABC")),
                at_risk=draw(st.booleans()),
            )
        )
    return communes


def _brute(communes, budget, goal, floors):
    """(score, cost) of every funded set that fits the budget and meets the floors."""
    fundable = [c for c in communes if c.met < c.target and c.cost is not None]
    for size in range(len(fundable) + 1):
        for subset in itertools.combinations(fundable, size):
            cost = sum((c.cost for c in subset), Decimal(0))
            if cost > budget:
                continue
            if any(sum(1 for c in subset if c.group == g) < n for g, n in floors.items()):
                continue
            score = sum(1 for c in subset if goal == "most_reach" or c.at_risk)
            yield score, cost


@settings(max_examples=80, deadline=None)
@given(
    communes=provinces(),
    budget=st.integers(0, 200),
    goal=st.sampled_from(["most_reach", "fewest_below"]),
    floors=st.dictionaries(st.sampled_from("ABC"), st.integers(0, 2), max_size=2),
)
def test_allocation_agrees_with_brute_force(communes, budget, goal, floors):
    money = Decimal(budget) * 10**6
    found = allocate(communes, money, goal=goal, floors=floors)
    options = list(_brute(communes, money, goal, floors))
    assert found.feasible == bool(options)
    already = sum(1 for c in communes if c.met >= c.target)
    assert found.already == already
    assert {c.id for c, _r in found.not_chosen} | {c.id for c in found.chosen} == {
        c.id for c in communes
    }
    if not options:
        assert found.chosen == ()
        return
    best = max(score for score, _cost in options)
    score = sum(1 for c in found.chosen if goal == "most_reach" or c.at_risk)
    assert score == best
    assert found.cost == min(cost for s, cost in options if s == best)
    assert found.cost == sum((c.cost for c in found.chosen), Decimal(0)) <= money
    assert found.reached == already + len(found.chosen)
    for group, floor in floors.items():
        assert sum(1 for c in found.chosen if c.group == group) >= floor
    left = money - found.cost
    for commune, reason in found.not_chosen:
        if reason == "budget":
            assert commune.cost > left
        elif reason == "goal":
            assert goal == "fewest_below" and not commune.at_risk


def _c(id_, cost, group="", met=17):
    return Candidate(id_, met, 19, None if cost is None else Decimal(cost), group)


def test_the_most_communes_not_the_dearest():
    found = allocate(
        [_c("a", 900), _c("b", 400), _c("c", 500), _c("d", None), _c("e", 0, met=19)],
        Decimal(1000),
    )
    assert [c.id for c in found.chosen] == ["b", "c"]
    assert (found.cost, found.reached, found.already) == (Decimal(900), 3, 1)
    assert dict((c.id, r) for c, r in found.not_chosen) == {
        "a": "budget",
        "d": "no_path",
        "e": "already",
    }


def test_a_floor_moves_money_to_its_group():
    communes = [_c("a", 300, "X"), _c("b", 300, "X"), _c("c", 300, "X"), _c("d", 500, "Y")]
    assert len(allocate(communes, Decimal(900)).chosen) == 3
    found = allocate(communes, Decimal(900), floors={"Y": 1})
    assert [c.id for c in found.chosen] == ["a", "d"]


def test_infeasible_floors_are_explained():
    communes = [_c("a", 300, "X"), _c("b", None, "X"), _c("c", 500, "Y"), _c("d", 700, "Y")]
    found = allocate(communes, Decimal(10_000), floors={"X": 2})
    assert not found.feasible
    assert found.short == (("X", 2, 1, Decimal(300)),)
    found = allocate(communes, Decimal(1000), floors={"X": 1, "Y": 2})
    assert not found.feasible and found.short == ()
    assert found.floors_cost == Decimal(1500)
    assert {r for _c, r in found.not_chosen} == {"floors", "no_path"}


def test_an_unknown_goal_is_refused():
    with pytest.raises(ValueError):
        allocate([], Decimal(0), goal="cheapest")
