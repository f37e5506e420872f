"""The progress report (BÁO CÁO) of a quarter, six months or a year, from a plan's snapshot.

What the snapshot froze (criteria met, targets' status, tasks done and overdue, obstacles) is
reported as frozen; funds and works come from the finance pages' own selectors for the year
(the mobilisation table has no date finer than the year: the report says so when the period ends
before the year does); the works' progress is read as of the period's end from their dated
updates. Charts: criteria met over the stored results up to the period, funds by source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ntm.catalog.models import CriteriaSet
from ntm.core.templatetags.ntm import observed
from ntm.engine.periods import Period, PeriodKind, parse_period
from ntm.evaluation.models import Basis, SetResult
from ntm.finance.models import WorkProgress
from ntm.finance.selectors import mobilisation, works_summary
from ntm.finance.templatetags.finance import vnd
from ntm.geo.models import AdminUnit
from ntm.planning.models import Obstacle, Plan, Snapshot, TargetKind, TargetStatus, Task
from ntm.reports.common import (
    ReportError,
    basis_footnote,
    data_version,
    header_for,
    number_of,
    unverified_footnote,
    workbook_value,
)
from ntm.reports.document import (
    DATA,
    PRINT,
    Block,
    Cell,
    CellValue,
    Column,
    Document,
    Header,
    Heading,
    Paragraph,
    Signature,
    Table,
)
from ntm.reports.mobilisation import plain_quantity, sources_table
from ntm.reports.plan import ROMAN, blank_number, lines, signature_for
from ntm.reports.render import render

FORMATS = ("docx", "xlsx", "pdf")
OPEN = (Task.Status.NOT_STARTED, Task.Status.IN_PROGRESS)
ZERO = Decimal(0)


@dataclass(frozen=True)
class TargetLine:
    title: str
    actual: str  # as the snapshot page shows it: "13/19", "đạt", "2,21"
    status: str  # translated status
    status_code: str  # achieved | on_track | at_risk | missed | no_data
    result_period: str
    stored: str = ""  # as the snapshot froze it: "13/19", "2.21", "met" ("" without data)


@dataclass(frozen=True)
class TaskLine:
    description: str
    area: str
    deadline: dt.date
    percent: int
    status: str  # translated
    carried_over: bool = False  # open past its deadline at the period's end


@dataclass(frozen=True)
class ObstacleLine:
    description: str
    level: str  # translated: where it must be resolved
    resolved: bool


@dataclass(frozen=True)
class FundLine:
    label: str
    cash: Decimal
    quantity: Decimal | None
    quantity_unit: str
    non_cash_value: Decimal
    total: Decimal
    share: Decimal


@dataclass(frozen=True)
class WorkLine:
    name: str
    unit_name: str
    planned: Decimal
    disbursed: Decimal
    contributed: Decimal
    percent: int  # as of the period's end


@dataclass(frozen=True)
class CriteriaPoint:
    label: str  # "Quý IV/2024"
    met: int
    total: int


@dataclass
class ProgressData:
    unit_name: str
    issuer: str  # "UBND xã Dương Đức", who reports
    header: Header
    period_code: str
    period_phrase: str  # "quý IV năm 2024"
    as_of: dt.date  # the period's end, the snapshot's day
    frozen_at: dt.datetime
    plan_title: str
    plan_number: str
    plan_issued_on: dt.date | None
    set_name: str
    criteria_met: int | None
    criteria_total: int | None
    criteria_target: int | None
    criteria_unverified: bool
    criteria_points: list[CriteriaPoint]
    targets: list[TargetLine]
    tasks_done: int
    tasks_overdue: int
    tasks_total: int
    overdue_tasks: list[TaskLine]
    obstacles: list[ObstacleLine]
    funds_year: int
    funds: list[FundLine]
    funds_cash: Decimal
    funds_non_cash: Decimal
    funds_total: Decimal
    funds_whole_year: bool  # the period ends before the year: the table is the year's
    works: list[WorkLine]
    next_phrase: str  # "quý I năm 2025"
    next_tasks: list[TaskLine]
    signature: Signature
    recipients: list[str]
    read_at: dt.datetime
    data_version: str
    filename: str
    notes: list[str] = field(default_factory=list)
    basis: Basis = Basis.APPROVED


def period_phrase(period: Period) -> str:
    """ "quý IV năm 2024", "6 tháng đầu năm 2024", "năm 2024" (translated)."""
    year = period.year
    if period.kind == PeriodKind.QUARTER:
        return _("quarter %(roman)s of %(year)s") % {
            "roman": ROMAN[(period.start.month - 1) // 3],
            "year": year,
        }
    if period.kind == PeriodKind.HALF:
        if period.start.month == 1:
            return _("the first six months of %(year)s") % {"year": year}
        return _("the last six months of %(year)s") % {"year": year}
    return _("the year %(year)s") % {"year": year}


def period_label(period: Period) -> str:
    """Short labels for a chart's axis: "Quý IV/2024", "6 tháng đầu/2024", "2024"."""
    if period.kind == PeriodKind.QUARTER:
        return _("Q%(roman)s/%(year)s") % {
            "roman": ROMAN[(period.start.month - 1) // 3],
            "year": period.year,
        }
    if period.kind == PeriodKind.HALF:
        if period.start.month == 1:
            return _("H1/%(year)s") % {"year": period.year}
        return _("H2/%(year)s") % {"year": period.year}
    return str(period.year)


def next_period(period: Period) -> Period:
    year = period.year
    if period.kind == PeriodKind.YEAR:
        return parse_period(str(year + 1))
    if period.kind == PeriodKind.HALF:
        return parse_period(f"{year}H2" if period.start.month == 1 else f"{year + 1}H1")
    quarter = (period.start.month - 1) // 3 + 1
    return parse_period(f"{year}Q{quarter + 1}" if quarter < 4 else f"{year + 1}Q1")


def data_for(
    *,
    unit: AdminUnit,
    period: Period,
    family: CriteriaSet | None = None,
    basis: Basis = Basis.APPROVED,
) -> ProgressData:
    plan = Plan.objects.select_related("unit").filter(unit=unit, year=period.year).first()
    if plan is None:
        raise ReportError(
            _("%(unit)s has no plan for %(year)s.") % {"unit": unit.name, "year": period.year}
        )
    snapshot = Snapshot.objects.filter(plan=plan, period=period.code).first()
    if snapshot is None:
        raise ReportError(
            _(
                "The plan of %(unit)s has no progress snapshot of %(period)s: take one on the "
                "plan's page first."
            )
            % {"unit": unit.name, "period": period.code}
        )
    snapshot.plan = plan
    return data_for_snapshot(snapshot, family=family, basis=basis)


def _criteria(
    plan: Plan, snapshot: Snapshot, period: Period, family: CriteriaSet | None, basis: Basis
) -> tuple[CriteriaSet | None, int | None, list[CriteriaPoint], bool]:
    """The set reported on (asked for, else the plan's "N criteria met" target's, else the
    first the snapshot holds), the plan's target count, the stored results up to the period."""
    targets = plan.targets.filter(kind=TargetKind.CRITERIA_COUNT).select_related("criteria_set")
    if family is not None:
        targets = targets.filter(criteria_set=family)
    target = targets.order_by("position", "pk").first()
    if family is None and target is not None:
        family = target.criteria_set
    if family is None:
        codes = list(snapshot.data.get("criteria_sets", {}))
        family = CriteriaSet.objects.filter(code__in=codes[:1]).first() if codes else None
    if family is None:
        return None, None, [], False
    by_end: dict[dt.date, tuple[str, int, int, bool]] = {}
    for code, end, met, total, unverified in (
        SetResult.on(basis)
        .filter(unit=plan.unit, criteria_set=family, period_end__lte=period.end)
        .order_by("period_end", "period")
        .values_list("period", "period_end", "met", "total", "unverified")
    ):
        # "2024" and "2024Q4" end the same day: the quarter (ordered last) stands for it.
        by_end[end] = (code, met, total, unverified)
    points = [
        CriteriaPoint(period_label(parse_period(code)), met, total)
        for code, met, total, _u in by_end.values()
    ]
    latest = list(by_end.values())[-1] if by_end else None
    return family, target.count if target else None, points, bool(latest and latest[3])


def _works(plan: Plan, period: Period) -> list[WorkLine]:
    rows = works_summary(unit=plan.unit, year=period.year)
    percent: dict[int, int] = {}
    for work_id, value in (
        WorkProgress.objects.filter(work_id__in=[r.work.pk for r in rows], date__lte=period.end)
        .order_by("date", "pk")
        .values_list("work_id", "percent")
    ):
        percent[work_id] = value  # the latest update up to the period's end wins
    return [
        WorkLine(
            name=r.work.name,
            unit_name=r.work.unit.name,
            planned=r.planned,
            disbursed=r.disbursed,
            contributed=r.contributed,
            percent=percent.get(r.work.pk, 0),
        )
        for r in rows
    ]


def _next_tasks(plan: Plan, snapshot: Snapshot, period: Period, after: Period) -> list[TaskLine]:
    """Open tasks (as frozen) due by the end of the next period — those past their deadline are
    carried over — and, when the next period is in another year, the open tasks of that year's
    plan due within it."""
    labels = dict(Task.Status.choices)
    found = []
    for t in snapshot.data.get("task_list", []):
        deadline = dt.date.fromisoformat(t["deadline"])
        if t["status"] in OPEN and deadline <= after.end:
            found.append(
                TaskLine(
                    description=t["description"],
                    area=t["area"],
                    deadline=deadline,
                    percent=t["percent"],
                    status=str(labels.get(t["status"], t["status"])),
                    carried_over=deadline <= period.end,
                )
            )
    if after.year != plan.year:
        for task in (
            Task.objects.filter(
                plan__unit_id=plan.unit_id,
                plan__year=after.year,
                status__in=OPEN,
                deadline__range=(after.start, after.end),
            )
            .select_related("area")
            .order_by("deadline", "area__position", "pk")
        ):
            found.append(
                TaskLine(
                    description=task.description,
                    area=task.area.name,
                    deadline=task.deadline,
                    percent=task.percent,
                    status=str(labels[task.status]),
                )
            )
    return found


def data_for_snapshot(
    snapshot: Snapshot, family: CriteriaSet | None = None, basis: Basis = Basis.APPROVED
) -> ProgressData:
    plan = snapshot.plan
    unit = plan.unit
    period = parse_period(snapshot.period)
    data = snapshot.data
    family, target_count, points, unverified = _criteria(plan, snapshot, period, family, basis)
    frozen_set = data.get("criteria_sets", {}).get(family.code) if family else None
    statuses = dict(TargetStatus.choices)
    levels = dict(Obstacle.Level.choices)
    task_labels = dict(Task.Status.choices)
    counts = data.get("tasks", {})
    table = mobilisation(unit=unit, year=period.year)
    after = next_period(period)
    taken_at = timezone.localtime(snapshot.taken_at)
    return ProgressData(
        basis=basis,
        unit_name=unit.name,
        issuer=plan.issuer.strip() or "UBND " + unit.name,
        header=header_for(unit, number=blank_number("BC", unit)),
        period_code=period.code,
        period_phrase=period_phrase(period),
        as_of=snapshot.taken_on,
        frozen_at=taken_at,
        plan_title=plan.title,
        plan_number=plan.number,
        plan_issued_on=plan.issued_on,
        set_name=family.name if family else "",
        criteria_met=frozen_set["met"] if frozen_set else None,
        criteria_total=frozen_set["total"] if frozen_set else None,
        criteria_target=target_count,
        criteria_unverified=unverified,
        criteria_points=points,
        targets=[
            TargetLine(
                title=t["title"],
                actual=observed(t.get("actual") or ""),
                status=str(statuses.get(t["status"], t["status"])),
                status_code=t["status"],
                result_period=t.get("result_period") or "",
                stored=t.get("actual") or "",
            )
            for t in data.get("targets", [])
        ],
        tasks_done=counts.get("done", 0),
        tasks_overdue=counts.get("overdue", 0),
        tasks_total=counts.get("total", 0),
        overdue_tasks=[
            TaskLine(
                description=t["description"],
                area=t["area"],
                deadline=dt.date.fromisoformat(t["deadline"]),
                percent=t["percent"],
                status=str(task_labels.get(t["status"], t["status"])),
            )
            for t in data.get("task_list", [])
            if t.get("overdue")
        ],
        obstacles=[
            ObstacleLine(o["description"], str(levels.get(o["level"], o["level"])), o["resolved"])
            for o in data.get("obstacles", [])
        ],
        funds_year=period.year,
        funds=[
            FundLine(
                label=r.label,
                cash=r.cash,
                quantity=plain_quantity(r.quantity),
                quantity_unit=r.quantity_unit,
                non_cash_value=r.non_cash_value,
                total=r.total,
                share=r.share,
            )
            for r in table.rows
            if r.total
        ],
        funds_cash=table.cash,
        funds_non_cash=table.non_cash_value,
        funds_total=table.total,
        funds_whole_year=period.end < dt.date(period.year, 12, 31),
        works=_works(plan, period),
        next_phrase=period_phrase(after),
        next_tasks=_next_tasks(plan, snapshot, period, after),
        signature=signature_for(unit, plan.signer),
        recipients=lines(plan.recipients),
        read_at=timezone.now(),
        data_version=_("snapshot %(period)s frozen on %(at)s; values %(version)s")
        % {
            "period": period.code,
            "at": taken_at.strftime("%d/%m/%Y %H:%M"),
            "version": data_version(unit),
        },
        filename=f"bao-cao-{unit.code}-{period.code}",
    )


def _day(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _money(amount: Decimal) -> str:
    return vnd(amount)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _result_cells(stored: str) -> tuple[CellValue, int | Decimal | None]:
    """A target's frozen result in the workbook: "13/19" → 13 of 19, "2.21" → 2.21, "met" →
    "Đạt"."""
    met, slash, total = stored.partition("/")
    if slash and number_of(met) is not None and number_of(total) is not None:
        return number_of(met), number_of(total)
    return workbook_value(stored), None


def _targets_table(targets: list[TargetLine]) -> Table:
    rows: list[list[CellValue | Cell]] = []
    for i, t in enumerate(targets, start=1):
        result, out_of = _result_cells(t.stored)
        rows.append([i, t.title, t.actual or "—", result, out_of, t.result_period, t.status])
    return Table(
        columns=[
            Column(pgettext("table column", "No."), width=0.5, align="center"),
            Column(pgettext("table column", "Target"), width=6),
            Column(pgettext("table column", "Result"), width=1.3, align="center", formats=PRINT),
            Column(pgettext("table column", "Result"), width=1.1, align="right", formats=DATA),
            Column(_("Out of"), width=0.9, align="right", formats=DATA),
            Column(_("Period of the value"), width=1.1, align="center", formats=DATA),
            Column(pgettext("table column", "Status"), width=1.5),
        ],
        rows=rows,
        caption=_("Targets of the plan"),
        sheet=_("Targets"),
    )


def _tasks_table(tasks: list[TaskLine], caption: str, *, carried: bool = False) -> Table:
    columns = [
        Column(pgettext("table column", "No."), width=0.5, align="center"),
        Column(pgettext("table column", "Task"), width=4.4),
        Column(pgettext("table column", "Solution area"), width=1.6),
        Column(pgettext("table column", "Deadline"), width=1.3, align="center"),
        Column(pgettext("table column", "Progress (%)"), width=0.9, align="right", decimals=0),
        Column(pgettext("table column", "Status"), width=1.9),
    ]
    rows: list[list[CellValue | Cell]] = []
    for i, t in enumerate(tasks, start=1):
        status = t.status + (" (" + _("carried over") + ")" if carried and t.carried_over else "")
        rows.append([i, t.description, t.area, t.deadline, t.percent, status])
    return Table(columns=columns, rows=rows, caption=caption)


def document_for(data: ProgressData, *, charts: bool = True) -> Document:
    blocks: list[Block] = []
    footnotes: list[str] = [basis_footnote(data.basis)]
    star = "*" if data.criteria_unverified else ""
    basis = _lower_first(data.plan_title)
    if data.plan_number:
        reference = _("plan no. %(number)s") % {"number": data.plan_number}
        if data.plan_issued_on:
            reference += " " + _("of %(date)s") % {"date": _day(data.plan_issued_on)}
        basis = f"{reference} ({basis})"
    blocks.append(
        Paragraph(
            _(
                "Implementing %(basis)s, %(issuer)s reports the results of %(period)s (figures "
                "as of %(date)s) as follows:"
            )
            % {
                "basis": basis,
                "issuer": data.issuer,
                "period": data.period_phrase,
                "date": _day(data.as_of),
            }
        )
    )

    # I. Results
    blocks.append(Heading(f"{ROMAN[0]}. " + _("RESULTS"), level=1))
    blocks.append(Heading("1. " + _("Results by criteria"), level=2))
    if data.criteria_met is not None and data.criteria_total is not None:
        text = _("As of %(date)s the unit meets %(met)s/%(total)s%(star)s criteria of %(set)s") % {
            "date": _day(data.as_of),
            "met": data.criteria_met,
            "total": data.criteria_total,
            "star": star,
            "set": data.set_name,
        }
        if data.criteria_target is not None:
            reached = data.criteria_met >= data.criteria_target
            text += "; " + (
                _("the plan's target of %(target)s/%(total)s criteria is reached")
                if reached
                else _("the plan's target is %(target)s/%(total)s criteria")
            ) % {"target": data.criteria_target, "total": data.criteria_total}
        blocks.append(Paragraph(text + "."))
        if star:
            footnotes.append(unverified_footnote())
    else:
        blocks.append(
            Paragraph(
                _("No criteria results were stored by %(date)s.") % {"date": _day(data.as_of)}
            )
        )
    if charts and len(data.criteria_points) >= 1 and data.criteria_total:
        # deferred: matplotlib takes ~0.8 s to import; only documents with charts need it
        from ntm.reports.charts import criteria_met_chart

        blocks.append(
            criteria_met_chart(
                [(p.label, p.met) for p in data.criteria_points],
                data.criteria_total,
                title=_("Criteria met over time"),
                target=data.criteria_target,
            )
        )

    blocks.append(Heading("2. " + _("The plan's targets"), level=2))
    achieved = sum(1 for t in data.targets if t.status_code == "achieved")
    blocks.append(
        Paragraph(
            _("%(achieved)s of %(total)s targets achieved.")
            % {"achieved": achieved, "total": len(data.targets)}
        )
    )
    blocks.append(_targets_table(data.targets))

    blocks.append(Heading("3. " + _("Implementation of the tasks"), level=2))
    blocks.append(
        Paragraph(
            _("%(done)s of %(total)s tasks done; %(overdue)s overdue.")
            % {"done": data.tasks_done, "total": data.tasks_total, "overdue": data.tasks_overdue}
        )
    )
    if data.overdue_tasks:
        blocks.append(_tasks_table(data.overdue_tasks, _("Overdue tasks")))

    blocks.append(Heading("4. " + _("Resources mobilised"), level=2))
    if data.funds_total:
        blocks.append(
            Paragraph(
                _(
                    "Resources mobilised in %(year)s: %(total)s VND, of which cash %(cash)s VND and "
                    "non-cash %(non_cash)s VND."
                )
                % {
                    "year": data.funds_year,
                    "total": _money(data.funds_total),
                    "cash": _money(data.funds_cash),
                    "non_cash": _money(data.funds_non_cash),
                }
            )
        )
        blocks.append(
            sources_table(
                data.funds,
                cash=data.funds_cash,
                non_cash=data.funds_non_cash,
                total=data.funds_total,
                year=data.funds_year,
                sheet=_("Funds"),
            )
        )
        if charts:
            # deferred: matplotlib takes ~0.8 s to import; only documents with charts need it
            from ntm.reports.charts import bar_chart

            blocks.append(
                bar_chart(
                    [f.label for f in data.funds],
                    [f.total for f in data.funds],
                    title=pgettext("chart", "Funds by source"),
                    unit_label=_("VND"),
                )
            )
        note = _(
            "State and other sources: capital planned on the year's works. People's rows: what "
            "the contributions ledger records for the year."
        )
        if data.funds_whole_year:
            note += " " + _(
                "The table covers the whole year %(year)s, not only the days up to %(date)s."
            ) % {"year": data.funds_year, "date": _day(data.as_of)}
        blocks.append(Paragraph(note, italic=True))
    else:
        blocks.append(
            Paragraph(_("No funds recorded for %(year)s.") % {"year": data.funds_year}, italic=True)
        )

    blocks.append(Heading("5. " + _("Progress of the works"), level=2))
    if data.works:
        blocks.append(
            Table(
                columns=[
                    Column(pgettext("table column", "No."), width=0.5, align="center"),
                    Column(pgettext("table column", "Work"), width=3.5),
                    Column(pgettext("table column", "Unit"), width=1.5),
                    Column(
                        pgettext("table column", "Planned"), width=1.5, align="right", decimals=0
                    ),
                    Column(
                        pgettext("table column", "Disbursed"), width=1.5, align="right", decimals=0
                    ),
                    Column(
                        pgettext("table column", "People gave"),
                        width=1.4,
                        align="right",
                        decimals=0,
                    ),
                    Column(
                        pgettext("table column", "Progress (%)"),
                        width=0.9,
                        align="right",
                        decimals=0,
                    ),
                ],
                rows=[
                    [i, w.name, w.unit_name, w.planned, w.disbursed, w.contributed, w.percent]
                    for i, w in enumerate(data.works, start=1)
                ],
                caption=_("Works: budget, spending and progress as of %(date)s")
                % {"date": _day(data.as_of)},
                sheet=_("Works"),
                unit_note=_("Unit: VND"),
            )
        )
    else:
        blocks.append(
            Paragraph(_("No works planned for %(year)s.") % {"year": data.funds_year}, italic=True)
        )

    # II. Obstacles
    blocks.append(Heading(f"{ROMAN[1]}. " + _("DIFFICULTIES AND OBSTACLES"), level=1))
    for o in data.obstacles:
        state = _("resolved") if o.resolved else _("not yet resolved")
        blocks.append(
            Paragraph(
                f"- {o.description} ("
                + _("to be resolved at %(level)s level") % {"level": o.level}
                + f"; {state})."
            )
        )
    if not data.obstacles:
        blocks.append(Paragraph(_("No obstacles were reported."), italic=True))

    # III. Tasks of the next period
    blocks.append(
        Heading(
            f"{ROMAN[2]}. " + _("KEY TASKS FOR %(period)s") % {"period": data.next_phrase.upper()},
            level=1,
        )
    )
    if data.next_tasks:
        blocks.append(
            _tasks_table(
                data.next_tasks,
                _("Open tasks due by the end of %(period)s") % {"period": data.next_phrase},
                carried=True,
            )
        )
    else:
        blocks.append(
            Paragraph(
                _("No open tasks are due in %(period)s.") % {"period": data.next_phrase},
                italic=True,
            )
        )
    blocks.append(
        Paragraph(
            _("Above is the report of %(issuer)s on the results of %(period)s./.")
            % {"issuer": data.issuer, "period": data.period_phrase}
        )
    )
    return Document(
        header=data.header,
        title=_("REPORT"),
        subtitle=_(
            "Results of the national target programme on new rural development, %(period)s, "
            "in %(unit)s"
        )
        % {"period": data.period_phrase, "unit": _lower_first(data.unit_name)},
        blocks=blocks,
        signature=data.signature,
        recipients=data.recipients,
        footnotes=footnotes,
        as_of=data.read_at,
        data_version=data.data_version,
        filename=data.filename,
    )


def build_progress(data: ProgressData, fmt: str) -> bytes:
    return render(document_for(data), fmt)


build = build_progress
