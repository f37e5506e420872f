"""The resource mobilisation table of a year for a village, commune, district or province.

Rows by source with cash, non-cash quantity and value, total and share — the finance page's own
selector (``finance.selectors.mobilisation``), so the shares add up to exactly 100.0 as the page
shows; above a commune also one row per commune (``commune_breakdown``). Chart: funds by source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ntm.catalog.models import CriteriaSet
from ntm.engine.periods import Period
from ntm.finance.models import PEOPLE_SOURCES
from ntm.finance.selectors import commune_breakdown, mobilisation
from ntm.finance.templatetags.finance import vnd
from ntm.geo.models import AdminUnit, Level
from ntm.planning.models import Plan
from ntm.reports.common import ReportError, data_version, header_for
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
from ntm.reports.plan import blank_number, signature_for
from ntm.reports.render import render

FORMATS = ("docx", "xlsx", "pdf")
HUNDRED = Decimal("100.0")


class SourceLike(Protocol):
    """A row of the table by source (read-only, as frozen dataclasses are)."""

    @property
    def label(self) -> str: ...
    @property
    def cash(self) -> Decimal: ...
    @property
    def quantity(self) -> Decimal | None: ...
    @property
    def quantity_unit(self) -> str: ...
    @property
    def non_cash_value(self) -> Decimal: ...
    @property
    def total(self) -> Decimal: ...
    @property
    def share(self) -> Decimal: ...


def sources_table(
    lines: Sequence[SourceLike],
    *,
    cash: Decimal,
    non_cash: Decimal,
    total: Decimal,
    year: int,
    sheet: str,
) -> Table:
    """The mobilisation table by source (as the finance page shows it) with its total row; shared
    by this report and the progress report."""
    rows: list[list[CellValue | Cell]] = [
        [i, r.label, r.cash, r.quantity, r.quantity_unit, r.non_cash_value, r.total, r.share]
        for i, r in enumerate(lines, start=1)
    ]
    rows.append(
        [
            "",
            Cell(_("Total"), bold=True),
            cash,
            None,
            "",
            non_cash,
            total,
            HUNDRED if total else Decimal(0),
        ]
    )
    return Table(
        columns=[
            Column(pgettext("table column", "No."), width=0.5, align="center"),
            Column(pgettext("table column", "Source"), width=2.6),
            Column(pgettext("table column", "Cash"), width=1.6, align="right", decimals=0),
            Column(pgettext("table column", "Non-cash quantity"), width=1.1, align="right"),
            Column(pgettext("table column", "Unit"), width=0.9),
            Column(
                pgettext("table column", "Non-cash value"), width=1.6, align="right", decimals=0
            ),
            Column(pgettext("table column", "Total"), width=1.7, align="right", decimals=0),
            Column(pgettext("table column", "Share (%)"), width=0.8, align="right", decimals=1),
        ],
        rows=rows,
        caption=_("Resources mobilised by source, %(year)s") % {"year": year},
        sheet=sheet,
        unit_note=_("Unit: VND"),
        total_row=True,
    )


@dataclass(frozen=True)
class SourceRow:
    source: str  # the source code ("province", "people_labour", …)
    label: str
    cash: Decimal
    quantity: Decimal | None
    quantity_unit: str
    non_cash_value: Decimal
    total: Decimal
    share: Decimal


@dataclass(frozen=True)
class CommuneRow:
    code: str
    name: str
    total: Decimal
    state_budget: Decimal
    people: Decimal
    other: Decimal


@dataclass
class MobilisationData:
    unit_name: str
    unit_code: str
    level: int
    year: int
    header: Header
    rows: list[SourceRow]
    cash: Decimal
    non_cash_value: Decimal
    total: Decimal
    people_total: Decimal
    signature: Signature
    read_at: dt.datetime
    data_version: str
    filename: str
    communes: list[CommuneRow] = field(default_factory=list)
    communes_total: CommuneRow | None = None


def plain_quantity(quantity: Decimal | None) -> Decimal | None:
    """550.00 labour days → 550 (as the page shows them); 12.50 m² → 12.5."""
    if quantity is None:
        return None
    if quantity == quantity.to_integral_value():
        return quantity.quantize(Decimal(1))
    return quantity.normalize()


def data_for(
    *, unit: AdminUnit, period: Period, family: CriteriaSet | None = None
) -> MobilisationData:
    """The year of ``period``; a unit with neither works nor contributions that year has no
    table to report."""
    year = period.year
    table = mobilisation(unit=unit, year=year)
    if not table.total and not table.works_total and not table.contributions_total:
        raise ReportError(
            _("%(unit)s has no works or contributions recorded for %(year)s.")
            % {"unit": unit.name, "year": year}
        )
    communes: list[CommuneRow] = []
    communes_total = None
    if unit.level < Level.COMMUNE:
        breakdown = commune_breakdown(unit=unit, year=year)
        communes = [
            CommuneRow(r.commune.code, r.commune.name, r.total, r.state_budget, r.people, r.other)
            for r in breakdown.rows
        ]
        communes_total = CommuneRow(
            "",
            _("Total"),
            breakdown.total,
            breakdown.state_budget,
            breakdown.people,
            breakdown.other,
        )
    return MobilisationData(
        unit_name=unit.name,
        unit_code=unit.code,
        level=unit.level,
        year=year,
        header=header_for(unit, number=blank_number("BC", unit)),
        rows=[
            SourceRow(
                source=r.source,
                label=r.label,
                cash=r.cash,
                quantity=plain_quantity(r.quantity),
                quantity_unit=r.quantity_unit,
                non_cash_value=r.non_cash_value,
                total=r.total,
                share=r.share,
            )
            for r in table.rows
        ],
        cash=table.cash,
        non_cash_value=table.non_cash_value,
        total=table.total,
        people_total=table.people_total,
        # The signer of the unit's plan of the year signs its table too; else the name is blank.
        signature=signature_for(
            unit,
            Plan.objects.filter(unit=unit, year=year).values_list("signer", flat=True).first()
            or "",
        ),
        read_at=timezone.now(),
        data_version=data_version(unit),
        filename=f"huy-dong-nguon-luc-{unit.code}-{year}",
        communes=communes,
        communes_total=communes_total,
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def document_for(data: MobilisationData, *, charts: bool = True) -> Document:
    blocks: list[Block] = []

    people_share = sum((r.share for r in data.rows if r.source in PEOPLE_SOURCES), Decimal(0))
    blocks.append(
        Paragraph(
            _(
                "Resources mobilised in %(year)s in %(unit)s: %(total)s VND, of which cash "
                "%(cash)s VND and non-cash %(non_cash)s VND; the people contributed %(people)s "
                "VND (%(share)s%%)."
            )
            % {
                "year": data.year,
                "unit": _lower_first(data.unit_name),
                "total": vnd(data.total),
                "cash": vnd(data.cash),
                "non_cash": vnd(data.non_cash_value),
                "people": vnd(data.people_total),
                "share": format(people_share, "f").replace(".", ","),
            }
        )
    )
    blocks.append(
        sources_table(
            data.rows,
            cash=data.cash,
            non_cash=data.non_cash_value,
            total=data.total,
            year=data.year,
            sheet=_("By source"),
        )
    )
    if charts and data.total:
        # deferred: matplotlib takes ~0.8 s to import; only documents with charts need it
        from ntm.reports.charts import bar_chart

        shown = [r for r in data.rows if r.total]
        blocks.append(
            bar_chart(
                [r.label for r in shown],
                [r.total for r in shown],
                title=pgettext("chart", "Funds by source"),
                unit_label=_("VND"),
            )
        )
    blocks.append(
        Paragraph(
            _(
                "State and other sources: capital planned on the year's works. People's rows: "
                "what the contributions ledger records for the year (labour days and land valued "
                "at the commune's rates). Nothing is counted twice."
            ),
            italic=True,
        )
    )
    if data.communes_total is not None:
        commune_rows: list[list[CellValue | Cell]] = [
            [i, c.name, c.code, c.total, c.state_budget, c.people, c.other]
            for i, c in enumerate(data.communes, start=1)
        ]
        t = data.communes_total
        commune_rows.append(
            ["", Cell(t.name, bold=True), "", t.total, t.state_budget, t.people, t.other]
        )
        blocks.append(
            Table(
                columns=[
                    Column(pgettext("table column", "No."), width=0.5, align="center"),
                    Column(pgettext("table column", "Commune"), width=2.6),
                    Column(pgettext("table column", "Code"), width=0.8, align="center"),
                    Column(pgettext("table column", "Total"), width=1.7, align="right", decimals=0),
                    Column(
                        pgettext("table column", "State budget"),
                        width=1.7,
                        align="right",
                        decimals=0,
                    ),
                    Column(
                        pgettext("table column", "People"), width=1.6, align="right", decimals=0
                    ),
                    Column(
                        pgettext("table column", "Other sources"),
                        width=1.6,
                        align="right",
                        decimals=0,
                    ),
                ],
                rows=commune_rows,
                caption=_("Mobilisation by commune, %(year)s") % {"year": data.year},
                sheet=_("By commune"),
                unit_note=_("Unit: VND"),
                total_row=True,
            )
        )
        blocks.append(
            Paragraph(
                _(
                    "State budget: central, province, district and commune budgets planned on "
                    "the year's works. People: the year's contributions ledger. A village counts "
                    "for its commune."
                ),
                italic=True,
            )
        )
    return Document(
        header=data.header,
        title=_("RESOURCE MOBILISATION"),
        subtitle=_(
            "For the national target programme on new rural development, %(year)s, in %(unit)s"
        )
        % {"year": data.year, "unit": _lower_first(data.unit_name)},
        blocks=blocks,
        signature=data.signature,
        recipients=[_("Filed: office.")],
        as_of=data.read_at,
        data_version=data.data_version,
        landscape=True,
        filename=data.filename,
    )


def build_mobilisation(data: MobilisationData, fmt: str) -> bytes:
    return render(document_for(data), fmt)


build = build_mobilisation
