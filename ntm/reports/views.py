"""Report pages: choose and download a unit's reports; start and follow a zipped bulk job."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ntm.accounts.permissions import Action, require
from ntm.catalog.models import CriteriaSet
from ntm.core.http import HtmxHttpRequest
from ntm.evaluation.models import SetResult
from ntm.evaluation.selectors import sets_for_unit_level
from ntm.geo.models import AdminUnit, Level
from ntm.reports import registry, services
from ntm.reports.common import ReportError
from ntm.reports.document import FORMATS
from ntm.reports.models import ReportJob


def _unit(request: HttpRequest, unit_id: int) -> AdminUnit:
    unit = get_object_or_404(AdminUnit.objects.select_related("parent"), pk=unit_id)
    require(request.user, Action.VIEW, unit)
    return unit


def _default_period(unit: AdminUnit) -> str:
    """The latest period with a stored result in the unit, else the last finished quarter."""
    latest = (
        SetResult.objects.filter(unit__path__startswith=unit.path)
        .order_by("-period_end", "period")
        .values_list("period", flat=True)
        .first()
    )
    if latest:
        return latest
    today = dt.date.today()
    quarter = (today.month - 1) // 3
    return f"{today.year - 1}Q4" if quarter == 0 else f"{today.year}Q{quarter}"


def _sets(unit: AdminUnit) -> list[CriteriaSet]:
    level = "village" if unit.level == Level.VILLAGE else "commune"
    return [family for family, _result in sets_for_unit_level(unit, level)]


def _choices(request: HttpRequest, unit: AdminUnit) -> dict[str, Any]:
    sets = _sets(unit)
    set_code = request.GET.get("set") or request.POST.get("set") or ""
    if not set_code:
        with_results = (
            SetResult.objects.filter(unit=unit)
            .order_by("-period_end")
            .values_list("criteria_set__code", flat=True)
        ).first()
        set_code = with_results or (sets[0].code if sets else "")
    period = request.GET.get("period") or request.POST.get("period") or _default_period(unit)
    return {"sets": sets, "set_code": set_code, "period": period}


@login_required
@require_GET
def index(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit(request, unit_id)
    return _index(request, unit, _choices(request, unit))


def _index(
    request: HttpRequest, unit: AdminUnit, choices: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    bulk = unit.level in (Level.PROVINCE, Level.DISTRICT)
    jobs = (
        list(ReportJob.objects.filter(unit=unit).select_related("created_by")[:10]) if bulk else []
    )
    return render(
        request,
        "reports/index.html",
        {
            "unit": unit,
            "kinds": registry.kinds_for(unit),
            "bulk_kinds": registry.bulk_kinds() if bulk else [],
            "formats": FORMATS,
            "jobs": jobs,
            **choices,
        },
        status=status,
    )


@login_required
@require_GET
def download(request: HttpRequest, unit_id: int, report: str, fmt: str) -> HttpResponse:
    unit = _unit(request, unit_id)
    choices = _choices(request, unit)
    try:
        kind = registry.kind_named(report)
        period = services.period_named(choices["period"])
        family = services.family_named(choices["set_code"]) if kind.uses_set else None
        built = services.build_one(
            user=request.user, unit=unit, name=kind.name, period=period, family=family, fmt=fmt
        )
    except ReportError as exc:
        messages.error(request, str(exc))
        return _index(request, unit, choices, status=400)
    response = HttpResponse(built.content, content_type=built.content_type)
    response["Content-Disposition"] = f'attachment; filename="{built.filename}"'
    return response


@login_required
@require_POST
def bulk_start(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit(request, unit_id)
    choices = _choices(request, unit)
    try:
        kind = registry.kind_named(request.POST.get("report", ""))
        job = services.start_bulk(
            user=request.user,
            unit=unit,
            name=kind.name,
            period=services.period_named(choices["period"]),
            family=services.family_named(choices["set_code"]) if kind.uses_set else None,
            fmt=request.POST.get("fmt", ""),
        )
    except ReportError as exc:
        messages.error(request, str(exc))
        return _index(request, unit, choices, status=400)
    return redirect("reports:job", unit.pk, job.pk)


def _job(request: HttpRequest, unit_id: int, job_id: int) -> ReportJob:
    unit = _unit(request, unit_id)
    return get_object_or_404(
        ReportJob.objects.select_related("unit", "created_by"),
        Q(unit__path__startswith=unit.path),
        pk=job_id,
    )


@login_required
@require_GET
def job(request: HtmxHttpRequest, unit_id: int, job_id: int) -> HttpResponse:
    found = _job(request, unit_id, job_id)
    template = "reports/_job.html" if request.htmx else "reports/job.html"
    return render(
        request,
        template,
        {"unit": found.unit, "job": found, "kind": registry.REPORTS.get(found.report)},
    )


@login_required
@require_GET
def job_download(request: HttpRequest, unit_id: int, job_id: int) -> FileResponse:
    found = _job(request, unit_id, job_id)
    if found.status != ReportJob.Status.DONE or not found.file:
        raise Http404(_("This job has no file yet."))
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=(found.file.name or "").rsplit("/", 1)[-1],
        content_type="application/zip",
    )
