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
