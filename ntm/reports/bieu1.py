"""Biểu 1: a commune's criteria table for a set and period, as attached to its NTM plan.

Per criterion: its indicators with threshold (``*`` when unverified), current value (and the period
it comes from when carried forward), status, the plan's target on it, the responsible officials
(as the commune page shows them) and the plan's tasks linked to it; section II gives each village's
status against the village set. Everything is read from stored results (``SetResult``) through
the commune page's own selector, so the numbers are the page's numbers; nothing is evaluated here.

On paper a value reads "93,5 (2024Q1)" beside "≥ 90*"; the workbook has the comparator, the
threshold, the unverified mark, the value and its period in columns of their own, numbers as
numbers and pass/fail as "Đạt"/"Chưa đạt" (``Column.formats``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ntm.catalog.models import CriteriaSet
from ntm.engine.periods import Period, parse_period
from ntm.evaluation.models import Basis, SetResult
from ntm.evaluation.selectors import set_page, sets_for_unit_level, subunit_results
from ntm.geo.models import AdminUnit, Level
from ntm.planning.models import Plan, Target, TargetKind
from ntm.reports.common import (
    ReportError,
    basis_footnote,
    data_version,
    default_family,
    header_for,
    number_of,
    unverified_footnote,
    workbook_value,
)
from ntm.reports.document import (
    DATA,
    PRINT,
    Cell,
    CellValue,
    Column,
    Document,
    Header,
    Heading,
    Signature,
    Table,
)
from ntm.reports.plan import blank_number, lines, signature_for
from ntm.reports.progress import period_phrase
from ntm.reports.render import render
from ntm.reports.render.text import vn_number

FORMATS = ("docx", "xlsx", "pdf")


@dataclass
class IndicatorLine:
    code: str
    content: str
    unit: str
    threshold: str  # "≥ 90", "đạt"; "" when the set has none
    unverified: bool
    value: str  # "93,5", "đạt", "" without data
    value_period: str  # the stored period the value comes from when it is older ("" otherwise)
    status: str  # met / not_met / no_data / no_threshold
    target: str  # the plan's target on this indicator ("" when none)
    stored_value: str = ""  # as stored: "93.50", "true" ("" without data)
    stored_threshold: str = ""  # as stored: "90", "true" ("" when the set has none)
    comparator: str = ""  # "≥" or "≤" before a numeric threshold
    target_number: int | Decimal | None = None  # the plan's target value, when it is a number


@dataclass
class CriterionLine:
    number: int
    name: str
    status: str
    unverified: bool
    indicators: list[IndicatorLine]
    targets: list[str]  # the plan's targets on the criterion itself
    responsible: list[str]
    solutions: list[str]  # the plan's tasks linked to the criterion or its indicators


@dataclass
class VillageLine:
    code: str
    name: str
    period: str  # the village's stored period used ("" without a result)
    met: int | None
    total: int | None
    status: str  # "" without a result
    target: str  # the plan's target for the village ("" when none)


@dataclass
class Bieu1Data:
    header: Header
    unit_code: str
    unit_name: str
    set_code: str
    set_name: str  # the applied set (the province's localisation when there is one)
    illustrative: bool
    basis: Basis
    period: str  # asked for
    result_period: str  # the stored result used (an earlier one when values carry forward)
    met: int
    total: int
    status: str
    unverified: bool
    criteria: list[CriterionLine]
    count_target: int | None  # the plan's "N criteria met" target for the set
    plan_year: int | None
    village_set_name: str
    villages: list[VillageLine]
    computed_at: dt.datetime | None
    as_of: dt.datetime
    data_version: str
    signature: Signature | None
    recipients: list[str] = field(default_factory=list)


def _number(text: str) -> str:
    try:
        return vn_number(Decimal(text).normalize())
    except (InvalidOperation, ValueError):
        return text


def value_text(text: str | None) -> str:
    """A stored value as printed: "93.50" → "93,5", "true" → "đạt"."""
    if text in (None, ""):
        return ""
    if text == "true":
        return pgettext("indicator value", "pass")
    if text == "false":
        return pgettext("indicator value", "fail")
    return _number(str(text))


def comparator_of(result: dict[str, object]) -> str:
    """ "≥" or "≤" before a numeric threshold ("" for pass/fail or no threshold)."""
    if result.get("threshold") in (None, "", "true", "false"):
        return ""
    return "≤" if result.get("direction") == "lower" else "≥"


def threshold_text(result: dict[str, object]) -> str:
    threshold = result.get("threshold")
    if threshold in (None, ""):
        return ""
    if threshold in ("true", "false"):
        shown = value_text(str(threshold))
    else:
        shown = f"{comparator_of(result)} {_number(str(threshold))}"
    return f"{shown}*" if result.get("verified") is False else shown


def status_label(status: str) -> str:
    labels = {
        "met": pgettext("criterion status", "Met"),
        "not_met": pgettext("criterion status", "Not met"),
        "no_data": pgettext("criterion status", "No data"),
        "no_threshold": pgettext("criterion status", "No threshold"),
    }
    return labels.get(status, status)


def _default_family(unit: AdminUnit, period: Period) -> CriteriaSet:
    """The set in force with results up to the period, the plan's own first (``default_family``)."""
    planned = Target.objects.filter(
        plan__unit=unit, plan__year=period.year, kind=TargetKind.CRITERIA_COUNT
    ).values_list("criteria_set", flat=True)
    family = default_family(unit, period, [pk for pk in planned if pk])
    if family is None:
        raise ReportError(_("%(unit)s has no stored criteria results yet.") % {"unit": unit.name})
    return family


def _plan_targets(
    plan: Plan | None, family: CriteriaSet
) -> tuple[
    int | None,
    dict[int, list[str]],
    dict[str, str],
    dict[int, str],
    dict[str, int | Decimal | None],
]:
    """The plan's count target, criterion targets, indicator targets (as printed, and as numbers)
    and village targets."""
    count: int | None = None
    criteria: dict[int, list[str]] = {}
    indicators: dict[str, str] = {}
    villages: dict[int, str] = {}
    numbers: dict[str, int | Decimal | None] = {}
    if plan is None:
        return count, criteria, indicators, villages, numbers
    for target in plan.targets.order_by("position", "pk"):
        if target.kind == TargetKind.CRITERIA_COUNT and target.criteria_set_id == family.pk:
            count = target.count
        elif target.kind == TargetKind.CRITERION and target.criterion_number is not None:
            criteria.setdefault(target.criterion_number, []).append(target.title)
        elif target.kind == TargetKind.INDICATOR and target.indicator_code:
            value = vn_number(Decimal(target.value).normalize()) if target.value is not None else ""
            indicators[target.indicator_code] = value or target.title
            numbers[target.indicator_code] = number_of(target.value)
        elif target.kind == TargetKind.VILLAGE_SET and target.village_id:
            villages[target.village_id] = target.title
    return count, criteria, indicators, villages, numbers


def data_for(
    *,
    unit: AdminUnit,
    period: Period,
    family: CriteriaSet | None = None,
    basis: Basis = Basis.APPROVED,
) -> Bieu1Data:
    if unit.level != Level.COMMUNE:
        raise ReportError(
            _("Biểu 1 is built for a commune; %(unit)s is not one.") % {"unit": unit.name}
        )
    if family is None:
        family = _default_family(unit, period)
    elif family.localises_id is not None:
        family = family.family
    page = set_page(unit=unit, family=family, period=period, basis=basis)
    result: SetResult | None = page.result
    if result is None:
        if basis == Basis.APPROVED:
            raise ReportError(
                _(
                    "%(unit)s has no approved result of %(set)s up to %(period)s: approve its "
                    "values, or build the report on the working figures."
                )
                % {"unit": unit.name, "set": family.name, "period": period.code}
            )
        raise ReportError(
            _("%(unit)s has no stored result of %(set)s up to %(period)s.")
            % {"unit": unit.name, "set": family.name, "period": period.code}
        )

    plan = Plan.objects.filter(unit=unit, year=period.year).first()
    count_target, criterion_targets, indicator_targets, village_targets, target_numbers = (
        _plan_targets(plan, family)
    )
    tasks = list(plan.tasks.order_by("area__position", "deadline", "pk")) if plan else []

    criteria = []
    for row in page.rows:
        codes = {i.indicator.code for i in row.indicators}
        solutions = [
            " ".join(task.description.split())
            for task in tasks
            if row.criterion.number in (task.criteria or [])
            or codes.intersection(task.indicators or [])
        ]
        indicators = []
        for line in row.indicators:
            stored = line.result
            value_period = str(stored.get("value_period") or "")
            indicators.append(
                IndicatorLine(
                    code=line.indicator.code,
                    content=line.indicator.content,
                    unit=line.indicator.unit,
                    threshold=threshold_text(stored) if stored else "",
                    unverified=stored.get("verified") is False,
                    value=value_text(stored.get("value")) if stored else "",
                    value_period=value_period if value_period != result.period else "",
                    status=str(stored.get("status") or "no_data"),
                    target=indicator_targets.get(line.indicator.code, ""),
                    stored_value=str(stored.get("value") or "") if stored else "",
                    stored_threshold=str(stored.get("threshold") or "") if stored else "",
                    comparator=comparator_of(stored) if stored else "",
                    target_number=target_numbers.get(line.indicator.code),
                )
            )
        criteria.append(
            CriterionLine(
                number=row.criterion.number,
                name=row.criterion.name,
                status=row.status,
                unverified=row.unverified,
                indicators=indicators,
                targets=criterion_targets.get(row.criterion.number, []),
                responsible=row.responsible or [str(row.criterion.get_field_display())],
                solutions=solutions,
            )
        )

    # Section II: the villages against the village set the commune page shows.
    village_sets = [f for f, _result in sets_for_unit_level(unit, "village")]
    villages: list[VillageLine] = []
    village_set_name = ""
    if village_sets:
        village_family = village_sets[0]
        village_set_name = village_family.name
        for sub in subunit_results(
            parent=unit, family=village_family, period=period, level=Level.VILLAGE, basis=basis
        ):
            r = sub.result
            villages.append(
                VillageLine(
                    code=sub.unit.code,
                    name=sub.unit.name,
                    period=r.period if r else "",
                    met=r.met if r else None,
                    total=r.total if r else None,
                    status=r.status if r else "",
                    target=village_targets.get(sub.unit.pk, ""),
                )
            )

    return Bieu1Data(
        header=replace(header_for(unit), number=blank_number("BC", unit)),
        unit_code=unit.code,
        unit_name=unit.name,
        set_code=family.code,
        set_name=page.applied.name,
        illustrative=page.applied.illustrative,
        basis=basis,
        period=period.code,
        result_period=result.period,
        met=result.met,
        total=result.total,
        status=result.status,
        unverified=result.unverified,
        criteria=criteria,
        count_target=count_target,
        plan_year=plan.year if plan else None,
        village_set_name=village_set_name,
        villages=villages,
        computed_at=result.computed_at,
        as_of=timezone.now(),
        data_version=data_version(unit),
        signature=signature_for(unit, plan.signer if plan else ""),
        recipients=lines(plan.recipients) if plan else [],
    )


def _value_shown(indicator: IndicatorLine) -> str:
    text = indicator.value or "—"
    return f"{text} ({indicator.value_period})" if indicator.value_period else text


def _criteria_table(data: Bieu1Data) -> Table:
    """One row per criterion (its status, target, officials, solutions) followed by one row per
    indicator (threshold, value, status, target), so every value stands beside its threshold."""
    target_title = (
        pgettext("bieu1", "Target %(year)s") % {"year": data.plan_year}
        if data.plan_year
        else pgettext("bieu1", "Target")
    )
    status_title = pgettext("bieu1", "Status")
    # Paper: "≥ 90*", "93,5 (2024Q1)", "13/19"; the workbook: each part in a column of its own.
    columns = [
        Column(pgettext("bieu1", "No."), 0.55, "center"),
        Column(pgettext("bieu1", "Criterion / indicator"), 4.2),
        Column(pgettext("bieu1", "Threshold"), 1.0, "center", formats=PRINT),
        Column(pgettext("bieu1", "Current value"), 1.15, "center", formats=PRINT),
        Column(_("Comparator"), 0.75, "center", formats=DATA),
        Column(pgettext("bieu1", "Threshold"), 1.0, "right", formats=DATA),
        Column(_("Unverified threshold"), 1.0, "center", formats=DATA),
        Column(pgettext("bieu1", "Current value"), 1.0, "right", formats=DATA),
        Column(_("Period of the value"), 0.9, "center", formats=DATA),
        Column(status_title, 0.95, "center", formats=PRINT),
        Column(status_title, 0.95, "center", formats=DATA),
        Column(target_title, 1.7, formats=PRINT),
        Column(target_title, 1.2, "right", formats=DATA),
        Column(pgettext("bieu1", "Responsible"), 1.45),
        Column(pgettext("bieu1", "Solutions"), 3.4),
    ]
    rows: list[list[CellValue | Cell]] = []
    for c in data.criteria:
        status = Cell(status_label(c.status), bold=True)
        targets = "\n".join(c.targets)
        rows.append(
            [
                Cell(str(c.number), bold=True),
                Cell(c.name + ("*" if c.unverified else ""), bold=True, colspan=8),
                status,
                status,
                targets,
                targets,
                "\n".join(c.responsible),
                "\n".join(f"- {s}" for s in c.solutions),
            ]
        )
        if not c.indicators:
            rows.append(["", Cell(_("No indicators defined in this set."), italic=True)])
        for i in c.indicators:
            rows.append(
                [
                    i.code,
                    i.content + (f" ({i.unit})" if i.unit else ""),
                    i.threshold or "—",
                    _value_shown(i),
                    i.comparator,
                    workbook_value(i.stored_threshold),
                    "*" if i.unverified else "",
                    workbook_value(i.stored_value),
                    (i.value_period or data.result_period) if i.stored_value else "",
                    status_label(i.status),
                    status_label(i.status),
                    i.target,
                    i.target_number if i.target_number is not None else i.target,
                    "",
                    "",
                ]
            )
    # The set is met when all its criteria are: in the workbook "≥ 19" is the threshold of the
    # count, as an indicator's; the plan's "N criteria" target is a number.
    rows.append(
        [
            Cell(pgettext("bieu1", "Criteria met"), bold=True, colspan=4),
            "≥",
            data.total,
            "*" if data.unverified else "",
            data.met,
            data.result_period,
            Cell(f"{data.met}/{data.total}", bold=True),
            status_label(data.status),
            Cell(
                f"{data.count_target}/{data.total}" if data.count_target is not None else "",
                bold=True,
            ),
            data.count_target,
            "",
            "",
        ]
    )
    return Table(
        columns=columns,
        rows=rows,
        caption=_("I. THE COMMUNE'S CRITERIA"),
        sheet=_("Criteria"),
        total_row=True,
    )


def _villages_table(data: Bieu1Data) -> Table:
    target_title = (
        pgettext("bieu1", "Target %(year)s") % {"year": data.plan_year}
        if data.plan_year
        else pgettext("bieu1", "Target")
    )
    columns = [
        Column(pgettext("bieu1", "No."), 0.45, "center"),
        Column(pgettext("bieu1", "Village"), 2.5),
        Column(pgettext("bieu1", "Criteria met"), 1.2, "center", formats=PRINT),
        Column(pgettext("bieu1", "Criteria met"), 1.0, "right", formats=DATA),
        Column(_("Criteria in the set"), 1.0, "right", formats=DATA),
        Column(pgettext("bieu1", "Status"), 1.2, "center"),
        Column(pgettext("bieu1", "Period"), 0.9, "center"),
        Column(target_title, 5),
    ]
    rows: list[list[CellValue | Cell]] = []
    for index, v in enumerate(data.villages, start=1):
        rows.append(
            [
                index,
                v.name,
                f"{v.met}/{v.total}" if v.met is not None else _("no data"),
                v.met,
                v.total,
                status_label(v.status) if v.status else "—",
                v.period,
                v.target,
            ]
        )
    return Table(
        columns=columns,
        rows=rows,
        caption=_("II. VILLAGES: %(set)s") % {"set": data.village_set_name},
        sheet=_("Villages"),
    )


def document_for(data: Bieu1Data) -> Document:
    subtitle = _("Results of the criteria of the %(set)s in %(unit)s as of %(period)s") % {
        "set": data.set_name,
        "unit": data.unit_name[:1].lower() + data.unit_name[1:],
        "period": period_phrase_for(data.result_period),
    }
    blocks: list[Heading | Table] = []
    if data.result_period != data.period:
        blocks.append(
            Heading(
                _("No result was stored for %(asked)s; the latest before it (%(used)s) is shown.")
                % {"asked": data.period, "used": data.result_period},
                level=3,
            )
        )
    blocks.append(_criteria_table(data))
    if data.villages:
        blocks.append(_villages_table(data))
    footnotes = [basis_footnote(data.basis)]
    if data.unverified or any(i.unverified for c in data.criteria for i in c.indicators):
        footnotes.append(unverified_footnote())
    if any(i.value_period for c in data.criteria for i in c.indicators):
        footnotes.append(
            _("A period in brackets after a value: the latest value reported, from that period.")
        )
    if data.illustrative:
        footnotes.append(
            _("Illustrative thresholds and values (demo): not the law, not real data.")
        )
    if data.computed_at is not None:
        footnotes.append(
            _("Results computed on %(at)s from the values stored then.")
            % {"at": timezone.localtime(data.computed_at).strftime("%d/%m/%Y %H:%M")}
        )
    return Document(
        header=data.header,
        title=_("TABLE 1"),
        subtitle=subtitle,
        blocks=list(blocks),
        signature=data.signature,
        recipients=data.recipients,
        footnotes=footnotes,
        as_of=data.as_of,
        data_version=data.data_version,
        landscape=True,
        filename=f"bieu1-{data.unit_code}-{data.period}",
    )


def period_phrase_for(code: str) -> str:
    return period_phrase(parse_period(code))


def build_bieu1(data: Bieu1Data, fmt: str) -> bytes:
    return render(document_for(data), fmt)


build = build_bieu1
