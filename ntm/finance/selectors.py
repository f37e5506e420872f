"""Reads for funding pages: the mobilisation table, works with budget against spending, balances
per source, the public contributions board. Each takes a fixed number of queries.

The mobilisation table of a year counts, for the unit and everything under it:
- state and other sources: the capital planned on the year's works (their budget lines);
- the people's rows: what the contributions ledger records for the year (what residents gave),
  never the people's lines planned on works, so nothing is counted twice.
Hence the table always equals the works' non-people sources plus the year's contributions.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from ntm.finance.models import (
    CONTRIBUTION_SOURCE,
    NON_CASH_SOURCES,
    PEOPLE_SOURCES,
    QUANTITY_SOURCES,
    QUANTITY_UNITS,
    SOURCE_RATE,
    Allocation,
    BudgetLine,
    Contribution,
    ContributionKind,
    ContributorKind,
    Disbursement,
    SourceKind,
    ValuationRate,
    Work,
)
from ntm.finance.money import shares, valued
from ntm.finance.services import commune_of
from ntm.geo.models import AdminUnit, Level
from ntm.geo.selectors import in_subtrees

ZERO = Decimal(0)


@dataclass(frozen=True)
class MobilisationRow:
    source: str
    label: str
    cash: Decimal
    quantity: Decimal | None  # labour days or m² (None for money)
    quantity_unit: str
    non_cash_value: Decimal
    total: Decimal
    share: Decimal  # % of the grand total, rounded so the column adds up to 100

    @property
    def is_people(self) -> bool:
        return self.source in PEOPLE_SOURCES


@dataclass(frozen=True)
class Mobilisation:
    unit: AdminUnit
    year: int
    rows: list[MobilisationRow]
    cash: Decimal
    non_cash_value: Decimal
    total: Decimal
    works_total: Decimal  # non-people sources planned on the year's works
    contributions_total: Decimal  # the year's contributions ledger

    @property
    def people_total(self) -> Decimal:
        return sum((r.total for r in self.rows if r.is_people), ZERO)

    @property
    def chart(self) -> list[tuple[MobilisationRow, Decimal]]:
        """Rows with a share, and the bar length (0–100) relative to the largest."""
        largest = max((r.total for r in self.rows), default=ZERO)
        if largest <= 0:
            return []
        return [
            (r, (r.total * 100 / largest).quantize(Decimal("0.1"))) for r in self.rows if r.total
        ]


def books_q(unit: AdminUnit, prefix: str = "") -> Q:
    """Works in the books of the unit's subtree: their own, and those taken over from it after a
    merger (``Work.books_unit``) — never those taken over into it, whose year was another
    unit's."""
    return Q(
        **{f"{prefix}transferred_from__isnull": True, f"{prefix}unit__path__startswith": unit.path}
    ) | Q(**{f"{prefix}transferred_from__path__startswith": unit.path})


# The unit whose books hold a work's money, as columns of a query over budget lines.
BOOKS = {
    "b_unit": Coalesce("work__transferred_from_id", "work__unit_id"),
    "b_level": Coalesce("work__transferred_from__level", "work__unit__level"),
    "b_parent": Coalesce("work__transferred_from__parent_id", "work__unit__parent_id"),
}


def _subtree_works(unit: AdminUnit, year: int):  # type: ignore[no-untyped-def]
    return Work.objects.filter(books_q(unit), year=year)


def mobilisation(*, unit: AdminUnit, year: int) -> Mobilisation:
    """The table every NTM report contains: rows by source, cash / non-cash / total / share.
    Two queries."""
    planned = dict(
        BudgetLine.objects.filter(books_q(unit, "work__"), work__year=year)
        .exclude(source__in=PEOPLE_SOURCES)
        .values("source")
        .annotate(total=Sum("amount"))
        .values_list("source", "total")
    )
    given: dict[str, tuple[Decimal, Decimal | None]] = {}
    for kind, value, quantity in (
        Contribution.objects.filter(unit__path__startswith=unit.path, date__year=year)
        .values("kind")
        .annotate(value=Sum("value"), quantity=Sum("quantity"))
        .values_list("kind", "value", "quantity")
    ):
        given[CONTRIBUTION_SOURCE[ContributionKind(kind)]] = (value or ZERO, quantity)
    rows_data = []
    for source in SourceKind:
        if source in PEOPLE_SOURCES:
            value, quantity = given.get(source, (ZERO, None))
        else:
            value, quantity = planned.get(source) or ZERO, None
        non_cash = source in NON_CASH_SOURCES
        rows_data.append(
            (
                source,
                ZERO if non_cash else value,
                (quantity or ZERO) if source in QUANTITY_SOURCES else None,
                value if non_cash else ZERO,
                value,
            )
        )
    percentages = shares([r[4] for r in rows_data])
    rows = [
        MobilisationRow(
            source=str(source),
            label=str(source.label),
            cash=cash,
            quantity=quantity,
            quantity_unit=str(QUANTITY_UNITS.get(source, "")),
            non_cash_value=non_cash,
            total=total,
            share=pct,
        )
        for (source, cash, quantity, non_cash, total), pct in zip(
            rows_data, percentages, strict=True
        )
    ]
    return Mobilisation(
        unit=unit,
        year=year,
        rows=rows,
        cash=sum((r.cash for r in rows), ZERO),
        non_cash_value=sum((r.non_cash_value for r in rows), ZERO),
        total=sum((r.total for r in rows), ZERO),
        works_total=sum((v or ZERO for v in planned.values()), ZERO),
        contributions_total=sum((v for v, _q in given.values()), ZERO),
    )


STATE_BUDGETS = frozenset(
    {
        SourceKind.CENTRAL_BUDGET,
        SourceKind.PROVINCE_BUDGET,
        SourceKind.DISTRICT_BUDGET,
        SourceKind.COMMUNE_BUDGET,
    }
)


@dataclass(frozen=True)
class CommuneRow:
    commune: AdminUnit
    total: Decimal  # every source, as in the mobilisation table
    state_budget: Decimal  # central, province, district and commune budgets
    people: Decimal  # the people's contributions (cash and valued in kind)

    @property
    def other(self) -> Decimal:
        return self.total - self.state_budget - self.people


@dataclass(frozen=True)
class CommuneBreakdown:
    rows: list[CommuneRow]
    total: Decimal
    state_budget: Decimal
    people: Decimal

    @property
    def other(self) -> Decimal:
        return self.total - self.state_budget - self.people

    @property
    def chart(self) -> list[tuple[CommuneRow, Decimal]]:
        """Rows with data, and the bar length (0–100) relative to the largest total."""
        largest = max((r.total for r in self.rows), default=ZERO)
        if largest <= 0:
            return []
        return [
            (r, (r.total * 100 / largest).quantize(Decimal("0.1"))) for r in self.rows if r.total
        ]


def commune_breakdown(*, unit: AdminUnit, year: int) -> CommuneBreakdown:
    """For a province or district: one row per commune of the subtree (those in force in the year
    and any other holding data), with the same figures as the mobilisation table — a village's
    works and contributions count for its commune. Three queries, whatever the number of
    communes."""

    def commune_id(level: int, unit_id: int, parent_id: int | None) -> int:
        return parent_id if level == Level.VILLAGE and parent_id else unit_id

    state: dict[int, Decimal] = defaultdict(lambda: ZERO)
    total: dict[int, Decimal] = defaultdict(lambda: ZERO)
    people: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for level, unit_id, parent_id, source, amount in (
        BudgetLine.objects.filter(books_q(unit, "work__"), work__year=year, amount__isnull=False)
        .exclude(source__in=PEOPLE_SOURCES)
        .annotate(b_level=BOOKS["b_level"], b_unit=BOOKS["b_unit"], b_parent=BOOKS["b_parent"])
        .values("b_level", "b_unit", "b_parent", "source")
        .annotate(t=Sum("amount"))
        .values_list("b_level", "b_unit", "b_parent", "source", "t")
    ):
        key = commune_id(level, unit_id, parent_id)
        total[key] += amount or ZERO
        if source in STATE_BUDGETS:
            state[key] += amount or ZERO
    for level, unit_id, parent_id, value in (
        Contribution.objects.filter(unit__path__startswith=unit.path, date__year=year)
        .values("unit__level", "unit_id", "unit__parent_id")
        .annotate(v=Sum("value"))
        .values_list("unit__level", "unit_id", "unit__parent_id", "v")
    ):
        key = commune_id(level, unit_id, parent_id)
        total[key] += value or ZERO
        people[key] += value or ZERO
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    in_force = (Q(valid_from__isnull=True) | Q(valid_from__lte=last)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=first)
    )
    communes = AdminUnit.objects.filter(
        Q(path__startswith=unit.path, level=Level.COMMUNE) & (in_force | Q(pk__in=list(total)))
    ).order_by("code", "valid_from")
    rows = [CommuneRow(c, total[c.pk], state[c.pk], people[c.pk]) for c in communes]
    return CommuneBreakdown(
        rows=rows,
        total=sum((r.total for r in rows), ZERO),
        state_budget=sum((r.state_budget for r in rows), ZERO),
        people=sum((r.people for r in rows), ZERO),
    )


def _rates(unit: AdminUnit, year: int) -> dict[tuple[int, str], Decimal]:
    """(commune id, rate kind) → VND per unit, for the communes of and above the unit."""
    return {
        (r.unit_id, r.kind): r.vnd_per_unit
        for r in ValuationRate.objects.filter(year=year).filter(
            Q(unit__path__startswith=unit.path) | Q(unit_id__in=unit.ancestor_ids)
        )
    }


def _commune_id(unit: AdminUnit) -> int:
    return unit.parent_id if unit.level == Level.VILLAGE and unit.parent_id else unit.pk


@dataclass
class SourceLine:
    source: str
    label: str
    planned_amount: Decimal | None  # VND (money and materials)
    planned_quantity: Decimal | None  # labour days, m²
    quantity_unit: str
    planned_value: Decimal | None  # VND; None when a rate is missing
    disbursed: Decimal
    contributed: Decimal  # people's sources: the ledger for this work

    @property
    def over(self) -> bool:
        return self.disbursed > (self.planned_value or ZERO)


@dataclass
class WorkRow:
    work: Work
    lines: list[SourceLine]
    planned: Decimal
    disbursed: Decimal
    contributed: Decimal
    missing_rate: bool

    @property
    def over_plan(self) -> bool:
        return any(line.over for line in self.lines if line.disbursed)

    @property
    def spent(self) -> Decimal:
        return self.disbursed + self.contributed

    @property
    def spent_percent(self) -> Decimal:
        if self.planned <= 0:
            return ZERO
        return (self.spent * 100 / self.planned).quantize(Decimal(1))


def works_summary(
    *, unit: AdminUnit, year: int, work_ids: list[int] | None = None
) -> list[WorkRow]:
    """Per work: planned budget by source (non-cash valued at the commune's rate), disbursed, the
    people's contributions, progress. Five queries."""
    works = _subtree_works(unit, year).select_related("unit", "transferred_from")
    if work_ids is not None:
        works = works.filter(pk__in=work_ids)
    works_list = list(works.order_by("unit__code", "name"))
    ids = [w.pk for w in works_list]
    lines: dict[int, list[BudgetLine]] = defaultdict(list)
    for budget_line in BudgetLine.objects.filter(work_id__in=ids):
        lines[budget_line.work_id].append(budget_line)
    paid: dict[tuple[int, str], Decimal] = {
        (w, s): t
        for w, s, t in Disbursement.objects.filter(work_id__in=ids)
        .values("work_id", "source")
        .annotate(t=Sum("amount"))
        .values_list("work_id", "source", "t")
    }
    given: dict[tuple[int, str], Decimal] = {
        (w, str(CONTRIBUTION_SOURCE[ContributionKind(k)])): t
        for w, k, t in Contribution.objects.filter(work_id__in=ids)
        .values("work_id", "kind")
        .annotate(t=Sum("value"))
        .values_list("work_id", "kind", "t")
    }
    rates = _rates(unit, year) if works_list else {}
    rows = []
    for work in works_list:
        by_source = {line.source: line for line in lines[work.pk]}
        commune_id = _commune_id(work.books_unit)
        source_lines = []
        missing = False
        for source in SourceKind:
            line: BudgetLine | None = by_source.get(source)
            disbursed = paid.get((work.pk, source), ZERO)
            contributed = given.get((work.pk, source), ZERO)
            if line is None and not disbursed and not contributed:
                continue
            value: Decimal | None = None
            if line is not None and line.quantity is not None:
                rate = rates.get((commune_id, SOURCE_RATE[source]))
                value = valued(line.quantity, rate) if rate is not None else None
                missing = missing or rate is None
            elif line is not None:
                value = line.amount
            source_lines.append(
                SourceLine(
                    source=str(source),
                    label=str(source.label),
                    planned_amount=line.amount if line else None,
                    planned_quantity=line.quantity if line else None,
                    quantity_unit=str(QUANTITY_UNITS.get(source, "")),
                    planned_value=value,
                    disbursed=disbursed,
                    contributed=contributed,
                )
            )
        rows.append(
            WorkRow(
                work=work,
                lines=source_lines,
                planned=sum((s.planned_value or ZERO for s in source_lines), ZERO),
                disbursed=sum((s.disbursed for s in source_lines), ZERO),
                contributed=sum((s.contributed for s in source_lines), ZERO),
                missing_rate=missing,
            )
        )
    return rows


@dataclass
class Balance:
    source: str
    label: str
    planned: Decimal
    allocated: Decimal
    disbursed: Decimal

    @property
    def remaining(self) -> Decimal:
        """What is left of the plan (negative when overspent)."""
        return self.planned - self.disbursed

    @property
    def over_plan(self) -> bool:
        return self.disbursed > self.planned

    @property
    def over_allocation(self) -> bool:
        return bool(self.allocated) and self.disbursed > self.allocated


@dataclass
class VillageBalance:
    village: AdminUnit
    balances: list[Balance] = field(default_factory=list)


def balances(*, unit: AdminUnit, year: int) -> list[Balance]:
    """Cash sources of the unit's subtree for the year: planned on works, allocated to villages,
    disbursed (dated in the year). Three queries."""
    return _balances(unit, year, by_village=False)[0][1]


def village_balances(*, unit: AdminUnit, year: int) -> list[VillageBalance]:
    """The same per village, for the commune's allocations page. Four queries."""
    found = _balances(unit, year, by_village=True)
    villages = AdminUnit.objects.in_bulk([v for v, _b in found if v])
    return [VillageBalance(villages[v], b) for v, b in found if v in villages]


def _balances(unit: AdminUnit, year: int, *, by_village: bool) -> list[tuple[int, list[Balance]]]:
    def key(unit_id: int) -> int:
        return unit_id if by_village else 0

    planned: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for unit_id, source, total in (
        BudgetLine.objects.filter(books_q(unit, "work__"), work__year=year, amount__isnull=False)
        .exclude(source__in=NON_CASH_SOURCES)
        .annotate(b_unit=BOOKS["b_unit"])
        .values("b_unit", "source")
        .annotate(t=Sum("amount"))
        .values_list("b_unit", "source", "t")
    ):
        planned[(key(unit_id), source)] += total
    allocated: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for unit_id, source, total in (
        Allocation.objects.filter(village__path__startswith=unit.path, year=year)
        .values("village_id", "source")
        .annotate(t=Sum("amount"))
        .values_list("village_id", "source", "t")
    ):
        allocated[(key(unit_id), source)] += total
    disbursed: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for unit_id, source, total in (
        Disbursement.objects.filter(books_q(unit, "work__"), date__year=year)
        .annotate(b_unit=BOOKS["b_unit"])
        .values("b_unit", "source")
        .annotate(t=Sum("amount"))
        .values_list("b_unit", "source", "t")
    ):
        disbursed[(key(unit_id), source)] += total
    keys = sorted({k for k, _s in (*planned, *allocated, *disbursed)}) or [0]
    result = []
    for k in keys:
        rows = [
            Balance(
                str(source),
                str(source.label),
                planned[(k, source)],
                allocated[(k, source)],
                disbursed[(k, source)],
            )
            for source in SourceKind
            if source not in NON_CASH_SOURCES
            and (planned[(k, source)] or allocated[(k, source)] or disbursed[(k, source)])
        ]
        result.append((k, rows))
    return result


@dataclass(frozen=True)
class PublicLine:
    kind: str
    label: str
    contributions: int
    quantity: Decimal | None
    value: Decimal


@dataclass(frozen=True)
class NamedContribution:
    name: str
    contributor_kind: str
    kind: str
    quantity: Decimal | None
    value: Decimal
    date: dt.date


@dataclass(frozen=True)
class PublicContributions:
    """What may be posted at the cultural house: totals, and names only of those who agreed."""

    unit: AdminUnit
    year: int
    by_kind: list[PublicLine]
    by_contributor: dict[str, int]  # contributor kind → number of contributions
    total_value: Decimal
    contributors: int  # contributions recorded (named or not)
    named: list[NamedContribution]


def public_contributions(unit: AdminUnit, year: int) -> PublicContributions:
    """Aggregates of the year's contributions, and the consented names. Two queries; the names of
    those who did not consent are never read from the database here."""
    qs = Contribution.objects.filter(unit__path__startswith=unit.path, date__year=year)
    by_kind_raw = {
        k: (n, q, v)
        for k, n, q, v in qs.order_by()
        .values("kind")
        .annotate(n=Count("pk"), q=Sum("quantity"), v=Sum("value"))
        .values_list("kind", "n", "q", "v")
    }
    by_kind = [
        PublicLine(
            kind=str(kind),
            label=str(kind.label),
            contributions=by_kind_raw[kind][0],
            quantity=by_kind_raw[kind][1]
            if CONTRIBUTION_SOURCE[kind] in QUANTITY_SOURCES
            else None,
            value=by_kind_raw[kind][2] or ZERO,
        )
        for kind in ContributionKind
        if kind in by_kind_raw
    ]
    named_rows = list(
        qs.filter(consent_to_publish=True)
        .order_by("-value", "contributor_name")
        .values_list("contributor_name", "contributor_kind", "kind", "quantity", "value", "date")
    )
    by_contributor = {str(k): 0 for k in ContributorKind}
    # counting by contributor kind without reading any name
    for kind, n in (
        qs.values("contributor_kind")
        .order_by()
        .annotate(n=Count("pk"))
        .values_list("contributor_kind", "n")
    ):
        by_contributor[kind] = n
    return PublicContributions(
        unit=unit,
        year=year,
        by_kind=by_kind,
        by_contributor=by_contributor,
        total_value=sum((line.value for line in by_kind), ZERO),
        contributors=sum(line.contributions for line in by_kind),
        named=[NamedContribution(*row) for row in named_rows],
    )


HIDDEN_NAME = gettext_lazy("(name not published)")


def contributions_of(
    *, unit: AdminUnit, year: int, private_names: bool = True
) -> list[Contribution]:
    """The year's contributions; without ``private_names`` (roles that do not record them),
    the name of a contributor who did not consent to publication is replaced."""
    rows = list(
        Contribution.objects.filter(unit__path__startswith=unit.path, date__year=year)
        .select_related("unit", "work")
        .order_by("-date", "-pk")
    )
    if not private_names:
        for row in rows:
            if not row.consent_to_publish:
                row.contributor_name = str(HIDDEN_NAME)
    return rows


def allocations_of(*, unit: AdminUnit, year: int) -> list[Allocation]:
    return list(
        Allocation.objects.filter(village__path__startswith=unit.path, year=year)
        .select_related("village")
        .order_by("village__code", "source", "decided_on")
    )


def rates_of(*, unit: AdminUnit, year: int) -> dict[str, ValuationRate]:
    return {r.kind: r for r in ValuationRate.objects.filter(unit=commune_of(unit), year=year)}


def years_with_data(unit: AdminUnit) -> list[int]:
    works = set(Work.objects.filter(books_q(unit)).values_list("year", flat=True))
    given = {
        d.year
        for d in Contribution.objects.filter(unit__path__startswith=unit.path).dates("date", "year")
    }
    return sorted(works | given, reverse=True)


def predecessor_works(units: Sequence[AdminUnit]) -> list[Work]:
    """Works not finished of these (ended) units and their villages: the successor may take
    them over. One query."""
    return list(
        Work.objects.filter(in_subtrees(units))
        .exclude(status=Work.Status.DONE)
        .select_related("unit")
        .order_by("unit__code", "-year", "name")
    )


def works_in_progress(unit: AdminUnit) -> list[Work]:
    """Works under way in the unit's subtree, the longest without an update first (one
    query)."""
    return list(
        Work.objects.filter(unit__path__startswith=unit.path, status=Work.Status.IN_PROGRESS)
        .select_related("unit")
        .annotate(last_update=Max("updates__date"))
        .order_by(F("last_update").asc(nulls_first=True), "name")[:10]
    )
