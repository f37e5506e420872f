"""A ``Document`` as an Excel workbook (openpyxl, write-only mode).

Every workbook is streamed in write-only mode, so a province roll-up of 10,035 communes costs
little more than writing its bare cells. The first sheet starts with the Decree 30 header lines,
title and data line; tables without a sheet of their own stack below them, and the footnotes,
"Nơi nhận:" and the signature close it. A table with another ``sheet`` name gets that worksheet.

Numbers stay numbers (int/Decimal) with a number format, so officials can sum them; Excel shows
them with the reader's separators (1.234,5 on a Vietnamese system). Column widths, frozen header
rows, repeated print titles and A4 fit-to-width print settings are set per sheet.
"""

from __future__ import annotations

import io
import re
from copy import copy
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ntm.reports.document import Cell, Chart, Column, Document, Heading, Paragraph, Table
from ntm.reports.render.text import (
    FONT,
    MARGIN_CM,
    MOTTO,
    NATION,
    RECIPIENTS_LABEL,
    data_line,
    date_line,
    number_line,
    plain,
)

THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
INVALID_SHEET = re.compile(r"[\[\]:*?/\\]")
CM_PER_INCH = 2.54
ROW_CM = 0.53  # a default row's height, to reserve rows under a chart image
BULK_ROWS = 2000  # longer tables take the fast path: plain cells, gridlines printed instead
MAX_FROZEN = 16  # freeze a table's header only when the rows above it leave room to scroll


def _sheet_title(text: str, taken: set[str]) -> str:
    base = INVALID_SHEET.sub(" ", text).strip()[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _number_format(column: Column, value: Any) -> str:
    if column.decimals is not None:
        return "#,##0" if column.decimals == 0 else "#,##0." + "0" * column.decimals
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        digits = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return "#,##0" + ("." + "0" * digits if digits else "")
    return "#,##0"


class _Styles:
    """Cell styles built once per workbook; cells copy the packed style (fast in bulk)."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self._cache: dict[tuple[Any, ...], Any] = {}

    def cell(
        self,
        value: Any,
        *,
        size: float = 12,
        bold: bool = False,
        italic: bool = False,
        align: str = "left",
        wrap: bool = True,
        border: bool = False,
        number_format: str = "",
        vertical: str = "center",
    ) -> Any:
        key = (size, bold, italic, align, wrap, border, number_format, vertical)
        style = self._cache.get(key)
        if style is None:
            template = WriteOnlyCell(self.sheet)
            template.font = Font(name=FONT, size=size, bold=bold, italic=italic)
            template.alignment = Alignment(horizontal=align, vertical=vertical, wrap_text=wrap)
            if border:
                template.border = GRID
            if number_format:
                template.number_format = number_format
            style = self._cache[key] = template._style  # type: ignore[attr-defined]
        cell: Any = WriteOnlyCell(self.sheet, value)
        cell._style = copy(style)
        return cell


@dataclass
class _SheetPlan:
    title: str
    tables: list[Table] = field(default_factory=list)
    first: bool = False


def _plan(document: Document) -> list[_SheetPlan]:
    taken: set[str] = set()
    tables = [b for b in document.blocks if isinstance(b, Table)]
    first_name = (tables[0].sheet or tables[0].caption) if tables else document.title
    first = _SheetPlan(_sheet_title(first_name or "Report", taken), first=True)
    sheets = [first]
    by_name: dict[str, _SheetPlan] = {}
    for table in tables:
        if not table.sheet or table is tables[0] or table.sheet == tables[0].sheet:
            first.tables.append(table)
            continue
        sheet = by_name.get(table.sheet)
        if sheet is None:
            sheet = by_name[table.sheet] = _SheetPlan(_sheet_title(table.sheet, taken))
            sheets.append(sheet)
        sheet.tables.append(table)
    return sheets


class _Writer:
    """Appends rows to one write-only sheet, counting them."""

    def __init__(self, sheet: Any, width: int) -> None:
        self.sheet = sheet
        self.width = width
        self.row = 0
        self.styles = _Styles(sheet)

    def append(self, values: list[Any]) -> int:
        self.sheet.append(values)
        self.row += 1
        return self.row

    def merged_line(
        self, text: str, *, first: int = 1, last: int | None = None, **style: Any
    ) -> None:
        last = last or self.width
        row = [None] * (first - 1) + [self.styles.cell(text, **style)]
        self.append(row)
        if last > first:
            self.sheet.merged_cells.add(
                f"{get_column_letter(first)}{self.row}:{get_column_letter(last)}{self.row}"
            )

    def pair(self, left: Any, right: Any, split: int) -> None:
        """One row of the two-column header: left over columns 1..split, right the rest."""
        row: list[Any] = [left] + [None] * (split - 1) + [right]
        self.append(row)
        if split > 1:
            self.sheet.merged_cells.add(f"A{self.row}:{get_column_letter(split)}{self.row}")
        if self.width > split + 1:
            self.sheet.merged_cells.add(
                f"{get_column_letter(split + 1)}{self.row}:"
                f"{get_column_letter(self.width)}{self.row}"
            )


def _setup_sheet(sheet: Any, document: Document, widths: list[float]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    setup = sheet.page_setup
    setup.paperSize = Worksheet.PAPERSIZE_A4
    setup.orientation = "landscape" if document.landscape else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    margins = sheet.page_margins
    margins.left = MARGIN_CM["left"] / CM_PER_INCH
    margins.right = MARGIN_CM["right"] / CM_PER_INCH
    margins.top = MARGIN_CM["top"] / CM_PER_INCH
    margins.bottom = MARGIN_CM["bottom"] / CM_PER_INCH
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "&P / &N"


def _widths(tables: list[Table], landscape: bool) -> list[float]:
    """Excel column widths (characters) from the widest table's relative widths."""
    total = 150.0 if landscape else 100.0
    widest = max(tables, key=lambda t: len(t.columns), default=None)
    if widest is None:
        return [total / 4] * 4
    weights = [max(c.width, 0.1) for c in widest.columns]
    scale = total / sum(weights)
    widths = [max(6.0, round(w * scale, 1)) for w in weights]
    while len(widths) < 4:
        widths.append(12.0)
    return widths


def _header_rows(document: Document) -> int:
    # issuer rows (2 or 3), blank, title, subtitle?, data line, blank
    return 3 + 1 + 1 + (1 if document.subtitle else 0) + 1 + 1


def _write_header(writer: _Writer, document: Document) -> None:
    header = document.header
    split = max(1, round(writer.width * 0.4))
    cell = writer.styles.cell
    left_lines: list[tuple[str, bool]] = []
    if header.issuer_parent:
        left_lines.append((header.issuer_parent.upper(), False))
    left_lines.append((header.issuer.upper(), True))
    left_lines.append((number_line(header), False))
    right_lines = [(NATION, True, False), (MOTTO, True, False), (date_line(header), False, True)]
    for index in range(3):
        left = left_lines[index] if index < len(left_lines) else ("", False)
        text, bold, italic = right_lines[index]
        writer.pair(
            cell(left[0], size=13, bold=left[1], align="center", wrap=False),
            cell(text, size=14 if text == MOTTO else 13, bold=bold, italic=italic, align="center"),
            split,
        )
    writer.append([])
    writer.merged_line(document.title.upper(), size=14, bold=True, align="center")
    if document.subtitle:
        writer.merged_line(document.subtitle, size=13, bold=True, align="center")
    writer.merged_line(data_line(document), size=11, italic=True, align="center")
    writer.append([])


def _write_table(writer: _Writer, table: Table, *, standalone_caption: bool) -> int:
    """Writes caption, header row and body; returns the header row's number."""
    cell = writer.styles.cell
    if table.caption and standalone_caption:
        writer.merged_line(table.caption, size=12, bold=True, align="left", wrap=False)
    if table.unit_note:
        writer.merged_line(table.unit_note, size=11, italic=True, align="right")
    writer.append([cell(c.title, bold=True, align="center", border=True) for c in table.columns])
    header_row = writer.row
    if len(table.rows) > BULK_ROWS:
        _write_bulk_rows(writer, table)
        writer.append([])
        return header_row
    columns = table.columns
    width = len(columns)
    last = len(table.rows) - 1
    # Per column: the style of a plain cell; numbers get their format by value.
    for index, values in enumerate(table.rows):
        total = table.total_row and index == last
        row: list[Any] = []
        merges: list[tuple[int, int]] = []
        position = 0
        for value in values:
            if position >= width:
                break
            column = columns[position]
            raw = plain(value)
            span = max(1, min(value.colspan if isinstance(value, Cell) else 1, width - position))
            bold = total or (isinstance(value, Cell) and value.bold)
            italic = isinstance(value, Cell) and value.italic
            is_number = isinstance(raw, int | Decimal) and not isinstance(raw, bool)
            row.append(
                cell(
                    raw,
                    bold=bold,
                    italic=italic,
                    align=column.align,
                    border=True,
                    number_format=_number_format(column, raw) if is_number else "",
                    wrap=not is_number,
                )
            )
            if span > 1:
                row.extend(cell(None, border=True) for _ in range(span - 1))
                merges.append((position + 1, position + span))
            position += span
        row.extend(cell(None, border=True) for _ in range(width - position))
        writer.append(row)
        for first, end in merges:
            writer.sheet.merged_cells.add(
                f"{get_column_letter(first)}{writer.row}:{get_column_letter(end)}{writer.row}"
            )
    writer.append([])
    return header_row


def _write_bulk_rows(writer: _Writer, table: Table) -> None:
    """The fast path of long tables (a province's 10,035 communes): cells are written as plain
    values, styled only where a number needs its format or the text is bold/italic; the sheet
    prints gridlines in place of cell borders."""
    cell = writer.styles.cell
    writer.sheet.print_options.gridLines = True
    columns = table.columns
    width = len(columns)
    # Columns whose numbers need a format (decimals, or Decimals that carry them).
    formatted = [c.decimals is not None and c.decimals > 0 for c in columns]
    last = len(table.rows) - 1
    append = writer.sheet.append
    for index, values in enumerate(table.rows):
        total = table.total_row and index == last
        row: list[Any] = []
        position = 0
        for value in values:
            if position >= width:
                break
            if isinstance(value, Cell) or total:
                column = columns[position]
                raw = plain(value)
                span = value.colspan if isinstance(value, Cell) else 1
                is_number = isinstance(raw, int | Decimal) and not isinstance(raw, bool)
                row.append(
                    cell(
                        raw,
                        bold=total or (isinstance(value, Cell) and value.bold),
                        italic=isinstance(value, Cell) and value.italic,
                        align=column.align,
                        number_format=_number_format(column, raw) if is_number else "",
                        wrap=False,
                    )
                )
                row.extend([None] * (max(1, span) - 1))
                position += max(1, span)
                continue
            if value is not None and (
                formatted[position] or (type(value) is Decimal and value != value.to_integral())
            ):
                column = columns[position]
                row.append(
                    cell(
                        value,
                        align=column.align,
                        number_format=_number_format(column, value),
                        wrap=False,
                    )
                )
            else:
                row.append(value)
            position += 1
        append(row)
    writer.row += len(table.rows)


def _chart_image(chart: Chart) -> tuple[Image, int]:
    """The chart's PNG at its width in centimetres, and the rows it covers."""
    image = Image(io.BytesIO(chart.png))
    scale = (chart.width_cm / CM_PER_INCH * 96) / image.width
    image.width, image.height = round(image.width * scale), round(image.height * scale)
    return image, int(image.height / 96 * CM_PER_INCH / ROW_CM) + 2


def _rows_before(document: Document, table: Table) -> int:
    """Rows the first sheet's blocks take above ``table`` (its header row must be known first)."""
    rows = 0
    for block in document.blocks:
        if block is table:
            break
        if isinstance(block, Heading | Paragraph):
            rows += 1
        elif isinstance(block, Chart):
            rows += _chart_image(block)[1]
        elif isinstance(block, Table):
            rows += (
                len(block.rows) + 2 + (1 if block.caption else 0) + (1 if block.unit_note else 0)
            )
    return rows


def _write_chart(writer: _Writer, chart: Chart) -> None:
    image, rows = _chart_image(chart)
    writer.sheet.add_image(image, f"A{writer.row + 1}")
    for _row in range(rows):
        writer.append([])


def _write_closing(writer: _Writer, document: Document) -> None:
    cell = writer.styles.cell
    for note in document.footnotes:
        writer.merged_line(note, size=11, italic=True, align="left")
    writer.append([])
    split = max(1, round(writer.width * 0.45))
    left: list[Any] = []
    if document.recipients:
        left.append(cell(RECIPIENTS_LABEL, size=12, bold=True, italic=True, wrap=False))
        left.extend(cell(f"- {r}", size=11, wrap=False) for r in document.recipients)
    right: list[Any] = []
    signature = document.signature
    if signature is not None:
        for line in (signature.on_behalf, signature.authority, signature.position):
            if line:
                right.append(cell(line.upper(), size=13, bold=True, align="center"))
        right.extend([None, None, None])
        if signature.name:
            right.append(cell(signature.name, size=13, bold=True, align="center"))
    for index in range(max(len(left), len(right))):
        writer.pair(
            left[index] if index < len(left) else None,
            right[index] if index < len(right) else None,
            split,
        )


def render_xlsx(document: Document) -> bytes:
    # A workbook has no "after the signature": the appendix's tables go to their sheets.
    if document.appendix:
        document = replace(document, blocks=[*document.blocks, *document.appendix], appendix=[])
    workbook = Workbook(write_only=True)
    # The workbook's default font (every cell without a style of its own): Times New Roman 12.
    workbook._fonts = IndexedList([Font(name=FONT, size=12)])  # type: ignore[attr-defined]
    for plan in _plan(document):
        sheet = workbook.create_sheet(plan.title)
        widths = _widths(plan.tables, document.landscape)
        _setup_sheet(sheet, document, widths)
        writer = _Writer(sheet, len(widths))
        offset = 0
        if plan.first:
            offset = _header_rows(document)
        if plan.tables:
            # The first table's header row is frozen and printed on every page: its row is known
            # before streaming (write-only sheets take views before the first row).
            first = plan.tables[0]
            before = _rows_before(document, first) if plan.first else 0
            header_row = (
                offset + before + (1 if first.caption else 0) + (1 if first.unit_note else 0) + 1
            )
            if header_row <= MAX_FROZEN:
                sheet.freeze_panes = f"A{header_row + 1}"
            sheet.print_title_rows = f"{header_row}:{header_row}"
        if plan.first:
            _write_header(writer, document)
            for block in document.blocks:
                if isinstance(block, Table) and any(block is t for t in plan.tables):
                    _write_table(writer, block, standalone_caption=True)
                elif isinstance(block, Heading):
                    writer.merged_line(
                        block.text, size=12, bold=block.level <= 2, italic=block.level >= 3
                    )
                elif isinstance(block, Paragraph):
                    writer.merged_line(block.text, size=12, bold=block.bold, italic=block.italic)
                elif isinstance(block, Chart):
                    _write_chart(writer, block)
            _write_closing(writer, document)
        else:
            for table in plan.tables:
                _write_table(writer, table, standalone_caption=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
