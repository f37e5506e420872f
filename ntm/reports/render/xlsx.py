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
on rows reserved for its height, and each sheet prints on A4 with its print area, the table's
header row repeated and the page number (13 pt) centred in the top margin from page 2. The
columns fill the page's text width, so the sheet prints at 100 % and its 13-14 pt texts at their
size; the rules under the issuer and the motto are thin pictures as long as Decree 30 asks; page
breaks keep captions and headings with what follows, charts whole and the signature with the
body's last row.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections import defaultdict
from copy import copy
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.drawing.image import Image
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, OneCellAnchor
from openpyxl.drawing.xdr import XDRPositiveSize2D
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image as PILImage

from ntm.reports.document import (
    Block,
    Cell,
    Chart,
    Column,
    Document,
    Header,
    Heading,
    Paragraph,
    Table,
)
from ntm.reports.render.measure import column_widths, text_pt
from ntm.reports.render.text import (
    FONT,
    MARGIN_CM,
    MOTTO,
    NATION,
    PAGE_CM,
    RECIPIENTS_LABEL,
    TABLE_PT,
    cell_text,
    content_width_cm,
    data_line,
    date_line,
    number_line,
    plain,
)

THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
INVALID_SHEET = re.compile(r"[\[\]:*?/\\]")
CM_PER_INCH = 2.54
PT_PER_CM = 72 / CM_PER_INCH
EMU_PER_PT = 12700
CHART_ROW_PT = 20.0  # rows reserved under a chart image, each this high
DATE_FORMAT = "dd/mm/yyyy"
# Excel measures a column in widths of the default font's digit: Times New Roman 12 pt has 6 pt
# digits; a cell's padding takes about 3 pt.
DIGIT_PT = 6.0
PADDING_PT = 3.0
DEFAULT_ROW_PT = 15.6  # every row not given a height (set as the sheet's default)
LINE_HEIGHT = 1.3  # a line of Times New Roman in Excel/LibreOffice, in font sizes (15.75 pt at 12)
SAFETY = 1.05  # text a little wider than measured: a row a bit tall rather than clipped
MAX_ROW_PT = 409.0  # Excel's highest row
BULK_ROWS = 2000  # longer tables take the fast path: plain cells, gridlines printed instead
MAX_FROZEN = 16  # freeze a table's header only when the rows above it leave room to scroll
# The columns fill this share of the page's text width: the sheet then prints at 100 % (fit to
# width only ever shrinks), so its 13-14 pt header and page number print at their size.
# LibreOffice scales the page header with the sheet whatever ``scaleWithDoc`` says.
FIT = 0.98
NATION_PT = 12.5  # as in DOCX: the nation's line on one line in 60 % of a portrait page
RULE_PT = 0.75  # the rules' thickness
RULE_GAP_PT = 2.0  # from the top of the row under the text: clear of its descenders ("lập")
KEEP_SLACK_PT = 6.0  # room to spare for rows kept on one page
RULE_ROW_PT = 6.0  # the empty row that holds the rules, between the motto and the date line


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


def _text_pt(text: str, size: float, bold: bool) -> float:
    """A text's width as printed (Liberation Serif, Times New Roman's metrics), a little wide:
    Excel does not measure a merged cell's text for its row, so the lines are counted here."""
    return text_pt(text, size, bold) * SAFETY


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
    """Appends rows to one write-only sheet, counting them; each row with text gets its height.
    The heights are kept, and the runs of rows to print on one page (``keep``), for the page
    breaks."""

    def __init__(self, sheet: Any, widths: list[float]) -> None:
        self.sheet = sheet
        self.widths = widths
        self.width = len(widths)
        self.row = 0
        self.styles = _Styles(sheet)
        self.heights: list[float] = []
        self.keep: list[tuple[int, int]] = []  # first and last row (1-based) of each run
        self.last_text = 0  # the last row written with something in it

    def span_pt(self, first: int, last: int) -> float:
        """The text width of columns ``first``..``last`` (1-based), merged: a width counts the
        cell's padding (Excel's column width is in digits with 5 px of padding included)."""
        chars = sum(self.widths[first - 1 : last])
        return chars * DIGIT_PT - 2 * PADDING_PT

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
            height = min(round(height, 1), MAX_ROW_PT)
            self.sheet.row_dimensions[self.row + 1].height = height
        self.heights.append(height or DEFAULT_ROW_PT)
        self.sheet.append(values)
        self.row += 1
        if any(v is not None for v in values):
            self.last_text = self.row
        return self.row

    def blank(self, height: float | None = None) -> None:
        if height is not None:
            self.sheet.row_dimensions[self.row + 1].height = height
        self.heights.append(height or DEFAULT_ROW_PT)
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
    # Rows without a height of their own (blank, long tables') at a known height: the page
    # breaks are laid out from the rows' heights.
    sheet.sheet_format.defaultRowHeight = DEFAULT_ROW_PT
    sheet.sheet_format.customHeight = True
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
    """Excel column widths (characters of ``DIGIT_PT``) of the widest table, filling ``FIT`` of
    the page's text width: its relative widths, each column at least as wide as its longest
    word (as DOCX/PDF measure them). At least four columns, for the header's two halves."""
    total_cm = content_width_cm(landscape) * FIT
    widest = max(tables, key=lambda t: len(t.columns), default=None)
    columns = widest.columns if widest is not None else []
    spare = max(0, 4 - len(columns))  # padding columns of a narrow table, 2 cm each
    widths_cm = [2.0] * spare
    if widest is not None:
        # A long table's first rows stand for the rest (its words are alike, the cost is not).
        rows = widest.rows
        if len(rows) > BULK_ROWS:
            rows = [*rows[: BULK_ROWS - 1], rows[-1]]  # with the total row
        widths_cm[:0] = column_widths(
            columns, rows, total_cm - 2.0 * spare, size=TABLE_PT, bold_last=widest.total_row
        )
    if not columns:
        widths_cm = [total_cm / 4] * 4
    points = [cm * PT_PER_CM for cm in widths_cm]
    # The sheet's other tables share these columns: a number or a date does not wrap (Excel
    # prints "###" for it), so its column widens, taking the room from those with room.
    need = _unwrapped_pt(tables, len(points))
    short = sum(max(0.0, n - p) for n, p in zip(need, points, strict=True))
    room = sum(max(0.0, p - n) for n, p in zip(need, points, strict=True))
    if short and room > short:
        points = [
            max(n, p - short * max(0.0, p - n) / room) for n, p in zip(need, points, strict=True)
        ]
    return [round(p / DIGIT_PT, 2) for p in points]


def _unwrapped_pt(tables: list[Table], count: int) -> list[float]:
    """For each of ``count`` columns, the width its tables' numbers and dates print in (they
    do not wrap), padding included."""
    need = [0.0] * count
    for table in tables:
        last = len(table.rows) - 1
        rows = table.rows[:BULK_ROWS]
        for index, values in enumerate(rows):
            position = 0
            for value in values:
                if position >= min(count, len(table.columns)):
                    break
                span = value.colspan if isinstance(value, Cell) else 1
                if span <= 1 and _is_numeric(plain(value)):
                    bold = (table.total_row and index == last) or (
                        isinstance(value, Cell) and value.bold
                    )
                    text = cell_text(value, table.columns[position])
                    width = _text_pt(text, TABLE_PT, bool(bold)) + 2 * PADDING_PT
                    need[position] = max(need[position], width)
                position += max(1, span)
    return need


def _header_rows(document: Document) -> int:
    # issuer and nation, issuer and motto, the rules' row, number and date lines, blank, title,
    # subtitle?, data line, blank
    return 4 + 1 + 1 + (1 if document.subtitle else 0) + 1 + 1


def _header_columns(
    widths: list[float], header: Header, unwrapped: list[float]
) -> tuple[list[float], int]:
    """The columns of the header's left half (the issuer), and the widths, adjusted if need be:
    the right half must hold the nation's line, the left the issuer's longest line. Of the
    column boundaries that allow both, the one nearest 40 % of the width (as in DOCX). If none
    does, the column the boundary falls in gives up the room (down to half its width) to the
    columns after it; failing that, the nation's line wraps rather than the issuer's words."""
    points = [w * DIGIT_PT for w in widths]
    total = sum(points)
    edges = [sum(points[:k]) for k in range(len(points) + 1)]
    right_pt = text_pt(NATION, NATION_PT, bold=True) + 2 * PADDING_PT
    lines = [header.issuer_parent.upper(), number_line(header)] if header.issuer_parent else []
    left_pt = 2 * PADDING_PT + max(
        [text_pt(header.issuer.upper(), 13, bold=True)] + [text_pt(t, 13) for t in lines]
    )
    splits = range(1, len(points))
    fitting = [k for k in splits if edges[k] >= left_pt and total - edges[k] >= right_pt]
    if fitting:
        return widths, min(fitting, key=lambda k: abs(edges[k] - 0.4 * total))
    boundary = total - right_pt
    if boundary >= left_pt:
        k = next(k for k in splits if edges[k] > boundary)  # column k straddles the boundary
        cut = edges[k] - boundary
        if cut <= min(points[k - 1] / 2, points[k - 1] - unwrapped[k - 1]):
            rest = sum(points[k:])
            points[k - 1] -= cut
            points[k:] = [p + cut * p / rest for p in points[k:]]
            return [round(p / DIGIT_PT, 2) for p in points], k
    word_pt = 2 * PADDING_PT + max(text_pt(w, 13, bold=True) for w in header.issuer.split())
    wide = [k for k in splits if edges[k] >= word_pt] or [len(points) - 1]
    return widths, min(wide, key=lambda k: abs(edges[k] - 0.4 * total))


@cache
def _rule_png() -> bytes:
    """One black pixel, stretched to a rule."""
    buffer = io.BytesIO()
    PILImage.new("1", (1, 1), 0).save(buffer, "PNG")
    return buffer.getvalue()


def _rule(writer: _Writer, *, first: int, last: int, row: int, width_pt: float) -> None:
    """Decree 30's short rule under a header line: a thin picture centred on columns
    ``first``..``last`` (1-based, where the line is merged and centred), ``RULE_GAP_PT`` below
    the top of ``row``. A cell border would run the columns' whole width, not the text's."""
    edges = [0.0]
    for width in writer.widths:
        edges.append(edges[-1] + width * DIGIT_PT)
    span = edges[last] - edges[first - 1]
    width_pt = min(width_pt, span)
    start = edges[first - 1] + (span - width_pt) / 2
    # The anchor's column and the offset inside it (Excel reads an offset within its cell).
    column = max(c for c in range(len(writer.widths)) if edges[c] <= start)
    image = Image(io.BytesIO(_rule_png()))
    anchor = OneCellAnchor(
        _from=AnchorMarker(
            col=column,
            colOff=round((start - edges[column]) * EMU_PER_PT),
            row=row - 1,
            rowOff=round(RULE_GAP_PT * EMU_PER_PT),
        ),
        ext=XDRPositiveSize2D(round(width_pt * EMU_PER_PT), round(RULE_PT * EMU_PER_PT)),
    )
    writer.sheet.add_image(image, anchor)


def _write_header(writer: _Writer, document: Document, split: int) -> None:
    """The issuer (its parent above it, if any) on the left, the nation and the motto on the
    right, each of the issuer and the motto with its rule under it; then the number and the
    date lines, level with each other, the title and the data line."""
    header = document.header
    cell = writer.styles.cell
    parent = header.issuer_parent.upper() if header.issuer_parent else ""
    issuer = header.issuer.upper()
    left = [(parent, False), (issuer, True)] if parent else [(issuer, True), ("", False)]
    right = [(NATION, NATION_PT), (MOTTO, 14.0)]
    rows = []
    for (text, bold), (line, size) in zip(left, right, strict=True):
        writer.pair(
            cell(text, size=13, bold=bold, align="center"),
            cell(line, size=size, bold=True, align="center"),
            split,
        )
        rows.append(writer.row)
    writer.blank(RULE_ROW_PT)
    # Decree 30: under the issuer's name a rule a third to a half as long (0.4, at least 1.5 cm,
    # as in DOCX/PDF); under the motto one as long as it.
    issuer_pt = min(text_pt(issuer, 13, bold=True), writer.span_pt(1, split))
    under_issuer = rows[1] + 1 if parent else rows[0] + 1
    _rule(
        writer,
        first=1,
        last=split,
        row=under_issuer,
        width_pt=max(issuer_pt * 0.4, 1.5 * PT_PER_CM),
    )
    motto_pt = text_pt(MOTTO, 14, bold=True)
    _rule(writer, first=split + 1, last=writer.width, row=rows[1] + 1, width_pt=motto_pt)
    writer.pair(
        cell(number_line(header), size=13, align="center"),
        cell(date_line(header), size=13, italic=True, align="center"),
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
    # The caption and the header row stay with the first row of the body.
    writer.keep.append(
        (writer.row + 1, writer.row + 2 + bool(table.caption) + bool(table.unit_note))
    )
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
    writer.heights.extend([DEFAULT_ROW_PT] * len(table.rows))
    writer.last_text = writer.row


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
    writer.keep.append((writer.row + 1, writer.row + rows))  # a picture cut by a page break
    writer.last_text = writer.row + 1
    for _row in range(rows):
        writer.blank(CHART_ROW_PT)


def _write_block(writer: _Writer, block: Block) -> None:
    if isinstance(block, Table):
        _write_table(writer, block)
    elif isinstance(block, Heading):
        writer.merged_line(block.text, size=12, bold=block.level <= 2, italic=block.level >= 3)
        writer.keep.append((writer.row, writer.row + 1))  # with what follows it
    elif isinstance(block, Paragraph):
        writer.merged_line(block.text, size=12, bold=block.bold, italic=block.italic)
    else:
        _write_chart(writer, block)


def _write_closing(writer: _Writer, document: Document) -> None:
    cell = writer.styles.cell
    # Decree 30: the signature never on a page of its own: the last row of the body goes with
    # the footnotes, the recipients and the signature.
    start = writer.last_text
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
    count = max(len(left), len(right))
    writer.keep.append((start or 1, writer.row + count))
    writer.keep.append((writer.row + 1, writer.row + count))  # if that is more than a page
    for index in range(count):
        writer.pair(
            left[index] if index < len(left) else None,
            right[index] if index < len(right) else None,
            split,
        )


def _page_breaks(writer: _Writer, landscape: bool, title_row: int) -> None:
    """Manual page breaks before each run of ``writer.keep`` that would otherwise be split,
    laying the rows out as Excel and LibreOffice do at 100 %: a row that does not fit starts
    the next page, which repeats the title row (the table's header) once the page has passed
    it. Runs that overlap are one run; of runs starting on one row, the longest that fits a
    page is kept. A run must fit with ``KEEP_SLACK_PT`` to spare (a needless break rather than
    a split signature, should a renderer round the heights up)."""
    page_pt = (PAGE_CM[0] if landscape else PAGE_CM[1]) - MARGIN_CM["top"] - MARGIN_CM["bottom"]
    page_pt *= PT_PER_CM
    runs: list[list[int]] = []
    for first, last in sorted(writer.keep):
        joined = next((r for r in runs if r[0] <= first <= r[1] < last), None)
        if joined is not None:  # a heading's run reaching into a table's
            joined[1] = last
        else:
            runs.append([first, last])
    ends: dict[int, list[int]] = defaultdict(list)
    for first, last in runs:
        ends[first].append(last)
    heights = writer.heights
    title_pt = heights[title_row - 1] if title_row else 0.0
    used = 0.0
    for row in range(1, len(heights) + 1):
        height = heights[row - 1]
        top = title_pt if title_row and title_row < row else 0.0
        room = page_pt - top - KEEP_SLACK_PT
        needs = [sum(heights[row - 1 : last]) for last in ends.get(row, [])]
        need = max([n for n in needs if n <= room], default=0.0)
        if used + height > page_pt:
            used = top  # the row goes over: the next page
        elif used > top and need and used + need > page_pt - KEEP_SLACK_PT:
            writer.sheet.row_breaks.append(Break(id=row - 1))  # after the row above
            used = top
        used += height


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
        split = 0
        if plan.first:
            unwrapped = _unwrapped_pt(plan.tables, len(widths))
            widths, split = _header_columns(widths, document.header, unwrapped)
        _setup_sheet(sheet, document, widths)
        writer = _Writer(sheet, widths)
        tables = plan.tables
        header_row = 0
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
            _write_header(writer, document, split)
        for block in plan.blocks:
            _write_block(writer, block)
        if plan.first:
            _write_closing(writer, document)
        _page_breaks(writer, document.landscape, header_row)
        sheet.print_area = f"A1:{get_column_letter(writer.width)}{max(writer.row, 1)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
