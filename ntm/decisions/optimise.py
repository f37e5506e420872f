"""The cheapest path to a commune's target, as an exact integer program. Pure Python and HiGHS:
no Django, like the engine (a test checks it).

A gap is one way to close one open indicator at a cost. An indicator is closed when one of its
gaps that closes it is chosen; a criterion is met when every one of its open indicators is
closed. Two questions:

* ``target`` — reach this many met criteria (counting those already met), or meet these
  criteria, at least cost;
* ``budget`` — meet as many criteria as the money allows (at least cost among the best), with
  the criteria of ``target`` (when a collection) required.

HiGHS (``highspy``) solves the binary program by branch and bound with the gap tolerances set
to zero, so the answer is optimal, not merely good; costs are whole VND, far below the 2**53
where doubles stop counting exactly, and the chosen cost is summed again in ``Decimal``.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import highspy
import numpy as np

_banner_shown = False


def _highs() -> highspy.Highs:
    """A silent solver. HiGHS prints a banner on the process's standard output the first time
    one is built, before any option can silence it: a command printing JSON must not begin
    with it, so the first construction writes to /dev/null."""
    global _banner_shown
    if _banner_shown:
        return highspy.Highs()
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as sink:
            os.dup2(sink.fileno(), 1)
            solver = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _banner_shown = True
    return solver


@dataclass(frozen=True)
class Gap:
    """One way to close an open indicator: ``cost`` in VND; ``closes`` False when the money
    would not close the indicator on its own (it can then never complete its criterion)."""

    code: str
    criterion: int
    cost: Decimal
    closes: bool = True


@dataclass(frozen=True)
class Path:
    feasible: bool
    chosen: tuple[Gap, ...]  # in criterion, then code order
    completed: tuple[int, ...]  # criteria the chosen gaps complete
    cost: Decimal
    met_before: int
    met_after: int
    # Criteria that no choice can complete: an open indicator with no gap that closes it.
    unreachable: tuple[int, ...]
    # Gaps cheaper than the dearest chosen one that were left out: closing them alone
    # completes no criterion.
    cheaper_unused: tuple[Gap, ...]


def _open_criteria(gaps: Sequence[Gap]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for gap in gaps:
        found[gap.criterion].add(gap.code)
    return found


def cheapest_path(
    gaps: Iterable[Gap],
    target: int | Collection[int] | None,
    budget: Decimal | None = None,
    *,
    met: int = 0,
    required: Collection[int] = (),
) -> Path:
    """``gaps``: every open indicator of the not-met criteria, at least once (a gap without a
    cost estimate appears with ``closes=False``); ``met``: criteria already met. ``target``: a
    count of met criteria to reach, or criterion numbers to meet (None with a budget: as many
    as it allows; with a budget a count is not used); ``required``: criteria every answer must meet besides (the key criteria of
    the revocation rule, say)."""
    gaps = sorted(gaps, key=lambda g: (g.criterion, g.code, g.cost, not g.closes))
    criteria = _open_criteria(gaps)
    closers: dict[tuple[int, str], list[int]] = defaultdict(list)
    for index, gap in enumerate(gaps):
        if gap.closes:
            closers[(gap.criterion, gap.code)].append(index)
    numbers = sorted(criteria)
    unreachable = tuple(n for n in numbers if any(not closers[(n, code)] for code in criteria[n]))
    required = set(required) | (set() if target is None or isinstance(target, int) else set(target))
    count = target if isinstance(target, int) else None

    def infeasible() -> Path:
        return Path(False, (), (), Decimal(0), met, met, unreachable, ())

    if required - set(numbers) or required & set(unreachable):
        return infeasible()
    if count is not None and count > met + len(numbers) - len(unreachable) and budget is None:
        return infeasible()

    model = _Model(gaps, numbers, criteria, closers)
    for n in required:
        model.require(n)
    if budget is not None:
        model.within(budget)
        best = model.solve(maximise_criteria=True)
        if best is None:
            return infeasible()
        model.at_least(sum(1 for n in numbers if n in best[1]))
    elif count is not None:
        model.at_least(count - met)
    solution = model.solve(maximise_criteria=False)
    if solution is None:
        return infeasible()
    chosen_ids, completed = solution
    chosen = tuple(gaps[i] for i in sorted(chosen_ids))
    dearest = max((g.cost for g in chosen), default=Decimal(0))
    cheaper = tuple(
        g
        for i, g in enumerate(gaps)
        if i not in chosen_ids and g.closes and g.cost < dearest and g.criterion not in completed
    )
    return Path(
        True,
        chosen,
        tuple(sorted(completed)),
        sum((g.cost for g in chosen), Decimal(0)),
        met,
        met + len(completed),
        unreachable,
        cheaper,
    )


class _Model:
    """Binary variables: x per gap (chosen), y per criterion (completed). y ≤ Σ x over the
    gaps closing each of its open indicators; the objective is the cost or the count."""

    def __init__(
        self,
        gaps: list[Gap],
        numbers: list[int],
        criteria: dict[int, set[str]],
        closers: dict[tuple[int, str], list[int]],
    ):
        self.gaps = gaps
        self.numbers = numbers
        self.h = _highs()
        h = self.h
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 0.0)
        self.x = len(gaps)
        total = self.x + len(numbers)
        inf = highspy.kHighsInf
        h.addVars(total, np.zeros(total), np.ones(total))
        h.changeColsIntegrality(
            total,
            np.arange(total, dtype=np.int32),
            np.array([highspy.HighsVarType.kInteger] * total),
        )
        for j, n in enumerate(numbers):
            y = self.x + j
            for code in sorted(criteria[n]):
                ids = closers[(n, code)]
                # y - Σ x ≤ 0: completed only if the indicator is closed.
                self._row(-inf, 0.0, [y, *ids], [1.0] + [-1.0] * len(ids))
        self.inf = inf

    def _row(self, low: float, high: float, cols: list[int], coefs: list[float]) -> None:
        self.h.addRow(
            low, high, len(cols), np.array(cols, dtype=np.int32), np.array(coefs, dtype=float)
        )

    def require(self, number: int) -> None:
        y = self.x + self.numbers.index(number)
        self._row(1.0, 1.0, [y], [1.0])

    def within(self, budget: Decimal) -> None:
        self._row(-self.inf, float(budget), list(range(self.x)), [float(g.cost) for g in self.gaps])

    def at_least(self, count: int) -> None:
        ys = [self.x + j for j in range(len(self.numbers))]
        self._row(float(count), self.inf, ys, [1.0] * len(ys))

    def solve(self, *, maximise_criteria: bool) -> tuple[set[int], set[int]] | None:
        h = self.h
        total = self.x + len(self.numbers)
        if maximise_criteria:
            costs = [0.0] * self.x + [-1.0] * len(self.numbers)
        else:
            costs = [float(g.cost) for g in self.gaps] + [0.0] * len(self.numbers)
        h.changeColsCost(total, np.arange(total, dtype=np.int32), np.array(costs))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        values = h.getSolution().col_value
        chosen = {i for i in range(self.x) if values[i] > 0.5}
        completed = {n for j, n in enumerate(self.numbers) if values[self.x + j] > 0.5}
        if not maximise_criteria:
            # A criterion whose indicators the chosen gaps close is complete, whether or not
            # the solver bothered to set its y (it costs nothing either way).
            completed = self._completed_by(chosen)
            # Gaps that complete nothing cost money for no criterion: an optimum has none,
            # but a zero-cost one may linger.
            chosen = {i for i in chosen if self.gaps[i].criterion in completed}
        return chosen, completed

    def _completed_by(self, chosen: set[int]) -> set[int]:
        closed = {
            (self.gaps[i].criterion, self.gaps[i].code) for i in chosen if self.gaps[i].closes
        }
        needs: dict[int, set[str]] = defaultdict(set)
        for g in self.gaps:
            needs[g.criterion].add(g.code)
        return {n for n in self.numbers if all((n, code) in closed for code in needs[n])}


# --- a province's budget across its communes ----------------------------------------------------

GOALS = ("most_reach", "fewest_below")


@dataclass(frozen=True)
class Candidate:
    """One commune for a province's allocation: ``met`` criteria now, ``target`` to reach the
    standard, ``cost`` of its cheapest path there (None: no known cost reaches it); ``group`` for
    floors (a district, say); ``at_risk``: below the revocation rule unless funded (the goal
    ``fewest_below`` counts only these)."""

    id: str
    met: int
    target: int
    cost: Decimal | None
    group: str = ""
    at_risk: bool = False


@dataclass(frozen=True)
class Allocation:
    feasible: bool
    chosen: tuple[Candidate, ...]  # in id order
    cost: Decimal
    reached: int  # communes at the standard once the chosen are funded, those already there too
    already: int  # communes at the standard without money
    # Every commune not chosen with its reason: "already" (at the standard), "no_path" (no known
    # cost reaches it), "budget" (dearer than the money left), "goal" (affordable, but funding
    # it would not serve the goal: not at risk), "floors" (nothing is chosen: the floors cannot
    # be met).
    not_chosen: tuple[tuple[Candidate, str], ...]
    # When infeasible: per group, (floor, communes fundable, least cost of the floor), for the
    # groups whose floor cannot be met; and the least cost of all floors together.
    short: tuple[tuple[str, int, int, Decimal], ...] = ()
    floors_cost: Decimal = Decimal(0)


def allocate(
    communes: Iterable[Candidate],
    budget: Decimal,
    *,
    goal: str = "most_reach",
    floors: dict[str, int] | None = None,
) -> Allocation:
    """Choose communes to fund within ``budget`` so that the most reach the standard
    (``most_reach``) or the most at risk of revocation are funded (``fewest_below``), at least
    cost among the best, with at least ``floors[group]`` communes funded in each group.

    A binary knapsack solved exactly by HiGHS: x per fundable commune, Σ cost·x ≤ budget,
    Σ over a group x ≥ floor; first the best count, then the least cost with that count. Groups
    are disjoint, so the floors alone cost the sum of each group's cheapest ``floor``
    communes: a floor is infeasible exactly when its group has too few fundable communes or that
    sum exceeds the budget, and the answer says which."""
    if goal not in GOALS:
        raise ValueError(f"goal must be one of {GOALS}, not {goal!r}")
    floors = {g: n for g, n in (floors or {}).items() if n > 0}
    communes = sorted(communes, key=lambda c: c.id)
    done = [c for c in communes if c.met >= c.target]
    fundable = [c for c in communes if c.met < c.target and c.cost is not None]
    unreachable = [c for c in communes if c.met < c.target and c.cost is None]

    short = []
    floors_cost = Decimal(0)
    for group, floor in sorted(floors.items()):
        costs = sorted(c.cost for c in fundable if c.group == group and c.cost is not None)
        least = sum(costs[:floor], Decimal(0))
        floors_cost += least
        if len(costs) < floor:
            short.append((group, floor, len(costs), least))
    if short or floors_cost > budget:
        reasons = [(c, "already") for c in done] + [(c, "no_path") for c in unreachable]
        reasons += [(c, "floors") for c in fundable]
        return Allocation(
            False,
            (),
            Decimal(0),
            len(done),
            len(done),
            tuple(sorted(reasons, key=lambda r: r[0].id)),
            tuple(short),
            floors_cost,
        )

    weights = [1.0 if goal == "most_reach" or c.at_risk else 0.0 for c in fundable]
    picked = _knapsack(fundable, weights, budget, floors)
    chosen = tuple(fundable[i] for i in sorted(picked))
    cost = sum((c.cost or Decimal(0) for c in chosen), Decimal(0))
    left = budget - cost
    reasons = [(c, "already") for c in done] + [(c, "no_path") for c in unreachable]
    for i, c in enumerate(fundable):
        if i not in picked:
            reasons.append((c, "budget" if (c.cost or Decimal(0)) > left else "goal"))
    return Allocation(
        True,
        chosen,
        cost,
        len(done) + len(chosen),
        len(done),
        tuple(sorted(reasons, key=lambda r: r[0].id)),
    )


def _knapsack(
    items: list[Candidate], weights: list[float], budget: Decimal, floors: dict[str, int]
) -> set[int]:
    if not items:
        return set()
    n = len(items)
    h = _highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.0)
    inf = highspy.kHighsInf
    cols = np.arange(n, dtype=np.int32)
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsIntegrality(n, cols, np.array([highspy.HighsVarType.kInteger] * n))
    costs = np.array([float(c.cost or 0) for c in items])

    def row(low: float, high: float, ids: list[int], coefs: np.ndarray) -> None:
        h.addRow(low, high, len(ids), np.array(ids, dtype=np.int32), coefs)

    row(-inf, float(budget), list(range(n)), costs)
    for group, floor in floors.items():
        ids = [i for i, c in enumerate(items) if c.group == group]
        row(float(floor), inf, ids, np.ones(len(ids)))

    def run(objective: np.ndarray) -> set[int]:
        h.changeColsCost(n, cols, objective)
        h.run()
        # The floors were checked feasible above, and x = 0 with them met is a solution.
        assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        values = h.getSolution().col_value
        return {i for i in range(n) if values[i] > 0.5}

    first = run(-np.array(weights))
    best = sum(weights[i] for i in first)
    row(best - 0.5, inf, list(range(n)), np.array(weights))
    return run(costs)
