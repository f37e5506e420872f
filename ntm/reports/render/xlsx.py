"""A ``Document`` as an Excel workbook (openpyxl, write-only mode).

Every workbook is streamed in write-only mode, so a province roll-up of 10,035 communes costs
little more than writing its bare cells. The first sheet starts with the Decree 30 header lines,
title and data line; tables without a sheet of their own stack below them, and the footnotes,
"Nơi nhận:" and the signature close it. A table with another ``sheet`` name gets that worksheet.

Numbers stay numbers (int/Decimal) with a number format, so officials can sum them. The format
codes are Excel's locale-independent ones (``#,##0``, ``#,##0.0``: "," groups, "." marks decimals
in the code), which Excel and LibreOffice display with the reader's separators: 1.234,5 on a
Vietnamese system. A fixed number of decimals per value (not ``#,##0.##``, which prints "93," for
a whole number) keeps each figure as the printed report shows it. Dates are date cells
(``dd/mm/yyyy``).

Layout (Decree 30 on paper): every written row with text gets a height from its wrapped lines (Excel
never grows a merged or pre-styled row by itself), a chart is anchored below the table it follows
on rows reserved for its height, and each sheet prints on A4 to the page's width with its print
area, the table's header row repeated and the page number centred in the top margin from page 2.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
from copy import copy
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ntm.reports.document import Block, Cell, Chart, Column, Document, Heading, Paragraph, Table
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
CHART_ROW_PT = 20.0  # rows reserved under a chart image, each this high
DATE_FORMAT = "dd/mm/yyyy"
# Excel measures a column in widths of the default font's digit: Times New Roman 12 pt has 6 pt
# digits; a cell's padding takes about 3 pt.
DIGIT_PT = 6.0
PADDING_PT = 3.0
LINE_HEIGHT = 1.3  # a line of Times New Roman in Excel/LibreOffice, in font sizes (15.75 pt at 12)
SAFETY = 1.08  # estimate text a little wider than it is: a row a bit tall rather than clipped
MAX_ROW_PT = 409.0  # Excel's highest row
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
    if isinstance(value, dt.date):
        return DATE_FORMAT
    if column.decimals is not None:
        return "#,##0" if column.decimals == 0 else "#,##0." + "0" * column.decimals
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        digits = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return "#,##0" + ("." + "0" * digits if digits else "")
    return "#,##0"


# Advance widths of Times New Roman (metric-compatible Liberation Serif), in em: enough to count
# the lines a text wraps to, as Excel does not measure a merged cell's text for its row.
_NARROW = set(".,;:'!|()-/[]ijlft ")
_WIDE = set("mwMW%@")


def _text_pt(text: str, size: float, bold: bool) -> float:
    em = 0.0
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            continue  # Vietnamese tone marks sit on their letter
        if char == " ":
            em += 0.25
        elif char in _NARROW:
            em += 0.3
        elif char in _WIDE:
            em += 0.9
        elif char.isupper():
            em += 0.72 if bold else 0.67
        elif char.islower():
            em += 0.5 if bold else 0.47
        else:
            em += 0.5
    return em * size * SAFETY


def _line_count(text: str, width_pt: float, size: float, bold: bool) -> int:
    """The lines ``text`` takes in a cell ``width_pt`` wide, wrapped at spaces as Excel does (a
    word longer than the line breaks inside it)."""
    space = _text_pt(" ", size, bold)
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split(" "):
            length = _text_pt(word, size, bold)
            if used and used + space + length > width_pt:
                lines += 1
                used = 0.0
            elif used:
                used += space
            while length > width_pt:
                lines += 1
                length -= width_pt
            used += length
    return lines


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
    """A worksheet and the blocks it carries, in order; the first also has the header and the
    closing."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    first: bool = False

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


def _plan(document: Document) -> list[_SheetPlan]:
    """Tables with a sheet name of their own go to that sheet; a chart right after such a table
    goes with it (below it); everything else stays on the first sheet."""
    taken: set[str] = set()
    tables = [b for b in document.blocks if isinstance(b, Table)]
    first_name = (tables[0].sheet or tables[0].caption) if tables else document.title
    first = _SheetPlan(_sheet_title(first_name or "Report", taken), first=True)
    sheets = [first]
    by_name: dict[str, _SheetPlan] = {}
    previous: _SheetPlan = first
    for block in document.blocks:
        target = first
        if isinstance(block, Table) and block.sheet and block.sheet != tables[0].sheet:
            target = by_name.get(block.sheet) or _SheetPlan(_sheet_title(block.sheet, taken))
            if block.sheet not in by_name:
                by_name[block.sheet] = target
                sheets.append(target)
        elif isinstance(block, Chart):
            target = previous
        target.blocks.append(block)
        previous = target if isinstance(block, Table) else first
    return sheets


class _Writer:
    """Appends rows to one write-only sheet, counting them; each row with text gets its height."""

    def __init__(self, sheet: Any, widths: list[float]) -> None:
        self.sheet = sheet
        self.widths = widths
        self.width = len(widths)
        self.row = 0
        self.styles = _Styles(sheet)

    def span_pt(self, first: int, last: int) -> float:
        """The text width of columns ``first``..``last`` (1-based), merged."""
        chars = sum(self.widths[first - 1 : last])
        return chars * DIGIT_PT + (last - first) * 2 * PADDING_PT

    def append(self, values: list[Any], spans: dict[int, int] | None = None) -> int:
        """Writes a row; ``spans`` maps a 1-based column to the columns its cell is merged over.
        The row's height is set (before the row is streamed: write-only sheets read it then)
        from its tallest cell."""
        height = 0.0
        for index, cell in enumerate(values, start=1):
            if not isinstance(cell, SheetCell) or cell.value is None:
                continue
            font = cell.font
            size = float(font.sz or 12)
            lines = 1
            if cell.alignment.wrap_text and isinstance(cell.value, str):
                last = index + (spans or {}).get(index, 1) - 1
                lines = _line_count(cell.value, self.span_pt(index, last), size, bool(font.b))
            height = max(height, lines * size * LINE_HEIGHT)
        if height:
            self.sheet.row_dimensions[self.row + 1].height = min(round(height, 1), MAX_ROW_PT)
        self.sheet.append(values)
        self.row += 1
        return self.row

    def blank(self, height: float | None = None) -> None:
        if height is not None:
            self.sheet.row_dimensions[self.row + 1].height = height
        self.sheet.append([])
        self.row += 1

    def merge(self, first: int, last: int) -> None:
        if last > first:
            self.sheet.merged_cells.add(
                f"{get_column_letter(first)}{self.row}:{get_column_letter(last)}{self.row}"
            )

    def merged_line(
        self, text: str, *, first: int = 1, last: int | None = None, **style: Any
    ) -> None:
        last = last or self.width
        row = [None] * (first - 1) + [self.styles.cell(text, **style)]
        self.append(row, {first: last - first + 1})
        self.merge(first, last)

    def pair(self, left: Any, right: Any, split: int) -> None:
        """One row of the two-column header: left over columns 1..split, right the rest."""
        row: list[Any] = [left] + [None] * (split - 1) + [right]
        self.append(row, {1: split, split + 1: self.width - split})
        self.merge(1, split)
        self.merge(split + 1, self.width)


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
    margins.header = MARGIN_CM["top"] / 2 / CM_PER_INCH
    sheet.print_options.horizontalCentered = True
    # Decree 30 (Phụ lục I): the page number in Arabic digits, centred in the top margin, 13-14
    # pt, not on the first page (its own, empty, first-page header).
    sheet.HeaderFooter.differentFirst = True
    # Fit-to-width shrinks the header with the sheet unless told not to (10 pt instead of 13).
    sheet.HeaderFooter.scaleWithDoc = False
    page = sheet.oddHeader.center
    page.text, page.font, page.size = "&P", f"{FONT},Regular", 13


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
            cell(left[0], size=13, bold=left[1], align="center"),
            cell(text, size=14 if text == MOTTO else 13, bold=bold, italic=italic, align="center"),
            split,
        )
    writer.blank()
    writer.merged_line(document.title.upper(), size=14, bold=True, align="center")
    if document.subtitle:
        writer.merged_line(document.subtitle, size=13, bold=True, align="center")
    writer.merged_line(data_line(document), size=11, italic=True, align="center")
    writer.blank()


def _is_numeric(value: Any) -> bool:
    """Numbers, and dates (Excel stores a date as a number of days)."""
    return isinstance(value, int | Decimal | dt.date) and not isinstance(value, bool)


def _write_table(writer: _Writer, table: Table) -> int:
    """Writes caption, header row and body; returns the header row's number."""
    cell = writer.styles.cell
    if table.caption:
        writer.merged_line(table.caption, size=12, bold=True, align="left")
    if table.unit_note:
        writer.merged_line(table.unit_note, size=11, italic=True, align="right")
    writer.append([cell(c.title, bold=True, align="center", border=True) for c in table.columns])
    header_row = writer.row
    if len(table.rows) > BULK_ROWS:
        _write_bulk_rows(writer, table)
        writer.blank()
        return header_row
    columns = table.columns
    width = len(columns)
    last = len(table.rows) - 1
    for index, values in enumerate(table.rows):
        total = table.total_row and index == last
        row: list[Any] = []
        spans: dict[int, int] = {}
        position = 0
        for value in values:
            if position >= width:
                break
            column = columns[position]
            raw = plain(value)
            span = max(1, min(value.colspan if isinstance(value, Cell) else 1, width - position))
            bold = total or (isinstance(value, Cell) and value.bold)
            italic = isinstance(value, Cell) and value.italic
            numeric = _is_numeric(raw)
            row.append(
                cell(
                    raw,
                    bold=bold,
                    italic=italic,
                    # a label merged over a centred column reads from the left, as in DOCX/PDF
                    align="left" if span > 1 and column.align != "center" else column.align,
                    border=True,
                    number_format=_number_format(column, raw) if numeric else "",
                    wrap=not numeric,
                )
            )
            if span > 1:
                row.extend(cell(None, border=True) for _ in range(span - 1))
                spans[position + 1] = span
            position += span
        row.extend(cell(None, border=True) for _ in range(width - position))
        writer.append(row, spans)
        for first, span in spans.items():
            writer.merge(first, first + span - 1)
    writer.blank()
    return header_row


def _write_bulk_rows(writer: _Writer, table: Table) -> None:
    """The fast path of long tables (a province's 10,035 communes): cells are written as plain
    values, styled only where a number needs its format or the text is bold/italic; the sheet
    prints gridlines in place of cell borders. Nothing wraps, so rows keep the default height."""
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
                row.append(
                    cell(
                        raw,
                        bold=total or (isinstance(value, Cell) and value.bold),
                        italic=isinstance(value, Cell) and value.italic,
                        align=column.align,
                        number_format=_number_format(column, raw) if _is_numeric(raw) else "",
                        wrap=False,
                    )
                )
                row.extend([None] * (max(1, span) - 1))
                position += max(1, span)
                continue
            if value is not None and (
                formatted[position]
                or isinstance(value, dt.date)
                or (type(value) is Decimal and value != value.to_integral())
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
    """The chart's PNG at its width in centimetres, and the rows reserved for it (each
    ``CHART_ROW_PT`` high, one spare): nothing written below can slide under the image."""
    image = Image(io.BytesIO(chart.png))
    scale = (chart.width_cm / CM_PER_INCH * 96) / image.width
    image.width, image.height = round(image.width * scale), round(image.height * scale)
    height_pt = image.height * 72 / 96
    return image, math.ceil(height_pt / CHART_ROW_PT) + 1


def _block_rows(block: Block) -> int:
    """The rows ``_write_block`` takes for a block (known before streaming the sheet)."""
    if isinstance(block, Heading | Paragraph):
        return 1
    if isinstance(block, Chart):
        return _chart_image(block)[1]
    return len(block.rows) + 2 + (1 if block.caption else 0) + (1 if block.unit_note else 0)


def _write_chart(writer: _Writer, chart: Chart) -> None:
    image, rows = _chart_image(chart)
    writer.sheet.add_image(image, f"A{writer.row + 1}")
    for _row in range(rows):
        writer.blank(CHART_ROW_PT)


def _write_block(writer: _Writer, block: Block) -> None:
    if isinstance(block, Table):
        _write_table(writer, block)
    elif isinstance(block, Heading):
        writer.merged_line(block.text, size=12, bold=block.level <= 2, italic=block.level >= 3)
    elif isinstance(block, Paragraph):
        writer.merged_line(block.text, size=12, bold=block.bold, italic=block.italic)
    else:
        _write_chart(writer, block)


def _write_closing(writer: _Writer, document: Document) -> None:
    cell = writer.styles.cell
    for note in document.footnotes:
        writer.merged_line(note, size=11, italic=True, align="left")
    writer.blank()
    split = max(1, round(writer.width * 0.45))
    left: list[Any] = []
    if document.recipients:
        left.append(cell(RECIPIENTS_LABEL, size=12, bold=True, italic=True))
        left.extend(cell(f"- {r}", size=11) for r in document.recipients)
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
        writer = _Writer(sheet, widths)
        tables = plan.tables
        if tables:
            # The first table's header row is frozen and printed on every page: its row is known
            # before streaming (write-only sheets take views before the first row).
            first = tables[0]
            header_row = _header_rows(document) if plan.first else 0
            for block in plan.blocks:
                if block is first:
                    break
                header_row += _block_rows(block)
            header_row += (1 if first.caption else 0) + (1 if first.unit_note else 0) + 1
            if header_row <= MAX_FROZEN:
                sheet.freeze_panes = f"A{header_row + 1}"
            sheet.print_title_rows = f"{header_row}:{header_row}"
        if plan.first:
            _write_header(writer, document)
        for block in plan.blocks:
            _write_block(writer, block)
        if plan.first:
            _write_closing(writer, document)
        sheet.print_area = f"A1:{get_column_letter(writer.width)}{max(writer.row, 1)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
