"""Reads of decision support: saved scenarios, open gaps with their costs, the cheapest path
to a target and projections at the current pace. Nothing here writes."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from ntm.catalog.models import CriteriaSet
from ntm.decisions.errors import DecisionError
from ntm.decisions.models import GapCost, Scenario
from ntm.decisions.optimise import Allocation, Candidate, Gap, Path, allocate, cheapest_path
from ntm.decisions.trend import crossing, quarter_index, quarter_label, theil_sen
from ntm.engine import parse_period
from ntm.engine.model import Status
from ntm.engine.revocation import Risk
from ntm.evaluation.models import Basis, SetResult
from ntm.evaluation.selectors import result_as_of
from ntm.finance.models import BudgetLine, Work
from ntm.geo.models import AdminUnit, Level
from ntm.geo.selectors import today


def scenarios_of(unit: AdminUnit) -> list[Scenario]:
    return list(
        Scenario.objects.filter(unit=unit)
        .select_related("criteria_set", "created_by")
        .order_by("-created_at", "pk")
    )


def scenarios_for_switch(*, unit: AdminUnit, family: CriteriaSet | None) -> list[Scenario]:
    """The unit's scenarios of a national set (all of them without one), newest first: one
    query."""
    found = Scenario.objects.filter(unit=unit).select_related("criteria_set")
    if family is not None:
        found = found.filter(criteria_set=family)
    return list(found.order_by("-created_at", "pk"))


@dataclass(frozen=True)
class CostedGap:
    gap: Gap
    source: str  # "entered", "works" or "" (no estimate)
    status: str  # the indicator's status in the result


@dataclass(frozen=True)
class CheapestPlan:
    result: SetResult | None
    gaps: list[CostedGap]
    path: Path | None
    explanation: str


def works_costs(unit: AdminUnit, codes: set[str]) -> dict[str, Decimal]:
    """Per indicator, the money of the commune's unfinished works linked to it: the sum of
    their budget lines (one query)."""
    rows = (
        BudgetLine.objects.filter(
            work__unit__path__startswith=unit.path,
            work__indicator_code__in=codes,
            amount__isnull=False,
        )
        .exclude(work__status=Work.Status.DONE)
        .values("work__indicator_code")
        .annotate(total=Sum("amount"))
        .values_list("work__indicator_code", "total")
    )
    return {code: total for code, total in rows}


def open_gaps(
    *, unit: AdminUnit, family: CriteriaSet, period: str | None = None
) -> tuple[SetResult | None, list[CostedGap]]:
    """The open indicators of the criteria not met in the working result (latest, or as of the
    period), each with its cost: entered, else the unfinished works linked to it, else none
    (the gap cannot be closed by money the program knows of)."""
    result = result_as_of(
        unit=unit,
        family=family,
        period=parse_period(period) if period else None,
        basis=Basis.WORKING,
    )
    if result is None:
        return None, []
    codes = {i["code"] for _n, i in _open_indicators(result)}
    entered = dict(
        GapCost.objects.filter(
            unit=unit, criteria_set=family, indicator_code__in=codes
        ).values_list("indicator_code", "cost")
    )
    from_works = works_costs(unit, codes - set(entered))
    return result, _costed(result, entered, from_works)


def _open_indicators(result: SetResult) -> list[tuple[int, dict[str, Any]]]:
    return [
        (c["number"], i)
        for c in result.explanation["criteria"]
        if c["status"] != Status.MET
        for i in c["indicators"]
        if i["status"] != Status.MET
    ]


def _costed(
    result: SetResult, entered: dict[str, Decimal], from_works: dict[str, Decimal]
) -> list[CostedGap]:
    """The result's open indicators with their costs: entered, else the works', else none."""
    gaps = []
    for number, indicator in _open_indicators(result):
        code = indicator["code"]
        closable = indicator["status"] != Status.NO_THRESHOLD
        if code in entered:
            cost, source = entered[code], "entered"
        elif code in from_works:
            cost, source = from_works[code], "works"
        else:
            cost, source, closable = Decimal(0), "", False
        gaps.append(CostedGap(Gap(code, number, cost, closable), source, indicator["status"]))
    return gaps


def money(amount: Decimal) -> str:
    """VND as officials say it: "1,2 tỷ đồng", "350 triệu đồng", "45.000 đồng"."""
    if amount >= 10**9:
        figure = (amount / 10**9).quantize(Decimal("0.01")).normalize()
        return _("%(n)s billion dong") % {"n": format(figure, "f").replace(".", ",")}
    if amount >= 10**6:
        figure = (amount / 10**6).quantize(Decimal("0.1")).normalize()
        return _("%(n)s million dong") % {"n": format(figure, "f").replace(".", ",")}
    return _("%(n)s dong") % {"n": f"{int(amount):,}".replace(",", ".")}


def explain(path: Path, budget: Decimal | None = None) -> str:
    """The path in words: what to close and what it costs, and why a cheaper gap was left."""
    if not path.feasible:
        text = _("The target cannot be reached with the known costs.")
        if budget is not None:
            text += " " + _("The budget does not cover the criteria required.")
        if path.unreachable:
            text += " " + _("Criteria without a cost for every open indicator: %(list)s.") % {
                "list": ", ".join(str(n) for n in path.unreachable)
            }
        return text
    if not path.chosen:
        return _("Nothing to close: the target is already reached.")
    text = _("close %(codes)s: %(cost)s (%(before)s → %(after)s criteria met)") % {
        "codes": join_codes([g.code for g in path.chosen]),
        "cost": money(path.cost),
        "before": path.met_before,
        "after": path.met_after,
    }
    if path.cheaper_unused:
        codes = sorted({g.code for g in path.cheaper_unused})
        text += "; " + _("%(codes)s is cheaper but does not complete a criterion") % {
            "codes": join_codes(codes)
        }
    return text


def join_codes(codes: list[str]) -> str:
    if len(codes) <= 1:
        return "".join(codes)
    return _("%(first)s and %(last)s") % {"first": ", ".join(codes[:-1]), "last": codes[-1]}


def plan_cheapest(
    *,
    unit: AdminUnit,
    family: CriteriaSet,
    target: int | list[int] | None = None,
    budget: Decimal | None = None,
    period: str | None = None,
    key_criteria: bool = False,
) -> CheapestPlan:
    """The cheapest set of gaps to close for the target (a count of met criteria or criterion
    numbers), or the most criteria within the budget. ``key_criteria``: every answer meets the
    key criteria of the revocation rule that are not met yet. Reads only."""
    if target is None and budget is None:
        raise DecisionError(_("Give a target or a budget."), "target")
    result, gaps = open_gaps(unit=unit, family=family, period=period)
    if result is None:
        return CheapestPlan(None, [], None, _("No result yet for this set."))
    criteria = result.explanation["criteria"]
    if isinstance(target, list):
        unknown = set(target) - {c["number"] for c in criteria}
        if unknown:
            raise DecisionError(
                _("The set has no criterion %(list)s.")
                % {"list": ", ".join(str(n) for n in sorted(unknown))},
                "criteria",
            )
        # A criterion met already needs nothing.
        met = {c["number"] for c in criteria if c["status"] == Status.MET}
        target = [n for n in target if n not in met]
    if isinstance(target, int) and target > result.total:
        raise DecisionError(
            _("The set has %(total)s criteria.") % {"total": result.total}, "target"
        )
    keys = (
        [
            c["number"]
            for c in result.explanation["criteria"]
            if c["key"] and c["status"] != Status.MET
        ]
        if key_criteria
        else []
    )
    path = cheapest_path([g.gap for g in gaps], target, budget, met=result.met, required=keys)
    return CheapestPlan(result, gaps, path, explain(path, budget))


# --- projections at the current pace -----------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    """A projection, never a result: where an indicator's trend meets its threshold."""

    criterion: int
    code: str
    points: list[tuple[str, Decimal]]  # (period of the value, value), oldest first
    threshold: Decimal
    higher: bool
    slope: Decimal  # per quarter
    slope_low: Decimal
    slope_high: Decimal
    reaches: str | None  # the quarter the trend reaches the threshold; None: never
    already: bool
    deadline_missed: bool  # reaches after the year-end deadline asked about (or never)


def _quarter_of(period_code: str) -> int:
    end = parse_period(period_code).end
    return quarter_index(end.year, (end.month - 1) // 3 + 1)


def _decimal(text: Any) -> Decimal | None:
    if text is None or text in ("true", "false"):
        return None
    try:
        number = Decimal(str(text))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def projections(
    *, unit: AdminUnit, family: CriteriaSet, deadline_year: int | None = None
) -> list[Projection]:
    """For each numeric indicator not met in the latest working result with values from at
    least three periods in the stored results, the Theil–Sen trend and the quarter it reaches
    its threshold. A value carried forward counts once, at the period it was reported for."""
    results = list(
        SetResult.objects.filter(unit=unit, criteria_set=family).order_by("period_end", "period")
    )
    if not results:
        return []
    history = _history(results)
    latest = results[-1]
    now = _quarter_of(latest.period)
    deadline = quarter_index(deadline_year, 4) if deadline_year else None
    found = []
    for criterion in latest.explanation["criteria"]:
        for indicator in criterion["indicators"]:
            threshold = _decimal(indicator["threshold"])
            series = history.get(indicator["code"], {})
            if indicator["status"] != Status.NOT_MET or threshold is None:
                continue
            points = sorted(series.items(), key=lambda item: parse_period(item[0]))
            trend = theil_sen([(_quarter_of(p), v) for p, v in points])
            if trend is None:
                continue
            higher = indicator["direction"] != "lower"
            crossed = crossing(trend, threshold, higher=higher, after=now)
            found.append(
                Projection(
                    criterion=criterion["number"],
                    code=indicator["code"],
                    points=points,
                    threshold=threshold,
                    higher=higher,
                    slope=_rounded(trend.slope),
                    slope_low=_rounded(trend.slope_low),
                    slope_high=_rounded(trend.slope_high),
                    reaches=None if crossed.index is None else quarter_label(crossed.index),
                    already=crossed.already,
                    deadline_missed=deadline is not None
                    and (crossed.index is None or crossed.index > deadline),
                )
            )
    return found


def _history(results: list[SetResult]) -> dict[str, dict[str, Decimal]]:
    """Per indicator code, its numeric values by the period each was reported for (a value
    carried forward counts once)."""
    history: dict[str, dict[str, Decimal]] = {}
    for result in results:
        for criterion in result.explanation["criteria"]:
            for indicator in criterion["indicators"]:
                number = _decimal(indicator["value"])
                source = indicator.get("value_period") or result.period
                if number is not None:
                    history.setdefault(indicator["code"], {})[source] = number
    return history


def _rounded(value: Any) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))


def projected_count(*, result: SetResult, found: list[Projection], year: int) -> int:
    """The criteria met at the end of ``year`` at this pace: those met now, and those whose
    every open indicator is projected to reach its threshold by then (an open indicator
    without a projection — too little history, not a number — keeps its criterion open)."""
    deadline = quarter_index(year, 4)
    reaching = {
        p.code for p in found if p.reaches is not None and _quarter_of_label(p.reaches) <= deadline
    }
    count = result.met
    for criterion in result.explanation["criteria"]:
        if criterion["status"] == Status.MET:
            continue
        open_codes = {i["code"] for i in criterion["indicators"] if i["status"] != Status.MET}
        if open_codes and open_codes <= reaching:
            count += 1
    return count


def _quarter_of_label(label: str) -> int:
    year, quarter = label.split("Q")
    return quarter_index(int(year), int(quarter))


@dataclass(frozen=True)
class TargetProjection:
    """A plan target the current pace does not reach by its deadline: a projection shown beside
    the target's status, never a status of its own (the stored judgement stands)."""

    target_id: int
    what: str  # the indicator code, or "" for a count of criteria
    wanted: Decimal  # the target value or count
    reaches: str | None  # the quarter the trend reaches it; None: not at this pace
    deadline: str  # the deadline's quarter
    points: int  # periods of history the trend was drawn from

    @property
    def text(self) -> str:
        wanted = format(self.wanted.normalize(), "f")
        if self.what:
            if self.reaches is None:
                return _("at this pace, %(code)s does not reach %(value)s") % {
                    "code": self.what,
                    "value": wanted,
                }
            return _("at this pace, %(code)s reaches %(value)s in %(when)s, after the deadline") % {
                "code": self.what,
                "value": wanted,
                "when": self.reaches,
            }
        if self.reaches is None:
            return _("at this pace, %(n)s criteria met is not reached") % {"n": wanted}
        return _("at this pace, %(n)s criteria are met in %(when)s, after the deadline") % {
            "n": wanted,
            "when": self.reaches,
        }


OPEN_TARGETS = ("on_track", "at_risk")


def target_projections(*, unit_id: int, rows: list[Any]) -> dict[int, TargetProjection]:
    """For the plan's indicator and criteria-count targets still open (on track or at risk)
    with at least three periods of history in the unit's working results, the Theil–Sen trend
    of the indicator (or of the count met): the targets it reaches only after their deadline's
    quarter, or never, by target id. One query, none without such targets."""
    wanted = [
        row.target
        for row in rows
        if row.judgement.status in OPEN_TARGETS
        and row.target.criteria_set_id is not None
        and (
            (row.target.kind == "indicator" and row.target.indicator_code and row.target.value)
            or (row.target.kind == "criteria_count" and row.target.count)
        )
    ]
    if not wanted:
        return {}
    by_set: dict[int, list[SetResult]] = {}
    for result in SetResult.objects.filter(
        unit_id=unit_id, criteria_set_id__in={t.criteria_set_id for t in wanted}
    ).order_by("period_end", "period"):
        by_set.setdefault(result.criteria_set_id, []).append(result)
    found: dict[int, TargetProjection] = {}
    for target in wanted:
        results = by_set.get(target.criteria_set_id, [])
        if not results:
            continue
        now = _quarter_of(results[-1].period)
        end = target.deadline
        deadline = quarter_index(end.year, (end.month - 1) // 3 + 1)
        if target.kind == "indicator":
            series = _history(results).get(target.indicator_code, {})
            points = sorted(series.items(), key=lambda item: parse_period(item[0]))
            higher = _direction(results[-1], target.indicator_code) != "lower"
            goal = Decimal(target.value)
            what = target.indicator_code
        else:
            points = [(r.period, Decimal(r.met)) for r in results]
            higher, goal, what = True, Decimal(target.count), ""
        trend = theil_sen([(_quarter_of(p), v) for p, v in points])
        if trend is None:
            continue
        crossed = crossing(trend, goal, higher=higher, after=now)
        if crossed.index is not None and crossed.index <= deadline:
            continue
        found[target.pk] = TargetProjection(
            target_id=target.pk,
            what=what,
            wanted=goal,
            reaches=None if crossed.index is None else quarter_label(crossed.index),
            deadline=quarter_label(deadline),
            points=len({_quarter_of(p) for p, _v in points}),
        )
    return found


def _direction(result: SetResult, code: str) -> str:
    for criterion in result.explanation["criteria"]:
        for indicator in criterion["indicators"]:
            if indicator["code"] == code:
                return str(indicator.get("direction", "higher"))
    return "higher"


# --- a province's budget across its communes ---------------------------------------------------


@dataclass(frozen=True)
class CommunePath:
    unit: AdminUnit
    result: SetResult | None  # None: no result yet for the set
    path: Path | None
    explanation: str


@dataclass(frozen=True)
class ProvinceAllocation:
    allocation: Allocation
    communes: dict[str, CommunePath]  # by commune code, every commune in force
    no_result: list[AdminUnit]  # communes left out: no result for the set yet


def allocation_for(
    *,
    province: AdminUnit,
    family: CriteriaSet,
    period: str | None,
    budget: Decimal,
    target: int | None = None,
    floors: dict[str, int] | None = None,
    goal: str = "most_reach",
) -> ProvinceAllocation:
    """Every commune in force under the province (on the period's end, else today or the
    province's last day): its cheapest
    path to ``target`` met criteria (None: every criterion of its set, the standard) from its
    working result as of the period, with the costs ``open_gaps`` uses; then the communes to
    fund within ``budget`` (``optimise.allocate``). A commune's group for ``floors`` is the
    code of its parent (the district; the province itself where there is none).

    Five queries whatever the number of communes: the communes, the candidate results (light
    columns), the chosen results, the entered costs, the works' budget lines by unit and
    indicator. The cheapest path is then solved per commune in memory: each is its own
    integer program (bench/allocate.py measures it against the allocation)."""
    if target is not None and target < 1:
        raise DecisionError(_("The target is at least 1 criterion."), "target")
    if budget < 0:
        raise DecisionError(_("The budget cannot be negative."), "budget")
    wanted = parse_period(period) if period else None
    # Without a period: the communes in force today, or on the province's last day if it ended.
    day = wanted.end if wanted else min(today(), province.valid_to or today())
    communes = list(
        AdminUnit.objects.subtree_of(province)
        .filter(level=Level.COMMUNE)
        .in_force(day)
        .select_related("parent")
        .order_by("code")
    )
    ids = [c.pk for c in communes]
    candidates = SetResult.on(Basis.WORKING).filter(unit_id__in=ids, criteria_set=family)
    if wanted is not None:
        candidates = candidates.filter(period_end__lte=wanted.end)
    best: dict[int, tuple[int, str, Any]] = {}
    # The same choice as result_as_of: the period asked for, else the latest before it.
    for pk, unit_id, code, end in candidates.order_by("-period_end", "period").values_list(
        "pk", "unit_id", "period", "period_end"
    ):
        held = best.get(unit_id)
        if held is None or (
            wanted is not None and code == wanted.code and held[1] != wanted.code and end == held[2]
        ):
            best[unit_id] = (pk, code, end)
    results = {
        r.unit_id: r
        for r in SetResult.on(Basis.WORKING).filter(pk__in=[b[0] for b in best.values()])
    }
    entered: dict[int, dict[str, Decimal]] = {}
    for unit_id, code, cost in GapCost.objects.filter(
        unit_id__in=ids, criteria_set=family
    ).values_list("unit_id", "indicator_code", "cost"):
        entered.setdefault(unit_id, {})[code] = cost
    by_path = {c.path: c.pk for c in communes}
    from_works: dict[int, dict[str, Decimal]] = {}
    for unit_path, code, total in (
        BudgetLine.objects.filter(work__unit__path__startswith=province.path, amount__isnull=False)
        .exclude(work__status=Work.Status.DONE)
        .values("work__unit__path", "work__indicator_code")
        .annotate(total=Sum("amount"))
        .values_list("work__unit__path", "work__indicator_code", "total")
    ):
        owner = _commune_of(unit_path, by_path)
        if owner is not None and code:
            works = from_works.setdefault(owner, {})
            works[code] = works.get(code, Decimal(0)) + total
    paths: dict[str, CommunePath] = {}
    chosen_from: list[Candidate] = []
    no_result = []
    for commune in communes:
        result = results.get(commune.pk)
        if result is None:
            no_result.append(commune)
            paths[commune.code] = CommunePath(commune, None, None, _("No result yet for this set."))
            continue
        mine = entered.get(commune.pk, {})
        works = {k: v for k, v in from_works.get(commune.pk, {}).items() if k not in mine}
        gaps = _costed(result, mine, works)
        goal_count = result.total if target is None else target
        path = cheapest_path([g.gap for g in gaps], goal_count, met=result.met)
        paths[commune.code] = CommunePath(commune, result, path, explain(path))
        parent = commune.parent
        chosen_from.append(
            Candidate(
                id=commune.code,
                met=result.met,
                target=goal_count,
                cost=path.cost if path.feasible else None,
                group=parent.code if parent is not None else "",
                at_risk=result.revocation_risk == Risk.REVOCATION,
            )
        )
    return ProvinceAllocation(
        allocate(chosen_from, budget, goal=goal, floors=floors), paths, no_result
    )


def reason_labels() -> dict[str, str]:
    """Why a commune was not chosen, in words (``Allocation.not_chosen``, or no result)."""
    return {
        "already": _("already at the target"),
        "no_path": _("no known cost reaches the target"),
        "budget": _("dearer than the money left"),
        "goal": _("not below the revocation rule"),
        "floors": _("the floors cannot be met"),
        "no_result": _("no result for the set yet"),
    }


def _commune_of(path: str, by_path: dict[str, int]) -> int | None:
    """The commune whose subtree holds the unit at ``path`` (the commune or one of its
    villages)."""
    parts = path.strip(".").split(".")
    for k in range(len(parts), 0, -1):
        found = by_path.get("." + ".".join(parts[:k]) + ".")
        if found is not None:
            return found
    return None
