"""Reads for plan pages: target statuses from stored results, tasks, obstacles — fixed queries."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from ntm.evaluation.models import SetResult
from ntm.evaluation.services import parse_criteria_status
from ntm.geo.models import AdminUnit
from ntm.geo.selectors import in_subtrees
from ntm.organisation.selectors import ocop_counts
from ntm.planning.models import Obstacle, Plan, ProgressUpdate, Snapshot, Target, Task
from ntm.planning.status import Judgement, Observed, judge

DUE_SOON_DAYS = 14


def today() -> dt.date:
    return timezone.localdate()


@dataclass
class TargetRow:
    target: Target
    judgement: Judgement


def _observed(result: SetResult | None) -> Observed:
    if result is None:
        return Observed()
    indicators: dict[str, tuple[Decimal | None, str]] = {}
    for criterion in result.explanation["criteria"]:
        for i in criterion["indicators"]:
            number = None
            if i.get("value") not in (None, "", "true", "false"):
                try:
                    number = Decimal(i["value"])
                except ArithmeticError:
                    number = None
            indicators[i["code"]] = (number, i.get("direction", "higher"))
    return Observed(
        period=result.period,
        met=result.met,
        total=result.total,
        criteria=parse_criteria_status(result.criteria_status),
        indicators=indicators,
        set_status=result.status,
    )


def target_rows(*, plan: Plan, on: dt.date | None = None) -> list[TargetRow]:
    """Every target with its status on ``on`` (default today): two queries whatever the count."""
    on = on or today()
    targets = list(
        plan.targets.select_related("criteria_set", "village").order_by("position", "pk")
    )
    units = {plan.unit_id} | {t.village_id for t in targets if t.village_id}
    sets = {t.criteria_set_id for t in targets if t.criteria_set_id}
    results: dict[tuple[int, int], list[SetResult]] = defaultdict(list)
    for r in SetResult.objects.filter(unit_id__in=units, criteria_set_id__in=sets).order_by(
        "period_end", "period"
    ):
        results[(r.unit_id, r.criteria_set_id)].append(r)
    rows = []
    ocop_by_day: dict[dt.date, dict[int, int]] = {}
    for t in targets:
        day = min(t.deadline, on)
        unit_id = t.village_id if t.kind == "village_set" and t.village_id else plan.unit_id
        history = results.get((unit_id, t.criteria_set_id or 0), [])
        chosen = None
        for r in history:
            if r.period_end <= day:
                chosen = r
        observed = _observed(chosen)
        if t.kind == "ocop":
            # One register query per judging day, however many OCOP targets.
            if day not in ocop_by_day:
                ocop_by_day[day] = ocop_counts(plan.unit, day)
            observed = Observed(ocop=ocop_by_day[day])
        judgement = judge(
            kind=t.kind,
            deadline=t.deadline,
            on=on,
            observed=observed,
            stars=t.stars,
            count=t.count,
            criterion_number=t.criterion_number,
            indicator_code=t.indicator_code,
            value=Decimal(t.value) if t.value is not None else None,
            manual_status=t.manual_status,
        )
        rows.append(TargetRow(t, judgement))
    return rows


@dataclass
class TaskRow:
    task: Task
    overdue: bool
    due_soon: bool
    updates: int
    status: str = ""  # as it stood on the day judged (see ``status_on``)
    percent: int = 0


def status_on(task: Task, on: dt.date, percent_then: int | None, updates: int) -> tuple[str, int]:
    """The task's status and progress as they stood on a day, so that a snapshot taken after the
    period still reports the period: done only from its ``done_on``; progress from the latest
    update on or before the day (none yet → not started)."""
    if task.status == Task.Status.CANCELLED:
        return task.status, task.percent
    if task.status == Task.Status.DONE and (task.done_on is None or task.done_on <= on):
        return task.status, task.percent
    if percent_then is None:
        # Nothing reported by then (only later updates, or done later without any update).
        if updates or task.status == Task.Status.DONE:
            return Task.Status.NOT_STARTED, 0
        return task.status, task.percent
    return (Task.Status.IN_PROGRESS if percent_then else Task.Status.NOT_STARTED), percent_then


def task_state(task: Task, on: dt.date, status: str | None = None) -> tuple[bool, bool]:
    open_ = (status or task.status) not in (Task.Status.DONE, Task.Status.CANCELLED)
    overdue = open_ and task.deadline < on
    due_soon = open_ and not overdue and (task.deadline - on).days <= DUE_SOON_DAYS
    return overdue, due_soon


def task_rows(*, plan: Plan, on: dt.date | None = None) -> list[TaskRow]:
    on = on or today()
    then = ProgressUpdate.objects.filter(task=OuterRef("pk"), date__lte=on).order_by("-date", "-pk")
    tasks = (
        plan.tasks.select_related("area", "responsible_user")
        .annotate(n_updates=Count("updates"), percent_then=Subquery(then.values("percent")[:1]))
        .order_by("area__position", "deadline", "pk")
    )
    rows = []
    for task in tasks:
        n_updates: int = task.n_updates  # type: ignore[attr-defined]
        status, percent = status_on(task, on, task.percent_then, n_updates)  # type: ignore[attr-defined]
        overdue, due_soon = task_state(task, on, status)
        rows.append(TaskRow(task, overdue, due_soon, n_updates, status, percent))
    return rows


@dataclass
class PlanPage:
    plan: Plan
    on: dt.date
    targets: list[TargetRow]
    tasks: list[TaskRow]
    obstacles: list[Obstacle]
    snapshots: list[Snapshot]

    @property
    def tasks_by_area(self) -> list[tuple[str, list[TaskRow]]]:
        grouped: dict[str, list[TaskRow]] = {}
        for row in self.tasks:
            grouped.setdefault(row.task.area.name, []).append(row)
        return list(grouped.items())

    @property
    def counts(self) -> dict[str, int]:
        return {
            "done": sum(1 for r in self.tasks if r.status == Task.Status.DONE),
            "overdue": sum(1 for r in self.tasks if r.overdue),
            "due_soon": sum(1 for r in self.tasks if r.due_soon),
            "total": len(self.tasks),
            "obstacles_open": sum(1 for o in self.obstacles if o.resolved_on is None),
        }


def plan_page(*, plan: Plan, on: dt.date | None = None) -> PlanPage:
    on = on or today()
    return PlanPage(
        plan=plan,
        on=on,
        targets=target_rows(plan=plan, on=on),
        tasks=task_rows(plan=plan, on=on),
        obstacles=list(plan.obstacles.select_related("task", "raised_by")),
        snapshots=list(plan.snapshots.order_by("taken_on")),
    )


def plans_of(unit_id: int) -> list[Plan]:
    return list(Plan.objects.filter(unit_id=unit_id).order_by("-year"))


def predecessor_tasks(units: Sequence[AdminUnit], limit: int = 20) -> tuple[list[Task], int]:
    """Unfinished tasks of the plans of these (ended) units and their villages, soonest deadline
    first, and how many there are. Two queries."""
    qs = (
        Task.objects.filter(in_subtrees(units, "plan__unit"))
        .exclude(status__in=[Task.Status.DONE, Task.Status.CANCELLED])
        .select_related("plan", "plan__unit")
        .order_by("deadline", "pk")
    )
    return list(qs[:limit]), qs.count()


@dataclass(frozen=True)
class TasksTodo:
    overdue: list[Task]  # the first five, oldest deadline first
    overdue_count: int
    due_soon: int  # not finished, deadline within the next two weeks
    escalated: list[Obstacle]  # obstacles raised to the province, unresolved (province units)


def tasks_todo(unit: AdminUnit, today: dt.date) -> TasksTodo:
    """Tasks of the plans in the unit's subtree that need attention. Three queries, four for a
    province."""
    open_tasks = Task.objects.filter(plan__unit__path__startswith=unit.path).exclude(
        status__in=[Task.Status.DONE, Task.Status.CANCELLED]
    )
    overdue = open_tasks.filter(deadline__lt=today)
    escalated: list[Obstacle] = []
    if unit.parent_id is None:
        escalated = list(
            Obstacle.objects.filter(
                plan__unit__path__startswith=unit.path,
                level=Obstacle.Level.PROVINCE,
                resolved_on__isnull=True,
            )
            .select_related("plan", "plan__unit")
            .order_by("raised_on")[:5]
        )
    return TasksTodo(
        overdue=list(overdue.select_related("plan", "plan__unit").order_by("deadline", "pk")[:5]),
        overdue_count=overdue.count(),
        due_soon=open_tasks.filter(
            deadline__gte=today, deadline__lte=today + dt.timedelta(days=14)
        ).count(),
        escalated=escalated,
    )
