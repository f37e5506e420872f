"""Province (or district) roll-up: every commune's criteria count for a set, and each criterion's
share of communes meeting it.

Read from stored results only, in a fixed number of queries whatever the number of communes
(units in one query, results in chunks of 2,000 ids, reading the short ``criteria_status`` column
rather than the detail JSON), so a country of 10,035 communes builds in seconds. Shares are exact
(Decimal, half-up to one decimal) over the communes that have a result.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ntm.catalog.models import CriteriaSet
from ntm.catalog.selectors import applicable_set
from ntm.engine.periods import Period, parse_period
from ntm.evaluation.models import Basis, SetResult
from ntm.evaluation.services import parse_criteria_status
from ntm.geo.models import AdminUnit, Level
from ntm.reports.bieu1 import status_label
from ntm.reports.charts import bar_chart
from ntm.reports.common import (
    ReportError,
    basis_footnote,
    committee_signature,
    data_version,
    default_family,
    header_for,
    unverified_footnote,
)
from ntm.reports.document import (
    Block,
    Cell,
    CellValue,
    Column,
    Document,
    Header,
    Paragraph,
    Signature,
    Table,
)
from ntm.reports.plan import blank_number
from ntm.reports.progress import period_phrase
from ntm.reports.render import render

FORMATS = ("docx", "xlsx", "pdf")
CHUNK = 2000
TENTH = Decimal("0.1")


@dataclass
class CommuneLine:
    code: str
    name: str
    district: str
    met: int | None  # None: no stored result up to the period
    total: int | None
    status: str  # the set's status ("" without a result)
    period: str  # the stored period used (values carry forward)
    unverified: bool


@dataclass
class CriterionShare:
    number: int
    name: str
    met: int  # communes meeting the criterion
    communes: int  # communes with a result (the denominator)
    share: Decimal  # percent, one decimal, half-up


@dataclass
class RollupData:
    header: Header
    unit_code: str
    unit_name: str
    set_code: str
    set_name: str
    illustrative: bool
    period: str
    communes: list[CommuneLine]
    basis: Basis
    criteria: list[CriterionShare]
    as_of: dt.datetime
    data_version: str
    signature: Signature | None = None
    recipients: list[str] = field(default_factory=list)

    @property
    def with_result(self) -> int:
        return sum(1 for c in self.communes if c.met is not None)

    @property
    def met_all(self) -> int:
        return sum(1 for c in self.communes if c.status == "met")

    @property
    def unverified(self) -> bool:
        return any(c.unverified for c in self.communes)


def share(part: int, whole: int) -> Decimal:
    """part / whole in percent, exactly, rounded half-up to one decimal (0 when whole is 0)."""
    if whole == 0:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def _latest(results: list[SetResult], period: Period) -> SetResult:
    """The period's own result, else the latest ending before it (as the commune page)."""
    exact = [r for r in results if r.period == period.code]
    if exact:
        return exact[0]
    return max(results, key=lambda r: (r.period_end, r.period))


def _default_family(unit: AdminUnit, period: Period) -> CriteriaSet:
    family = default_family(unit, period, most_reported=True)
    if family is None:
        raise ReportError(_("Choose a criteria set for the roll-up."))
    return family


def data_for(
    *,
    unit: AdminUnit,
    period: Period,
    family: CriteriaSet | None = None,
    basis: Basis = Basis.APPROVED,
) -> RollupData:
    if unit.level >= Level.COMMUNE:
        raise ReportError(
            _("The roll-up is built for a province or district; %(unit)s is neither.")
            % {"unit": unit.name}
        )
    family = family.family if family is not None else _default_family(unit, period)
    if family.level != "commune":
        raise ReportError(
            _("The roll-up counts communes; %(set)s is not a commune set.") % {"set": family.name}
        )
    communes = list(
        AdminUnit.objects.filter(path__startswith=unit.path, level=Level.COMMUNE)
        .in_force(period.end)
        .select_related("parent")
        .order_by("code", "pk")
    )
    if not communes:
        raise ReportError(
            _("%(unit)s has no communes on %(date)s.")
            % {"unit": unit.name, "date": period.end.strftime("%d/%m/%Y")}
        )
    by_unit: dict[int, list[SetResult]] = {}
    ids = [c.pk for c in communes]
    for start in range(0, len(ids), CHUNK):
        for result in (
            SetResult.on(basis)
            .filter(
                criteria_set=family,
                unit_id__in=ids[start : start + CHUNK],
                period_end__lte=period.end,
            )
            .only(
                "unit_id",
                "period",
                "period_end",
                "met",
                "total",
                "status",
                "unverified",
                "criteria_status",
            )
        ):
            by_unit.setdefault(result.unit_id, []).append(result)
    if not by_unit:
        raise ReportError(
            _("No commune of %(unit)s has a stored result of %(set)s up to %(period)s.")
            % {"unit": unit.name, "set": family.name, "period": period.code}
        )

    lines: list[CommuneLine] = []
    counts: dict[int, Counter[str]] = {}
    for commune in communes:
        results = by_unit.get(commune.pk)
        parent = commune.parent
        district = parent.name if parent is not None and parent.level == Level.DISTRICT else ""
        if not results:
            lines.append(
                CommuneLine(commune.code, commune.name, district, None, None, "", "", False)
            )
            continue
        result = _latest(results, period)
        for number, status in parse_criteria_status(result.criteria_status).items():
            counts.setdefault(number, Counter())[status] += 1
        lines.append(
            CommuneLine(
                commune.code,
                commune.name,
                district,
                result.met,
                result.total,
                result.status,
                result.period,
                result.unverified,
            )
        )

    header = replace(header_for(unit), number=blank_number("BC", unit))
    applied = applicable_set(family, unit) if unit.level == Level.PROVINCE else family
    names = dict(applied.criteria.values_list("number", "name_vi"))
    with_result = sum(1 for line in lines if line.met is not None)
    criteria = [
        CriterionShare(
            number,
            names.get(number, ""),
            counter["met"],
            with_result,
            share(counter["met"], with_result),
        )
        for number, counter in sorted(counts.items())
    ]
    return RollupData(
        header=header,
        unit_code=unit.code,
        unit_name=unit.name,
        set_code=family.code,
        set_name=applied.name,
        illustrative=applied.illustrative,
        period=period.code,
        communes=lines,
        basis=basis,
        criteria=criteria,
        as_of=timezone.now(),
        data_version=data_version(unit),
        signature=committee_signature(),
        recipients=recipients_for(header),
    )


def recipients_for(header: Header) -> list[str]:
    """ "Nơi nhận": the body reported to (a district's province; a province's central
    coordination office for new rural development), and the file copy."""
    above = (
        _("%(body)s (to report);") % {"body": header.issuer_parent}
        if header.issuer_parent
        else _("Central Coordination Office for New Rural Development (to report);")
    )
    return [above, _("Filed: office.")]


def _communes_table(data: RollupData) -> Table:
    with_district = any(c.district for c in data.communes)
    columns = [
        Column(pgettext("rollup", "No."), 0.5, "center"),
        Column(pgettext("rollup", "Code"), 0.8, "center"),
        Column(pgettext("rollup", "Commune"), 2.2),
    ]
    if with_district:
        columns.append(Column(pgettext("rollup", "District"), 2.0))
    columns += [
        Column(pgettext("rollup", "Criteria met"), 1.0, "right", 0),
        Column(pgettext("rollup", "Criteria"), 0.9, "right", 0),
        Column(pgettext("rollup", "Status"), 1.1, "center"),
        Column(pgettext("rollup", "Period"), 0.9, "center"),
        Column(pgettext("rollup", "Unverified"), 0.9, "center"),
    ]
    rows: list[list[CellValue | Cell]] = []
    no_data = pgettext("rollup", "no data")
    for index, c in enumerate(data.communes, start=1):
        row: list[CellValue | Cell] = [index, c.code, c.name]
        if with_district:
            row.append(c.district)
        row += [
            c.met,
            c.total,
            status_label(c.status) if c.status else no_data,
            c.period,
            "*" if c.unverified else "",
        ]
        rows.append(row)
    return Table(
        columns=columns,
        rows=rows,
        caption=_("I. CRITERIA MET BY COMMUNE"),
        sheet=pgettext("rollup sheet", "Communes"),
    )


def _criteria_table(data: RollupData) -> Table:
    columns = [
        Column(pgettext("rollup", "No."), 0.5, "center"),
        Column(pgettext("rollup", "Criterion"), 4.0),
        Column(pgettext("rollup", "Communes meeting it"), 1.3, "right", 0),
        Column(pgettext("rollup", "Communes with a result"), 1.3, "right", 0),
        Column(pgettext("rollup", "Share (%)"), 1.0, "right", 1),
    ]
    rows: list[list[CellValue | Cell]] = [
        [c.number, c.name, c.met, c.communes, c.share] for c in data.criteria
    ]
    rows.append(
        [
            Cell(pgettext("rollup", "Communes meeting the whole set"), colspan=2),
            data.met_all,
            data.with_result,
            share(data.met_all, data.with_result),
        ]
    )
    return Table(
        columns=columns,
        rows=rows,
        caption=_("II. COMMUNES MEETING EACH CRITERION"),
        sheet=pgettext("rollup sheet", "Criteria"),
        total_row=True,
    )


def document_for(data: RollupData, *, charts: bool = True) -> Document:
    blocks: list[Block] = [
        Paragraph(
            _(
                "%(with_result)s of %(communes)s communes have a result; %(met_all)s meet the "
                "whole set."
            )
            % {
                "with_result": data.with_result,
                "communes": len(data.communes),
                "met_all": data.met_all,
            }
        ),
        _communes_table(data),
        _criteria_table(data),
    ]
    if charts and data.criteria:
        blocks.append(
            bar_chart(
                [f"{c.number:02d}. {c.name}"[:40] for c in data.criteria],
                [c.share for c in data.criteria],
                title=_("Share of communes meeting each criterion (%)"),
                unit_label="%",
            )
        )
    footnotes = [basis_footnote(data.basis)]
    if data.unverified:
        footnotes.append(unverified_footnote())
    if data.illustrative:
        footnotes.append(
            _("Illustrative thresholds and values (demo): not the law, not real data.")
        )
    footnotes.append(_("Shares are of the communes with a result, rounded half-up to one decimal."))
    unit = data.unit_name[:1].lower() + data.unit_name[1:]
    return Document(
        header=data.header,
        title=_("REPORT"),
        subtitle=_("Criteria of the %(set)s met by the communes of %(unit)s as of %(period)s")
        % {"set": data.set_name, "unit": unit, "period": period_phrase(parse_period(data.period))},
        blocks=blocks,
        signature=data.signature,
        recipients=data.recipients,
        footnotes=footnotes,
        as_of=data.as_of,
        data_version=data.data_version,
        landscape=True,
        filename=f"rollup-{data.unit_code}-{data.period}",
    )


def build_province_rollup(data: RollupData, fmt: str) -> bytes:
    return render(document_for(data), fmt)


build = build_province_rollup
