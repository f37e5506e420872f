"""Indicator values in and out: JSON, and CSV in the import file's format (unit, set, code,
period, value, note). Writes go through the importer, hence ``value_set``: the same validation,
permissions, scope, locks and history as the web, all rows or none."""

import csv
import io
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from ntm.api.common import (
    CSV_RESPONSE,
    MAX_LIMIT,
    criteria_set,
    csv_body,
    csv_openapi,
    csv_response,
    period_of,
    unit_for,
)
from ntm.api.errors import ERRORS, ApiError, ErrorOut
from ntm.api.schemas import ImportOut, ValuePage, ValuesIn
from ntm.core.tabular import CellError, ImportRefused
from ntm.evaluation import actions
from ntm.geo.models import AdminUnit
from ntm.observations.exporters import COLUMNS, export_values, render
from ntm.observations.importers import ImportPreview
from ntm.observations.models import DataValue

router = Router(tags=["values"])
MAX_CSV_BYTES = 20 * 1024 * 1024


def _filters(
    request: HttpRequest, unit: str, subtree: bool, set_code: str | None, period: str | None
) -> tuple[Any, Any, Any]:
    parsed = period_of(period)
    root = unit_for(request, unit, period=parsed)
    units = AdminUnit.objects.subtree_of(root) if subtree else AdminUnit.objects.filter(pk=root.pk)
    family = criteria_set(set_code) if set_code else None
    return units, family, parsed


@router.get("/values", response={200: ValuePage, **ERRORS}, operation_id="values_list")
def values_list(
    request: HttpRequest,
    unit: str = Query(..., max_length=32, description="Unit code"),
    subtree: bool = Query(False, description="Include every unit under it"),
    set: str | None = Query(None, max_length=80, description="Criteria set code"),
    period: str | None = Query(
        None, max_length=40, description="2024, 2024H1, 2024Q1 — or as written: Quý I/2024"
    ),
    limit: int = Query(500, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=10**7),
) -> Any:
    units, family, parsed = _filters(request, unit, subtree, set, period)
    qs = DataValue.objects.filter(unit__in=units)
    if family is not None:
        qs = qs.filter(criteria_set=family)
    if parsed is not None:
        qs = qs.filter(period=parsed.code)
    # Stable order: the keys of the unique constraint, then the id.
    qs = qs.select_related("unit", "criteria_set").order_by(
        "unit__code", "unit_id", "criteria_set__code", "period_end", "period", "code", "pk"
    )
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [
            {
                "unit": v.unit.code,
                "set": v.criteria_set.code,
                "code": v.code,
                "period": v.period,
                "value": v.text,
                "note": v.note,
                "status": v.status,
                "updated_at": v.updated_at,
            }
            for v in qs[offset : offset + limit]
        ],
    }


@router.get("/values.csv", response=ERRORS, operation_id="values_csv", openapi_extra=CSV_RESPONSE)
def values_csv(
    request: HttpRequest,
    unit: str = Query(..., max_length=32),
    subtree: bool = False,
    set: str | None = Query(None, max_length=80),
    period: str | None = Query(None, max_length=40),
) -> Any:
    """The values as the import file: importing it back changes nothing."""
    units, family, parsed = _filters(request, unit, subtree, set, period)
    content = export_values(
        units=units, criteria_set=family, periods=[parsed.code] if parsed else None
    )
    return csv_response(content, f"values-{unit}.csv")


def import_out(preview: ImportPreview) -> dict[str, Any]:
    counts = preview.counts
    return {
        "dry_run": preview.dry_run,
        "created": counts["create"],
        "updated": counts["update"],
        "unchanged": counts["unchanged"],
        "results": preview.results,
        "rows": [
            {
                "row": r.row,
                "unit": r.unit_code,
                "set": r.set_code,
                "code": r.code,
                "period": r.period,
                "old": r.old,
                "new": r.new,
                "action": r.action,
            }
            for r in preview.rows
        ],
    }


def import_csv(request: HttpRequest, data: bytes, dry_run: bool) -> dict[str, Any]:
    if len(data) > MAX_CSV_BYTES:
        raise ApiError(413, "too_large", _("The file is larger than 20 MB."))
    try:
        preview = actions.values_import(
            data, user=request.user, dry_run=dry_run, filename="values.csv"
        )
    except csv.Error as exc:
        raise ImportRefused([CellError(None, None, str(exc))]) from exc
    return import_out(preview)


def import_rows(request: HttpRequest, rows: list[dict[str, str]], dry_run: bool) -> dict[str, Any]:
    """JSON rows through the same importer, as an XLSX sheet of text cells: unlike CSV it needs
    no dialect sniffing, so a note full of semicolons cannot be misread."""
    if all(r.get("based_on") is None for r in rows):
        table = [tuple(str(r.get(c, "")) for c in COLUMNS) for r in rows]
        data = render(table, "xlsx")  # type: ignore[arg-type]
    else:
        data = _sheet([*COLUMNS, "based_on"], rows)
    return import_out(
        actions.values_import(data, user=request.user, dry_run=dry_run, filename="v.xlsx")
    )


def _sheet(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    """Rows as an XLSX of text cells (never formulas); ``None`` is an absent cell. An empty
    ``based_on`` ("I read no value") is written "none", as an empty cell would read as absent."""
    # deferred: openpyxl takes ~0.6 s to import and only writes with based_on need it here
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(columns)
    for number, row in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            value = row.get(column)
            if value is None:
                continue
            text = str(value) or ("none" if column == "based_on" else "")
            cell = sheet.cell(row=number, column=index, value=text)
            cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@router.post(
    "/values", response={200: ImportOut, 413: ErrorOut, **ERRORS}, operation_id="values_write"
)
def values_write(request: HttpRequest, payload: ValuesIn) -> Any:
    """Record values (all or none). Errors name ``row`` = item index + 2, as in the file."""
    return import_rows(request, [v.model_dump() for v in payload.values], payload.dry_run)


@router.post(
    "/values.csv",
    response={200: ImportOut, 413: ErrorOut, **ERRORS},
    operation_id="values_write_csv",
    openapi_extra=csv_openapi("The import file: unit,set,code,period,value,note"),
)
def values_write_csv(request: HttpRequest, dry_run: bool = False) -> Any:
    return import_csv(request, csv_body(request), dry_run)
