"""Stored results as plain data for commands and scripts (``manage.py evaluate --format json``).

Numbers stay the strings stored in ``SetResult.detail`` ("85.50"), so no precision is lost.
"""

from collections.abc import Iterable
from typing import Any

from ntm.catalog.models import CriteriaSet
from ntm.engine.periods import Period
from ntm.evaluation.models import Basis, SetResult
from ntm.geo.models import AdminUnit

CHUNK = 2000


def _pick(rows: list[SetResult], period: Period) -> SetResult | None:
    """The exact period's result, else the latest one ending on or before the period's end."""
    exact = next((r for r in rows if r.period == period.code), None)
    if exact is not None:
        return exact
    candidates = [r for r in rows if r.period_end <= period.end]
    if not candidates:
        return None
    # Latest end first; on the same end the longer period (as the set page does: "2024" < "2024Q4").
    return min(candidates, key=lambda r: (-r.period_end.toordinal(), r.period))


def result_as_of(
    *, unit: AdminUnit, family: CriteriaSet, period: Period, basis: str = Basis.WORKING
) -> SetResult | None:
    """The stored result a report for ``period`` uses (values carry forward to later periods)."""
    rows = list(
        SetResult.on(basis)
        .filter(unit=unit, criteria_set=family, period_end__lte=period.end)
        .select_related("unit", "criteria_set", "applied_set")
    )
    return _pick(rows, period)


def stored_results(
    *,
    units: Iterable[AdminUnit],
    family: CriteriaSet,
    period: Period | None = None,
    basis: str = Basis.WORKING,
) -> list[SetResult]:
    """Results of these units for a set: every stored period, or for ``period`` the one a report
    of that period uses per unit. Ordered by unit code, unit version, then period."""
    ids = sorted({u.pk for u in units})
    by_unit: dict[int, list[SetResult]] = {}
    for start in range(0, len(ids), CHUNK):
        qs = (
            SetResult.on(basis)
            .filter(criteria_set=family, unit_id__in=ids[start : start + CHUNK])
            .select_related("unit", "criteria_set", "applied_set")
        )
        if period is not None:
            qs = qs.filter(period_end__lte=period.end)
        for result in qs:
            by_unit.setdefault(result.unit_id, []).append(result)
    found: list[SetResult] = []
    for rows in by_unit.values():
        if period is None:
            found.extend(rows)
        else:
            picked = _pick(rows, period)
            if picked is not None:
                found.append(picked)
    found.sort(
        key=lambda r: (
            r.unit.code,
            str(r.unit.valid_from or ""),
            r.unit_id,
            r.period_end,
            r.period,
        )
    )
    return found


def result_data(
    result: SetResult, *, period: str | None = None, basis: str = Basis.WORKING
) -> dict[str, Any]:
    """The JSON object of one stored result (shape documented in ``manage.py evaluate``).

    ``period`` is the period asked for; ``as_of_period`` the stored period the answer comes from;
    ``basis`` the values counted (the row read may serve both).
    """
    return {
        "basis": str(basis),
        "unit": result.unit.code,
        "unit_name": result.unit.name,
        "set": result.criteria_set.code,
        "applied_set": result.applied_set.code,
        "period": period or result.period,
        "as_of_period": result.period,
        "met": result.met,
        "total": result.total,
        "status": result.status,
        "prerequisite_met": result.prerequisite_met,
        "unverified": result.unverified,
        "revocation_risk": result.revocation_risk,
        "computed_at": result.computed_at.isoformat() if result.computed_at else None,
        "criteria": [
            {
                "number": c.get("number"),
                "status": c.get("status"),
                "key": c.get("key", False),
                "unverified": c.get("unverified", False),
                "indicators": [dict(i) for i in c.get("indicators", [])],
            }
            for c in result.explanation["criteria"]
        ],
    }
