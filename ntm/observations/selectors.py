"""Reads for the data-entry pages, each in a fixed number of queries."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from ntm.catalog.models import CriteriaSet, Criterion, DataElement
from ntm.catalog.selectors import applicable_set, criteria_with_indicators
from ntm.engine.periods import Period
from ntm.evaluation.models import SetResult
from ntm.evaluation.selectors import result_as_of
from ntm.geo.models import AdminUnit
from ntm.observations.models import DataValue


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
    result: SetResult | None


def entry_page(*, unit: AdminUnit, family: CriteriaSet, period: Period) -> EntryPage:
    applied = applicable_set(family, unit)
    criteria = criteria_with_indicators(applied)
    elements = list(DataElement.objects.filter(criteria_set=applied).order_by("code"))
    values = list(
        DataValue.objects.filter(unit=unit, criteria_set=family, period_end__lte=period.end)
        .annotate(evidence_count=Count("evidence"))
        .select_related("updated_by")
        .order_by("period_end", "updated_at")
    )
    result = result_as_of(unit=unit, family=family, period=period)
    detail = {}
    if result is not None:
        for c in result.explanation["criteria"]:
            for i in c["indicators"]:
                detail[i["code"]] = i

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
            formula,
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
