"""Plans, targets and tasks (read), task progress (write); works and mobilisation (read)."""

from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router

from ntm.accounts.permissions import Action, require
from ntm.api.common import unit_for, year_period
from ntm.api.errors import ERRORS
from ntm.api.schemas import (
    MobilisationOut,
    PlanDetailOut,
    PlanOut,
    ProgressIn,
    TaskOut,
    WorkOut,
)
from ntm.finance import selectors as finance
from ntm.planning.models import Plan, Task
from ntm.planning.selectors import plan_page, task_state, today
from ntm.planning.services import progress_add

router = Router(tags=["plans and works"])
Year = Query(..., ge=2000, le=2100)


def _plan(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "unit": plan.unit.code,
        "year": plan.year,
        "title": plan.title,
        "number": plan.number,
        "issued_on": plan.issued_on,
        "status": plan.status,
    }


def _task(task: Task, overdue: bool) -> dict[str, Any]:
    return {
        "id": task.pk,
        "description": task.description,
        "responsible_person": task.responsible_person,
        "deadline": task.deadline,
        "status": task.status,
        "percent": task.percent,
        "overdue": overdue,
    }


@router.get(
    "/units/{code}/plans", response={200: list[PlanOut], **ERRORS}, operation_id="plans_list"
)
def plans_list(request: HttpRequest, code: str) -> Any:
    """The plans, of every year, of the unit the code names today (no period is given here)."""
    unit = unit_for(request, code)
    return [
        _plan(p)
        for p in Plan.objects.filter(unit=unit).select_related("unit").order_by("-year", "-pk")
    ]


@router.get("/plans/{plan_id}", response={200: PlanDetailOut, **ERRORS}, operation_id="plan_detail")
def plan_detail(request: HttpRequest, plan_id: int) -> Any:
    plan = Plan.objects.select_related("unit").filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    require(request.user, Action.VIEW, plan.unit)
    page = plan_page(plan=plan)
    return {
        **_plan(plan),
        "targets": [
            {
                "id": row.target.pk,
                "kind": row.target.kind,
                "title": row.target.title,
                "deadline": row.target.deadline,
                "status": row.judgement.status,
                "actual": row.judgement.actual,
            }
            for row in page.targets
        ],
        "tasks": [_task(row.task, row.overdue) for row in page.tasks],
    }


@router.post(
    "/tasks/{task_id}/progress", response={200: TaskOut, **ERRORS}, operation_id="task_progress"
)
def task_progress(request: HttpRequest, task_id: int, payload: ProgressIn) -> Any:
    """Report progress on a task (the plan's managers, data officials or the person responsible)."""
    task = Task.objects.select_related("plan", "plan__unit").filter(pk=task_id).first()
    if task is None:
        raise Http404
    require(request.user, Action.VIEW, task.plan.unit)
    progress_add(
        user=request.user, task=task, date=payload.date, percent=payload.percent, note=payload.note
    )
    task.refresh_from_db()
    overdue, _soon = task_state(task, today())
    return _task(task, overdue)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


@router.get(
    "/units/{code}/works", response={200: list[WorkOut], **ERRORS}, operation_id="works_list"
)
def works_list(request: HttpRequest, code: str, year: int = Year) -> Any:
    """The year's works in the unit's subtree with planned, disbursed and contributed amounts.
    The unit is the one that had the code during the year (at its end, else at its start):
    07420 in 2024 is the old xã Mỹ Thái of Lạng Giang, in 2025 the merged one."""
    unit = unit_for(request, code, period=year_period(year))
    return [
        {
            "id": row.work.pk,
            "unit": row.work.unit.code,
            "year": row.work.year,
            "kind": row.work.kind,
            "name": row.work.name,
            "status": row.work.status,
            "percent": row.work.percent,
            "start": row.work.start,
            "finish": row.work.finish,
            "criterion_number": row.work.criterion_number,
            "indicator_code": row.work.indicator_code,
            "planned": _money(row.planned),
            "disbursed": _money(row.disbursed),
            "contributed": _money(row.contributed),
        }
        for row in finance.works_summary(unit=unit, year=year)
    ]


def mobilisation_out(table: finance.Mobilisation) -> dict[str, Any]:
    return {
        "unit": table.unit.code,
        "year": table.year,
        "rows": [
            {
                "source": r.source,
                "label": str(r.label),
                "cash": _money(r.cash),
                "quantity": _money(r.quantity),
                "quantity_unit": str(r.quantity_unit),
                "non_cash_value": _money(r.non_cash_value),
                "total": _money(r.total),
                "share": _money(r.share),
            }
            for r in table.rows
        ],
        "cash": _money(table.cash),
        "non_cash_value": _money(table.non_cash_value),
        "total": _money(table.total),
    }


@router.get(
    "/units/{code}/mobilisation",
    response={200: MobilisationOut, **ERRORS},
    operation_id="mobilisation",
)
def mobilisation(request: HttpRequest, code: str, year: int = Year) -> Any:
    """Funds mobilised by source (cash, non-cash valued, share): the table of every NTM report.
    The unit is the one that had the code during the year (at its end, else at its start)."""
    unit = unit_for(request, code, period=year_period(year))
    return mobilisation_out(finance.mobilisation(unit=unit, year=year))
