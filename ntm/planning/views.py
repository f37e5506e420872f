import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ntm.accounts.permissions import Action, can, require, unit_or_404
from ntm.catalog.models import CriteriaSet
from ntm.core.versions import StaleEdit, check_version
from ntm.geo.models import AdminUnit
from ntm.planning import selectors, services
from ntm.planning.forms import (
    ObstacleForm,
    PlanForm,
    ProgressForm,
    ResolveForm,
    SnapshotForm,
    TargetForm,
    TaskForm,
)
from ntm.planning.models import Obstacle, Plan, ProgressUpdate, Snapshot, Task


def _unit(request: HttpRequest, unit_id: int, action: Action = Action.VIEW) -> AdminUnit:
    return unit_or_404(request.user, unit_id, action)


def _plan(request: HttpRequest, unit_id: int, year: int, action: Action = Action.VIEW) -> Plan:
    unit = _unit(request, unit_id, action)
    return get_object_or_404(Plan.objects.select_related("unit"), unit=unit, year=year)


def _save_or_show(
    request: HttpRequest, plan: Plan, form: Any, service: Any, title: str
) -> HttpResponse:
    """The add-something-to-the-plan pattern: a valid form goes to one service; its refusal
    shows on the form; success returns to the plan."""
    if request.method == "POST" and form.is_valid():
        try:
            service(user=request.user, plan=plan, **form.cleaned_data)
        except services.PlanError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("planning:plan", unit_id=plan.unit_id, year=plan.year)
    return render(
        request,
        "planning/form.html",
        {"plan": plan, "unit": plan.unit, "form": form, "title": title},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_list(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit(request, unit_id)
    form = PlanForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Action.MANAGE_PLAN, unit)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                plan = services.plan_create(
                    user=request.user,
                    unit=unit,
                    year=data.pop("year"),
                    title=data.pop("title"),
                    **data,
                )
            except services.PlanError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("planning:plan", unit_id=unit.pk, year=plan.year)
    return render(
        request,
        "planning/plan_list.html",
        {
            "unit": unit,
            "plans": selectors.plans_of(unit.pk),
            "form": form,
            "can_manage": can(request.user, Action.MANAGE_PLAN, unit),
        },
    )


@login_required
def plan_detail(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    plan = _plan(request, unit_id, year)
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "unit": plan.unit,
            "page": selectors.plan_page(plan=plan),
            "can_manage": can(request.user, Action.MANAGE_PLAN, plan.unit),
            "can_edit": can(request.user, Action.EDIT_DATA, plan.unit),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    plan = _plan(request, unit_id, year, Action.MANAGE_PLAN)
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if (
            data["year"] != plan.year
            and Plan.objects.filter(unit=plan.unit, year=data["year"]).exists()
        ):
            form.add_error(
                "year",
                _("%(unit)s already has a plan for %(year)s.")
                % {"unit": plan.unit.name, "year": data["year"]},
            )
        else:
            try:
                with transaction.atomic():
                    check_version(plan, form.read_version)
                    services.plan_update(user=request.user, plan=plan, **data)
            except StaleEdit as exc:
                form.refuse_stale(exc)
                plan.refresh_from_db()
            else:
                return redirect("planning:plan", unit_id=plan.unit_id, year=plan.year)
    return render(
        request,
        "planning/form.html",
        {"plan": plan, "unit": plan.unit, "form": form, "title": _("Edit the plan")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_add(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    plan = _plan(request, unit_id, year, Action.MANAGE_PLAN)
    form = TargetForm(request.POST or None, plan=plan)
    return _save_or_show(request, plan, form, services.target_add, _("Add a target"))


@login_required
@require_http_methods(["GET", "POST"])
def task_add(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    plan = _plan(request, unit_id, year, Action.MANAGE_PLAN)
    form = TaskForm(request.POST or None, plan=plan)
    return _save_or_show(request, plan, form, services.task_add, _("Add a task"))


@login_required
@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, unit_id: int, year: int, task_id: int) -> HttpResponse:
    plan = _plan(request, unit_id, year)
    task = get_object_or_404(
        Task.objects.select_related("area", "responsible_user"), plan=plan, pk=task_id
    )
    form = ProgressForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["attachment"]
        try:
            services.progress_add(
                user=request.user,
                task=task,
                date=form.cleaned_data["date"],
                percent=form.cleaned_data["percent"],
                note=form.cleaned_data["note"],
                attachment_name=upload.name if upload else "",
                attachment=upload.read() if upload else None,
            )
        except services.PlanError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Progress recorded."))
            return redirect("planning:task", unit_id=plan.unit_id, year=plan.year, task_id=task.pk)
    overdue, due_soon = selectors.task_state(task, selectors.today())
    return render(
        request,
        "planning/task_detail.html",
        {
            "plan": plan,
            "unit": plan.unit,
            "task": task,
            "form": form,
            "overdue": overdue,
            "due_soon": due_soon,
            "updates": task.updates.select_related("created_by").order_by("-date", "-pk"),
            "obstacles": task.obstacles.all(),
            "can_update": can(request.user, Action.EDIT_DATA, plan.unit)
            or can(request.user, Action.MANAGE_PLAN, plan.unit)
            or task.responsible_user_id == request.user.pk,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def obstacle_add(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    plan = _plan(request, unit_id, year)
    form = ObstacleForm(request.POST or None, plan=plan, initial={"raised_on": selectors.today()})
    return _save_or_show(request, plan, form, services.obstacle_raise, _("Report an obstacle"))


@login_required
@require_http_methods(["GET", "POST"])
def obstacle_detail(
    request: HttpRequest, unit_id: int, year: int, obstacle_id: int
) -> HttpResponse:
    plan = _plan(request, unit_id, year)
    obstacle = get_object_or_404(Obstacle, plan=plan, pk=obstacle_id)
    form = ResolveForm(request.POST or None, initial={"resolved_on": selectors.today()})
    if request.method == "POST":
        try:
            if "escalate" in request.POST:
                services.obstacle_escalate(
                    user=request.user, obstacle=obstacle, level=request.POST["escalate"]
                )
                return redirect("planning:plan", unit_id=plan.unit_id, year=plan.year)
            if form.is_valid():
                services.obstacle_resolve(user=request.user, obstacle=obstacle, **form.cleaned_data)
                return redirect("planning:plan", unit_id=plan.unit_id, year=plan.year)
        except services.PlanError as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "planning/obstacle_detail.html",
        {"plan": plan, "unit": plan.unit, "obstacle": obstacle, "form": form},
    )


@login_required
@require_POST
def snapshot_take(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    plan = _plan(request, unit_id, year, Action.MANAGE_PLAN)
    form = SnapshotForm(request.POST)
    if form.is_valid():
        try:
            snapshot = services.snapshot_take(
                user=request.user, plan=plan, period=form.cleaned_data["period"]
            )
        except services.PlanError as exc:
            messages.error(request, str(exc))
        else:
            return redirect(
                "planning:snapshot", unit_id=plan.unit_id, year=plan.year, period=snapshot.period
            )
    return redirect("planning:plan", unit_id=plan.unit_id, year=plan.year)


@login_required
def snapshot_detail(request: HttpRequest, unit_id: int, year: int, period: str) -> HttpResponse:
    plan = _plan(request, unit_id, year)
    snapshot = get_object_or_404(Snapshot, plan=plan, period=period)
    others = list(plan.snapshots.order_by("taken_on"))
    # Snapshots side by side: each target's status in every frozen period.
    titles: list[str] = []
    cells: dict[tuple[str, str], str] = {}
    for other in others:
        for t in other.data.get("targets", []):
            if t["title"] not in titles:
                titles.append(t["title"])
            cells[(t["title"], other.period)] = t["status"]
    comparison = [(title, [cells.get((title, o.period), "") for o in others]) for title in titles]
    return render(
        request,
        "planning/snapshot_detail.html",
        {
            "plan": plan,
            "unit": plan.unit,
            "snapshot": snapshot,
            "snapshots": others,
            "comparison": comparison,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    plan = _plan(request, unit_id, year, Action.MANAGE_PLAN)
    code = request.GET.get("set") or request.POST.get("set") or ""
    period = request.GET.get("period") or request.POST.get("period") or str(year - 1)
    family = CriteriaSet.objects.filter(code=code, localises__isnull=True, level="commune").first()
    sets = CriteriaSet.objects.filter(localises__isnull=True, level="commune")
    items = []
    if family is not None:
        try:
            items = services.draft_from_gaps(unit=plan.unit, family=family, period=period)
        except ValueError as exc:
            raise Http404 from exc
    if request.method == "POST" and family is not None:
        chosen = set(request.POST.getlist("item"))
        picked = [i for i in items if i.key in chosen]
        if not picked:
            messages.error(request, _("Tick at least one proposal."))
        else:
            targets, tasks = services.draft_apply(
                user=request.user,
                plan=plan,
                family=family,
                items=picked,
                deadline=dt.date(plan.year, 12, 31),
            )
            messages.success(
                request,
                _("%(t)d targets and %(k)d tasks were added to the plan.")
                % {"t": targets, "k": tasks},
            )
            return redirect("planning:plan", unit_id=plan.unit_id, year=plan.year)
    return render(
        request,
        "planning/draft.html",
        {
            "plan": plan,
            "unit": plan.unit,
            "items": items,
            "sets": sets,
            "family": family,
            "period": period,
        },
    )


@login_required
def attachment(request: HttpRequest, unit_id: int, year: int, update_id: int) -> FileResponse:
    """Progress attachments are the plan's non-public data: served only to who may view it."""
    plan = _plan(request, unit_id, year)
    update = get_object_or_404(ProgressUpdate, task__plan=plan, pk=update_id)
    if not update.attachment:
        raise Http404
    return FileResponse(
        update.attachment.open("rb"),
        as_attachment=True,
        filename=update.attachment_name or "attachment",
    )


@login_required
@require_POST
def area_add(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    plan = _plan(request, unit_id, year, Action.MANAGE_PLAN)
    try:
        services.area_add(user=request.user, plan=plan, name=request.POST.get("name", ""))
    except services.PlanError as exc:
        messages.error(request, str(exc))
    return redirect("planning:plan", unit_id=plan.unit_id, year=plan.year)
