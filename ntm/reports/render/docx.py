"""A ``Document`` as a Word file (python-docx) in the Decree 30/2020/NĐ-CP layout."""

from __future__ import annotations

import io
from typing import Any

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from ntm.reports.document import Block, Cell, Chart, Document, Heading, Paragraph, Table
from ntm.reports.render.text import (
    BODY_PT,
    FONT,
    MARGIN_CM,
    MOTTO,
    NATION,
    PAGE_CM,
    RECIPIENTS_LABEL,
    SMALL_PT,
    TABLE_PT,
    cell_text,
    content_width_cm,
    data_line,
    date_line,
    number_line,
    relative_widths,
)

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


def _set_fonts(element: Any, name: str) -> None:
    """Every script slot of a run or style, East Asian included, so Word never substitutes."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)


def _paragraph(
    container: Any,
    text: str = "",
    *,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align: str = "left",
    indent_cm: float = 0.0,
    before: float = 0,
    after: float = 0,
) -> Any:
    paragraph = container.add_paragraph()
    paragraph.alignment = ALIGN[align]
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if indent_cm:
        fmt.first_line_indent = Cm(indent_cm)
    if text:
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold
        run.italic = italic
    return paragraph


def _cell_paragraph(cell: Any) -> Any:
    """The cell's first (empty) paragraph, so cells carry no blank line."""
    return cell.paragraphs[0]


def _write(
    paragraph: Any,
    text: str,
    *,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align: str = "center",
    after: float = 0,
) -> Any:
    paragraph.alignment = ALIGN[align]
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.space_before = Pt(0)
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    run.italic = italic
    return paragraph


def _rule(cell: Any, *, width_cm: float, cell_cm: float) -> None:
    """A short centred line under the issuer or the motto (a paragraph's top border)."""
    paragraph = cell.add_paragraph()
    margin = max((cell_cm - width_cm) / 2, 0)
    fmt = paragraph.paragraph_format
    fmt.left_indent = Cm(margin)
    fmt.right_indent = Cm(margin)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(2)
    fmt.line_spacing = Pt(2)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    ppr.append(borders)


def _no_borders(table: Any) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tblpr.append(borders)


def _widths(table: Any, widths_cm: list[float]) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=False):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(width)


def _header(doc: Any, document: Document, width_cm: float) -> None:
    header = document.header
    left_cm = round(width_cm * 0.4, 2)
    right_cm = round(width_cm - left_cm, 2)
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [left_cm, right_cm])
    left, right = table.rows[0].cells
    first = _cell_paragraph(left)
    if header.issuer_parent:
        _write(first, header.issuer_parent.upper(), size=BODY_PT)
        _write(left.add_paragraph(), header.issuer.upper(), size=BODY_PT, bold=True)
    else:
        _write(first, header.issuer.upper(), size=BODY_PT, bold=True)
    _rule(left, width_cm=min(2.5, left_cm), cell_cm=left_cm)
    _write(left.add_paragraph(), number_line(header), size=BODY_PT)

    _write(_cell_paragraph(right), NATION, size=12.5, bold=True)
    _write(right.add_paragraph(), MOTTO, size=14, bold=True)
    _rule(right, width_cm=min(6.2, right_cm), cell_cm=right_cm)
    _write(right.add_paragraph(), date_line(header), size=BODY_PT, italic=True)


def _heading(doc: Any, block: Heading) -> None:
    _paragraph(
        doc,
        block.text,
        bold=block.level <= 2,
        italic=block.level >= 3,
        before=6,
        after=3,
        indent_cm=1.0 if block.level >= 2 else 0.0,
        align="justify",
    )


def _repeat_header(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    trpr.append(element)


def _table(doc: Any, block: Table, width_cm: float) -> None:
    if block.caption:
        _paragraph(doc, block.caption, bold=True, align="center", before=6, after=3)
    if block.unit_note:
        _paragraph(doc, block.unit_note, size=SMALL_PT, italic=True, align="right")
    columns = block.columns
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0]
    _repeat_header(head)
    for cell, column in zip(head.cells, columns, strict=True):
        _write(_cell_paragraph(cell), column.title, size=TABLE_PT, bold=True)
    last = len(block.rows) - 1
    for index, values in enumerate(block.rows):
        row = table.add_row()
        cells = row.cells
        position = 0
        total = block.total_row and index == last
        for value in values:
            if position >= len(columns):
                break
            span = value.colspan if isinstance(value, Cell) else 1
            span = max(1, min(span, len(columns) - position))
            column = columns[position]
            target = cells[position]
            if span > 1:
                target = target.merge(cells[position + span - 1])
            bold = total or (isinstance(value, Cell) and value.bold)
            italic = isinstance(value, Cell) and value.italic
            text = cell_text(value, column)
            if text:
                align = "left" if span > 1 and column.align != "center" else column.align
                lines = text.split("\n")
                _write(
                    _cell_paragraph(target),
                    lines[0],
                    size=TABLE_PT,
                    bold=bold,
                    italic=italic,
                    align=align,
                )
                for line in lines[1:]:
                    _write(
                        target.add_paragraph(),
                        line,
                        size=TABLE_PT,
                        bold=bold,
                        italic=italic,
                        align=align,
                    )
            position += span
    _widths(table, relative_widths(columns, width_cm))
    _paragraph(doc, "", size=6)


def _chart(doc: Any, block: Chart, width_cm: float) -> None:
    paragraph = _paragraph(doc, "", align="center", before=6, after=6)
    paragraph.add_run().add_picture(io.BytesIO(block.png), width=Cm(min(block.width_cm, width_cm)))


def _closing(doc: Any, document: Document, width_cm: float) -> None:
    """ "Nơi nhận:" bottom-left beside the signature bottom-right (a borderless table)."""
    if not document.recipients and document.signature is None:
        return
    left_cm = round(width_cm * 0.45, 2)
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [left_cm, round(width_cm - left_cm, 2)])
    left, right = table.rows[0].cells
    if document.recipients:
        _write(
            _cell_paragraph(left), RECIPIENTS_LABEL, size=12, bold=True, italic=True, align="left"
        )
        for line in document.recipients:
            _write(left.add_paragraph(), f"- {line}", size=SMALL_PT, align="left")
    signature = document.signature
    if signature is not None:
        lines = [
            line for line in (signature.on_behalf, signature.authority, signature.position) if line
        ]
        first = True
        for line in lines:
            paragraph = _cell_paragraph(right) if first else right.add_paragraph()
            _write(paragraph, line.upper(), size=BODY_PT, bold=True)
            first = False
        for _blank in range(4):
            right.add_paragraph()
        if signature.name:
            _write(right.add_paragraph(), signature.name, size=BODY_PT, bold=True)


def _page_number_footer(section: Any) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def render_docx(document: Document) -> bytes:
    doc = new_docx()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    _set_fonts(normal.element, FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    for name in ("Table Grid",):
        _set_fonts(doc.styles[name].element, FONT)

    section = doc.sections[0]
    short, long = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    if document.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = long, short
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = short, long
    section.top_margin = Cm(MARGIN_CM["top"])
    section.bottom_margin = Cm(MARGIN_CM["bottom"])
    section.left_margin = Cm(MARGIN_CM["left"])
    section.right_margin = Cm(MARGIN_CM["right"])
    _page_number_footer(section)
    width_cm = content_width_cm(document.landscape)

    # The template's first paragraph is empty; the header table goes before everything else.
    _header(doc, document, width_cm)
    _paragraph(doc, "", size=6)
    _paragraph(doc, document.title.upper(), size=14, bold=True, align="center", before=6)
    if document.subtitle:
        _paragraph(doc, document.subtitle, size=14, bold=True, align="center")
    _paragraph(doc, data_line(document), size=SMALL_PT, italic=True, align="center", after=6)

    _blocks(doc, document.blocks, width_cm)

    for note in document.footnotes:
        _paragraph(doc, note, size=SMALL_PT, italic=True, align="justify", after=2)
    _paragraph(doc, "", size=6)
    _closing(doc, document, width_cm)
    if document.appendix:
        doc.add_page_break()
        _blocks(doc, document.appendix, width_cm)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _blocks(doc: Any, blocks: list[Block], width_cm: float) -> None:
    for block in blocks:
        if isinstance(block, Heading):
            _heading(doc, block)
        elif isinstance(block, Paragraph):
            _paragraph(
                doc,
                block.text,
                bold=block.bold,
                italic=block.italic,
                align="justify" if block.align == "left" else block.align,
                indent_cm=1.0 if block.indent else 0.0,
                after=3,
            )
        elif isinstance(block, Table):
            _table(doc, block, width_cm)
        elif isinstance(block, Chart):
            _chart(doc, block, width_cm)
