"""Administrative units: search, children, subtree, versions and successions."""

import datetime as dt
from typing import Annotated, Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router

from ntm.accounts.permissions import visible_units
from ntm.api.common import MAX_LIMIT, unit_for, unit_out
from ntm.api.errors import ERRORS
from ntm.api.schemas import ChildOut, UnitDetailOut, UnitHistoryOut, UnitPage
from ntm.core.text import fold
from ntm.geo.models import AdminUnit, Succession
from ntm.geo.selectors import unit_children

router = Router(tags=["units"])


def _page(qs: Any, limit: int, offset: int) -> dict[str, Any]:
    # Stable order: code, then version, then id — the same rows on every page request.
    qs = qs.select_related("parent").order_by("code", "valid_from", "pk")
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [unit_out(u) for u in qs[offset : offset + limit]],
    }


@router.get("/units", response={200: UnitPage, **ERRORS}, operation_id="units_list")
def units_list(
    request: HttpRequest,
    q: str = Query("", max_length=100, description="Accent-insensitive name or code"),
    level: int | None = Query(None, ge=1, le=4),
    as_of: Annotated[
        dt.date | None, Query(description="Only versions in force on this day")
    ] = None,
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=10**7),
) -> Any:
    """Units the caller may see, searched by name or code."""
    qs = visible_units(request.user)
    for term in fold(q).split():
        qs = qs.filter(search_name__contains=term)
    if level is not None:
        qs = qs.filter(level=level)
    if as_of is not None:
        qs = qs.in_force(as_of)
    return _page(qs, limit, offset)


@router.get("/units/{code}", response={200: UnitDetailOut, **ERRORS}, operation_id="unit_detail")
def unit_detail(request: HttpRequest, code: str, as_of: dt.date | None = None) -> Any:
    unit = unit_for(request, code, as_of=as_of)
    return {
        **unit_out(unit),
        "ancestors": [unit_out(a) for a in unit.ancestors().select_related("parent")],
    }


@router.get(
    "/units/{code}/children", response={200: list[ChildOut], **ERRORS}, operation_id="unit_children"
)
def children(request: HttpRequest, code: str, as_of: dt.date | None = None) -> Any:
    unit = unit_for(request, code, as_of=as_of)
    # An ended unit lists the children it had on its last day, as its web page does.
    day = as_of or unit.valid_to
    return [
        {**unit_out(c), "parent": unit.code, "children": getattr(c, "child_count", 0)}
        for c in unit_children(unit=unit, as_of=day)
    ]


@router.get(
    "/units/{code}/subtree", response={200: UnitPage, **ERRORS}, operation_id="unit_subtree"
)
def subtree(
    request: HttpRequest,
    code: str,
    as_of: dt.date | None = None,
    level: int | None = Query(None, ge=1, le=4),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=10**7),
) -> Any:
    """The unit and every unit under it (all versions, or those in force on ``as_of``)."""
    unit = unit_for(request, code, as_of=as_of)
    qs = AdminUnit.objects.subtree_of(unit)
    if level is not None:
        qs = qs.filter(level=level)
    if as_of is not None:
        qs = qs.in_force(as_of)
    return _page(qs, limit, offset)


def _succession(s: Succession) -> dict[str, Any]:
    return {
        "predecessor": s.predecessor.code,
        "predecessor_name": s.predecessor.name,
        "successor": s.successor.code,
        "successor_name": s.successor.name,
        "kind": s.kind,
        "effective_date": s.effective_date,
        "legal_basis": s.legal_basis,
    }


@router.get(
    "/units/{code}/history", response={200: UnitHistoryOut, **ERRORS}, operation_id="unit_history"
)
def history(request: HttpRequest, code: str) -> Any:
    """Every version of the code the caller may see, and what each came from and went to."""
    versions = list(
        visible_units(request.user, AdminUnit.objects.filter(code=code))
        .select_related("parent")
        .order_by("valid_from", "pk")
    )
    if not versions:
        unit_for(request, code)  # 404 (unknown or not visible)
    successions = list(
        Succession.objects.filter(Q(successor__in=versions) | Q(predecessor__in=versions))
        .select_related("predecessor", "successor")
        .order_by("effective_date", "predecessor__code", "successor__code")
    )
    ids = {v.pk for v in versions}
    return {
        "versions": [unit_out(v) for v in versions],
        "predecessors": [_succession(s) for s in successions if s.successor_id in ids],
        "successors": [_succession(s) for s in successions if s.predecessor_id in ids],
    }
