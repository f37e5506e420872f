"""Writes on plans. Views, the demo and commands call these; each checks role and scope."""

import datetime as dt
import os
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ntm.accounts.models import Membership, Role
from ntm.accounts.permissions import Action, can, require
from ntm.catalog.models import CriteriaSet, Indicator
from ntm.catalog.selectors import applicable_set, criteria_with_indicators
from ntm.core.uploads import DOCUMENTS, UploadError, check_upload
from ntm.engine.periods import parse_period
from ntm.evaluation.models import SetResult
from ntm.evaluation.selectors import responsible_officials, result_as_of
from ntm.geo.models import AdminUnit, Level
from ntm.planning.models import (
    DEFAULT_AREAS,
    Obstacle,
    Plan,
    ProgressUpdate,
    Snapshot,
    SolutionArea,
    Target,
    TargetKind,
    TargetStatus,
    Task,
)
from ntm.planning.selectors import plan_page


class PlanError(ValueError):
    pass


@transaction.atomic
def plan_create(
    *, user: Any, unit: AdminUnit, year: int, title: str, is_demo: bool = False, **fields: Any
) -> Plan:
    require(user, Action.MANAGE_PLAN, unit)
    if unit.level < Level.COMMUNE:
        raise PlanError(_("Plans belong to a commune or a village."))
    if not 2000 <= year <= 2100:
        raise PlanError(_("Enter a year."))
    if Plan.objects.filter(unit=unit, year=year).exists():
        raise PlanError(
            _("%(unit)s already has a plan for %(year)s.") % {"unit": unit.name, "year": year}
        )
    if not title.strip():
        raise PlanError(_("Enter the plan's title."))
    plan = Plan.objects.create(
        unit=unit,
        year=year,
        title=title.strip(),
        is_demo=is_demo,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        **fields,
    )
    SolutionArea.objects.bulk_create(
        SolutionArea(plan=plan, code=code, name=str(name), position=i)
        for i, (code, name) in enumerate(DEFAULT_AREAS)
    )
    return plan


@transaction.atomic
def plan_update(*, user: Any, plan: Plan, **fields: Any) -> Plan:
    require(user, Action.MANAGE_PLAN, plan.unit)
    for key, value in fields.items():
        setattr(plan, key, value)
    plan._history_user = user  # type: ignore[attr-defined]  # also outside a request
    plan.save()
    return plan


def _check_target(
    plan: Plan,
    kind: str,
    criteria_set: CriteriaSet | None,
    count: int | None,
    criterion_number: int | None,
    indicator_code: str,
    value: Decimal | None,
    village: AdminUnit | None,
    manual_status: str,
) -> None:
    if kind not in (TargetKind.QUALITATIVE, TargetKind.OCOP) and criteria_set is None:
        raise PlanError(_("Choose the criteria set the target refers to."))
    if criteria_set is not None and criteria_set.localises_id:
        raise PlanError(_("Choose the national set; the province's version applies by itself."))
    if kind == TargetKind.CRITERIA_COUNT:
        total = criteria_set.criteria.count() if criteria_set else 0
        if not count or not 1 <= count <= total:
            raise PlanError(_("The number of criteria is between 1 and %(n)d.") % {"n": total})
    elif kind == TargetKind.CRITERION:
        if (
            not criteria_set
            or criterion_number is None
            or not criteria_set.criteria.filter(number=criterion_number).exists()
        ):
            raise PlanError(_("Choose a criterion of the set."))
    elif kind == TargetKind.INDICATOR:
        applied = applicable_set(criteria_set, plan.unit) if criteria_set else None
        if (
            applied is None
            or not Indicator.objects.filter(criteria_set=applied, code=indicator_code).exists()
        ):
            raise PlanError(_("Choose an indicator of the set."))
        if value is None:
            raise PlanError(_("Enter the target value."))
    elif kind == TargetKind.VILLAGE_SET:
        if (
            village is None
            or village.level != Level.VILLAGE
            or not village.is_in_subtree_of(plan.unit)
        ):
            raise PlanError(_("Choose a village of this commune."))
        if criteria_set is None or criteria_set.level != "village":
            raise PlanError(_("Choose a village set."))
    elif kind == TargetKind.OCOP:
        pass  # checked in target_add: count and stars
    elif kind == TargetKind.QUALITATIVE:
        if manual_status and manual_status not in TargetStatus.values:
            raise PlanError(_("Choose a status."))
    else:
        raise PlanError(_("Choose the kind of target."))


@transaction.atomic
def target_add(
    *,
    user: Any,
    plan: Plan,
    kind: str,
    title: str,
    deadline: dt.date,
    criteria_set: CriteriaSet | None = None,
    count: int | None = None,
    criterion_number: int | None = None,
    indicator_code: str = "",
    value: Decimal | None = None,
    village: AdminUnit | None = None,
    manual_status: str = "",
    manual_reason: str = "",
    stars: int | None = None,
) -> Target:
    require(user, Action.MANAGE_PLAN, plan.unit)
    if not title.strip():
        raise PlanError(_("Describe the target."))
    if kind == TargetKind.OCOP and (stars not in (3, 4, 5) or not count or count < 1):
        raise PlanError(
            _("An OCOP target names a number of products and a rating of 3, 4 or 5 stars.")
        )
    _check_target(
        plan,
        kind,
        criteria_set,
        count,
        criterion_number,
        indicator_code,
        value,
        village,
        manual_status,
    )
    if kind == TargetKind.QUALITATIVE and manual_status and not manual_reason.strip():
        raise PlanError(_("Give the reason for the status."))
    return Target.objects.create(
        plan=plan,
        kind=kind,
        title=title.strip(),
        deadline=deadline,
        criteria_set=criteria_set,
        count=count,
        criterion_number=criterion_number,
        indicator_code=indicator_code,
        value=value,
        village=village,
        stars=stars if kind == TargetKind.OCOP else None,
        manual_status=manual_status if kind == TargetKind.QUALITATIVE else "",
        manual_reason=manual_reason.strip(),
        position=plan.targets.count(),
    )


@transaction.atomic
def target_set_manual_status(*, user: Any, target: Target, status: str, reason: str) -> Target:
    require(user, Action.MANAGE_PLAN, target.plan.unit)
    if target.kind != TargetKind.QUALITATIVE:
        raise PlanError(_("The status of this target is computed from the results."))
    if status not in TargetStatus.values or not reason.strip():
        raise PlanError(_("Choose a status and give the reason."))
    target.manual_status, target.manual_reason = status, reason.strip()
    target.save(update_fields=["manual_status", "manual_reason"])
    return target


@transaction.atomic
def task_add(
    *,
    user: Any,
    plan: Plan,
    area: SolutionArea,
    description: str,
    deadline: dt.date,
    start: dt.date | None = None,
    responsible_user: Any = None,
    responsible_person: str = "",
    organisations: list[str] | None = None,
    criteria: list[int] | None = None,
    indicators: list[str] | None = None,
) -> Task:
    require(user, Action.MANAGE_PLAN, plan.unit)
    if area.plan_id != plan.pk:
        raise PlanError(_("Choose a solution area of this plan."))
    if not description.strip():
        raise PlanError(_("Describe the task."))
    if start and start > deadline:
        raise PlanError(_("The deadline is before the start."))
    unknown = set(organisations or []) - set(Task.Organisation.values)
    if unknown:
        raise PlanError(_("Unknown organisation: %s") % ", ".join(sorted(unknown)))
    return Task.objects.create(
        plan=plan,
        area=area,
        description=description.strip(),
        deadline=deadline,
        start=start,
        responsible_user=responsible_user,
        responsible_person=responsible_person.strip(),
        organisations=organisations or [],
        criteria=sorted(set(criteria or [])),
        indicators=indicators or [],
    )


MAX_ATTACHMENT = 10 * 1024 * 1024


@transaction.atomic
def progress_add(
    *,
    user: Any,
    task: Task,
    date: dt.date,
    percent: int,
    note: str,
    attachment_name: str = "",
    attachment: bytes | None = None,
) -> ProgressUpdate:
    """A dated progress note; the task's progress and status follow the latest one."""
    unit = task.plan.unit
    if not (
        can(user, Action.MANAGE_PLAN, unit)
        or can(user, Action.EDIT_DATA, unit)
        or task.responsible_user_id == getattr(user, "pk", None)
    ):
        require(user, Action.MANAGE_PLAN, unit)
    if task.status == Task.Status.CANCELLED:
        raise PlanError(_("The task was cancelled."))
    if not 0 <= percent <= 100:
        raise PlanError(_("Progress is between 0 and 100%."))
    if not note.strip():
        raise PlanError(_("Say what was done."))
    update = ProgressUpdate(
        task=task, date=date, percent=percent, note=note.strip(), created_by=user
    )
    if attachment:
        try:
            checked = check_upload(
                attachment_name, attachment, allowed=DOCUMENTS, max_bytes=MAX_ATTACHMENT
            )
        except UploadError as exc:
            raise PlanError(str(exc)) from exc
        update.attachment_name = checked.name
        update.attachment.save(
            f"{date:%Y%m%d}-{os.urandom(4).hex()}{checked.extension}",
            ContentFile(attachment),
            save=False,
        )
    update.save()
    latest = task.updates.order_by("-date", "-pk").first()
    assert latest is not None
    task.percent = latest.percent
    if latest.percent >= 100:
        task.status, task.done_on = Task.Status.DONE, latest.date
    else:
        task.status, task.done_on = Task.Status.IN_PROGRESS, None
    task.save(update_fields=["percent", "status", "done_on"])
    return update


def _own_level(unit: AdminUnit) -> str:
    """The obstacle level a plan of this unit resolves itself (a district counts as the
    province's side: districts ended with the 2025 reform)."""
    if unit.level >= Level.VILLAGE:
        return Obstacle.Level.VILLAGE
    if unit.level >= Level.COMMUNE:
        return Obstacle.Level.COMMUNE
    return Obstacle.Level.PROVINCE


@transaction.atomic
def obstacle_raise(
    *,
    user: Any,
    plan: Plan,
    description: str,
    raised_on: dt.date,
    task: Task | None = None,
    criterion_number: int | None = None,
    level: str = Obstacle.Level.COMMUNE,
) -> Obstacle:
    unit = plan.unit
    if not (can(user, Action.EDIT_DATA, unit) or can(user, Action.SUPERVISE, unit)):
        require(user, Action.EDIT_DATA, unit)
    if task is not None and task.plan_id != plan.pk:
        raise PlanError(_("Choose a task of this plan."))
    if not description.strip():
        raise PlanError(_("Describe the obstacle."))
    if level not in Obstacle.Level.values:
        raise PlanError(_("Choose where it must be resolved."))
    order = list(Obstacle.Level.values)
    if order.index(level) > order.index(_own_level(unit)):
        # Higher levels are reached by escalation, one at a time, by the plan's managers.
        raise PlanError(
            _("An obstacle is raised at the plan's own level; its managers escalate it.")
        )
    return Obstacle.objects.create(
        plan=plan,
        task=task,
        criterion_number=criterion_number,
        description=description.strip(),
        level=level,
        raised_on=raised_on,
        raised_by=user,
    )


@transaction.atomic
def obstacle_escalate(*, user: Any, obstacle: Obstacle, level: str) -> Obstacle:
    require(user, Action.MANAGE_PLAN, obstacle.plan.unit)
    order = list(Obstacle.Level.values)
    if level not in order or order.index(level) <= order.index(obstacle.level):
        raise PlanError(_("Escalate to a higher level."))
    if order.index(level) != order.index(obstacle.level) + 1:
        raise PlanError(_("Escalate one level at a time (village, commune, province)."))
    obstacle.level = level
    obstacle.save(update_fields=["level"])
    return obstacle


@transaction.atomic
def obstacle_resolve(
    *, user: Any, obstacle: Obstacle, resolved_on: dt.date, resolution: str
) -> Obstacle:
    unit = obstacle.plan.unit
    # Escalated obstacles are resolved by the level they were sent to.
    if obstacle.level == Obstacle.Level.PROVINCE:
        ancestors = AdminUnit.objects.filter(pk__in=unit.ancestor_ids, level=Level.PROVINCE)
        if not any(
            can(user, Action.APPRAISE, p) or can(user, Action.MANAGE_USERS, p) for p in ancestors
        ):
            require(user, Action.APPRAISE, unit)
    else:
        require(user, Action.MANAGE_PLAN, unit)
    if obstacle.resolved_on:
        raise PlanError(_("The obstacle is already resolved."))
    if not resolution.strip():
        raise PlanError(_("Say how it was resolved."))
    obstacle.resolved_on, obstacle.resolution = resolved_on, resolution.strip()
    obstacle.save(update_fields=["resolved_on", "resolution"])
    return obstacle


@transaction.atomic
def snapshot_take(*, user: Any, plan: Plan, period: str) -> Snapshot:
    """Freeze the plan's state at the period's end: later edits never rewrite it."""
    require(user, Action.MANAGE_PLAN, plan.unit)
    try:
        parsed = parse_period(period)
    except ValueError as exc:
        raise PlanError(
            _("“%(period)s” is not a period (2024, 2024H1, 2024Q1).") % {"period": period}
        ) from exc
    if parsed.year != plan.year:
        raise PlanError(_("Choose a period of %(year)s.") % {"year": plan.year})
    if Snapshot.objects.filter(plan=plan, period=parsed.code).exists():
        raise PlanError(_("A snapshot of %(period)s already exists.") % {"period": parsed.code})
    page = plan_page(plan=plan, on=parsed.end)

    sets = {}
    for r in (
        SetResult.objects.filter(unit=plan.unit, period_end__lte=parsed.end)
        .select_related("criteria_set")
        .order_by("period_end")
    ):
        sets[r.criteria_set.code] = {
            "period": r.period,
            "met": r.met,
            "total": r.total,
            "status": r.status,
        }
    data = {
        "period": parsed.code,
        "as_of": parsed.end.isoformat(),
        "targets": [
            {
                "title": r.target.title,
                "kind": r.target.kind,
                "status": r.judgement.status,
                "actual": r.judgement.actual,
                "result_period": r.judgement.period,
                "deadline": r.target.deadline.isoformat(),
            }
            for r in page.targets
        ],
        "tasks": page.counts,
        "task_list": [
            {
                "description": r.task.description,
                "area": r.task.area.name,
                "status": r.status,
                "percent": r.percent,
                "deadline": r.task.deadline.isoformat(),
                "overdue": r.overdue,
            }
            for r in page.tasks
        ],
        "criteria_sets": sets,
        "obstacles": [
            {
                "description": o.description,
                "level": o.level,
                "resolved": bool(o.resolved_on and o.resolved_on <= parsed.end),
            }
            for o in page.obstacles
            if o.raised_on <= parsed.end
        ],
    }
    return Snapshot.objects.create(
        plan=plan, period=parsed.code, taken_on=parsed.end, taken_by=user, data=data
    )


@dataclass(frozen=True)
class DraftItem:
    key: str
    criterion_number: int
    criterion_name: str
    indicator_code: str
    indicator_content: str
    gap: str
    responsible: str
    responsible_user_id: int | None
    area_code: str


FIELD_AREAS = {
    "transport": "infrastructure",
    "planning": "infrastructure",
    "economy": "production",
    "agriculture": "production",
    "environment": "environment",
    "culture": "social",
    "education": "social",
    "health": "social",
    "labour": "social",
    "security": "security",
    "justice": "leadership",
    "finance": "resources",
}


def draft_from_gaps(*, unit: AdminUnit, family: CriteriaSet, period: str) -> list[DraftItem]:
    """Proposed tasks for every indicator not met (or without data) in the latest result up to
    the period; the responsible official is the one assigned to the criterion's field."""
    parsed = parse_period(period)
    result = result_as_of(unit=unit, family=family, period=parsed)
    statuses = {}
    if result is not None:
        for c in result.explanation["criteria"]:
            for i in c["indicators"]:
                statuses[i["code"]] = (i["status"], i.get("gap"))
    officials = responsible_officials(unit)
    users_by_field: dict[str, int] = {}
    for m in Membership.objects.filter(
        unit_id__in=[*unit.ancestor_ids, unit.pk], role=Role.SPECIALIST
    ):
        for f in m.fields:
            users_by_field.setdefault(f, m.user_id)
    items = []
    for criterion in criteria_with_indicators(applicable_set(family, unit)):
        for indicator in criterion.indicators.all():
            status, gap = statuses.get(indicator.code, ("no_data", None))
            if status == "met":
                continue
            items.append(
                DraftItem(
                    key=f"{criterion.number}:{indicator.code}",
                    criterion_number=criterion.number,
                    criterion_name=criterion.name,
                    indicator_code=indicator.code,
                    indicator_content=indicator.content,
                    gap=gap or "",
                    responsible=", ".join(officials.get(criterion.field, [])),
                    responsible_user_id=users_by_field.get(criterion.field),
                    area_code=FIELD_AREAS.get(criterion.field, "leadership"),
                )
            )
    return items


@transaction.atomic
def draft_apply(
    *, user: Any, plan: Plan, family: CriteriaSet, items: list[DraftItem], deadline: dt.date
) -> tuple[int, int]:
    """Create what the user confirmed: one target per criterion, one task per indicator."""
    require(user, Action.MANAGE_PLAN, plan.unit)
    areas = {a.code: a for a in plan.areas.all()}
    users = get_user_model().objects.in_bulk(
        [i.responsible_user_id for i in items if i.responsible_user_id]
    )
    targets = tasks = 0
    for number in sorted({i.criterion_number for i in items}):
        first = next(i for i in items if i.criterion_number == number)
        if not plan.targets.filter(
            kind=TargetKind.CRITERION, criteria_set=family, criterion_number=number
        ).exists():
            target_add(
                user=user,
                plan=plan,
                kind=TargetKind.CRITERION,
                criteria_set=family,
                criterion_number=number,
                deadline=deadline,
                title=_("Reach criterion %(n)d (%(name)s)")
                % {"n": number, "name": first.criterion_name},
            )
            targets += 1
    for item in items:
        area = areas.get(item.area_code) or next(iter(areas.values()))
        task_add(
            user=user,
            plan=plan,
            area=area,
            deadline=deadline,
            description=_("Meet indicator %(code)s: %(content)s")
            % {"code": item.indicator_code, "content": item.indicator_content},
            responsible_user=users.get(item.responsible_user_id)
            if item.responsible_user_id
            else None,
            responsible_person=item.responsible,
            organisations=["officials"],
            criteria=[item.criterion_number],
            indicators=[item.indicator_code],
        )
        tasks += 1
    return targets, tasks


def reminders(on: dt.date) -> dict[Any, list[Task]]:
    """Open tasks overdue or due within a week, by responsible user (who has an e-mail)."""
    found: dict[Any, list[Task]] = {}
    open_tasks = (
        Task.objects.exclude(status__in=[Task.Status.DONE, Task.Status.CANCELLED])
        .filter(responsible_user__isnull=False, deadline__lte=on + dt.timedelta(days=7))
        .select_related("responsible_user", "plan__unit")
    )
    for task in open_tasks:  # overdue, or due within the week, by the query above
        user = task.responsible_user
        if user is not None and user.email:
            found.setdefault(user, []).append(task)
    return found


def reminders_send(*, on: dt.date) -> int:
    """Daily e-mail to each responsible official with their overdue and due-soon tasks."""
    sent = 0
    for user, tasks in reminders(on).items():
        lines = [
            f"- {t.description[:120]} ({t.plan.unit.name}; {_('deadline')} {t.deadline:%d/%m/%Y}"
            f"{'; ' + _('overdue') if t.deadline < on else ''})"
            for t in tasks
        ]
        send_mail(
            _("NTM: %(n)d tasks need attention") % {"n": len(tasks)},
            _("Tasks overdue or due within a week:") + "\n" + "\n".join(lines),
            None,
            [user.email],
        )
        sent += 1
    return sent


@transaction.atomic
def area_add(*, user: Any, plan: Plan, name: str) -> SolutionArea:
    """Solution areas are configurable per plan; the reference plan's eight are the default."""
    require(user, Action.MANAGE_PLAN, plan.unit)
    name = " ".join(name.split())
    if not name:
        raise PlanError(_("Name the solution area."))
    if plan.areas.filter(name__iexact=name).exists():
        raise PlanError(_("The plan already has this solution area."))
    base = slugify(name)[:30] or "area"
    code, n = base, 1
    while plan.areas.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return SolutionArea.objects.create(plan=plan, code=code, name=name, position=plan.areas.count())
