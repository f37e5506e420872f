"""Helpers the routers share: finding what a request names, within the caller's scope."""

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ntm.accounts.permissions import Action, require
from ntm.api.errors import ApiError
from ntm.api.lookups import unit_version
from ntm.api.schemas import UnitOut
from ntm.catalog.models import CriteriaSet
from ntm.engine.periods import Period, parse_period
from ntm.geo.models import AdminUnit
from ntm.geo.selectors import version_for_period

MAX_LIMIT = 1000


def unit_for(
    request: HttpRequest,
    code: str,
    *,
    as_of: dt.date | None = None,
    period: Period | None = None,
    action: Action = Action.VIEW,
) -> AdminUnit:
    """The unit version the code names on the day — or, given a period, the version in force
    during that period (codes are reused across reforms); 404 outside the caller's view, 403
    when seen but the action is not theirs (the permission service decides)."""
    if period is not None:
        unit = version_in(code, period)
    else:
        found = unit_version(code, as_of)
        if found is None:
            raise Http404
        unit = found
    require(request.user, action, unit)
    return unit


def version_in(code: str, period: Period) -> AdminUnit:
    """The version of the code in force during the period (at its end, else at its start),
    before any permission check: 404, with the reason ``unit_not_in_period`` when the code is
    known but no unit had it then."""
    unit = version_for_period(code, period.start, period.end)
    if unit is not None:
        return unit
    if AdminUnit.objects.filter(code=code).exists():
        raise ApiError(
            404,
            "unit_not_in_period",
            _("No unit had the code %(code)s in %(period)s.")
            % {"code": code, "period": period.code},
        )
    raise Http404


def year_period(year: int) -> Period:
    """The calendar year as a reporting period: what a ``year`` parameter names."""
    return parse_period(str(year))


def criteria_set(code: str) -> CriteriaSet:
    """A national set (or a province's own set): the family values and results are stored under."""
    family = CriteriaSet.objects.filter(code=code.strip().lower(), localises__isnull=True).first()
    if family is None:
        raise ApiError(404, "unknown_set", _("No criteria set has the code “%s”.") % code)
    return family


def period_of(text: str | None) -> Period | None:
    if not text:
        return None
    try:
        return parse_period(text)
    except ValueError:
        raise ApiError(
            422, "invalid_period", _("“%s” is not a period (2024, 2024H1, 2024Q1).") % text
        ) from None


def unit_out(unit: AdminUnit) -> dict[str, Any]:
    return UnitOut(
        id=unit.pk,
        code=unit.code,
        name=unit.name,
        kind=unit.kind,
        level=unit.level,
        parent=unit.parent.code if unit.parent_id and unit.parent else None,
        valid_from=unit.valid_from,
        valid_to=unit.valid_to,
        region=unit.region,
    ).model_dump()


def api_time(moment: dt.datetime) -> str:
    """Our API's one timestamp form: ISO 8601 in UTC to the millisecond, ``2026-12-04T23:29:20.477Z``
    (what the JSON encoder writes for the datetime fields)."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def etag_of(parts: Iterable[object]) -> str:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f'"{digest}"'


def not_modified(request: HttpRequest, etag: str) -> HttpResponse | None:
    """304 when the client already holds this version (If-None-Match lists the ETag or is *)."""
    header = request.headers.get("If-None-Match", "")
    tags = {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}
    if etag in tags or "*" in tags:
        response = HttpResponse(status=304)
        response["ETag"] = etag
        return response
    return None


def csv_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# What a CSV body may be sent as: DHIS2's clients send application/csv, generated clients
# application/octet-stream (generators read no text/csv body).
CSV_CONTENT_TYPES = {"text/csv", "text/plain", "application/csv", "application/octet-stream"}
# A file body or download as OpenAPI describes one, so that client generators accept it.
_FILE_SCHEMA = {"type": "string", "format": "binary"}


def csv_body(request: HttpRequest) -> bytes:
    content_type = request.content_type or ""
    if content_type not in CSV_CONTENT_TYPES:
        raise ApiError(
            400, "bad_content_type", _("Send the file as the body with Content-Type: text/csv.")
        )
    return request.body


def csv_openapi(description: str) -> dict[str, Any]:
    """The request body of an operation that takes a CSV file (ninja cannot describe it)."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                "text/csv": {"schema": _FILE_SCHEMA},
                "application/octet-stream": {"schema": _FILE_SCHEMA},
            },
        }
    }


def csv_response_openapi(description: str) -> dict[str, Any]:
    """The 200 answer of an operation that sends a CSV file."""
    return {
        "responses": {
            200: {"description": description, "content": {"text/csv": {"schema": _FILE_SCHEMA}}}
        }
    }


CSV_RESPONSE = csv_response_openapi("CSV file (UTF-8 with BOM)")
