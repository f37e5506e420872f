"""Importer of indicator values (CSV or XLSX, first sheet): all rows or none.

Columns ``unit, set, code, period, value, note`` (note optional; the Vietnamese headers
"Mã đơn vị", "Bộ tiêu chí", "Mã chỉ tiêu", "Kỳ", "Giá trị", "Ghi chú" are accepted too). Every row
goes through ``value_set`` — the one write path, with its validation, permissions, locks and
history — inside one transaction. Every row is checked; any problem refuses the whole file with
every error named by row and column (``ImportRefused``), and nothing is written. A dry run
validates the same way and then rolls back, returning the preview of what would change.

``unit`` is the national code (villages: "07408.05"), resolved to the version of the unit in
force during the row's period (at its end, else at its start); codes Excel stripped of their
leading zero ("7408") are recognised. ``set`` is a national set code: a province's localisation
records under the national set it localises. An empty note cell keeps the note already stored.
"""

import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from ntm.catalog.models import CriteriaSet
from ntm.catalog.selectors import applicable_set, province_id_of
from ntm.core.tabular import CellError, ImportRefused, Table, read_table
from ntm.engine.periods import Period, parse_period
from ntm.engine.values import ValueError_, format_value, parse_value
from ntm.geo.models import AdminUnit, Level
from ntm.geo.selectors import version_during
from ntm.geo.services import units_lock
from ntm.observations.models import DataValue, ValueStatus
from ntm.observations.services import (
    DataError,
    Target,
    check_can_edit,
    locked_reason,
    resolve_target,
    value_message,
    value_set,
)

VALUE_COLUMNS: dict[str, list[str]] = {
    "unit": ["Mã đơn vị", "Mã ĐV", "Đơn vị", "Mã xã", "Mã thôn", "unit_code"],
    "set": ["Bộ tiêu chí", "Mã bộ tiêu chí", "criteria_set", "set_code"],
    "code": ["Mã chỉ tiêu", "Chỉ tiêu", "Mã số liệu", "indicator"],
    "period": ["Kỳ", "Kỳ báo cáo"],
    "value": ["Giá trị"],
    "note": ["Ghi chú"],
    # Optional: when the writer read the value ("none": there was none); a later change by
    # someone else refuses the row instead of being overwritten (see value_set).
    "based_on": ["Đọc lúc", "read_at", "updated_at", "Cập nhật lúc"],
}
COLUMNS = ["unit", "set", "code", "period", "value", "note"]
REQUIRED = ["unit", "set", "code", "period", "value"]
CHUNK = 2000  # units per prefetch query


@dataclass(frozen=True)
class PreviewRow:
    row: int  # line of the file (header is 1)
    unit_code: str
    unit_name: str
    set_code: str
    code: str
    period: str
    old: str  # the stored text before the import, "" when there was none
    new: str
    action: str  # "create" | "update" | "unchanged"


@dataclass
class ImportPreview:
    rows: list[PreviewRow] = field(default_factory=list)
    dry_run: bool = False
    results: int = 0  # set results recomputed (0 for a dry run)
    # (national set, units) whose values changed: what the caller must refresh
    touched: list[tuple[CriteriaSet, list[AdminUnit]]] = field(default_factory=list)
    encoding: str = "utf-8"  # how the file was read ("xlsx", "utf-8", "cp1258"…)

    @property
    def counts(self) -> Counter[str]:
        counts: Counter[str] = Counter({"create": 0, "update": 0, "unchanged": 0})
        counts.update(r.action for r in self.rows)
        return counts

    def as_text(self, *, all_rows: bool = False) -> str:
        """One line per new or changed value (every row with ``all_rows``), then the counts."""
        labels = {"create": _("new"), "update": _("changed"), "unchanged": _("unchanged")}
        lines = []
        if self.dry_run:
            lines.append(_("Dry run: nothing was written."))
        for r in self.rows:
            if r.action == "unchanged" and not all_rows:
                continue
            change = f"{r.old or '—'} → {r.new}" if r.action != "unchanged" else r.new
            if r.action == "update" and r.old == r.new:
                change += " " + _("(note changed)")
            lines.append(
                _("row %(row)s") % {"row": r.row}
                + f": {r.unit_code} {r.unit_name} · {r.set_code} {r.code} {r.period}: {change}"
                + f" ({labels[r.action]})"
            )
        counts = self.counts
        summary = _("%(rows)d rows: %(new)d new, %(changed)d changed, %(same)d unchanged.") % {
            "rows": len(self.rows),
            "new": counts["create"],
            "changed": counts["update"],
            "same": counts["unchanged"],
        }
        if not self.dry_run:
            summary += " " + _("%(n)d results recomputed.") % {"n": self.results}
        lines.append(summary)
        return "\n".join(lines)


@dataclass
class _Row:
    number: int
    cells: dict[str, str]
    unit: AdminUnit
    family: CriteriaSet
    period: Period


def _read_bytes(source: bytes | IO[bytes] | str | Path, filename: str) -> tuple[bytes, str]:
    if isinstance(source, (str, Path)):
        return Path(source).read_bytes(), filename or str(source)
    if isinstance(source, bytes):
        return source, filename
    return source.read(), filename or str(getattr(source, "name", "") or "")


def _is_excel(data: bytes, filename: str) -> bool:
    return Path(filename).suffix.lower() in {".xlsx", ".xlsm"} or data[:2] == b"PK"


def _percent_cells(data: bytes, table: Table) -> dict[int, str]:
    """Excel keeps "99,7%" typed in a percent-formatted cell as 0.997: give it back as "99.7%".

    Row numbers follow ``read_table`` (leading empty rows skipped, the header is row 1).
    """
    # deferred: openpyxl takes ~0.6 s to import and only XLSX files need it
    from openpyxl import load_workbook

    if "value" not in table.headers:
        return {}
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # read_table already reported a damaged file
        return {}
    found: dict[int, str] = {}
    try:
        column: int | None = None
        number = 0
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # type: ignore[union-attr]  # never trust the declared size
        for cells in sheet.iter_rows():
            if column is None:
                titles = ["" if c.value is None else str(c.value).strip() for c in cells]
                if not any(titles):
                    continue
                column = next(
                    (i for i, t in enumerate(titles) if t == table.headers["value"]), None
                )
                if column is None:
                    return {}
                number = 1
                continue
            number += 1
            if column >= len(cells):
                continue
            cell = cells[column]
            value = cell.value
            if (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and "%" in str(getattr(cell, "number_format", "") or "")
            ):
                found[number] = format_value(Decimal(str(value)) * 100) + "%"
    finally:
        workbook.close()
    return found


def _code_candidates(code: str) -> list[str]:
    """The code as written, then with the leading zeros Excel drops ("7408.05" → "07408.05").

    Only the commune part is padded: a village suffix Excel shortened ("07408.10" → 7408.1) is
    not guessed, since "07408.01" would be another village.
    """
    candidates = [code]
    match = re.fullmatch(r"(\d{1,4})((?:\.\d+)?)", code)
    if match:
        digits, village = match.groups()
        padded = [f"{digits.zfill(5)}{village}"]
        if not village:
            padded += [digits.zfill(2), digits.zfill(3)]
        candidates += [c for c in dict.fromkeys(padded) if c != code]
    return candidates


class _Lookups:
    """Units and sets of the whole file in two queries, then cached checks per row."""

    def __init__(self, table: Table, user: Any):
        self.user = user
        codes = {c for _, cells in table.rows for c in _code_candidates(cells.get("unit", ""))}
        self.units: dict[str, list[AdminUnit]] = defaultdict(list)
        code_list = sorted(c for c in codes if c)
        for start in range(0, len(code_list), CHUNK):
            for unit in AdminUnit.objects.filter(code__in=code_list[start : start + CHUNK]):
                self.units[unit.code].append(unit)
        set_codes = {cells.get("set", "").lower() for _, cells in table.rows} - {""}
        self.sets = {
            s.code: s
            for s in CriteriaSet.objects.filter(code__in=set_codes).select_related("localises")
        }
        self._variants: dict[tuple[int, int | None], CriteriaSet] = {}
        self._targets: dict[tuple[int, str], Target | DataError] = {}
        self._rights: dict[tuple[int, str], Exception | None] = {}
        self._locks: dict[tuple[int, str], str | None] = {}

    def unit(self, code: str, period: Period) -> AdminUnit | str:
        """The version in force during the period, or a message saying why there is none."""
        for candidate in _code_candidates(code):
            versions = self.units.get(candidate)
            if not versions:
                continue
            found = version_during(versions, period.start, period.end)
            if found is not None:
                return found
            return _("Unit %(code)s did not exist in %(period)s.") % {
                "code": candidate,
                "period": period.code,
            }
        return _("No administrative unit has the code “%(code)s”.") % {"code": code}

    def target(self, family: CriteriaSet, unit: AdminUnit, code: str) -> Target | DataError:
        key = (family.pk, province_id_of(unit))
        if key not in self._variants:
            self._variants[key] = applicable_set(family, unit)
        variant = self._variants[key]
        if (variant.pk, code) not in self._targets:
            try:
                self._targets[(variant.pk, code)] = resolve_target(variant, code)
            except DataError as exc:
                self._targets[(variant.pk, code)] = exc
        return self._targets[(variant.pk, code)]

    def right(self, unit: AdminUnit, target: Target) -> Exception | None:
        key = (unit.pk, target.field)
        if key not in self._rights:
            try:
                check_can_edit(self.user, unit, target)
                self._rights[key] = None
            except (DataError, PermissionDenied, Http404) as exc:
                self._rights[key] = exc
        return self._rights[key]

    def lock(self, unit: AdminUnit, period: Period) -> str | None:
        key = (unit.pk, period.code)
        if key not in self._locks:
            self._locks[key] = locked_reason(unit, period)
        return self._locks[key]


def _no_right(unit: AdminUnit) -> str:
    return _("You may not enter data for unit %(code)s.") % {"code": unit.code}


def _resolve_rows(table: Table, lookups: _Lookups, errors: list[CellError]) -> list[_Row]:
    """Unit, set and period of every row; empty cells, unknown codes and bad periods are errors."""

    def error(number: int, column: str, message: str) -> None:
        errors.append(CellError(number, table.header(column), message))

    rows: list[_Row] = []
    for number, cells in table.rows:
        missing = [c for c in REQUIRED if not cells.get(c, "").strip()]
        for column in missing:
            error(number, column, _("the cell is empty"))
        period: Period | None = None
        if "period" not in missing:
            try:
                period = parse_period(cells["period"])
            except ValueError:
                error(
                    number,
                    "period",
                    _("“%(period)s” is not a period (2024, 2024H1, 2024Q1).")
                    % {"period": cells["period"]},
                )
        family = None
        if "set" not in missing:
            family = lookups.sets.get(cells["set"].lower())
            if family is None:
                error(
                    number,
                    "set",
                    _("No criteria set has the code “%(code)s”.") % {"code": cells["set"]},
                )
            elif family.localises is not None:
                error(
                    number,
                    "set",
                    _(
                        "%(code)s is a province's localisation: record values against the "
                        "national set %(national)s."
                    )
                    % {"code": family.code, "national": family.localises.code},
                )
                family = None
        unit: AdminUnit | str | None = None
        if "unit" not in missing and period is not None:
            unit = lookups.unit(cells["unit"], period)
            if isinstance(unit, str):
                error(number, "unit", unit)
        if isinstance(unit, AdminUnit) and family and period and not missing:
            rows.append(_Row(number, cells, unit, family, period))
    return rows


def _existing(rows: list[_Row]) -> dict[tuple[int, int, str, str], DataValue]:
    """The stored values the rows may replace, a few queries for the whole file."""
    found: dict[tuple[int, int, str, str], DataValue] = {}
    by_set: dict[int, set[int]] = defaultdict(set)
    for r in rows:
        by_set[r.family.pk].add(r.unit.pk)
    codes = {r.cells["code"] for r in rows}
    periods = {r.period.code for r in rows}
    for set_id, unit_ids in by_set.items():
        ids = sorted(unit_ids)
        for start in range(0, len(ids), CHUNK):
            for value in DataValue.objects.filter(
                criteria_set_id=set_id,
                unit_id__in=ids[start : start + CHUNK],
                code__in=codes,
                period__in=periods,
            ).only("unit_id", "criteria_set_id", "code", "period", "text", "note", "status"):
                found[(value.unit_id, value.criteria_set_id, value.code, value.period)] = value
    return found


def _pre_check(row: _Row, lookups: _Lookups) -> tuple[str, str] | str:
    """What ``value_set`` would refuse, attributed to the column at fault: (column, message);
    else the canonical text of the value."""
    unit, family, period = row.unit, row.family, row.period
    wanted = Level.VILLAGE if family.level == "village" else Level.COMMUNE
    if unit.level != wanted:
        return "unit", _("%(set)s applies to %(level)s units, not to %(unit)s.") % {
            "set": family.code,
            "level": Level(wanted).label,
            "unit": unit.name,
        }
    if (family.valid_to and period.start > family.valid_to) or (
        family.valid_from and period.end < family.valid_from
    ):
        return "period", _("%(set)s is not in force in %(period)s.") % {
            "set": family.code,
            "period": period.code,
        }
    target = lookups.target(family, unit, row.cells["code"])
    if isinstance(target, DataError):
        return "code", str(target)
    refused = lookups.right(unit, target)
    if isinstance(refused, DataError):
        return "code", str(refused)
    if refused is not None:
        return "unit", _no_right(unit)
    reason = lookups.lock(unit, period)
    if reason:
        return "period", reason
    try:
        return format_value(parse_value(row.cells["value"], target.kind, target.levels))
    except ValueError_ as exc:
        return "value", value_message(exc)


def _preview(row: _Row, old: str, new: str, action: str) -> PreviewRow:
    return PreviewRow(
        row=row.number,
        unit_code=row.unit.code,
        unit_name=row.unit.name,
        set_code=row.family.code,
        code=row.cells["code"],
        period=row.period.code,
        old=old,
        new=new,
        action=action,
    )


def import_values(
    source: bytes | IO[bytes] | str | Path,
    *,
    user: Any,
    dry_run: bool = False,
    filename: str = "",
) -> ImportPreview:
    """Validate every row, then write them all through ``value_set`` (or nothing at all).

    Raises ``ImportRefused`` with every problem found; returns the preview of the rows and, in
    ``touched``, the units whose values changed. Results are not refreshed here: callers use
    ``evaluation.actions.values_import``, which does it in the same transaction.
    """
    data, filename = _read_bytes(source, filename)
    table = read_table(data, aliases=VALUE_COLUMNS, required=REQUIRED, filename=filename)
    if _is_excel(data, filename):
        percents = _percent_cells(data, table)
        for number, cells in table.rows:
            if number in percents:
                cells["value"] = percents[number]
    errors: list[CellError] = []
    lookups = _Lookups(table, user)
    rows = _resolve_rows(table, lookups, errors)
    has_note = "note" in table.headers
    has_based_on = "based_on" in table.headers
    preview = ImportPreview(dry_run=dry_run, encoding=table.encoding)
    touched: dict[int, dict[int, AdminUnit]] = defaultdict(dict)
    sets: dict[int, CriteriaSet] = {}

    def error(number: int, column: str, message: str) -> None:
        errors.append(CellError(number, table.header(column), message))

    with transaction.atomic():
        # Lock every unit of the file first, in id order: saves of the same units wait for
        # this import (and it for them) instead of deadlocking halfway.
        units_lock(row.unit.pk for row in rows)
        existing = _existing(rows)
        seen: dict[tuple[int, int, str, str], int] = {}
        for row in rows:
            code = row.cells["code"]
            key = (row.unit.pk, row.family.pk, code, row.period.code)
            if key in seen:
                error(
                    row.number,
                    "code",
                    _("%(unit)s %(code)s %(period)s is already on row %(row)s.")
                    % {
                        "unit": row.unit.code,
                        "code": code,
                        "period": row.period.code,
                        "row": seen[key],
                    },
                )
                continue
            seen[key] = row.number
            checked = _pre_check(row, lookups)
            before = existing.get(key)
            problem = checked if isinstance(checked, tuple) else None
            if problem is None and before is not None and before.status == ValueStatus.APPROVED:
                problem = (
                    "value",
                    _(
                        "The value of %(code)s for %(period)s is approved and locked; reopen it "
                        "with a reason first."
                    )
                    % {"code": code, "period": row.period.code},
                )
            if problem is not None:
                error(row.number, *problem)
                continue
            note = row.cells.get("note", "").strip() if has_note else ""
            if not note and before is not None:
                note = before.note
            if before is not None and (before.text, before.note) == (checked, note):
                # What value_set would find unchanged (and not write): spare its queries.
                preview.rows.append(_preview(row, before.text, before.text, "unchanged"))
                continue
            try:
                record, changed = value_set(
                    user=user,
                    unit=row.unit,
                    criteria_set=row.family,
                    code=code,
                    period=row.period.code,
                    value=row.cells["value"],
                    note=note,
                    based_on=row.cells.get("based_on") if has_based_on else None,
                )
            except (PermissionDenied, Http404):
                error(row.number, "unit", _no_right(row.unit))
                continue
            except DataError as exc:
                error(row.number, "value", str(exc))
                continue
            action = "create" if before is None else ("update" if changed else "unchanged")
            if changed:
                touched[row.family.pk][row.unit.pk] = row.unit
                sets[row.family.pk] = row.family
            preview.rows.append(
                _preview(row, before.text if before is not None else "", record.text, action)
            )
        if errors:
            raise ImportRefused(sorted(errors, key=_error_order(table)))
        if dry_run:
            transaction.set_rollback(True)
        else:
            preview.touched = [
                (sets[set_id], list(units.values())) for set_id, units in touched.items()
            ]
    return preview


def _error_order(table: Table) -> Any:
    positions = {table.header(c): i for i, c in enumerate(COLUMNS)}

    def key(e: CellError) -> tuple[int, int]:
        return (e.row or 0, positions.get(e.column or "", len(COLUMNS)))

    return key
