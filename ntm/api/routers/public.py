"""Public endpoints (no authentication): exactly the public portal's data, read through the
portal's own selectors — never evidence, notes, internal comments, contacts or unconsented names."""

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils import translation
from ninja import Query, Router, Schema

from ntm.api.common import version_in, year_period
from ntm.api.errors import PUBLIC_ERRORS
from ntm.api.routers.planning import _money, mobilisation_out
from ntm.api.schemas import MobilisationOut
from ntm.finance.models import Work
from ntm.portal import selectors as portal

router = Router(tags=["public"], auth=None)


class PublicCriterionOut(Schema):
    number: int
    name: str
    status: str


class PublicHistoryOut(Schema):
    period: str
    met: int
    total: int


class PublicSetOut(Schema):
    set: str
    name: str
    period: str
    met: int
    total: int
    status: str
    criteria: list[PublicCriterionOut]
    history: list[PublicHistoryOut]


class PublicSuccessionOut(Schema):
    code: str
    name: str
    kind: str
    effective_date: dt.date


class PublicPlanOut(Schema):
    year: int
    title: str
    number: str
    issued_on: dt.date | None


class PublicTargetOut(Schema):
    title: str
    deadline: dt.date
    status: str
    actual: str


class PublicContributionLineOut(Schema):
    kind: str
    label: str
    contributions: int
    value: str


class PublicNamedOut(Schema):
    name: str
    kind: str
    value: str
    date: dt.date


class PublicBoardOut(Schema):
    by_kind: list[PublicContributionLineOut]
    total_value: str
    contributions: int
    named: list[PublicNamedOut]  # only those who agreed to be named


class PublicWorkRowOut(Schema):
    id: int
    unit: str
    name: str
    status: str
    percent: int


class PublicFeedbackOut(Schema):
    kind: str
    text: str
    answer: str
    answered_at: dt.datetime | None
    created_at: dt.datetime


class PublicUnitOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None
    predecessors: list[PublicSuccessionOut]
    successors: list[PublicSuccessionOut]
    sets: list[PublicSetOut]
    plan: PublicPlanOut | None
    targets: list[PublicTargetOut]
    year: int
    years: list[int]
    mobilisation: MobilisationOut
    contributions: PublicBoardOut
    works: list[PublicWorkRowOut]
    feedback: list[PublicFeedbackOut]


class PublicSourceOut(Schema):
    label: str
    planned_value: str | None


class PublicUpdateOut(Schema):
    date: dt.date
    percent: int
    has_photo: bool


class PublicWorkOut(Schema):
    id: int
    unit: str
    unit_name: str
    name: str
    kind: str
    year: int
    status: str
    percent: int
    start: dt.date | None
    finish: dt.date | None
    decision_number: str
    contractor: str
    budget: list[PublicSourceOut]
    planned: str
    updates: list[PublicUpdateOut]
    feedback: list[PublicFeedbackOut]


def _feedback(items: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "kind": f.kind,
            "text": f.text,
            "answer": f.answer,
            "answered_at": f.answered_at,
            "created_at": f.created_at,
        }
        for f in items
    ]


@router.get(
    "/public/units/{code}",
    response={200: PublicUnitOut, **PUBLIC_ERRORS},
    operation_id="public_unit",
)
def public_unit(
    request: HttpRequest,
    code: str,
    year: int | None = Query(
        None,
        ge=2000,
        le=2100,
        description="The year of funds and works; without ``on``, also the unit that had the "
        "code that year",
    ),
    on: Annotated[
        dt.date | None, Query(description="The unit version in force on this day")
    ] = None,
) -> Any:
    """A commune's or village's public page: criteria met, issued plan, funds, works, answers.

    The unit is the version of the code in force on ``on``; without it, given ``year``, the one
    that had the code during that year (at its end, else at its start: codes are reused by the
    2025 reform), 404 ``unit_not_in_period`` when none had it; without either, today's."""
    if on is None and year is not None:
        unit = version_in(code, year_period(year))
    else:
        unit = portal.unit_by_code(code, on)
    page = portal.unit_page(unit=unit, year=year, language=translation.get_language() or "vi")
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent": unit.parent.code if unit.parent else None,
        "predecessors": [
            {
                "code": s.predecessor.code,
                "name": s.predecessor.name,
                "kind": s.kind,
                "effective_date": s.effective_date,
            }
            for s in page.predecessors
        ],
        "successors": [
            {
                "code": s.successor.code,
                "name": s.successor.name,
                "kind": s.kind,
                "effective_date": s.effective_date,
            }
            for s in page.successors
        ],
        "sets": [
            {
                "set": s.family.code,
                "name": s.family.name,
                "period": s.result.period,
                "met": s.result.met,
                "total": s.result.total,
                "status": s.result.status,
                "criteria": [
                    {"number": c.number, "name": c.name, "status": c.status} for c in s.criteria
                ],
                "history": [
                    {"period": h.period, "met": h.met, "total": h.total} for h in s.history
                ],
            }
            for s in page.sets
        ],
        "plan": (
            {
                "year": page.plan.year,
                "title": page.plan.title,
                "number": page.plan.number,
                "issued_on": page.plan.issued_on,
            }
            if page.plan
            else None
        ),
        "targets": [
            {
                "title": r.target.title,
                "deadline": r.target.deadline,
                "status": r.judgement.status,
                "actual": r.judgement.actual,
            }
            for r in page.targets
        ],
        "year": page.year,
        "years": page.years,
        "mobilisation": mobilisation_out(page.table),
        "contributions": {
            "by_kind": [
                {
                    "kind": line.kind,
                    "label": str(line.label),
                    "contributions": line.contributions,
                    "value": _money(line.value),
                }
                for line in page.board.by_kind
            ],
            "total_value": _money(page.board.total_value),
            "contributions": page.board.contributors,
            "named": [
                {"name": n.name, "kind": n.kind, "value": _money(n.value), "date": n.date}
                for n in page.board.named
            ],
        },
        "works": [
            {
                "id": w.pk,
                "unit": w.unit.code,
                "name": w.name,
                "status": w.status,
                "percent": w.percent,
            }
            for w in page.works
        ],
        "feedback": _feedback(page.feedback),
    }


@router.get(
    "/public/works/{work_id}",
    response={200: PublicWorkOut, **PUBLIC_ERRORS},
    operation_id="public_work",
)
def public_work(request: HttpRequest, work_id: int) -> Any:
    """A work's public page: what, where, budget by source, progress (dates, %) and answers."""
    try:
        work = portal.public_work(work_id)
    except Work.DoesNotExist:
        raise Http404 from None
    page = portal.work_page(work=work)
    return {
        "id": work.pk,
        "unit": work.unit.code,
        "unit_name": work.unit.name,
        "name": work.name,
        "kind": work.kind,
        "year": work.year,
        "status": work.status,
        "percent": work.percent,
        "start": work.start,
        "finish": work.finish,
        "decision_number": work.decision_number,
        "contractor": work.contractor,
        "budget": [
            {"label": str(line.label), "planned_value": _money(line.planned_value)}
            for line in page.row.lines
        ],
        "planned": _money(page.row.planned),
        "updates": [
            {"date": u.date, "percent": u.percent, "has_photo": bool(u.photo)} for u in page.updates
        ],
        "feedback": _feedback(page.feedback),
    }
