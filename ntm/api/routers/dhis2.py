"""DHIS2 dataValueSets exchange (JSON and CSV) and the mapping table."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from ntm.api import dhis2
from ntm.api.common import (
    CSV_RESPONSE,
    criteria_set,
    csv_body,
    csv_openapi,
    csv_response,
    period_of,
    unit_for,
)
from ntm.api.errors import ERRORS, ApiError, ErrorOut
from ntm.api.models import Dhis2Mapping
from ntm.api.routers.values import MAX_CSV_BYTES, import_rows
from ntm.api.services import mapping_import
from ntm.core.tabular import ImportRefused
from ntm.geo.models import AdminUnit

router = Router(tags=["dhis2"])
Ident = Annotated[str, StringConstraints(max_length=50, pattern=r"^[^\x00-\x1f\x7f]*$")]


class DataValueIn(Schema):
    dataElement: Ident
    period: Ident | None = None
    orgUnit: Ident | None = None
    categoryOptionCombo: Ident | None = None
    attributeOptionCombo: Ident | None = None
    value: (
        Annotated[str, StringConstraints(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")] | None
    ) = None
    comment: (
        Annotated[str, StringConstraints(max_length=4000, pattern=r"^[^\x00-\x08\x0b-\x1f\x7f]*$")]
        | None
    ) = None
    storedBy: str | None = Field(None, max_length=200)
    created: str | None = Field(None, max_length=40)
    lastUpdated: str | None = Field(None, max_length=40)
    followup: bool | None = None


class DataValueSetIn(Schema):
    dataSet: Ident | None = None
    completeDate: Ident | None = None
    period: Ident | None = None
    orgUnit: Ident | None = None
    dataValues: list[DataValueIn] = Field(max_length=5000)


class DataValueOut(Schema):
    dataElement: str
    period: str
    orgUnit: str
    categoryOptionCombo: str | None = None
    value: str
    lastUpdated: str
    comment: str | None = None


class DataValueSetOut(Schema):
    dataValues: list[DataValueOut]


class ImportCountOut(Schema):
    imported: int
    updated: int
    ignored: int
    deleted: int


class ConflictOut(Schema):
    object: str
    value: str


class ImportSummaryOut(Schema):
    responseType: str = "ImportSummary"
    status: str  # SUCCESS | ERROR
    description: str
    dryRun: bool
    importCount: ImportCountOut
    conflicts: list[ConflictOut]


class MappingOut(Schema):
    kind: str
    unit: str | None
    set: str | None
    code: str
    dhis2_id: str
    dhis2_code: str
    category_option_combo: str


def _export(
    request: HttpRequest, unit: str, subtree: bool, set: str | None, period: str | None
) -> dhis2.Export:
    parsed = period_of(period)
    root = unit_for(request, unit, period=parsed)
    units = AdminUnit.objects.subtree_of(root) if subtree else AdminUnit.objects.filter(pk=root.pk)
    family = criteria_set(set) if set else None
    return dhis2.export_values(units=units, family=family, period=parsed)


def _unmapped(response: HttpResponse, export: dhis2.Export) -> None:
    # Values without a mapping cannot be named in DHIS2: say how many were left out.
    response["X-NTM-Unmapped-Values"] = str(export.unmapped)


@router.get(
    "/dhis2/dataValueSets", response={200: DataValueSetOut, **ERRORS}, operation_id="dhis2_export"
)
def dhis2_export(
    request: HttpRequest,
    response: HttpResponse,
    unit: str = Query(..., max_length=32),
    subtree: bool = False,
    set: str | None = Query(None, max_length=80),
    period: str | None = Query(None, max_length=7),
) -> Any:
    export = _export(request, unit, subtree, set, period)
    _unmapped(response, export)
    return {"dataValues": export.data_values}


@router.get(
    "/dhis2/dataValueSets.csv",
    response=ERRORS,
    operation_id="dhis2_export_csv",
    openapi_extra=CSV_RESPONSE,
)
def dhis2_export_csv(
    request: HttpRequest,
    unit: str = Query(..., max_length=32),
    subtree: bool = False,
    set: str | None = Query(None, max_length=80),
    period: str | None = Query(None, max_length=7),
) -> Any:
    export = _export(request, unit, subtree, set, period)
    response = csv_response(dhis2.render_csv(export.data_values), f"dataValueSets-{unit}.csv")
    _unmapped(response, export)
    return response


def _summary(conversion: dhis2.Conversion, dry_run: bool, request: HttpRequest) -> Status:
    conflicts = list(conversion.conflicts)
    counts = {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0}
    if not conflicts and conversion.rows:
        try:
            done = import_rows(request, conversion.rows, dry_run)
        except ImportRefused as exc:
            for error in exc.errors:
                index = (error.row or 2) - 2
                source = conversion.sources[index] if 0 <= index < len(conversion.sources) else ""
                conflicts.append({"object": source, "value": error.message})
        else:
            counts.update(
                imported=done["created"], updated=done["updated"], ignored=done["unchanged"]
            )
    if conflicts:
        # All or nothing, as every import here: nothing was written.
        counts = {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0}
        description = _("Nothing was imported: %(n)d conflicts.") % {"n": len(conflicts)}
        return Status(
            409,
            {
                "status": "ERROR",
                "description": description,
                "dryRun": dry_run,
                "importCount": counts,
                "conflicts": conflicts,
            },
        )
    description = _("Dry run: nothing was written.") if dry_run else _("Import complete.")
    return Status(
        200,
        {
            "status": "SUCCESS",
            "description": description,
            "dryRun": dry_run,
            "importCount": counts,
            "conflicts": [],
        },
    )


IMPORT_RESPONSES: dict[int, Any] = {
    200: ImportSummaryOut,
    409: ImportSummaryOut,
    413: ErrorOut,
    **ERRORS,
}


@router.post("/dhis2/dataValueSets", response=IMPORT_RESPONSES, operation_id="dhis2_import")
def dhis2_import(request: HttpRequest, payload: DataValueSetIn, dryRun: bool = False) -> Any:
    """Import a DHIS2 data value set (JSON). 409 with the conflicts when any value is refused."""
    conversion = dhis2.to_rows(
        [v.model_dump() for v in payload.dataValues],
        period=payload.period or "",
        org_unit=payload.orgUnit or "",
    )
    return _summary(conversion, dryRun, request)


@router.post(
    "/dhis2/dataValueSets.csv",
    response=IMPORT_RESPONSES,
    operation_id="dhis2_import_csv",
    openapi_extra=csv_openapi("DHIS2 CSV: " + ",".join(dhis2.CSV_COLUMNS)),
)
def dhis2_import_csv(request: HttpRequest, dryRun: bool = False) -> Any:
    data = csv_body(request)
    if len(data) > MAX_CSV_BYTES:
        raise ApiError(413, "too_large", _("The file is larger than 20 MB."))
    try:
        items = dhis2.parse_csv(data)
    except ValueError as exc:
        raise ApiError(400, "bad_file", str(exc)) from exc
    if len(items) > 50000:
        raise ApiError(413, "too_large", _("At most 50 000 values per request."))
    return _summary(dhis2.to_rows(items), dryRun, request)


@router.get(
    "/dhis2/mappings", response={200: list[MappingOut], **ERRORS}, operation_id="dhis2_mappings"
)
def dhis2_mappings(request: HttpRequest) -> Any:
    """The mapping table (identifiers only: no data)."""
    return [
        {
            "kind": m.kind,
            "unit": m.unit.code if m.unit else None,
            "set": m.criteria_set.code if m.criteria_set else None,
            "code": m.code,
            "dhis2_id": m.dhis2_id,
            "dhis2_code": m.dhis2_code,
            "category_option_combo": m.category_option_combo,
        }
        for m in Dhis2Mapping.objects.select_related("unit", "criteria_set").order_by(
            "kind", "dhis2_id", "category_option_combo", "pk"
        )
    ]


class MappingImportOut(Schema):
    saved: int
    at: dt.datetime


@router.post(
    "/dhis2/mappings.csv",
    response={200: MappingImportOut, 413: ErrorOut, **ERRORS},
    operation_id="dhis2_mappings_import",
    openapi_extra=csv_openapi("kind,unit,set,code,dhis2_id,dhis2_code,category_option_combo"),
)
def dhis2_mappings_import(request: HttpRequest) -> Any:
    """Add or replace mappings (system administrators)."""
    data = csv_body(request)
    if len(data) > MAX_CSV_BYTES:
        raise ApiError(413, "too_large", _("The file is larger than 20 MB."))
    return {"saved": mapping_import(user=request.user, data=data), "at": timezone.now()}
