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
from ntm.reports.render.measure import CELL_MARGIN_CM, column_widths, text_cm
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
)

TWIPS_PER_CM = 1440 / 2.54
PAGE_NUMBER_PT = 13  # Decree 30: Arabic digits, 13-14 pt, centred in the top margin
# Word refuses a file whose property elements are out of the schema's order.
TBLPR_AFTER = {
    "w:tblW": (
        "w:jc",
        "w:tblCellSpacing",
        "w:tblInd",
        "w:tblBorders",
        "w:shd",
        "w:tblLayout",
        "w:tblCellMar",
        "w:tblLook",
    ),
    "w:tblBorders": ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"),
    "w:tblCellMar": ("w:tblLook", "w:tblCaption", "w:tblDescription"),
}
PPR_AFTER = {
    "w:pBdr": (
        "w:shd",
        "w:tabs",
        "w:suppressAutoHyphens",
        "w:kinsoku",
        "w:wordWrap",
        "w:overflowPunct",
        "w:topLinePunct",
        "w:autoSpaceDE",
        "w:autoSpaceDN",
        "w:bidi",
        "w:adjustRightInd",
        "w:snapToGrid",
        "w:spacing",
        "w:ind",
        "w:contextualSpacing",
        "w:mirrorIndents",
        "w:suppressOverlap",
        "w:jc",
        "w:textDirection",
        "w:textAlignment",
        "w:textboxTightWrap",
        "w:outlineLvl",
        "w:divId",
        "w:cnfStyle",
        "w:rPr",
        "w:sectPr",
        "w:pPrChange",
    ),
    "w:rPr": ("w:sectPr", "w:pPrChange"),
}


def _put(parent: Any, element: Any, order: dict[str, tuple[str, ...]]) -> None:
    """``element`` into ``parent`` in schema order, replacing one of the same kind."""
    tag = element.tag
    for old in parent.findall(tag):
        parent.remove(old)
    name = "w:" + tag.split("}")[1]
    parent.insert_element_before(element, *order[name])


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
    """A short centred line under the issuer or the motto: the bottom border of an empty 2 pt
    paragraph indented to ``width_cm``. It sits below the previous line's descenders ("lập",
    "phúc") in Word and LibreOffice alike, unlike a top border on an exact-height line."""
    paragraph = cell.add_paragraph()
    margin = max((cell_cm - width_cm) / 2, 0)
    fmt = paragraph.paragraph_format
    fmt.left_indent = Cm(margin)
    fmt.right_indent = Cm(margin)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(3)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    _put(ppr, borders, PPR_AFTER)
    # The paragraph mark's own size sets the empty line's height.
    mark = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "4")
    mark.append(size)
    _put(ppr, mark, PPR_AFTER)


def _no_borders(table: Any) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    _put(tblpr, borders, TBLPR_AFTER)


def _cell_margins(table: Any, cm: float) -> None:
    """Left and right cell margins written out, so that every office suite wraps text in the
    room the widths were computed for."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(round(cm * TWIPS_PER_CM)))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    _put(table._tbl.tblPr, margins, TBLPR_AFTER)


def _widths(table: Any, widths_cm: list[float]) -> None:
    """A fixed layout (``w:tblLayout fixed``) in these widths: the grid columns, the table's own
    width and each cell's (a merged cell's is the sum of its columns)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=False):
        column.width = Cm(width)
    total = OxmlElement("w:tblW")
    _put(table._tbl.tblPr, total, TBLPR_AFTER)
    total.set(qn("w:w"), str(round(sum(widths_cm) * TWIPS_PER_CM)))
    total.set(qn("w:type"), "dxa")
    for row in table.rows:
        position = 0
        for tc in row._tr.tc_lst:
            span = tc.grid_span
            tc.width = Cm(sum(widths_cm[position : position + span]))
            position += span


def _keep_row(row: Any) -> None:
    """The row never splits across pages (``w:cantSplit``)."""
    trpr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    trpr.insert(0, element)


def _header(doc: Any, document: Document, width_cm: float) -> None:
    header = document.header
    left_cm = round(width_cm * 0.4, 2)
    right_cm = round(width_cm - left_cm, 2)
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _cell_margins(table, 0)
    _widths(table, [left_cm, right_cm])
    left, right = table.rows[0].cells
    first = _cell_paragraph(left)
    if header.issuer_parent:
        _write(first, header.issuer_parent.upper(), size=BODY_PT)
        _write(left.add_paragraph(), header.issuer.upper(), size=BODY_PT, bold=True)
    else:
        _write(first, header.issuer.upper(), size=BODY_PT, bold=True)
    # Decree 30: a line a third to a half as long as the issuer's name under it, and one as long
    # as the motto under the motto.
    issuer_cm = min(text_cm(header.issuer.upper(), BODY_PT, bold=True), left_cm)
    _rule(left, width_cm=max(issuer_cm * 0.4, 1.5), cell_cm=left_cm)
    _write(left.add_paragraph(), number_line(header), size=BODY_PT)

    _write(_cell_paragraph(right), NATION, size=12.5, bold=True)
    _write(right.add_paragraph(), MOTTO, size=14, bold=True)
    _rule(right, width_cm=min(text_cm(MOTTO, 14, bold=True), right_cm), cell_cm=right_cm)
    _write(right.add_paragraph(), date_line(header), size=BODY_PT, italic=True)


def _heading(doc: Any, block: Heading) -> None:
    heading = _paragraph(
        doc,
        block.text,
        bold=block.level <= 2,
        italic=block.level >= 3,
        before=6,
        after=3,
        indent_cm=1.0 if block.level >= 2 else 0.0,
        align="justify",
    )
    heading.paragraph_format.keep_with_next = True


def _repeat_header(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    trpr.append(element)


def _table(doc: Any, block: Table, width_cm: float) -> None:
    # A caption and its unit line stay on the page of the table's first rows.
    if block.caption:
        caption = _paragraph(doc, block.caption, bold=True, align="center", before=6, after=3)
        caption.paragraph_format.keep_with_next = True
    if block.unit_note:
        note = _paragraph(doc, block.unit_note, size=SMALL_PT, italic=True, align="right")
        note.paragraph_format.keep_with_next = True
    columns = block.columns
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _cell_margins(table, CELL_MARGIN_CM)
    head = table.rows[0]
    _keep_row(head)
    _repeat_header(head)
    for cell, column in zip(head.cells, columns, strict=True):
        _write(_cell_paragraph(cell), column.title, size=TABLE_PT, bold=True)
    last = len(block.rows) - 1
    for index, values in enumerate(block.rows):
        row = table.add_row()
        _keep_row(row)
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
    widths = column_widths(columns, block.rows, width_cm, size=TABLE_PT, bold_last=block.total_row)
    _widths(table, widths)
    _paragraph(doc, "", size=6)


def _chart(doc: Any, block: Chart, width_cm: float) -> None:
    paragraph = _paragraph(doc, "", align="center", before=6, after=6)
    paragraph.add_run().add_picture(io.BytesIO(block.png), width=Cm(min(block.width_cm, width_cm)))


def _closing(doc: Any, document: Document, width_cm: float) -> None:
    """ "Nơi nhận:" bottom-left beside the signature bottom-right: a borderless one-row table
    whose row never splits, so the signer's titles, name and the recipients share a page."""
    if not document.recipients and document.signature is None:
        return
    left_cm = round(width_cm * 0.45, 2)
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _cell_margins(table, 0)
    _widths(table, [left_cm, round(width_cm - left_cm, 2)])
    _keep_row(table.rows[0])
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


def _field_run(paragraph: Any, *, kind: str, text: str = "") -> None:
    """One run of a complex field: ``begin``/``separate``/``end`` marks or its instruction."""
    run = paragraph.add_run()
    run.font.size = Pt(PAGE_NUMBER_PT)
    if kind == "instr":
        element = OxmlElement("w:instrText")
        element.set(qn("xml:space"), "preserve")
        element.text = text
    elif kind == "text":
        element = OxmlElement("w:t")
        element.text = text
    else:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
    run._r.append(element)


def _page_numbers(section: Any) -> None:
    """Decree 30: the page number centred in the top margin, from page 2 (a PAGE field in the
    header; the first page has a header of its own, left empty)."""
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field_run(paragraph, kind="begin")
    _field_run(paragraph, kind="instr", text=" PAGE ")
    _field_run(paragraph, kind="separate")
    _field_run(paragraph, kind="text", text="2")
    _field_run(paragraph, kind="end")


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
    section.header_distance = Cm(1.0)
    _page_numbers(section)
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
