"""Import and export of works and contributions (CSV or XLSX, first sheet): all rows or none.

Every row goes through the same service as the web form (``work_create``/``work_update``/
``work_budget_set``, ``contribution_add``), with its permission and scope checks, inside one
transaction; any bad row refuses the whole file with every error named by row and column.
An export imports back unchanged (codes, ISO dates, plain whole numbers).
"""

import datetime as dt
import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from ntm.core.csvout import unguard, write_csv
from ntm.core.tabular import CellError, ImportRefused, Table, read_table
from ntm.core.text import fold
from ntm.finance import services
from ntm.finance.models import (
    Contribution,
    ContributionKind,
    ContributorKind,
    SourceKind,
    Work,
    WorkKind,
)
from ntm.finance.money import MoneyError, parse_quantity, parse_vnd
from ntm.finance.selectors import HIDDEN_NAME
from ntm.geo.models import AdminUnit

CONTRIBUTION_COLUMNS: dict[str, list[str]] = {
    "unit": ["Mã đơn vị", "Mã thôn", "Mã xã", "Đơn vị"],
    "date": ["Ngày", "Ngày đóng góp"],
    "contributor_kind": ["Loại người đóng góp", "Đối tượng"],
    "contributor_name": ["Tên", "Họ tên", "Tên hộ", "Người đóng góp"],
    "consent": ["Đồng ý công khai", "Công khai tên", "consent_to_publish"],
    "kind": ["Hình thức", "Loại đóng góp"],
    "quantity": ["Số lượng"],
    "value": ["Giá trị", "Giá trị (đồng)", "Số tiền"],
    "work": ["Công trình"],
    "note": ["Ghi chú"],
}
CONTRIBUTION_REQUIRED = ["unit", "date", "contributor_kind", "contributor_name", "kind"]

BUDGET_COLUMNS = {f"budget_{s.value}": s.value for s in SourceKind}
WORK_COLUMNS: dict[str, list[str]] = {
    "unit": ["Mã đơn vị", "Mã thôn", "Mã xã", "Đơn vị"],
    "year": ["Năm", "Năm kế hoạch"],
    "kind": ["Loại công trình", "Loại"],
    "name": ["Tên công trình", "Tên"],
    "length_km": ["Chiều dài (km)", "Chiều dài"],
    "criterion_number": ["Tiêu chí", "criterion"],
    "indicator_code": ["Chỉ tiêu", "indicator"],
    "latitude": ["Vĩ độ", "lat"],
    "longitude": ["Kinh độ", "lon", "lng"],
    "decision_number": ["Quyết định đầu tư", "decision"],
    "contractor": ["Nhà thầu", "Đơn vị thi công"],
    "start": ["Khởi công", "Ngày khởi công"],
    "finish": ["Hoàn thành", "Ngày hoàn thành"],
    "status": ["Trạng thái"],
    **{column: [] for column in BUDGET_COLUMNS},
}
WORK_REQUIRED = ["unit", "year", "kind", "name"]

YES = {"yes", "y", "1", "true", "co", "x", "dong y"}
NO = {"", "no", "n", "0", "false", "khong", "khong dong y"}
CONTRIBUTOR_WORDS = {
    "ho": ContributorKind.HOUSEHOLD,
    "ho gia dinh": ContributorKind.HOUSEHOLD,
    "to chuc": ContributorKind.ORGANISATION,
    "doanh nghiep": ContributorKind.ENTERPRISE,
}
KIND_WORDS = {
    "tien": ContributionKind.CASH,
    "tien mat": ContributionKind.CASH,
    "ngay cong": ContributionKind.LABOUR,
    "hien dat": ContributionKind.LAND,
    "dat": ContributionKind.LAND,
    "vat tu": ContributionKind.MATERIALS,
    "vat lieu": ContributionKind.MATERIALS,
}


class _Row:
    """Cell readers that collect errors for one row instead of stopping at the first."""

    def __init__(self, table: Table, number: int, cells: dict[str, str], errors: list[CellError]):
        self.table, self.number, self.cells, self.errors = table, number, cells, errors
        self.ok = True

    def text(self, column: str) -> str:
        return unguard(self.cells.get(column, "").strip())  # the guard our CSV export adds

    def fail(self, column: str | None, message: str) -> None:
        self.ok = False
        self.errors.append(
            CellError(self.number, self.table.header(column) if column else None, message)
        )

    def parse(self, column: str, parser: Callable[[str], Any], message: str) -> Any:
        text = self.text(column)
        if not text:
            return None
        try:
            return parser(text)
        except (ValueError, ArithmeticError, MoneyError):
            self.fail(column, message)
            return None

    def date(self, column: str) -> dt.date | None:
        return self.parse(column, _date, _("write the date as dd/mm/yyyy"))

    def choice(self, column: str, choices: Any, words: dict[str, Any] | None = None) -> str:
        text = self.text(column)
        key = fold(text).strip()
        by_label = {fold(str(label)): value for value, label in choices.choices}
        found = (words or {}).get(key) or (text if text in choices.values else by_label.get(key))
        if not found:
            self.fail(
                column,
                _("unknown value “%(v)s” (one of: %(c)s)")
                % {"v": text, "c": ", ".join(choices.values)},
            )
            return ""
        return str(found)


def _date(text: str) -> dt.date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    # Excel dates arrive as "2024-03-05 00:00:00"
    return dt.datetime.fromisoformat(text).date()


def _units_by_code(unit: AdminUnit, codes: set[str]) -> dict[str, AdminUnit]:
    found: dict[str, AdminUnit] = {}
    for u in AdminUnit.objects.filter(path__startswith=unit.path, code__in=codes).order_by(
        "valid_from"
    ):
        found[u.code] = u  # the latest version inside the subtree
    return found


def _service_error(row: _Row, exc: Exception, columns: dict[str, str]) -> None:
    if isinstance(exc, services.FinanceError):
        row.fail(columns.get(exc.field or "", exc.field), str(exc))
    elif isinstance(exc, (PermissionDenied, Http404)):
        row.fail("unit", _("you may not record data for this unit"))
    else:  # pragma: no cover - programming errors surface as they are
        raise exc


@transaction.atomic
def import_contributions(
    *, user: Any, unit: AdminUnit, source: bytes, filename: str = ""
) -> list[Contribution]:
    """Every row a contribution under ``unit``; all or none."""
    table = read_table(
        source, aliases=CONTRIBUTION_COLUMNS, required=CONTRIBUTION_REQUIRED, filename=filename
    )
    errors: list[CellError] = []
    units = _units_by_code(unit, {cells.get("unit", "") for _n, cells in table.rows})
    works: dict[tuple[int, int, str], Work] = {
        (w.unit_id, w.year, fold(w.name)): w
        for w in Work.objects.filter(unit__path__startswith=unit.path).select_related("unit")
    }
    created = []
    for number, cells in table.rows:
        row = _Row(table, number, cells, errors)
        target = units.get(row.text("unit"))
        if target is None:
            row.fail("unit", _("no unit with this code under %(u)s") % {"u": unit.name})
        date = row.date("date")
        if date is None and row.text("date") == "":
            row.fail("date", _("enter the date"))
        contributor = row.choice("contributor_kind", ContributorKind, CONTRIBUTOR_WORDS)
        kind = row.choice("kind", ContributionKind, KIND_WORDS)
        consent_text = fold(row.text("consent"))
        if consent_text not in YES | NO:
            row.fail("consent", _("write yes or no"))
        quantity = row.parse("quantity", parse_quantity, _("a quantity of at most two decimals"))
        value = row.parse(
            "value", parse_vnd, _("a whole number of dong (no fractional digits), not negative")
        )
        work = None
        if row.text("work") and target is not None and date is not None:
            work = works.get((target.pk, date.year, fold(row.text("work"))))
            if work is None:
                row.fail("work", _("no work of this name in the unit for %(y)s") % {"y": date.year})
        if not row.ok or target is None or date is None:
            continue
        try:
            with transaction.atomic():
                created.append(
                    services.contribution_add(
                        user=user,
                        unit=target,
                        contributor_kind=contributor,
                        contributor_name=row.text("contributor_name"),
                        consent_to_publish=consent_text in YES,
                        kind=kind,
                        quantity=quantity,
                        value=value,
                        date=date,
                        work=work,
                        note=row.text("note"),
                    )
                )
        except (services.FinanceError, PermissionDenied, Http404) as exc:
            _service_error(row, exc, {})
    if errors:
        raise ImportRefused(errors)
    return created


@transaction.atomic
def import_works(*, user: Any, unit: AdminUnit, source: bytes, filename: str = "") -> list[Work]:
    """Every row a work under ``unit`` (matched by unit, year and name: new or updated) with its
    planned budget from the budget_<source> columns; all or none."""
    table = read_table(source, aliases=WORK_COLUMNS, required=WORK_REQUIRED, filename=filename)
    errors: list[CellError] = []
    units = _units_by_code(unit, {cells.get("unit", "") for _n, cells in table.rows})
    budget_columns = [c for c in table.columns if c in BUDGET_COLUMNS]
    saved = []
    seen: set[tuple[int, int, str]] = set()
    for number, cells in table.rows:
        row = _Row(table, number, cells, errors)
        target = units.get(row.text("unit"))
        if target is None:
            row.fail("unit", _("no unit with this code under %(u)s") % {"u": unit.name})
        year = row.parse("year", int, _("write the year, e.g. 2024"))
        if year is None and not row.text("year"):
            row.fail("year", _("enter the year"))
        kind = row.choice("kind", WorkKind)
        name = row.text("name")
        if not name:
            row.fail("name", _("enter the name"))
        fields: dict[str, Any] = {
            "length_km": row.parse("length_km", Decimal, _("a number of km")),
            "criterion_number": row.parse("criterion_number", int, _("a criterion number")),
            "indicator_code": row.text("indicator_code"),
            "latitude": row.parse("latitude", Decimal, _("a latitude in decimal degrees")),
            "longitude": row.parse("longitude", Decimal, _("a longitude in decimal degrees")),
            "decision_number": row.text("decision_number"),
            "contractor": row.text("contractor"),
            "start": row.date("start"),
            "finish": row.date("finish"),
        }
        if row.text("status"):
            fields["status"] = row.choice("status", Work.Status)
        lines: dict[str, Decimal | None] = {}
        for column in budget_columns:
            budget_source = BUDGET_COLUMNS[column]
            parser = (
                parse_quantity if budget_source in ("people_labour", "people_land") else parse_vnd
            )
            lines[budget_source] = row.parse(column, parser, _("a whole amount (or a quantity)"))
        if not row.ok or target is None or year is None:
            continue
        key = (target.pk, year, fold(name))
        if key in seen:
            row.fail("name", _("the same work appears twice in the file"))
            continue
        seen.add(key)
        try:
            with transaction.atomic():
                work = Work.objects.filter(unit=target, year=year, name=name).first()
                if work is None:
                    work = services.work_create(
                        user=user, unit=target, year=year, kind=kind, name=name, **fields
                    )
                else:
                    work = services.work_update(user=user, work=work, kind=kind, **fields)
                if budget_columns:
                    services.work_budget_set(user=user, work=work, lines=lines)
                saved.append(work)
        except (services.FinanceError, PermissionDenied, Http404) as exc:
            columns = {s: f"budget_{s}" for s in SourceKind.values} | {"source": "name"}
            _service_error(row, exc, columns)
    if errors:
        raise ImportRefused(errors)
    return saved


# --- export -----------------------------------------------------------------------------------


def _plain(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return (
            format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
        )
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def contribution_rows(
    *, unit: AdminUnit, year: int, private_names: bool = True
) -> tuple[list[str], list[list[str]]]:
    """The export's rows; without ``private_names`` the name of a contributor who did not
    consent to publication is left out (see ``selectors.contributions_of``)."""
    columns = list(CONTRIBUTION_COLUMNS)
    rows = [
        [
            c.unit.code,
            _plain(c.date),
            c.contributor_kind,
            c.contributor_name if private_names or c.consent_to_publish else str(HIDDEN_NAME),
            _plain(c.consent_to_publish),
            c.kind,
            _plain(c.quantity),
            _plain(c.value),
            c.work.name if c.work else "",
            c.note,
        ]
        for c in Contribution.objects.filter(unit__path__startswith=unit.path, date__year=year)
        .select_related("unit", "work")
        .order_by("date", "pk")
    ]
    return columns, rows


def work_rows(*, unit: AdminUnit, year: int) -> tuple[list[str], list[list[str]]]:
    columns = [c for c in WORK_COLUMNS if c not in BUDGET_COLUMNS] + list(BUDGET_COLUMNS)
    works = list(
        Work.objects.filter(unit__path__startswith=unit.path, year=year)
        .select_related("unit")
        .prefetch_related("budget_lines")
        .order_by("unit__code", "name")
    )
    rows = []
    for w in works:
        lines = {
            b.source: b.quantity if b.quantity is not None else b.amount
            for b in w.budget_lines.all()
        }
        rows.append(
            [
                w.unit.code,
                str(w.year),
                w.kind,
                w.name,
                _plain(w.length_km),
                _plain(w.criterion_number),
                w.indicator_code,
                _plain(w.latitude),
                _plain(w.longitude),
                w.decision_number,
                w.contractor,
                _plain(w.start),
                _plain(w.finish),
                w.status,
                *(_plain(lines.get(source)) for source in BUDGET_COLUMNS.values()),
            ]
        )
    return columns, rows


def render(columns: list[str], rows: Sequence[Sequence[Any]], fmt: str, sheet: str) -> bytes:
    """A table as CSV or XLSX. Text stays text (never a formula); an int or a Decimal becomes a
    numeric cell, shown with the reader's own separators (the import templates of this module
    pass text, so their round trip reads back what it wrote)."""
    if fmt == "xlsx":
        # deferred: openpyxl takes ~0.6 s to import and only XLSX files need it
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        ws = workbook.active
        assert ws is not None
        ws.title = sheet
        ws.append(columns)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for number, row in enumerate(rows, start=2):
            for index, text in enumerate(row, start=1):
                if isinstance(text, (int, Decimal)) and not isinstance(text, bool):
                    cell = ws.cell(row=number, column=index, value=text)
                    cell.number_format = "#,##0" if text == int(text) else "#,##0.00"
                elif text:
                    cell = ws.cell(row=number, column=index, value=text)
                    cell.data_type = "s"  # text, never a formula
        ws.freeze_panes = "A2"
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    if fmt != "csv":
        raise ValueError(f"unknown format {fmt!r} (csv or xlsx)")
    return write_csv(columns, rows)
