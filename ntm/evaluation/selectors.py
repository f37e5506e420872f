"""Reads of stored results for pages: a fixed number of queries whatever the number of criteria."""

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Min, OuterRef, Subquery
from django.utils.translation import gettext as _

from ntm.catalog.models import CriteriaSet, Criterion, DataElement, Indicator, Standard
from ntm.catalog.selectors import (
    POVERTY_ELEMENT,
    applicable_set,
    criteria_with_indicators,
    families_for_unit,
    standard_on,
    standards,
)
from ntm.engine.periods import Period, last_ended_quarter, parse_period
from ntm.evaluation import summaries
from ntm.evaluation.detail import expand
from ntm.evaluation.models import BOTH, AreaSummary, Basis, SetResult, StaleResult
from ntm.evaluation.services import parse_criteria_status
from ntm.geo.models import AdminUnit, Level
from ntm.observations.models import DataValue, ValueStatus
from ntm.organisation.selectors import responsible_by_field


@dataclass
class IndicatorRow:
    indicator: Indicator
    result: dict[str, Any]  # one entry of SetResult.detail (value, threshold, gap, …)
    evidence: int = 0
    updated_at: dt.datetime | None = None
    updated_by: str = ""  # the person's full name (their login when they have none)
    updated_login: str = ""


@dataclass
class CriterionRow:
    criterion: Criterion
    status: str
    unverified: bool
    indicators: list[IndicatorRow]
    responsible: list[str] = field(default_factory=list)

    @property
    def evidence(self) -> int:
        return sum(i.evidence for i in self.indicators)

    @property
    def last_change(self) -> tuple[dt.datetime, str, str] | None:
        """When, by whom (the person's name) and their login (for a tooltip)."""
        changes = [
            (i.updated_at, i.updated_by, i.updated_login) for i in self.indicators if i.updated_at
        ]
        return max(changes) if changes else None


@dataclass
class SetPage:
    unit: AdminUnit
    family: CriteriaSet
    applied: CriteriaSet
    result: SetResult | None
    requested: Period | None
    periods: list[str]
    rows: list[CriterionRow]
    counts: Counter[str]
    basis: Basis = Basis.WORKING
    other: SetResult | None = None  # the other basis's result as of the same period

    @property
    def other_basis(self) -> Basis:
        return Basis.APPROVED if self.basis == Basis.WORKING else Basis.WORKING


def result_as_of(
    *,
    unit: AdminUnit,
    family: CriteriaSet,
    period: Period | None,
    basis: Basis = Basis.WORKING,
) -> SetResult | None:
    """The stored result for the period, else the latest one before it (values carry forward)."""
    qs = SetResult.on(basis).filter(unit=unit, criteria_set=family).select_related("applied_set")
    if period is not None:
        qs = qs.filter(period_end__lte=period.end)
    candidates = list(qs.order_by("-period_end", "period")[:3])
    # The period asked for wins over another ending the same day (2024Q4 over the year 2024).
    exact = [r for r in candidates if period is not None and r.period == period.code]
    return exact[0] if exact else (candidates[0] if candidates else None)


def responsible_officials(unit: AdminUnit) -> dict[str, list[str]]:
    """Who answers for each field of work: committee members assigned to it, then specialist
    officials (see organisation.selectors.responsible_by_field)."""
    return responsible_by_field(unit)


def set_page(
    *,
    unit: AdminUnit,
    family: CriteriaSet,
    period: Period | None,
    basis: Basis = Basis.WORKING,
    both: bool = False,
) -> SetPage:
    """A unit's criteria for a set as of the period, on a basis; ``both`` also reads the other
    basis's count (one query), for pages that show the working and the approved count."""
    result = result_as_of(unit=unit, family=family, period=period, basis=basis)
    other_basis = Basis.APPROVED if basis == Basis.WORKING else Basis.WORKING
    other = (
        result_as_of(
            unit=unit, family=family, period=period or _period_of(result), basis=other_basis
        )
        if both
        else None
    )
    applied = result.applied_set if result else applicable_set(family, unit)
    criteria = criteria_with_indicators(applied)
    periods = list(
        SetResult.on(basis)
        .filter(unit=unit, criteria_set=family)
        .order_by("period_end", "period")
        .values_list("period", flat=True)
    )
    detail = {c["number"]: c for c in (result.explanation["criteria"] if result else [])}
    values: dict[str, tuple[dt.datetime | None, str, str, int]] = {}
    if result is not None:
        for code, changed_at, login, name, evidence in (
            DataValue.objects.filter(
                unit=unit, criteria_set=family, period_end__lte=result.period_end
            )
            .order_by("period_end", "updated_at")
            .annotate(n=Count("evidence"))
            .values_list("code", "updated_at", "updated_by__username", "updated_by__full_name", "n")
        ):
            values[code] = (changed_at, name or login or "", login or "", evidence)
    officials = responsible_officials(unit)
    rows = []
    counts: Counter[str] = Counter()
    for criterion in criteria:
        stored = detail.get(criterion.number, {})
        by_code = {i["code"]: i for i in stored.get("indicators", [])}
        indicator_rows = []
        for indicator in criterion.indicators.all():
            updated_at, user, login, evidence = values.get(indicator.code, (None, "", "", 0))
            indicator_rows.append(
                IndicatorRow(
                    indicator, by_code.get(indicator.code, {}), evidence, updated_at, user, login
                )
            )
        status = stored.get("status", "no_data" if criterion.indicators.all() else "no_threshold")
        counts[status] += 1
        rows.append(
            CriterionRow(
                criterion,
                status,
                bool(stored.get("unverified")),
                indicator_rows,
                officials.get(criterion.field, []),
            )
        )
    return SetPage(unit, family, applied, result, period, periods, rows, counts, basis, other)


def _period_of(result: SetResult | None) -> Period | None:
    return parse_period(result.period) if result is not None else None


@dataclass
class HistoryPoint:
    period: str
    status: str
    value: str | None
    threshold: str | None
    gap: str | None
    value_period: str
    standard: Standard | None = None  # poverty figures: the standard of the value's period
    standard_changed: bool = False  # not comparable with the row before


def criterion_history(
    *,
    unit: AdminUnit,
    family: CriteriaSet,
    number: int,
    measured: set[str] | None = None,
    dated: list[Standard] | None = None,
    basis: Basis = Basis.WORKING,
) -> dict[str, list[HistoryPoint]]:
    """Each indicator's value, threshold and status across the stored periods (one query). The
    ``measured`` codes (poverty figures) name the ``dated`` standard of each value's period, and
    a row whose standard differs from the row before is marked: the two are not comparable."""
    history: dict[str, list[HistoryPoint]] = {}
    for period, detail in (
        SetResult.on(basis)
        .filter(unit=unit, criteria_set=family)
        .order_by("period_end", "period")
        .values_list("period", "detail")
    ):
        for c in expand(detail)["criteria"]:
            if c["number"] != number:
                continue
            for i in c["indicators"]:
                points = history.setdefault(i["code"], [])
                standard = None
                if measured and i["code"] in measured and dated:
                    standard = standard_on(dated, parse_period(i["value_period"] or period).end)
                changed = bool(standard and points and points[-1].standard not in (None, standard))
                points.append(
                    HistoryPoint(
                        period,
                        i["status"],
                        i["value"],
                        i["threshold"],
                        i["gap"],
                        i["value_period"],
                        standard,
                        changed,
                    )
                )
    return history


@dataclass
class SubunitRow:
    unit: AdminUnit
    result: SetResult | None


def subunit_results(
    *,
    parent: AdminUnit,
    family: CriteriaSet,
    period: Period | None,
    level: int,
    as_of: dt.date | None = None,
    basis: Basis = Basis.WORKING,
) -> list[SubunitRow]:
    """Units of a level under ``parent`` with their latest result up to the period: two queries."""
    # An ended parent shows the units it had on its last day.
    day = as_of or (period.end if period else parent.valid_to)
    units = AdminUnit.objects.filter(path__startswith=parent.path, level=level).in_force(day)
    units_list = list(units.select_related("parent").order_by("search_name"))
    results = SetResult.on(basis).filter(criteria_set=family, unit__in=units_list)
    if period is not None:
        results = results.filter(period_end__lte=period.end)
    latest: dict[int, SetResult] = {}
    # Ties on the day (a year and its Q4) go to the later code, as the area summaries count.
    for r in results.order_by("period_end", "period").defer("detail"):
        latest[r.unit_id] = r
    return [SubunitRow(u, latest.get(u.pk)) for u in units_list]


@dataclass
class AreaPage:
    """An area's units of one level for a set: the counts over all of them (from the area
    summary, one row), and one page of the units with their results."""

    summary: AreaSummary | None
    rows: list[SubunitRow]
    total: int
    offset: int
    limit: int

    @property
    def unverified(self) -> bool:
        """Some result shown uses a threshold not confirmed in the legal text."""
        return any(r.result is not None and r.result.unverified for r in self.rows)

    @property
    def rollup(self) -> dict[int, Counter[str]]:
        if self.summary is None:
            return {}
        return {
            int(number): Counter(
                {"met": c[0], "not_met": c[1], "no_data": c[2], "no_threshold": c[3]}
            )
            for number, c in sorted(self.summary.criteria.items(), key=lambda kv: int(kv[0]))
        }


SORTS = {
    "name": ("search_name", "pk"),
    "-met": (F("latest_met").desc(nulls_last=True), "search_name", "pk"),
    "met": (F("latest_met").asc(nulls_last=True), "search_name", "pk"),
}


def area_page(
    *,
    parent: AdminUnit,
    family: CriteriaSet,
    period: Period | None,
    level: int,
    offset: int = 0,
    limit: int = 100,
    sort: str = "name",
    status: str = "",
    basis: Basis = Basis.APPROVED,
) -> AreaPage:
    """Four queries whatever the number of units: the summary, the count, a page of units and
    their results. ``sort`` by name or by criteria met ("-met": most first); ``status`` keeps
    the units whose latest result has that status ("none": no result). A province's tables
    count approved figures unless the working basis is asked for."""
    day = period.end if period else parent.valid_to
    units = AdminUnit.objects.filter(path__startswith=parent.path, level=level).in_force(day)
    if sort != "name" or status:
        latest_result = SetResult.on(basis).filter(unit=OuterRef("pk"), criteria_set=family)
        if period is not None:
            latest_result = latest_result.filter(period_end__lte=period.end)
        latest_result = latest_result.order_by("-period_end", "-period")
        units = units.annotate(
            latest_met=Subquery(latest_result.values("met")[:1]),
            latest_status=Subquery(latest_result.values("status")[:1]),
        )
        if status == "none":
            units = units.filter(latest_status__isnull=True)
        elif status:
            units = units.filter(latest_status=status)
    total = units.count()
    page = list(
        units.select_related("parent").order_by(*SORTS.get(sort, SORTS["name"]))[
            offset : offset + limit
        ]
    )
    results = SetResult.on(basis).filter(criteria_set=family, unit__in=page)
    if period is not None:
        results = results.filter(period_end__lte=period.end)
    latest: dict[int, SetResult] = {}
    for r in results.order_by("period_end", "period").defer("detail"):
        latest[r.unit_id] = r
    summary = summaries.summary_as_of(
        area=parent,
        family=family,
        level=level,
        period_end=period.end if period else None,
        basis=basis,
    )
    return AreaPage(
        summary=summary,
        rows=[SubunitRow(u, latest.get(u.pk)) for u in page],
        total=total,
        offset=offset,
        limit=limit,
    )


def criterion_rollup(rows: list[SubunitRow]) -> dict[int, Counter[str]]:
    """How many of these units stand at each status for each criterion (no query: the rows
    already carry each result's short criteria_status column)."""
    rollup: dict[int, Counter[str]] = {}
    for row in rows:
        if row.result is None:
            continue
        for number, status in parse_criteria_status(row.result.criteria_status).items():
            rollup.setdefault(number, Counter())[status] += 1
    return dict(sorted(rollup.items()))


def sets_for_unit(unit: AdminUnit) -> list[tuple[CriteriaSet, SetResult | None]]:
    """The national sets of the unit's level with the unit's latest result for each."""
    return sets_for_unit_level(unit, "village" if unit.level == Level.VILLAGE else "commune")


def sets_for_unit_level(unit: AdminUnit, level: str) -> list[tuple[CriteriaSet, SetResult | None]]:
    """Sets of a level that can apply to the unit, with the unit's latest result for each."""
    families = families_for_unit(unit, level)
    latest: dict[int, SetResult] = {}
    for r in SetResult.objects.filter(unit=unit).order_by("period_end"):
        latest[r.criteria_set_id] = r
    return [(f, latest.get(f.pk)) for f in families]


@dataclass(frozen=True)
class SetCounts:
    family: CriteriaSet
    working: SetResult | None
    approved: SetResult | None


def set_counts(unit: AdminUnit) -> list[SetCounts]:
    """The unit's sets with its latest working and latest approved result (two queries)."""
    families = families_for_unit(unit, "village" if unit.level == Level.VILLAGE else "commune")
    latest = _latest_by_basis(SetResult.stored.filter(unit=unit).defer("detail"))
    return [
        SetCounts(f, latest[Basis.WORKING].get(f.pk), latest[Basis.APPROVED].get(f.pk))
        for f in families
    ]


def _latest_by_basis(rows: Any) -> dict[Basis, dict[int, SetResult]]:
    """Per basis, the latest of these stored rows per set (a row serving both is in both)."""
    latest: dict[Basis, dict[int, SetResult]] = {b: {} for b in Basis}
    for r in rows.order_by("period_end", "period"):
        for basis in Basis:
            if r.basis in (BOTH, basis):
                latest[basis][r.criteria_set_id] = r
    return latest


def parse_period_or_none(text: str | None) -> Period | None:
    if not text:
        return None
    try:
        return parse_period(text)
    except ValueError:
        return None


def as_decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text not in (None, "") else None


@dataclass
class PendingSet:
    family: CriteriaSet
    units: int
    marks: int
    oldest: dt.datetime


def pipeline_status() -> list[PendingSet]:
    """Results waiting to be refreshed, per set (two queries whatever the number of marks)."""
    rows = list(
        StaleResult.objects.order_by()
        .values("criteria_set_id")
        .annotate(units=Count("unit_id", distinct=True), marks=Count("id"), oldest=Min("marked_at"))
    )
    families = CriteriaSet.objects.in_bulk([r["criteria_set_id"] for r in rows])
    return sorted(
        (
            PendingSet(families[r["criteria_set_id"]], r["units"], r["marks"], r["oldest"])
            for r in rows
        ),
        key=lambda p: p.family.code,
    )


# The data-entry page: each value beside its indicator's stored result.
@dataclass
class EntryRow:
    code: str
    label: str
    kind: str
    unit_of_measure: str
    levels: list[str]
    current: DataValue | None  # the value reported for this very period
    previous: Sequence[DataValue]  # earlier periods, latest last (trend)
    result: dict[str, Any] = field(default_factory=dict)  # indicator result at this period
    is_element: bool = False
    formula: str = ""
    standard: Standard | None = None  # the poverty standard a poverty figure is measured against

    @property
    def carried(self) -> DataValue | None:
        return self.previous[-1] if self.previous else None


@dataclass
class EntryPage:
    unit: AdminUnit
    family: CriteriaSet
    applied: CriteriaSet
    period: Period
    criteria: list[tuple[Criterion, list[EntryRow]]]
    elements: list[EntryRow]
    result: SetResult | None  # the working count (every value)
    approved: SetResult | None = None  # the approved count, what the public sees
    statuses: Counter[str] = field(default_factory=Counter)  # this period's values by status

    @property
    def unverified(self) -> bool:
        """Some threshold shown is not confirmed in the legal text (explained once a page)."""
        return any(
            row.result.get("verified") is False for _c, rows in self.criteria for row in rows
        )


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def formula_in_words(formula: str, names: dict[str, str]) -> str:
    """ "cultural_villages / villages * 100" → "Số thôn văn hóa / Tổng số thôn × 100": the
    data elements by name, for people who fill them in."""
    if not formula:
        return ""
    worded = _NAME.sub(lambda m: names.get(m.group(0), m.group(0)), formula)
    return worded.replace("*", "×")


def element_names(applied: CriteriaSet) -> dict[str, str]:
    """Data element code → name in the set a unit is judged against (one query)."""
    return {e.code: e.name for e in DataElement.objects.filter(criteria_set=applied)}


def entry_page(*, unit: AdminUnit, family: CriteriaSet, period: Period) -> EntryPage:
    applied = applicable_set(family, unit)
    criteria = criteria_with_indicators(applied)
    elements = list(DataElement.objects.filter(criteria_set=applied).order_by("code"))
    element_names = {e.code: e.name for e in elements}
    values = list(
        DataValue.objects.filter(unit=unit, criteria_set=family, period_end__lte=period.end)
        .annotate(evidence_count=Count("evidence"))
        .select_related("updated_by")
        .order_by("period_end", "updated_at")
    )
    result = result_as_of(unit=unit, family=family, period=period)
    approved = result_as_of(unit=unit, family=family, period=period, basis=Basis.APPROVED)
    detail = {}
    if result is not None:
        for c in result.explanation["criteria"]:
            for i in c["indicators"]:
                detail[i["code"]] = i
    poverty = standard_on(standards(), period.end)

    def measured(code: str, formula: str) -> Standard | None:
        """Poor households, and what is computed from them, are measured against the poverty
        standard of the period."""
        uses = code == POVERTY_ELEMENT or re.search(rf"\b{POVERTY_ELEMENT}\b", formula or "")
        return poverty if uses else None

    def row(
        code: str,
        label: str,
        kind: str,
        unit_of_measure: str,
        levels: list[str],
        is_element: bool = False,
        formula: str = "",
    ) -> EntryRow:
        mine = [v for v in values if v.code == code]
        current = next((v for v in mine if v.period == period.code), None)
        previous = [v for v in mine if v.period != period.code][-4:]
        return EntryRow(
            code,
            label,
            kind,
            unit_of_measure,
            levels,
            current,
            previous,
            detail.get(code, {}),
            is_element,
            formula_in_words(formula, element_names),
            measured(code, formula),
        )

    return EntryPage(
        unit=unit,
        family=family,
        applied=applied,
        period=period,
        criteria=[
            (
                c,
                [
                    row(i.code, i.content, i.kind, i.unit, i.levels, formula=i.formula)
                    for i in c.indicators.all()
                ],
            )
            for c in criteria
        ],
        elements=[row(e.code, e.name, e.kind, e.unit, [], is_element=True) for e in elements],
        result=result,
        approved=approved,
        statuses=Counter(v.status for v in values if v.period == period.code),
    )


def entry_row(
    *, unit: AdminUnit, family: CriteriaSet, period: Period, code: str
) -> tuple[EntryPage, EntryRow]:
    page = entry_page(unit=unit, family=family, period=period)
    for _criterion, rows in page.criteria:
        for r in rows:
            if r.code == code:
                return page, r
    for r in page.elements:
        if r.code == code:
            return page, r
    raise KeyError(code)


def predecessor_results(units: Sequence[AdminUnit]) -> list[tuple[AdminUnit, SetResult]]:
    """The last stored result of each set for each of these (ended) units — what a merged
    commune inherits, e.g. "Dương Đức 13/19 at 2024Q4". One query, without the explanations."""
    by_id = {u.pk: u for u in units}
    latest: dict[tuple[int, int], SetResult] = {}
    for r in (
        SetResult.objects.filter(unit_id__in=list(by_id))
        .select_related("criteria_set")
        .defer("detail")
        .order_by("period_end", "period")
    ):
        latest[(r.unit_id, r.criteria_set_id)] = r
    return sorted(
        ((by_id[r.unit_id], r) for r in latest.values()),
        key=lambda pair: (pair[0].name, pair[1].criteria_set.code),
    )


@dataclass(frozen=True)
class Headline:
    family: CriteriaSet
    latest: SetResult
    previous: SetResult | None
    approved: SetResult | None = None  # the latest approved result, what the public sees


@dataclass(frozen=True)
class UnitTodo:
    """What a unit's home card says about data and results (three queries)."""

    headlines: list[Headline]
    due: Period  # the last quarter that ended
    due_missing: bool  # no value at all for it yet
    submitted: int  # values waiting for approval


def unit_todo(unit: AdminUnit, today: dt.date) -> UnitTodo:
    by_family: dict[int, list[SetResult]] = {}
    approved: dict[int, SetResult] = {}
    for r in (
        SetResult.stored.filter(unit=unit)
        .select_related("criteria_set")
        .defer("detail")
        .order_by("period_end", "period")
    ):
        if r.basis != Basis.APPROVED:
            by_family.setdefault(r.criteria_set_id, []).append(r)
        if r.basis != Basis.WORKING:
            approved[r.criteria_set_id] = r
    headlines = [
        Headline(
            rs[-1].criteria_set, rs[-1], rs[-2] if len(rs) > 1 else None, approved.get(family_id)
        )
        for family_id, rs in by_family.items()
    ]
    headlines.sort(key=lambda h: (-(h.latest.period_end.toordinal()), h.family.code))
    due = last_ended_quarter(today)
    return UnitTodo(
        headlines=headlines,
        due=due,
        due_missing=unit.level >= Level.COMMUNE
        and not DataValue.objects.filter(unit=unit, period=due.code).exists(),
        submitted=DataValue.objects.filter(
            unit__path__startswith=unit.path, status=ValueStatus.SUBMITTED
        ).count(),
    )


@dataclass(frozen=True)
class AreaTodo:
    """A province's communes for the set of its latest summary up to the last ended quarter:
    how many have a result by then and how many meet the whole set (two queries)."""

    family: CriteriaSet | None
    due: Period
    communes: int
    reported: int
    met_all: int

    @property
    def without_data(self) -> int:
        return max(self.communes - self.reported, 0)


def area_todo(unit: AdminUnit, today: dt.date) -> AreaTodo:
    due = last_ended_quarter(today)
    communes = (
        AdminUnit.objects.filter(path__startswith=unit.path, level=Level.COMMUNE)
        .in_force(today)
        .count()
    )
    row = (
        # The province's count: approved figures, as its tables show.
        AreaSummary.objects.filter(
            area=unit, level=Level.COMMUNE, period_end__lte=due.end, basis=Basis.APPROVED
        )
        .select_related("criteria_set")
        .order_by("-period_end", "-criteria_set__valid_from")
        .first()
    )
    if row is None:
        return AreaTodo(None, due, communes, 0, 0)
    return AreaTodo(row.criteria_set, due, communes, row.reported, row.met_all)


def criterion_names(applied: CriteriaSet) -> dict[int, str]:
    """Criterion number → name in the set a unit is judged against (one query)."""
    return {c.number: c.name for c in Criterion.objects.filter(criteria_set=applied)}


@dataclass(frozen=True)
class PeriodChoice:
    code: str
    label: str
    with_data: bool


def period_label(period: Period) -> str:
    """How officials write a period: "Quý IV/2024", "6 tháng đầu năm 2024", "Năm 2024"."""
    if period.kind.value == "quarter":
        roman = ["I", "II", "III", "IV"][(period.start.month - 1) // 3]
        return _("Quarter %(roman)s/%(year)s") % {"roman": roman, "year": period.year}
    if period.kind.value == "half":
        if period.start.month == 1:
            return _("First six months of %(year)s") % {"year": period.year}
        return _("Last six months of %(year)s") % {"year": period.year}
    return _("Year %(year)s") % {"year": period.year}


def period_choices(unit: AdminUnit, today: dt.date) -> list[PeriodChoice]:
    """What a period picker offers: the unit's periods with values first (latest first), then
    the recent quarters, halves and years without any (one query; none for a province or
    district, which report no values of their own)."""
    codes = (
        DataValue.objects.filter(unit=unit).order_by().values_list("period", flat=True).distinct()
        if unit.level >= Level.COMMUNE
        else []
    )
    with_data = [parse_period(code) for code in codes]
    with_data.sort(key=lambda p: (p.end, p.start), reverse=True)
    seen = {p.code for p in with_data}
    recent: list[Period] = []
    quarter = last_ended_quarter(today)
    current = parse_period(f"{quarter.year}Q{(quarter.start.month - 1) // 3 + 1}")
    for _step in range(8):
        recent.append(current)
        q = (current.start.month - 1) // 3 + 1
        current = parse_period(f"{current.year}Q{q - 1}" if q > 1 else f"{current.year - 1}Q4")
    for year in (today.year, today.year - 1):
        recent += [parse_period(f"{year}H2"), parse_period(f"{year}H1"), parse_period(str(year))]
    choices = [PeriodChoice(p.code, period_label(p), True) for p in with_data]
    choices += [PeriodChoice(p.code, period_label(p), False) for p in recent if p.code not in seen]
    return choices
