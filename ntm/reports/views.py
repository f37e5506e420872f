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

from ntm.accounts.permissions import Action, unit_or_404
from ntm.catalog.models import CriteriaSet
from ntm.core.http import HtmxHttpRequest
from ntm.evaluation.models import Basis, SetResult, basis_of
from ntm.evaluation.selectors import sets_for_unit_level
from ntm.geo.models import AdminUnit, Level
from ntm.reports import actions, registry, services
from ntm.reports.common import ReportError
from ntm.reports.document import FORMATS
from ntm.reports.models import ReportJob


def _unit(request: HttpRequest, unit_id: int) -> AdminUnit:
    return unit_or_404(request.user, unit_id, Action.VIEW)


def _latest(unit: AdminUnit) -> tuple[str, str] | None:
    """(period, set code) of the latest stored result of the unit's level in its subtree: what a
    report is most likely wanted for."""
    level = "village" if unit.level == Level.VILLAGE else "commune"
    return (
        SetResult.objects.filter(unit__path__startswith=unit.path, criteria_set__level=level)
        .order_by("-period_end", "period", "criteria_set__code")
        .values_list("period", "criteria_set__code")
        .first()
    )


def _last_quarter() -> str:
    today = dt.date.today()
    quarter = (today.month - 1) // 3
    return f"{today.year - 1}Q4" if quarter == 0 else f"{today.year}Q{quarter}"


def _sets(unit: AdminUnit) -> list[CriteriaSet]:
    level = "village" if unit.level == Level.VILLAGE else "commune"
    return [family for family, _result in sets_for_unit_level(unit, level)]


def _choices(request: HttpRequest, unit: AdminUnit) -> dict[str, Any]:
    sets = _sets(unit)
    asked_set = request.GET.get("set") or request.POST.get("set") or ""
    asked_period = request.GET.get("period") or request.POST.get("period") or ""
    latest = _latest(unit) if not (asked_set and asked_period) else None
    set_code = asked_set or (latest[1] if latest else (sets[0].code if sets else ""))
    period = asked_period or (latest[0] if latest else _last_quarter())
    # Official figures unless the working ones are asked for (a draft report before approval).
    basis = basis_of(request.GET.get("basis") or request.POST.get("basis"), Basis.APPROVED)
    return {"sets": sets, "set_code": set_code, "period": period, "basis": basis}


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
            user=request.user,
            unit=unit,
            name=kind.name,
            period=period,
            family=family,
            fmt=fmt,
            basis=choices["basis"],
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
        job = actions.start_bulk(
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
    services.fail_if_abandoned(found)
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
        # The stored name may carry the storage's de-duplication suffix; the download does not.
        filename=f"{found.report}-{found.unit.code}-{found.period}-{found.fmt}.zip",
        content_type="application/zip",
    )
