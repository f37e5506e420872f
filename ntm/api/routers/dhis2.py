"""DHIS2 dataValueSets exchange (JSON and CSV) and the mapping table."""

import datetime as dt
import re
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from ntm.accounts.permissions import Action, can, require
from ntm.api import dhis2
from ntm.api.common import (
    criteria_set,
    csv_body,
    csv_openapi,
    csv_response,
    csv_response_openapi,
    period_of,
    unit_for,
)
from ntm.api.errors import ERRORS, ApiError, ErrorOut
from ntm.api.models import Dhis2FollowUp, Dhis2Mapping
from ntm.api.routers.values import MAX_CSV_BYTES, import_rows
from ntm.api.services import mapping_import
from ntm.catalog.models import CriteriaSet
from ntm.core.tabular import ImportRefused
from ntm.engine.periods import Period, parse_period
from ntm.evaluation import actions
from ntm.geo.models import AdminUnit
from ntm.geo.selectors import version_for_period
from ntm.observations.models import DataValue
from ntm.observations.services import DataError

router = Router(tags=["dhis2"])
Ident = Annotated[str, StringConstraints(max_length=50, pattern=r"^[^\x00-\x1f\x7f]*$")]
Text = Annotated[str, StringConstraints(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")]
Stamp = Annotated[str, StringConstraints(max_length=40, pattern=r"^[^\x00-\x1f\x7f]*$")]
MAX_VALUES = 50000


class DataValueIn(Schema):
    dataElement: Ident
    period: Ident | None = None
    orgUnit: Ident | None = None
    categoryOptionCombo: Ident | None = None
    attributeOptionCombo: Ident | None = None
    # DHIS2 sends strings; some clients send numbers or booleans.
    value: Text | bool | int | float | None = None
    comment: (
        Annotated[str, StringConstraints(max_length=4000, pattern=r"^[^\x00-\x08\x0b-\x1f\x7f]*$")]
        | None
    ) = None
    storedBy: Annotated[str, StringConstraints(max_length=255)] | None = None
    created: Stamp | None = None
    lastUpdated: Stamp | None = None
    followup: bool | None = None
    deleted: bool | None = None


class DataValueSetIn(Schema):
    dataSet: Ident | None = None
    completeDate: Ident | None = None
    period: Ident | None = None
    orgUnit: Ident | None = None
    attributeOptionCombo: Ident | None = None
    dataValues: list[DataValueIn] = Field(max_length=5000)


class DataValueOut(Schema):
    dataElement: str
    period: str
    orgUnit: str
    categoryOptionCombo: str
    attributeOptionCombo: str
    value: str
    storedBy: str | None = None
    created: str = Field(description="yyyy-MM-dd'T'HH:mm:ss.SSS, UTC")
    lastUpdated: str = Field(description="yyyy-MM-dd'T'HH:mm:ss.SSS, UTC")
    comment: str | None = None
    followup: bool


class DataValueSetOut(Schema):
    dataValues: list[DataValueOut]


class ExportQuery(Schema):
    orgUnit: Ident | None = Field(
        None, description="Organisation unit: a mapped DHIS2 UID or code (or our unit code)"
    )
    unit: Annotated[str, StringConstraints(max_length=32)] | None = Field(
        None, description="Our unit code (instead of orgUnit)"
    )
    children: bool = Field(False, description="Include every unit below it")
    subtree: bool = Field(False, description="Same as children")
    dataSet: Annotated[str, StringConstraints(max_length=80)] | None = Field(
        None, description="A mapped DHIS2 data set (UID or code), or our criteria set code"
    )
    set: Annotated[str, StringConstraints(max_length=80)] | None = Field(
        None, description="Same as dataSet"
    )
    period: Annotated[str, StringConstraints(max_length=20)] | None = Field(
        None, description="2024, 2024S1 (or 2024H1), 2024Q1; takes precedence over the dates"
    )
    startDate: dt.date | None = Field(None, description="With endDate: periods within the dates")
    endDate: dt.date | None = None


class ImportCountOut(Schema):
    imported: int
    updated: int
    ignored: int
    deleted: int


class ConflictOut(Schema):
    object: str
    value: str
    errorCode: str
    property: str
    indexes: list[int]


class ImportOptionsOut(Schema):
    idSchemes: dict[str, str]
    dryRun: bool
    importStrategy: str
    mergeMode: str
    reportMode: str
    skipExistingCheck: bool
    strictPeriods: bool
    strictDataElements: bool
    strictCategoryOptionCombos: bool
    strictAttributeOptionCombos: bool
    strictOrganisationUnits: bool
    force: bool
    firstRowIsHeader: bool
    atomicMode: str = Field(description="ALL: every value is written, or none")


class ImportSummaryOut(Schema):
    responseType: str
    status: str = Field(description="SUCCESS | ERROR")
    importOptions: ImportOptionsOut
    description: str
    importCount: ImportCountOut
    conflicts: list[ConflictOut]
    rejectedIndexes: list[int]
    dataSetComplete: str


class WebMessageOut(Schema):
    """DHIS2's envelope of an import summary."""

    httpStatus: str
    httpStatusCode: int
    status: str = Field(description="OK | ERROR")
    message: str
    response: ImportSummaryOut


class MappingOut(Schema):
    kind: str
    unit: str | None
    set: str | None
    code: str
    dhis2_id: str
    dhis2_code: str
    category_option_combo: str


def _period(text: str | None) -> Period | None:
    """A period as DHIS2 writes it (2024S2) or as we do (2024H2); 422 naming the DHIS2 period
    type for the ones we do not keep (monthly, weekly…)."""
    if not text:
        return None
    try:
        return parse_period(dhis2.from_dhis2_period(text))
    except dhis2.PeriodRefused as exc:
        if exc.period_type:
            raise ApiError(422, "invalid_period", str(exc)) from None
    except ValueError:
        pass  # 0000: falls to our own reading, which refuses it too
    return period_of(text)


def _export(request: HttpRequest, q: ExportQuery) -> dhis2.Export:
    if (q.orgUnit is None) == (q.unit is None):
        raise ApiError(
            422,
            "org_unit_required",
            _("Name one organisation unit: orgUnit (DHIS2 UID or code) or unit (our code)."),
        )
    parsed = _period(q.period)
    start = end = None
    if parsed is None and (q.startDate or q.endDate):
        if q.startDate is None or q.endDate is None or q.startDate > q.endDate:
            raise ApiError(
                422, "invalid_dates", _("Send both startDate and endDate, the start first.")
            )
        start, end = q.startDate, q.endDate
    if q.orgUnit is not None:
        root = dhis2.mapped_unit(q.orgUnit)
        if root is not None:
            # A mapped organisation unit is one version of our unit: no code to resolve.
            require(request.user, Action.VIEW, root)
        else:
            root = _unit(request, q.orgUnit, parsed, start, end)
    else:
        root = _unit(request, q.unit or "", parsed, start, end)
    units = (
        AdminUnit.objects.subtree_of(root)
        if q.children or q.subtree
        else AdminUnit.objects.filter(pk=root.pk)
    )
    family = None
    if q.dataSet:
        family = dhis2.mapped_set(q.dataSet) or criteria_set(q.dataSet)
    elif q.set:
        family = criteria_set(q.set)
    return dhis2.export_values(units=units, family=family, period=parsed, start=start, end=end)


def _unit(
    request: HttpRequest,
    code: str,
    period: Period | None,
    start: dt.date | None,
    end: dt.date | None,
) -> AdminUnit:
    if period is None and start is not None and end is not None:
        # The version in force during the dates, as for a period (codes are reused).
        found = version_for_period(code, start, end)
        if found is None and AdminUnit.objects.filter(code=code).exists():
            raise ApiError(
                404,
                "unit_not_in_period",
                _("No unit had the code %(code)s between %(start)s and %(end)s.")
                % {"code": code, "start": start, "end": end},
            )
        if found is None:
            raise Http404
        require(request.user, Action.VIEW, found)
        return found
    return unit_for(request, code, period=period)


def _unmapped(response: HttpResponse, export: dhis2.Export) -> None:
    # Values without a mapping cannot be named in DHIS2: say how many were left out.
    response["X-NTM-Unmapped-Values"] = str(export.unmapped)


@router.get(
    "/dhis2/dataValueSets",
    response={200: DataValueSetOut, **ERRORS},
    operation_id="dhis2_export",
    exclude_none=True,
)
def dhis2_export(request: HttpRequest, response: HttpResponse, q: Query[ExportQuery]) -> Any:
    """Values as a DHIS2 data value set (fields DHIS2 leaves out when empty are left out)."""
    export = _export(request, q)
    _unmapped(response, export)
    return {"dataValues": export.data_values}


@router.get(
    "/dhis2/dataValueSets.csv",
    response=ERRORS,
    operation_id="dhis2_export_csv",
    openapi_extra=csv_response_openapi("DHIS2 CSV: " + ",".join(dhis2.CSV_COLUMNS)),
)
def dhis2_export_csv(request: HttpRequest, q: Query[ExportQuery]) -> Any:
    export = _export(request, q)
    # Only safe characters in the header's file name, whatever the identifier holds.
    name = re.sub(r"[^\w.-]", "_", q.unit or q.orgUnit or "")
    response = csv_response(dhis2.render_csv(export.data_values), f"dataValueSets-{name}.csv")
    _unmapped(response, export)
    return response


def _strategy(text: str) -> str:
    strategy = text.strip().upper()
    strategy = dhis2.STRATEGY_ALIASES.get(strategy, strategy)
    if strategy not in dhis2.IMPORT_STRATEGIES:
        raise ApiError(
            422,
            "invalid_import_strategy",
            _("importStrategy is one of %s.") % ", ".join(dhis2.IMPORT_STRATEGIES),
        )
    return strategy


# Where an importer's refusal points, as a dataValue property and DHIS2's error code.
_IMPORTER_COLUMNS = {
    "unit": ("orgUnit", "E7617"),
    "set": ("dataElement", "E7610"),
    "code": ("dataElement", "E7610"),
    "period": ("period", "E7643"),
    "value": ("value", "E7619"),
    "note": ("comment", "E7620"),
}


def _key(t: dhis2.Target, families: dict[str, CriteriaSet]) -> tuple[int, int, str, str]:
    return (t.unit.pk, families[t.set_code].pk, t.code, t.period)


def _existing(
    targets: list[dhis2.Target], families: dict[str, CriteriaSet]
) -> dict[tuple[int, int, str, str], DataValue]:
    """The stored values the targets name, by (unit, family, code, period): one query."""
    if not targets:
        return {}
    qs = DataValue.objects.filter(
        unit__in={t.unit.pk for t in targets},
        criteria_set__in={f.pk for f in families.values()},
        code__in={t.code for t in targets},
        period__in={t.period for t in targets},
    ).select_related("unit", "criteria_set")
    return {(v.unit_id, v.criteria_set_id, v.code, v.period): v for v in qs}


def _run(
    request: HttpRequest, conversion: dhis2.Conversion, strategy: str, dry_run: bool
) -> dict[str, int]:
    """Write the targets, all or none (inside the caller's transaction). Adds conflicts to the
    conversion; returns DHIS2's counts of what was (or, in a dry run, would be) done."""
    counts = {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0}
    targets = conversion.targets
    families = {
        cs.code: cs.family
        for cs in CriteriaSet.objects.filter(code__in={t.set_code for t in targets}).select_related(
            "localises"
        )
    }
    # Whether a value exists is not told outside the caller's units: no right, a conflict,
    # before anything is looked up (else DELETE or UPDATE would answer "ignored" for a value
    # that is not there and a conflict for one that is).
    allowed = {
        unit.pk: can(request.user, Action.EDIT_DATA, unit)
        for unit in {t.unit.pk: t.unit for t in targets}.values()
    }
    for t in targets:
        if not allowed[t.unit.pk]:
            message = _("You may not enter data for unit %(code)s.") % {"code": t.unit.code}
            conversion.conflict(t.names["orgUnit"], message, "E7617", "orgUnit", t.index)
    targets = [t for t in targets if allowed[t.unit.pk]]
    existing = _existing(targets, families)
    writes: list[dhis2.Target] = []
    deletes: list[tuple[dhis2.Target, DataValue]] = []
    for t in targets:
        stored = existing.get(_key(t, families))
        if t.delete:
            if stored is None:
                counts["ignored"] += 1  # nothing to delete, as DHIS2 counts it
            else:
                deletes.append((t, stored))
        elif (strategy == "CREATE" and stored is not None) or (
            strategy == "UPDATE" and stored is None
        ):
            counts["ignored"] += 1
        else:
            writes.append(t)
    if writes:
        rows = [
            {
                "unit": t.unit.code,
                "set": t.set_code,
                "code": t.code,
                "period": t.period,
                "value": t.value,
                "note": t.comment,
            }
            for t in writes
        ]
        try:
            done = import_rows(request, rows, dry_run)
        except ImportRefused as exc:
            for error in exc.errors:
                position = error.row - 2 if error.row else -1  # None: the whole file
                where = writes[position] if 0 <= position < len(writes) else None
                prop, code = _IMPORTER_COLUMNS.get(error.column or "", ("value", "E7619"))
                stored = existing.get(_key(where, families)) if where else None
                if prop == "value" and stored is not None and stored.is_locked:
                    code = "E7642"  # DHIS2's "data already approved"
                indexes = [where.index] if where else [t.index for t in writes]
                item = where or writes[0]
                # DHIS2 names the data element unless the orgUnit or period is at fault.
                obj = item.names.get(prop, item.names["dataElement"])
                for index in indexes:
                    conversion.conflict(obj, error.message, code, prop, index)
        else:
            marked = _marked(existing.values())
            done_actions = {r["row"]: r["action"] for r in done["rows"]}
            for position, t in enumerate(writes):
                action = done_actions.get(position + 2, "unchanged")
                stored = existing.get(_key(t, families))
                if action == "create":
                    counts["imported"] += 1
                elif action == "update" or (
                    stored is not None
                    and t.followup is not None
                    and t.followup != (stored.pk in marked)
                ):
                    counts["updated"] += 1  # a new follow-up flag alone is an update in DHIS2
                else:
                    counts["ignored"] += 1  # the same value again: nothing written
    for t, stored in deletes:
        try:
            with transaction.atomic():
                actions.value_remove(user=request.user, value=stored)
        except (DataError, PermissionDenied, Http404) as exc:
            message = str(exc) or _("You may not delete this value.")
            code = "E7642" if stored.is_locked else "E7617"
            conversion.conflict(t.names["dataElement"], message, code, "value", t.index)
        else:
            counts["deleted"] += 1
    if not conversion.conflicts and not dry_run:
        _mark_followups(request, writes, families)
    return counts


def _marked(values: Any) -> set[int]:
    """The ids of these values that carry DHIS2's followup flag: one query."""
    ids = [v.pk for v in values]
    if not ids:
        return set()
    return set(Dhis2FollowUp.objects.filter(value_id__in=ids).values_list("value_id", flat=True))


def _mark_followups(
    request: HttpRequest, writes: list[dhis2.Target], families: dict[str, CriteriaSet]
) -> None:
    """DHIS2's followup flag of the written values (absent: left as it was). A mark changes no
    result, so it is written here rather than through the evaluation actions."""
    flagged = [t for t in writes if t.followup is not None]
    if not flagged:
        return
    stored = _existing(flagged, families)
    marked = _marked(stored.values())
    to_mark, to_clear = [], []
    for t in flagged:
        value = stored.get(_key(t, families))
        if value is None:
            continue
        if t.followup and value.pk not in marked:
            # Only authenticated callers reach an import (the API's auth).
            to_mark.append(Dhis2FollowUp(value=value, marked_by=request.user))  # type: ignore[misc]
        elif not t.followup and value.pk in marked:
            to_clear.append(value.pk)
    Dhis2FollowUp.objects.bulk_create(to_mark)
    Dhis2FollowUp.objects.filter(value_id__in=to_clear).delete()


def _import(
    request: HttpRequest, conversion: dhis2.Conversion, strategy: str, dry_run: bool
) -> Status:
    """Run the import and answer DHIS2's envelope: 200 and SUCCESS, or 409 and ERROR with the
    conflicts and nothing written."""
    counts = {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0}
    with transaction.atomic():
        if conversion.targets:
            counts = _run(request, conversion, strategy, dry_run)
        # All or nothing: any conflict undoes every write; a dry run undoes them too.
        if conversion.conflicts or dry_run:
            transaction.set_rollback(True)
    options = {
        "idSchemes": {},
        "dryRun": dry_run,
        "importStrategy": strategy,
        "mergeMode": "REPLACE",
        "reportMode": "FULL",
        "skipExistingCheck": False,
        "strictPeriods": True,
        "strictDataElements": True,
        "strictCategoryOptionCombos": True,
        "strictAttributeOptionCombos": True,
        "strictOrganisationUnits": True,
        "force": False,
        "firstRowIsHeader": True,
        "atomicMode": "ALL",
    }
    conflicts = [c.__dict__ for c in conversion.conflicts]
    if conflicts:
        rejected = sorted({i for c in conversion.conflicts for i in c.indexes})
        # DHIS2 counts every value not written as ignored: here, all of them.
        counts = {"imported": 0, "updated": 0, "ignored": conversion.total, "deleted": 0}
        description = _(
            "Nothing was imported: %(n)d conflicts. All values are imported or none "
            "(atomicMode ALL)."
        ) % {"n": len(conflicts)}
        summary = _summary("ERROR", options, description, counts, conflicts, rejected)
        return Status(
            409,
            {
                "httpStatus": "Conflict",
                "httpStatusCode": 409,
                "status": "ERROR",
                "message": "One or more errors occurred, please see full details in import report.",
                "response": summary,
            },
        )
    if dry_run:
        description = _("Dry run: nothing was written (the counts say what would be).")
    else:
        description = _("Import complete. All values are imported or none (atomicMode ALL).")
    others = conversion.stored_by - {request.user.get_username()}
    if others:
        description += " " + _(
            "storedBy is the signed-in user here: %(names)s recorded as %(user)s."
        ) % {"names": ", ".join(sorted(others)[:5]), "user": request.user.get_username()}
    summary = _summary("SUCCESS", options, description, counts, [], [])
    return Status(
        200,
        {
            "httpStatus": "OK",
            "httpStatusCode": 200,
            "status": "OK",
            "message": "Import was successful.",
            "response": summary,
        },
    )


def _summary(
    status: str,
    options: dict[str, Any],
    description: str,
    counts: dict[str, int],
    conflicts: list[dict[str, Any]],
    rejected: list[int],
) -> dict[str, Any]:
    return {
        "responseType": "ImportSummary",
        "status": status,
        "importOptions": options,
        "description": description,
        "importCount": counts,
        "conflicts": conflicts,
        "rejectedIndexes": rejected,
        "dataSetComplete": "false",
    }


IMPORT_RESPONSES: dict[int, Any] = {
    200: WebMessageOut,
    409: WebMessageOut,
    413: ErrorOut,
    **ERRORS,
}
STRATEGY_HELP = "CREATE_AND_UPDATE (default), CREATE, UPDATE or DELETE"


@router.post("/dhis2/dataValueSets", response=IMPORT_RESPONSES, operation_id="dhis2_import")
def dhis2_import(
    request: HttpRequest,
    payload: DataValueSetIn,
    dryRun: bool = False,
    importStrategy: str = Query("CREATE_AND_UPDATE", max_length=20, description=STRATEGY_HELP),
) -> Any:
    """Import a DHIS2 data value set (JSON). 409 with the conflicts when any value is refused;
    then nothing is written."""
    strategy = _strategy(importStrategy)
    items = []
    for v in payload.dataValues:
        item = v.model_dump()
        value = item.get("value")
        if isinstance(value, bool):
            item["value"] = "true" if value else "false"
        elif value is not None:
            item["value"] = str(value)
        items.append(item)
    conversion = dhis2.to_targets(
        items,
        strategy=strategy,
        period=payload.period or "",
        org_unit=payload.orgUnit or "",
        attribute_combo=payload.attributeOptionCombo or "",
    )
    return _import(request, conversion, strategy, dryRun)


@router.post(
    "/dhis2/dataValueSets.csv",
    response=IMPORT_RESPONSES,
    operation_id="dhis2_import_csv",
    openapi_extra=csv_openapi(
        "DHIS2 CSV: " + ",".join(dhis2.CSV_COLUMNS) + " (or the older header, or no header)"
    ),
)
def dhis2_import_csv(
    request: HttpRequest,
    dryRun: bool = False,
    importStrategy: str = Query("CREATE_AND_UPDATE", max_length=20, description=STRATEGY_HELP),
) -> Any:
    strategy = _strategy(importStrategy)
    data = csv_body(request)
    if len(data) > MAX_CSV_BYTES:
        raise ApiError(413, "too_large", _("The file is larger than 20 MB."))
    try:
        items = dhis2.parse_csv(data)
    except ValueError as exc:
        raise ApiError(400, "bad_file", str(exc)) from exc
    if len(items) > MAX_VALUES:
        raise ApiError(413, "too_large", _("At most 50 000 values per request."))
    return _import(request, dhis2.to_targets(items, strategy=strategy), strategy, dryRun)


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
