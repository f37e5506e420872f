"""DHIS2 ``dataValueSets`` exchange: our values as DHIS2 JSON/CSV and back.

Identifiers go through the mapping table (``Dhis2Mapping``): our unit ↔ organisation unit, our
(set, indicator or data element) ↔ data element (+ category option combo; none is DHIS2's
default combo ``HllvX50cXC0``). Periods: a year and quarters are written alike (2024, 2024Q3);
our half-year 2024H1 is DHIS2's six-month 2024S1; other DHIS2 period types (months, weeks…) are
refused by name. Pass/fail values are DHIS2 booleans ("true"/"false"; DHIS2's t/f, 1/0,
True/TRUE… are read). Timestamps are DHIS2's ``yyyy-MM-dd'T'HH:mm:ss.SSS`` in UTC.

An organisation unit is mapped to one version of our unit, while the importer names units by
code and period (the version in force during the period: at its end, else at its start). A
value is a conflict unless its mapped version is the one its code names in its period: the code
may belong to another unit then (the 2025 reform gave 14758, Phường Đông Thọ, to Phường Hàm
Rồng), and the value must not land there.

Formats read, written and refused: docs/dhis2.md.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from ntm.api.models import Dhis2FollowUp, Dhis2Kind, Dhis2Mapping
from ntm.catalog.models import CriteriaSet
from ntm.core.csvout import write_csv
from ntm.core.tabular import ImportRefused, csv_rows, csv_text
from ntm.engine.periods import Period, parse_period
from ntm.geo.models import AdminUnit
from ntm.geo.selectors import version_during
from ntm.observations.models import DataValue

# What current DHIS2 writes (and reads by name): its CSV columns, in its order.
CSV_COLUMNS = (
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
    "deleted",
)
# Older DHIS2 headers and the short names of its documentation, as the column they are.
CSV_ALIASES = {
    "de": "dataelement",
    "pe": "period",
    "ou": "orgunit",
    "catoptcombo": "categoryoptioncombo",
    "coc": "categoryoptioncombo",
    "attroptcombo": "attributeoptioncombo",
    "aoc": "attributeoptioncombo",
    "strby": "storedby",
    "lstupd": "lastupdated",
    "timestamp": "lastupdated",
    "cmt": "comment",
    "flwup": "followup",
    "created": "created",
}
CSV_REQUIRED = ("dataelement", "period", "orgunit")
# CSV column → key of a JSON dataValue.
_CSV_KEYS = {
    "dataelement": "dataElement",
    "period": "period",
    "orgunit": "orgUnit",
    "categoryoptioncombo": "categoryOptionCombo",
    "attributeoptioncombo": "attributeOptionCombo",
    "value": "value",
    "storedby": "storedBy",
    "lastupdated": "lastUpdated",
    "created": "created",
    "comment": "comment",
    "followup": "followup",
    "deleted": "deleted",
}

# DHIS2's default category option combo (and attribute option combo): its UID in every DHIS2
# database, and its name under idScheme=name.
DEFAULT_COMBO = "HllvX50cXC0"
DEFAULT_COMBO_NAMES = {"", DEFAULT_COMBO, "default"}

# The spellings DHIS2 reads as booleans (ValidationUtils: BOOL_TRUE/FALSE_VARIANTS).
TRUE_SPELLINGS = frozenset({"true", "True", "TRUE", "t", "T", "1"})
FALSE_SPELLINGS = frozenset({"false", "False", "FALSE", "f", "F", "0"})

IMPORT_STRATEGIES = ("CREATE_AND_UPDATE", "CREATE", "UPDATE", "DELETE")
# Names older DHIS2 clients send for the same strategies.
STRATEGY_ALIASES = {"NEW_AND_UPDATES": "CREATE_AND_UPDATE", "NEW": "CREATE", "UPDATES": "UPDATE"}

_KEPT_PERIOD = re.compile(r"^(\d{4})(?:(Q)([1-4])|(S)([12]))?$")
# DHIS2 period types we do not keep, recognised to say which one was sent.
_OTHER_PERIODS = (
    (re.compile(r"^\d{8}$|^\d{4}-\d{2}-\d{2}$"), "Daily"),
    (re.compile(r"^\d{4}W\d{1,2}$"), "Weekly"),
    (re.compile(r"^\d{4}(Wed|Thu|Sat|Sun)W\d{1,2}$"), "Weekly (from another weekday)"),
    (re.compile(r"^\d{4}BiW\d{1,2}$"), "BiWeekly"),
    (re.compile(r"^\d{6}$|^\d{4}-\d{2}$"), "Monthly"),
    (re.compile(r"^\d{6}B$"), "BiMonthly"),
    (re.compile(r"^\d{4}NovQ[1-4]$"), "QuarterlyNov"),
    (re.compile(r"^\d{4}AprilS[12]$"), "SixMonthlyApril"),
    (re.compile(r"^\d{4}NovS[12]$"), "SixMonthlyNov"),
    (re.compile(r"^\d{4}(April|July|Oct|Nov|Sep)$"), "Financial year"),
)


class PeriodRefused(ValueError):
    """A DHIS2 period we cannot keep: ``period_type`` names its DHIS2 type (None: not a period)."""

    def __init__(self, text: str, period_type: str | None) -> None:
        self.text, self.period_type = text, period_type
        if period_type:
            message = _(
                "“%(period)s” is a DHIS2 %(type)s period: only yearly (2024), six-monthly "
                "(2024S1) and quarterly (2024Q1) periods are kept here."
            ) % {"period": text, "type": period_type}
        else:
            message = _(
                "“%(period)s” is not a DHIS2 period (yearly 2024, six-monthly 2024S1, "
                "quarterly 2024Q1)."
            ) % {"period": text}
        super().__init__(message)


def to_dhis2_period(code: str) -> str:
    return code.replace("H", "S")


def from_dhis2_period(text: str) -> str:
    """Our period code for a DHIS2 period; PeriodRefused for another period type or none."""
    cleaned = text.strip()
    match = _KEPT_PERIOD.match(cleaned.upper())
    if not match:
        kind = next((name for pattern, name in _OTHER_PERIODS if pattern.match(cleaned)), None)
        raise PeriodRefused(cleaned, kind)
    year = match.group(1)
    if match.group(2):
        return f"{year}Q{match.group(3)}"
    if match.group(4):
        return f"{year}H{match.group(5)}"
    return year


def dhis2_time(moment: dt.datetime) -> str:
    """DHIS2's timestamp form, ``yyyy-MM-dd'T'HH:mm:ss.SSS``, in UTC (DHIS2 writes no zone)."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}"


def dhis2_bool(value: Any) -> bool | None:
    """A DHIS2 boolean cell or field: None when absent, False for any other text (as DHIS2's
    Boolean.valueOf does for followup/deleted)."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip()
    if not text:
        return None
    return text in TRUE_SPELLINGS


def is_default_combo(combo: str) -> bool:
    return combo.strip() in DEFAULT_COMBO_NAMES


@dataclass
class Maps:
    units_by_id: dict[int, Dhis2Mapping] = field(default_factory=dict)
    elements_by_key: dict[tuple[int, str], Dhis2Mapping] = field(default_factory=dict)
    org_units: dict[str, AdminUnit] = field(default_factory=dict)  # UID or DHIS2 code → unit
    elements: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # Data element UID or code → what it is mapped to, under any combo.
    idents: dict[str, set[tuple[str, str]]] = field(default_factory=dict)

    def element(self, ident: str, combo: str) -> tuple[str, str] | None:
        """(set code, our code) for a data element UID or code and a category option combo."""
        combo = "" if is_default_combo(combo) else combo.strip()
        found = self.elements.get((ident, combo))
        if found is None and not combo:
            # No combo (or DHIS2's default) sent: the element's only mapping, when it has one.
            candidates = self.idents.get(ident, set())
            found = next(iter(candidates)) if len(candidates) == 1 else None
        return found


def load_maps() -> Maps:
    maps = Maps()
    for m in Dhis2Mapping.objects.select_related("unit", "criteria_set"):
        if m.kind == Dhis2Kind.UNIT and m.unit is not None:
            maps.units_by_id[m.unit_id] = m  # type: ignore[index]
            for ident in (m.dhis2_id, m.dhis2_code):
                if ident:
                    maps.org_units[ident] = m.unit
        elif m.kind == Dhis2Kind.ELEMENT and m.criteria_set is not None:
            maps.elements_by_key[(m.criteria_set_id, m.code)] = m  # type: ignore[index]
            combo = "" if is_default_combo(m.category_option_combo) else m.category_option_combo
            for ident in (m.dhis2_id, m.dhis2_code):
                if ident:
                    maps.elements[(ident, combo)] = (m.criteria_set.code, m.code)
                    maps.idents.setdefault(ident, set()).add((m.criteria_set.code, m.code))
    return maps


def mapped_unit(ident: str) -> AdminUnit | None:
    """The unit version an organisation unit UID or DHIS2 code is mapped to."""
    found = (
        Dhis2Mapping.objects.filter(kind=Dhis2Kind.UNIT, unit__isnull=False)
        .filter(dhis2_id=ident)
        .select_related("unit")
        .first()
    ) or (
        Dhis2Mapping.objects.filter(kind=Dhis2Kind.UNIT, unit__isnull=False, dhis2_code=ident)
        .select_related("unit")
        .first()
    )
    return found.unit if found is not None else None


def mapped_set(ident: str) -> CriteriaSet | None:
    """The criteria set a DHIS2 data set UID or code is mapped to."""
    found = (
        Dhis2Mapping.objects.filter(kind=Dhis2Kind.DATASET, criteria_set__isnull=False)
        .filter(Q(dhis2_id=ident) | Q(dhis2_code=ident))
        .select_related("criteria_set")
        .order_by("-dhis2_id")  # deterministic when a UID and a code collide
        .first()
    )
    return found.criteria_set.family if found is not None and found.criteria_set else None


def _value_text(value: DataValue) -> str:
    if value.flag is not None:
        return "true" if value.flag else "false"
    return value.text


@dataclass
class Export:
    data_values: list[dict[str, Any]]
    unmapped: int  # values left out: their unit or code has no DHIS2 mapping


def export_values(
    *,
    units: QuerySet[AdminUnit],
    family: CriteriaSet | None,
    period: Period | None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Export:
    """The values as DHIS2 dataValues; ``start``/``end`` keep the periods lying within them."""
    maps = load_maps()
    history = DataValue.history.model  # type: ignore[attr-defined]
    qs = (
        DataValue.objects.filter(unit__in=units)
        .select_related("unit", "criteria_set", "updated_by")
        .annotate(
            # DHIS2's ``created``: the value's first version (the row itself keeps no such date).
            first_saved=Subquery(
                history.objects.filter(id=OuterRef("pk"))
                .order_by("history_date")
                .values("history_date")[:1]
            ),
            marked=Exists(Dhis2FollowUp.objects.filter(value=OuterRef("pk"))),
        )
    )
    if family is not None:
        qs = qs.filter(criteria_set=family)
    if period is not None:
        qs = qs.filter(period=period.code)
    elif start is not None and end is not None:
        qs = qs.filter(period_end__gte=start, period_end__lte=end)
    qs = qs.order_by("unit__code", "unit_id", "criteria_set__code", "period_end", "period", "code")
    rows: list[dict[str, Any]] = []
    unmapped = 0
    for value in qs.iterator(chunk_size=2000):
        if period is None and start is not None and parse_period(value.period).start < start:
            continue  # ends in the range but starts before it: not within it, as DHIS2 reads it
        org = maps.units_by_id.get(value.unit_id)
        element = maps.elements_by_key.get((value.criteria_set_id, value.code))
        if org is None or element is None:
            unmapped += 1
            continue
        created = value.first_saved or value.updated_at  # type: ignore[attr-defined]
        row: dict[str, Any] = {
            "dataElement": element.dhis2_id,
            "period": to_dhis2_period(value.period),
            "orgUnit": org.dhis2_id,
            "categoryOptionCombo": element.category_option_combo or DEFAULT_COMBO,
            "attributeOptionCombo": DEFAULT_COMBO,
            "value": _value_text(value),
            "storedBy": value.updated_by.get_username() if value.updated_by else None,
            "created": dhis2_time(created),
            "lastUpdated": dhis2_time(value.updated_at),
            "comment": value.note or None,
            "followup": bool(value.marked),  # type: ignore[attr-defined]
        }
        rows.append(row)
    return Export(rows, unmapped)


def render_csv(data_values: list[dict[str, Any]]) -> bytes:
    return write_csv(
        CSV_COLUMNS,
        (
            [
                v["dataElement"],
                v["period"],
                v["orgUnit"],
                v.get("categoryOptionCombo") or DEFAULT_COMBO,
                v.get("attributeOptionCombo") or DEFAULT_COMBO,
                v["value"],
                v.get("storedBy") or "",
                v.get("lastUpdated") or "",
                v.get("comment") or "",
                "true" if v.get("followup") else "false",
                "false",  # we keep no deleted values to send
            ]
            for v in data_values
        ),
        bom=False,
        lineterminator="\n",
    )


def _header(cells: list[str]) -> list[str | None] | None:
    """The columns a header row names, in any order (None for a column we do not read), or None
    when the first row is data: DHIS2's files may come without a header, in its column order."""
    names = [c.strip().strip("\ufeff").lower().replace("_", "") for c in cells]
    columns: list[str | None] = []
    for name in names:
        column = CSV_ALIASES.get(name, name)
        columns.append(column if column in _CSV_KEYS else None)
    if "dataelement" not in columns:  # no data value has a cell written so
        return None
    missing = [c for c in CSV_REQUIRED if c not in columns]
    if missing:
        raise ValueError(_("The header lacks the columns: %s.") % ", ".join(missing))
    return columns


def parse_csv(data: bytes) -> list[dict[str, Any]]:
    """DHIS2 CSV rows as dataValue objects: columns by name under a header (current DHIS2's,
    older ones', the documentation's short names), else by position (DHIS2's order)."""
    try:
        text, _encoding, limit = csv_text(data)
        rows = csv_rows(text, limit, delimiter=",")
    except ImportRefused as exc:
        raise ValueError("; ".join(str(e) for e in exc.errors)) from None
    columns: list[str | None] = list(CSV_COLUMNS)
    if rows:
        named = _header(rows[0])
        if named is not None:
            columns, rows = named, rows[1:]
    found = []
    for cells in rows:
        if not any(c.strip() for c in cells):
            continue
        item: dict[str, Any] = {}
        for column, cell in zip(columns, cells, strict=False):
            if column is None:
                continue
            key = _CSV_KEYS[column]
            if key in ("followup", "deleted"):
                item[key] = dhis2_bool(cell)
            elif key in ("value", "comment"):
                item[key] = cell
            else:
                item[key] = cell.strip()
        found.append(item)
    return found


def _span(code: str) -> Period | None:
    """The period of one of our period codes; None for an impossible one (year 0000)."""
    try:
        return parse_period(code)
    except ValueError:
        return None


@dataclass
class Conflict:
    """DHIS2's import conflict: the object named, why, DHIS2's error code, the dataValue field
    and the positions (0-based) of the data values it concerns."""

    object: str
    value: str
    errorCode: str
    property: str
    indexes: list[int]


@dataclass
class Target:
    """One accepted data value: where it goes in our terms."""

    index: int  # position in the payload
    unit: AdminUnit
    set_code: str
    code: str
    period: str
    value: str
    comment: str
    delete: bool
    followup: bool | None
    stored_by: str
    names: dict[str, str]  # the DHIS2 identifiers sent: dataElement, orgUnit, period


@dataclass
class Conversion:
    targets: list[Target]
    conflicts: list[Conflict]
    total: int  # data values in the payload
    stored_by: set[str] = field(default_factory=set)  # storedBy names sent
    refused: set[int] = field(default_factory=set)  # indexes with a conflict
    _grouped: dict[tuple[str, str, str, str], Conflict] = field(default_factory=dict)

    def conflict(self, obj: str, message: str, code: str, prop: str, index: int) -> None:
        """As DHIS2 reports them: one conflict per object and reason, listing every value's
        index."""
        key = (obj, message, code, prop)
        found = self._grouped.get(key)
        if found is None:
            found = self._grouped[key] = Conflict(obj, message, code, prop, [])
            self.conflicts.append(found)
        if not found.indexes or found.indexes[-1] != index:
            found.indexes.append(index)
        self.refused.add(index)


def to_targets(
    data_values: list[dict[str, Any]],
    *,
    strategy: str = "CREATE_AND_UPDATE",
    period: str = "",
    org_unit: str = "",
    attribute_combo: str = "",
) -> Conversion:
    """Our terms for DHIS2 data values (``period``/``org_unit``/``attribute_combo``: the set's
    defaults); what cannot be placed is a conflict."""
    maps = load_maps()
    result = Conversion([], [], len(data_values))
    named = {str(item.get("orgUnit") or org_unit) for item in data_values}
    codes = {maps.org_units[o].code for o in named if o in maps.org_units}
    versions: dict[str, list[AdminUnit]] = {}
    for version in AdminUnit.objects.filter(code__in=codes):
        versions.setdefault(version.code, []).append(version)
    for index, item in enumerate(data_values):
        element_id = str(item.get("dataElement") or "")
        org_id = str(item.get("orgUnit") or org_unit)
        combo = str(item.get("categoryOptionCombo") or "")
        attribute = str(item.get("attributeOptionCombo") or attribute_combo)
        raw_period = str(item.get("period") or period)
        value = "" if item.get("value") is None else str(item.get("value"))
        if value.strip() in ("t", "T", "f", "F"):
            # DHIS2's short booleans; the value reader takes its other spellings as they are.
            value = "true" if value.strip() in ("t", "T") else "false"
        comment = str(item.get("comment") or "")
        stored_by = str(item.get("storedBy") or "")
        delete = strategy == "DELETE" or bool(item.get("deleted"))

        def conflict(obj: str, message: str, code: str, prop: str, i: int = index) -> None:
            result.conflict(obj, message, code, prop, i)

        element = maps.element(element_id, combo)
        if element is None:
            if element_id in maps.idents:
                conflict(
                    combo,
                    _("Category option combo is not mapped for this data element."),
                    "E7613",
                    "categoryOptionCombo",
                )
            else:
                conflict(element_id, _("Data element is not mapped."), "E7610", "dataElement")
        if not is_default_combo(attribute):
            conflict(
                attribute,
                _("Only the default attribute option combo is kept here."),
                "E7615",
                "attributeOptionCombo",
            )
        unit = maps.org_units.get(org_id)
        if unit is None:
            conflict(org_id, _("Organisation unit is not mapped."), "E7612", "orgUnit")
        span = None
        try:
            span = _span(from_dhis2_period(raw_period))
        except PeriodRefused as exc:
            conflict(raw_period, str(exc), "E7632" if exc.period_type else "E7611", "period")
        else:
            if span is None:
                conflict(raw_period, _("Period is not valid."), "E7611", "period")
        if (
            span is not None
            and unit is not None
            and version_during(versions[unit.code], span.start, span.end) != unit
        ):
            conflict(
                org_id,
                _(
                    "Organisation unit is mapped to %(code)s %(name)s, which is not the unit "
                    "that had this code in %(period)s."
                )
                % {"code": unit.code, "name": unit.name, "period": span.code},
                "E7612",
                "orgUnit",
            )
        if not delete and not value.strip():
            if comment.strip():
                conflict(
                    element_id,
                    _("A comment without a value cannot be kept: send the value too."),
                    "E7618",
                    "value",
                )
            else:
                # DHIS2 reads an empty value as "delete it".
                delete = True
        if len(stored_by) > 255:
            conflict(
                stored_by[:50], _("storedBy is longer than 255 characters."), "E7637", "storedBy"
            )
        if index in result.refused:
            continue
        assert element is not None and unit is not None and span is not None
        if stored_by:
            result.stored_by.add(stored_by)
        result.targets.append(
            Target(
                index=index,
                unit=unit,
                set_code=element[0],
                code=element[1],
                period=span.code,
                value=value,
                comment=comment,
                delete=delete,
                followup=dhis2_bool(item.get("followup")),
                stored_by=stored_by,
                names={"dataElement": element_id, "orgUnit": org_id, "period": raw_period},
            )
        )
    return result
