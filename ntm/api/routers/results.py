"""Stored results: one unit's for a set and period, and roll-ups over a subtree. Both carry an
ETag over the stored rows (id and computation time), so a poller gets 304 until a value changes."""

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router

from ntm.api.common import api_time, criteria_set, etag_of, not_modified, period_of, unit_for
from ntm.api.errors import ERRORS, ApiError
from ntm.api.schemas import ResultOut, RollupOut
from ntm.evaluation import reports, selectors
from ntm.evaluation.models import Basis
from ntm.geo.models import Level

router = Router(tags=["results"])


def _with_etag(request: HttpRequest, response: HttpResponse, etag: str) -> None:
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"


@router.get(
    "/results", response={200: ResultOut, 304: None, **ERRORS}, operation_id="result_detail"
)
def result_detail(
    request: HttpRequest,
    response: HttpResponse,
    unit: str = Query(
        ...,
        max_length=32,
        description="Unit code; with a period, the unit that had the code then (codes are "
        "reused across reforms)",
    ),
    set: str = Query(..., max_length=80),
    period: str | None = Query(
        None, max_length=40, description="Default: the latest stored; 2024Q4 or Quý IV/2024"
    ),
    basis: Annotated[
        Basis,
        Query(
            description="working: every value, drafts included (the commune's own count); "
            "approved: approved values only (the official count the public and the province "
            "see)"
        ),
    ] = Basis.WORKING,
) -> Any:
    """The result a report of the period uses: the period's own, else the latest before it."""
    parsed = period_of(period)
    found = unit_for(request, unit, period=parsed)
    family = criteria_set(set)
    if parsed is not None:
        result = reports.result_as_of(unit=found, family=family, period=parsed, basis=basis)
    else:
        result = selectors.result_as_of(unit=found, family=family, period=None, basis=basis)
    if result is None:
        raise ApiError(404, "no_result", _("No stored result for this unit, set and period."))
    etag = etag_of(
        [result.pk, result.computed_at.isoformat(), parsed.code if parsed else "", basis.value]
    )
    cached = not_modified(request, etag)
    if cached is not None:
        return cached
    _with_etag(request, response, etag)
    data = reports.result_data(result, period=parsed.code if parsed else None, basis=basis)
    data["computed_at"] = api_time(result.computed_at) if result.computed_at else None
    return data


@router.get(
    "/results/rollup", response={200: RollupOut, 304: None, **ERRORS}, operation_id="result_rollup"
)
def result_rollup(
    request: HttpRequest,
    response: HttpResponse,
    unit: str = Query(..., max_length=32, description="Root of the subtree"),
    set: str = Query(..., max_length=80),
    period: str | None = Query(None, max_length=40),
    level: int | None = Query(None, ge=1, le=4, description="Default: the set's level"),
    limit: int = Query(1000, ge=1, le=5000, description="Units per page"),
    offset: int = Query(0, ge=0, description="Units to skip (ordered by name)"),
    basis: Annotated[
        Basis,
        Query(
            description="approved (default): approved values only, as the province's tables "
            "count; working: every value, drafts included"
        ),
    ] = Basis.APPROVED,
) -> Any:
    """Every unit of a level under the root with its result, a page at a time, and per
    criterion how many of all of them stand at each status (from the area summary the pipeline
    keeps, so the counts cost the same for 100 communes as for 10,000)."""
    parsed = period_of(period)
    root = unit_for(request, unit, period=parsed)
    family = criteria_set(set)
    if level is None:
        level = Level.VILLAGE if family.level == "village" else Level.COMMUNE
    page = selectors.area_page(
        parent=root,
        family=family,
        period=parsed,
        level=level,
        offset=offset,
        limit=limit,
        basis=basis,
    )
    summary = page.summary
    etag = etag_of(
        [parsed.code if parsed else "", level, limit, offset, page.total, basis.value]
        + ([summary.pk, summary.updated_at.isoformat()] if summary else [])
        + [
            f"{r.unit.pk}:{r.result.pk}:{r.result.computed_at.isoformat()}"
            if r.result
            else r.unit.pk
            for r in page.rows
        ]
    )
    cached = not_modified(request, etag)
    if cached is not None:
        return cached
    _with_etag(request, response, etag)
    return {
        "basis": basis.value,
        "unit": root.code,
        "set": family.code,
        "period": parsed.code if parsed else None,
        "level": level,
        "count": page.total,
        "reported": summary.reported if summary else 0,
        "met_all": summary.met_all if summary else 0,
        "limit": limit,
        "offset": offset,
        "units": [
            {
                "unit": r.unit.code,
                "name": r.unit.name,
                "as_of_period": r.result.period if r.result else None,
                "met": r.result.met if r.result else None,
                "total": r.result.total if r.result else None,
                "status": r.result.status if r.result else None,
            }
            for r in page.rows
        ],
        "criteria": [
            {
                "number": number,
                "met": counts["met"],
                "not_met": counts["not_met"],
                "no_data": counts["no_data"],
                "no_threshold": counts["no_threshold"],
            }
            for number, counts in page.rollup.items()
        ],
    }
