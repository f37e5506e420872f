"""Importer of the national list of administrative units (CSV or XLSX).

The list is read whole and validated before anything is written; any error refuses the file.
A unit whose name, kind or parent changed gets a new version from ``valid_from`` and the old
version ends the day before; a complete list also ends every unit it no longer contains.
"""

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ntm.core.tabular import CellError, ImportRefused, read_table
from ntm.core.text import fold, split_kind
from ntm.geo.models import KIND_LEVEL, AdminUnit, Kind, Level

UNIT_COLUMNS: dict[str, list[str]] = {
    "province_code": ["Mã TP", "Mã tỉnh", "Mã tỉnh/TP", "Mã tỉnh/thành phố", "Mã tỉnh thành"],
    "province_name": ["Tỉnh Thành Phố", "Tỉnh/Thành phố", "Tên tỉnh", "Tên tỉnh/TP", "Tỉnh"],
    "district_code": ["Mã QH", "Mã huyện", "Mã quận/huyện", "Mã quận huyện"],
    "district_name": ["Quận Huyện", "Quận/Huyện", "Tên huyện", "Tên quận/huyện", "Huyện"],
    "commune_code": ["Mã PX", "Mã xã", "Mã phường/xã", "Mã phường xã", "Mã đơn vị"],
    "commune_name": ["Phường Xã", "Phường/Xã", "Tên xã", "Tên phường/xã", "Tên đơn vị", "Xã"],
    "commune_kind": ["Cấp", "Loại"],
}
REQUIRED = ["province_code", "province_name", "commune_code", "commune_name"]

_CODE: dict[int, re.Pattern[str]] = {
    Level.PROVINCE: re.compile(r"^\d{2}$"),
    Level.DISTRICT: re.compile(r"^\d{3}$"),
    Level.COMMUNE: re.compile(r"^\d{5}$"),
}
_KIND_BY_LEVEL: dict[int, dict[str, str]] = {
    Level.PROVINCE: {"province": Kind.PROVINCE, "city": Kind.CITY},
    Level.DISTRICT: {
        "district": Kind.DISTRICT,
        "urban_district": Kind.URBAN_DISTRICT,
        "town": Kind.TOWN,
        "city": Kind.PROVINCIAL_CITY,
    },
    Level.COMMUNE: {
        "commune": Kind.COMMUNE,
        "ward": Kind.WARD,
        "township": Kind.TOWNSHIP,
        "special_zone": Kind.SPECIAL_ZONE,
    },
}


@dataclass
class UnitImportSummary:
    created: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    closed: Counter[str] = field(default_factory=Counter)
    rows: int = 0

    def as_text(self) -> str:
        parts = []
        for level in Level:
            key = str(level.value)
            parts.append(
                _("%(level)s: %(new)d new, %(same)d unchanged, %(closed)d ended")
                % {
                    "level": level.label,
                    "new": self.created[key],
                    "same": self.unchanged[key],
                    "closed": self.closed[key],
                }
            )
        return "; ".join(parts)


@dataclass
class _Spec:
    code: str
    name: str
    kind: str
    level: int
    parent_code: str | None
    row: int


def _kind_for(level: int, name: str, explicit: str) -> str | None:
    guess, _short = split_kind(f"{explicit} x" if explicit else name)
    return _KIND_BY_LEVEL[level].get(guess or "")


def _collect(
    rows: list[tuple[int, dict[str, str]]], known: dict[str, AdminUnit]
) -> tuple[dict[str, _Spec], list[CellError]]:
    """Turn rows into one spec per unit code, checking codes, names, kinds and consistency.

    A parent row may leave its name empty when the unit is already known (a partial list).
    """
    specs: dict[str, _Spec] = {}
    errors: list[CellError] = []

    def add(
        level: int,
        code: str,
        name: str,
        kind_text: str,
        parent: str | None,
        row: int,
        code_col: str,
        name_col: str,
    ) -> bool:
        if not _CODE[level].match(code):
            errors.append(
                CellError(
                    row,
                    code_col,
                    _("“%(code)s” is not a valid code (%(n)d digits)")
                    % {"code": code, "n": {1: 2, 2: 3, 3: 5}[level]},
                )
            )
            return False
        if not name and level != Level.COMMUNE and code in known:
            name = known[code].name
        elif not name:
            message = (
                _("the name is empty")
                if level == Level.COMMUNE
                else _("unknown parent unit %(code)s: not in the file or the database")
                % {"code": code}
            )
            errors.append(CellError(row, name_col, message))
            return False
        kind = _kind_for(level, name, kind_text)
        if kind is None:
            errors.append(
                CellError(
                    row,
                    name_col if not kind_text else "commune_kind",
                    _("cannot tell the kind of unit from “%s”") % (kind_text or name),
                )
            )
            return False
        seen = specs.get(code)
        if seen is None:
            specs[code] = _Spec(code, name, kind, level, parent, row)
            return True
        if level == Level.COMMUNE:
            errors.append(
                CellError(
                    row,
                    code_col,
                    _("duplicate code %(code)s (already in row %(first)d)")
                    % {"code": code, "first": seen.row},
                )
            )
            return False
        if fold(seen.name) != fold(name) or seen.parent_code != parent:
            errors.append(
                CellError(
                    row,
                    name_col,
                    _("code %(code)s is “%(name)s” here but “%(first)s” in row %(row)d")
                    % {"code": code, "name": name, "first": seen.name, "row": seen.row},
                )
            )
            return False
        return True

    for row, cells in rows:
        province = cells["province_code"]
        ok = add(
            Level.PROVINCE,
            province,
            cells["province_name"],
            "",
            None,
            row,
            "province_code",
            "province_name",
        )
        district = cells.get("district_code", "")
        parent = province
        if district or cells.get("district_name"):
            ok = (
                add(
                    Level.DISTRICT,
                    district,
                    cells.get("district_name", ""),
                    "",
                    province,
                    row,
                    "district_code",
                    "district_name",
                )
                and ok
            )
            parent = district
        if ok:
            add(
                Level.COMMUNE,
                cells["commune_code"],
                cells["commune_name"],
                cells.get("commune_kind", ""),
                parent,
                row,
                "commune_code",
                "commune_name",
            )
    return specs, errors


@transaction.atomic
def import_units(
    source: bytes | IO[bytes] | str | Path,
    *,
    valid_from: dt.date | None = None,
    partial: bool = False,
    filename: str = "",
) -> UnitImportSummary:
    """Import the national list. ``partial`` keeps units missing from the file in force."""
    table = read_table(source, aliases=UNIT_COLUMNS, required=REQUIRED, filename=filename)
    in_force = AdminUnit.objects.filter(level__lte=Level.COMMUNE)
    # Without a date the list describes the first recorded versions (valid_from unknown).
    in_force = (
        in_force.valid_on(valid_from) if valid_from else in_force.filter(valid_from__isnull=True)
    )
    existing = {u.code: u for u in in_force}
    specs, errors = _collect(table.rows, existing)
    errors = [
        CellError(e.row, table.header(e.column) if e.column else None, e.message) for e in errors
    ]
    if errors:
        raise ImportRefused(errors)
    summary = UnitImportSummary(rows=len(table.rows))
    kept: set[int] = set()
    resolved: dict[str, AdminUnit] = {}
    to_close: list[AdminUnit] = []
    corrected: list[AdminUnit] = []
    day_before = valid_from - dt.timedelta(days=1) if valid_from else None

    for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
        new_units: list[AdminUnit] = []
        for spec in (s for s in specs.values() if s.level == level):
            parent = resolved[spec.parent_code] if spec.parent_code else None
            parent_id = parent.pk if parent else None
            old = existing.get(spec.code)
            if (
                old is not None
                and old.kind == spec.kind
                and old.parent_id == parent_id
                and (fold(old.name) == fold(spec.name))
            ):
                resolved[spec.code] = old
                kept.add(old.pk)
                summary.unchanged[str(level)] += 1
                continue
            if old is not None and old.valid_from == valid_from:
                # Same start date: the earlier import of this list was wrong; correct in place.
                old.name, old.kind, old.parent = spec.name, spec.kind, parent
                old.path = f"{parent.path if parent else '.'}{old.pk}."
                old.level = KIND_LEVEL[old.kind]
                old.search_name = fold(f"{old.name} {old.code}")
                corrected.append(old)
                resolved[spec.code] = old
                kept.add(old.pk)
                summary.unchanged[str(level)] += 1
                continue
            if old is not None:
                if day_before is None:
                    raise ImportRefused(
                        [
                            CellError(
                                spec.row,
                                None,
                                _(
                                    "%(code)s changed from “%(old)s”; give the date the new list takes effect"
                                )
                                % {"code": spec.code, "old": old},
                            )
                        ]
                    )
                to_close.append(old)
            unit = AdminUnit(
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                parent=parent,
                level=KIND_LEVEL[spec.kind],
                valid_from=valid_from,
                search_name=fold(f"{spec.name} {spec.code}"),
            )
            new_units.append(unit)
            resolved[spec.code] = unit
        if new_units:
            bulk_create_with_history(new_units, AdminUnit, batch_size=2000)
            for unit in new_units:
                parent = unit.parent
                unit.path = f"{parent.path if parent else '.'}{unit.pk}."
            AdminUnit.objects.bulk_update(new_units, ["path"], batch_size=2000)
            summary.created[str(level)] += len(new_units)

    if not partial and day_before is not None:
        closing = {u.pk for u in to_close}  # a set: model equality in a list scan is quadratic
        to_close.extend(u for u in existing.values() if u.pk not in kept and u.pk not in closing)
    if to_close:
        if day_before is None:
            raise ImportRefused(
                [CellError(None, None, _("Give the date the new list takes effect."))]
            )
        for unit in to_close:
            unit.valid_to = day_before
            summary.closed[str(unit.level)] += 1
        bulk_update_with_history(to_close, AdminUnit, ["valid_to"], batch_size=2000)
    if corrected:
        bulk_update_with_history(
            corrected, AdminUnit, ["name", "kind", "parent", "path", "level", "search_name"]
        )
    return summary
