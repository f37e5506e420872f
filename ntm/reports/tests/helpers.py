"""Re-open generated files the way a reader would: python-docx, openpyxl, pdftotext, pdftoppm."""

import io
import subprocess
import tempfile
from pathlib import Path

import docx
import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from PIL import ImageFont


def pdf_text(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        return subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def pdf_first_page_png(data: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "doc.pdf"
        source.write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(source), f"{folder}/page"],
            check=True,
        )
        return next(Path(folder).glob("page*.png")).read_bytes()


def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def docx_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def docx_table(document, index: int) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in document.tables[index].rows]


def open_xlsx(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_rows(sheet) -> list[tuple]:
    return [row for row in sheet.iter_rows(values_only=True)]


# XLSX layout as LibreOffice or Excel lays it out: Times New Roman is metric-compatible with
# Liberation Serif, so a text's real width is measured with that font (Pillow), independently of
# the renderer's own estimate.
EMU_PER_PT = 12700
DEFAULT_ROW_PT = 15.0


def _font(bold: bool, size: float):
    name = "LiberationSerif-Bold.ttf" if bold else "LiberationSerif-Regular.ttf"
    try:
        return ImageFont.truetype(name, round(size * 10))  # tenths of a point: finer widths
    except OSError:
        pytest.skip("Liberation Serif is not installed (Debian: fonts-liberation)")


def real_lines(text: str, width_pt: float, size: float, bold: bool) -> int:
    """Lines a text wraps to at spaces in ``width_pt``, measured with the real font."""
    font = _font(bold, size)
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and font.getlength(candidate) / 10 > width_pt:
                lines += 1
                line = word
            else:
                line = candidate
    return lines


def _merged_width(sheet, cell) -> tuple[int, int]:
    for merged in sheet.merged_cells.ranges:
        if cell.coordinate in merged:
            return merged.min_col, merged.max_col
    return cell.column, cell.column


def xlsx_layout_problems(workbook) -> list[str]:
    """What a reader would see go wrong: a row too low for its wrapped text (measured with the
    real font, 1.15 lines of the font size per line as LibreOffice sets Liberation Serif), a chart
    over written cells, a sheet without print area, print titles or page number header."""
    problems = []
    for sheet in workbook.worksheets:
        title = sheet.title
        if not sheet.print_area:
            problems.append(f"{title}: no print area")
        if sheet.oddHeader.center.text != "&P" or not sheet.HeaderFooter.differentFirst:
            problems.append(f"{title}: no centred page number from page 2")
        if sheet.firstHeader.center.text or sheet.oddFooter.center.text:
            problems.append(f"{title}: a page number on page 1 or in the footer")
        if not (sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage):
            problems.append(f"{title}: not fitted to the page's width")
        widths = {
            index: (sheet.column_dimensions[get_column_letter(index)].width or 8.43)
            for index in range(1, sheet.max_column + 1)
        }
        for row in sheet.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or not cell.alignment.wrap_text:
                    continue
                first, last = _merged_width(sheet, cell)
                width_pt = sum(widths[i] for i in range(first, last + 1)) * 6.0
                size = cell.font.sz or 12
                lines = real_lines(cell.value, width_pt, size, bool(cell.font.b))
                height = sheet.row_dimensions[cell.row].height
                if height is None or height < lines * size * 1.15:
                    problems.append(
                        f"{title}!{cell.coordinate}: {lines} lines of {size} pt in a row of "
                        f"{height} pt: {cell.value[:40]!r}"
                    )
        for image in sheet._images:
            if image.anchor.ext.height / EMU_PER_PT < 2:
                continue  # a rule under a heading line, not a chart
            start = image.anchor._from.row + 1
            needed = image.anchor.ext.height / EMU_PER_PT
            row = start
            while needed > 0:
                if any(c.value is not None for c in sheet[row]):
                    problems.append(f"{title}: the chart at row {start} covers row {row}")
                needed -= sheet.row_dimensions[row].height or DEFAULT_ROW_PT
                row += 1
    return problems
