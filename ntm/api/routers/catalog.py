"""Criteria sets: public legal data, read by any authenticated caller."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from ntm.api.common import criteria_set
from ntm.api.errors import ERRORS
from ntm.api.schemas import SetDetailOut, SetOut
from ntm.catalog.models import CriteriaSet
from ntm.catalog.selectors import criteria_with_indicators

router = Router(tags=["criteria"])


def _set(s: CriteriaSet) -> dict[str, Any]:
    return {
        "code": s.code,
        "name_vi": s.name_vi,
        "name_en": s.name_en,
        "level": s.level,
        "legal_basis": s.legal_basis,
        "valid_from": s.valid_from,
        "valid_to": s.valid_to,
        "localises": s.localises.code if s.localises_id and s.localises else None,
        "province": s.province.code if s.province_id and s.province else None,
        "illustrative": s.illustrative,
    }


@router.get("/criteria-sets", response={200: list[SetOut], **ERRORS}, operation_id="sets_list")
def sets_list(
    request: HttpRequest, level: str | None = Query(None, pattern="^(commune|village)$")
) -> Any:
    qs = CriteriaSet.objects.select_related("localises", "province").order_by("code")
    if level:
        qs = qs.filter(level=level)
    return [_set(s) for s in qs]


@router.get(
    "/criteria-sets/{code}", response={200: SetDetailOut, **ERRORS}, operation_id="set_detail"
)
def set_detail(request: HttpRequest, code: str) -> Any:
    """A set's criteria, indicators with their current thresholds, and data elements."""
    found = CriteriaSet.objects.select_related("localises", "province").filter(code=code).first()
    family = found or criteria_set(code)  # raises the 404
    criteria = criteria_with_indicators(family)
    return {
        **_set(family),
        "criteria": [
            {
                "number": c.number,
                "name_vi": c.name_vi,
                "name_en": c.name_en,
                "field": c.field,
                "key": c.key,
                "indicators": [
                    {
                        "code": i.code,
                        "content_vi": i.content_vi,
                        "content_en": i.content_en,
                        "kind": i.kind,
                        "unit": i.unit,
                        "direction": i.direction,
                        "formula": i.formula,
                        "levels": list(i.levels or []),
                        "thresholds": [
                            {
                                "region": t.region,
                                "commune_group": t.commune_group,
                                "year": t.year,
                                "value": t.value,
                                "verified": t.verified,
                            }
                            for t in getattr(i, "current_thresholds", [])
                        ],
                    }
                    for i in c.indicators.all()
                ],
            }
            for c in criteria
        ],
        "data_elements": [
            {
                "code": e.code,
                "name_vi": e.name_vi,
                "name_en": e.name_en,
                "unit": e.unit,
                "kind": e.kind,
            }
            for e in family.data_elements.order_by("code")
        ],
    }
