"""DHIS2 ``dataValueSets`` exchange: our values as DHIS2 JSON/CSV and back.

Identifiers go through the mapping table (``Dhis2Mapping``): our unit ↔ organisation unit, our
(set, indicator or data element) ↔ data element (+ category option combo). Periods: a year and
quarters are written alike (2024, 2024Q3); our half-year 2024H1 is DHIS2's six-month 2024S1.
Pass/fail values are DHIS2 booleans ("true"/"false"). Imports go through the values importer —
all values or none, with the same rules as the web — and answer with a DHIS2-like import
summary (imported, updated, ignored = unchanged, conflicts).

An organisation unit is mapped to one version of our unit, while the importer names units by
code and period (the version in force during the period: at its end, else at its start). A
value is a conflict unless its mapped version is the one its code names in its period: the code
may belong to another unit then (the 2025 reform gave 14758, Phường Đông Thọ, to Phường Hàm
Rồng), and the value must not land there.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ntm.api.models import Dhis2Kind, Dhis2Mapping
from ntm.catalog.models import CriteriaSet
from ntm.core.csvout import write_csv
from ntm.core.tabular import ImportRefused, csv_rows, csv_text
from ntm.engine.periods import Period, parse_period
from ntm.geo.models import AdminUnit
from ntm.geo.selectors import version_during
from ntm.observations.models import DataValue

CSV_COLUMNS = (
    "dataelement",
    "period",
    "orgunit",
    "catoptcombo",
    "attroptcombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
)
_DHIS2_PERIOD = re.compile(r"^(\d{4})(?:(Q)([1-4])|(S)([12]))?$")


def to_dhis2_period(code: str) -> str:
    return code.replace("H", "S")


def from_dhis2_period(text: str) -> str | None:
    """Our period code for a DHIS2 period, None for a period type we do not keep (months…)."""
    match = _DHIS2_PERIOD.match(text.strip().upper())
    if not match:
        return None
    year = match.group(1)
    if match.group(2):
        return f"{year}Q{match.group(3)}"
    if match.group(4):
        return f"{year}H{match.group(5)}"
    return year


@dataclass
class Maps:
    units_by_id: dict[int, Dhis2Mapping] = field(default_factory=dict)
    elements_by_key: dict[tuple[int, str], Dhis2Mapping] = field(default_factory=dict)
    org_units: dict[str, AdminUnit] = field(default_factory=dict)  # UID or DHIS2 code → unit
    elements: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def element(self, ident: str, combo: str) -> tuple[str, str] | None:
        """(set code, our code) for a data element UID or code and a category option combo."""
        found = self.elements.get((ident, combo))
        if found is None and not combo:
            # No combo sent: the element's only mapping, when it has just one.
            candidates = {v for (i, _c), v in self.elements.items() if i == ident}
            found = candidates.pop() if len(candidates) == 1 else None
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
            for ident in (m.dhis2_id, m.dhis2_code):
                if ident:
                    maps.elements[(ident, m.category_option_combo)] = (m.criteria_set.code, m.code)
    return maps


def _value_text(value: DataValue) -> str:
    if value.flag is not None:
        return "true" if value.flag else "false"
    return value.text


@dataclass
class Export:
    data_values: list[dict[str, Any]]
    unmapped: int  # values left out: their unit or code has no DHIS2 mapping


def export_values(
    *, units: QuerySet[AdminUnit], family: CriteriaSet | None, period: Period | None
) -> Export:
    maps = load_maps()
    qs = DataValue.objects.filter(unit__in=units).select_related("unit", "criteria_set")
    if family is not None:
        qs = qs.filter(criteria_set=family)
    if period is not None:
        qs = qs.filter(period=period.code)
    qs = qs.order_by("unit__code", "unit_id", "criteria_set__code", "period_end", "period", "code")
    rows: list[dict[str, Any]] = []
    unmapped = 0
    for value in qs.iterator(chunk_size=2000):
        org = maps.units_by_id.get(value.unit_id)
        element = maps.elements_by_key.get((value.criteria_set_id, value.code))
        if org is None or element is None:
            unmapped += 1
            continue
        row: dict[str, Any] = {
            "dataElement": element.dhis2_id,
            "period": to_dhis2_period(value.period),
            "orgUnit": org.dhis2_id,
        }
        if element.category_option_combo:
            row["categoryOptionCombo"] = element.category_option_combo
        row["value"] = _value_text(value)
        row["lastUpdated"] = value.updated_at.isoformat()
        if value.note:
            row["comment"] = value.note
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
                v.get("categoryOptionCombo", ""),
                v.get("attributeOptionCombo", ""),
                v["value"],
                v.get("storedBy", ""),
                v.get("lastUpdated", ""),
                v.get("comment", ""),
                "false",
            ]
            for v in data_values
        ),
        bom=False,
        lineterminator="\n",
    )


def parse_csv(data: bytes) -> list[dict[str, Any]]:
    """DHIS2 CSV rows (header optional, columns by position) as dataValue objects."""
    try:
        text, _encoding, limit = csv_text(data)
        rows = csv_rows(text, limit, delimiter=",")
    except ImportRefused as exc:
        raise ValueError("; ".join(str(e) for e in exc.errors)) from None
    if rows and rows[0] and rows[0][0].strip().lower() == "dataelement":
        rows = rows[1:]
    found = []
    for cells in rows:
        if not any(c.strip() for c in cells):
            continue
        cells = [*cells, *[""] * (len(CSV_COLUMNS) - len(cells))]
        found.append(
            {
                "dataElement": cells[0].strip(),
                "period": cells[1].strip(),
                "orgUnit": cells[2].strip(),
                "categoryOptionCombo": cells[3].strip(),
                "value": cells[5],
                "comment": cells[8],
            }
        )
    return found


def _span(code: str | None) -> Period | None:
    """The period of one of our period codes; None for none or an impossible one (year 0000)."""
    if code is None:
        return None
    try:
        return parse_period(code)
    except ValueError:
        return None


@dataclass
class Conversion:
    rows: list[dict[str, str]]  # in the importer's columns
    conflicts: list[dict[str, str]]  # {"object": the DHIS2 identifier, "value": why}
    sources: list[str]  # per row, the DHIS2 object it came from (for the importer's errors)


def to_rows(
    data_values: list[dict[str, Any]], *, period: str = "", org_unit: str = ""
) -> Conversion:
    """Our import rows for DHIS2 data values (``period``/``org_unit``: the set's defaults)."""
    maps = load_maps()
    result = Conversion([], [], [])
    named = {str(item.get("orgUnit") or org_unit) for item in data_values}
    codes = {maps.org_units[o].code for o in named if o in maps.org_units}
    versions: dict[str, list[AdminUnit]] = {}
    for version in AdminUnit.objects.filter(code__in=codes):
        versions.setdefault(version.code, []).append(version)
    for item in data_values:
        element_id = str(item.get("dataElement") or "")
        org_id = str(item.get("orgUnit") or org_unit)
        combo = str(item.get("categoryOptionCombo") or "")
        raw_period = str(item.get("period") or period)
        ours_period = from_dhis2_period(raw_period)
        span = _span(ours_period)
        element = maps.element(element_id, combo)
        unit = maps.org_units.get(org_id)
        problems = []
        if element is None:
            problems.append(
                (element_id, _("Data element (with this category option combo) is not mapped."))
            )
        if unit is None:
            problems.append((org_id, _("Organisation unit is not mapped.")))
        if span is None:
            problems.append((raw_period, _("Period is not a year, six-month or quarter.")))
        elif unit is not None and version_during(versions[unit.code], span.start, span.end) != unit:
            problems.append(
                (
                    org_id,
                    _(
                        "Organisation unit is mapped to %(code)s %(name)s, which is not the unit "
                        "that had this code in %(period)s."
                    )
                    % {"code": unit.code, "name": unit.name, "period": span.code},
                )
            )
        value = item.get("value")
        if value is None or str(value).strip() == "":
            problems.append(
                (element_id, _("The value is empty (deleting through DHIS2 is not supported)."))
            )
        if problems:
            result.conflicts.extend({"object": o, "value": m} for o, m in problems)
            continue
        assert element is not None and unit is not None and span is not None
        result.rows.append(
            {
                "unit": unit.code,
                "set": element[0],
                "code": element[1],
                "period": span.code,
                "value": str(value),
                "note": str(item.get("comment") or ""),
            }
        )
        result.sources.append(element_id)
    return result
