"""Export of indicator values in the columns the importer reads: ``unit, set, code, period,
value, note``. Values are written as their canonical text (``format_value``), so importing an
export changes nothing.

CSV is UTF-8 with a byte-order mark (Excel then shows Vietnamese correctly) and commas. XLSX has
one sheet with a bold, frozen header row; codes and periods are text cells (07408 keeps its
zero), numbers are number cells when Excel holds them exactly, text otherwise.
"""

import io
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import QuerySet

from ntm.catalog.models import CriteriaSet
from ntm.core.csvout import write_csv
from ntm.engine.periods import parse_period
from ntm.engine.values import format_value
from ntm.geo.models import AdminUnit
from ntm.observations.models import DataValue

COLUMNS = ("unit", "set", "code", "period", "value", "note")
CHUNK = 2000


def _natural(code: str) -> tuple[tuple[int, int | str], ...]:
    """ "1.2" before "1.10" before "2"; data elements (words) after the numbered indicators."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", code) if part
    )


def _values(
    units: Iterable[AdminUnit] | QuerySet[AdminUnit],
    criteria_set: CriteriaSet | None,
    periods: Iterable[str] | None,
) -> Iterator[DataValue]:
    base = DataValue.objects.select_related("unit", "criteria_set").order_by(
        "unit__code", "unit__valid_from", "unit_id", "criteria_set__code", "period_end", "period"
    )
    if criteria_set is not None:
        base = base.filter(criteria_set=criteria_set.family)
    if periods is not None:
        base = base.filter(period__in=[parse_period(p).code for p in periods])
    if isinstance(units, QuerySet):
        subtree = units.values_list("pk", flat=True)
        yield from base.filter(unit_id__in=subtree).iterator(chunk_size=CHUNK)
        return
    ids = sorted({u.pk for u in units})
    chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
    rows = [v for chunk in chunks for v in base.filter(unit_id__in=chunk)]
    rows.sort(
        key=lambda v: (
            v.unit.code,
            str(v.unit.valid_from or ""),
            v.unit_id,
            v.criteria_set.code,
            v.period_end,
            v.period,
        )
    )
    yield from rows


def export_rows(
    *,
    units: Iterable[AdminUnit] | QuerySet[AdminUnit],
    criteria_set: CriteriaSet | None = None,
    periods: Iterable[str] | None = None,
) -> list[tuple[str, str, str, str, str, str]]:
    """The rows of an export, header excluded, ordered by unit, set, period and code.

    ``periods`` are period codes ("2024Q1"); a bad one raises ``ValueError``.
    """
    rows: list[tuple[str, str, str, str, str, str]] = []
    group: list[DataValue] = []

    def flush() -> None:
        for v in sorted(group, key=lambda v: _natural(v.code)):
            rows.append(
                (v.unit.code, v.criteria_set.code, v.code, v.period, format_value(v.value), v.note)
            )
        group.clear()

    for value in _values(units, criteria_set, periods):
        if group and (group[0].unit_id, group[0].criteria_set_id, group[0].period) != (
            value.unit_id,
            value.criteria_set_id,
            value.period,
        ):
            flush()
        group.append(value)
    flush()
    return rows


def _csv(rows: list[tuple[str, str, str, str, str, str]]) -> bytes:
    return write_csv(COLUMNS, rows)


def _exact_number(text: str) -> float | int | None:
    """The number Excel can hold exactly and the importer reads back as the same text."""
    try:
        number = Decimal(text)
    except ArithmeticError:
        return None
    if not number.is_finite() or format_value(number) != text:
        return None
    if number == number.to_integral_value() and abs(number) < 2**53:
        return int(number)
    as_float = float(number)
    written = repr(as_float)
    if "e" in written or "n" in written or Decimal(written) != number:
        return None
    return as_float


def _xlsx(rows: list[tuple[str, str, str, str, str, str]]) -> bytes:
    # deferred: openpyxl takes ~0.6 s to import and only XLSX files need it
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "values"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    value_column = COLUMNS.index("value")
    for number, row in enumerate(rows, start=2):
        for index, text in enumerate(row):
            cell = sheet.cell(row=number, column=index + 1)
            exact = _exact_number(text) if index == value_column else None
            if exact is not None:
                cell.value = exact
            elif text:
                cell.value = text
                cell.data_type = "s"  # never a formula, even for a note starting with "="
    widths = [len(c) for c in COLUMNS]
    for row in rows:
        for index, text in enumerate(row):
            widths[index] = max(widths[index], len(text))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(rows: list[tuple[str, str, str, str, str, str]], fmt: str = "csv") -> bytes:
    """The file of these rows (from ``export_rows``), header included."""
    if fmt not in {"csv", "xlsx"}:
        raise ValueError(f"unknown format {fmt!r} (csv or xlsx)")
    return _xlsx(rows) if fmt == "xlsx" else _csv(rows)


def export_values(
    *,
    units: Iterable[AdminUnit] | QuerySet[AdminUnit],
    criteria_set: CriteriaSet | None = None,
    periods: Iterable[str] | None = None,
    fmt: str = "csv",
) -> bytes:
    """The values of these units (optionally one set, some periods) as a CSV or XLSX file."""
    if fmt not in {"csv", "xlsx"}:
        raise ValueError(f"unknown format {fmt!r} (csv or xlsx)")
    return render(export_rows(units=units, criteria_set=criteria_set, periods=periods), fmt)
