"""A ``Document`` as PDF: the Django template ``reports/document.html`` printed by WeasyPrint.

Nothing is fetched from the network: the CSS is inlined, charts are inline SVG, the base URL is
the local template folder and the URL fetcher only allows ``file:`` and ``data:``.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from ntm.reports.document import Cell, Chart, Document, Heading, Paragraph, Table
from ntm.reports.render.measure import column_widths, text_cm
from ntm.reports.render.text import (
    BODY_PT,
    MOTTO,
    NATION,
    RECIPIENTS_LABEL,
    TABLE_PT,
    cell_text,
    content_width_cm,
    data_line,
    date_line,
    number_line,
)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "reports"
CSS_PATH = TEMPLATES / "document.css"


def _table_context(table: Table, width_cm: float) -> dict[str, Any]:
    columns = table.columns
    width = len(columns)
    last = len(table.rows) - 1
    rows = []
    for index, values in enumerate(table.rows):
        cells = []
        position = 0
        for value in values:
            if position >= width:
                break
            column = columns[position]
            span = max(1, min(value.colspan if isinstance(value, Cell) else 1, width - position))
            align = "left" if span > 1 and column.align != "center" else column.align
            cells.append(
                {
                    "lines": cell_text(value, column).split("\n"),
                    "span": span,
                    "align": align,
                    "bold": isinstance(value, Cell) and value.bold,
                    "italic": isinstance(value, Cell) and value.italic,
                }
            )
            position += span
        for filler in range(position, width):
            cells.append({"lines": [""], "span": 1, "align": columns[filler].align, "bold": False})
        rows.append({"cells": cells, "total": table.total_row and index == last})
    return {
        "kind": "table",
        "item": table,
        "rows": rows,
        # The DOCX's widths, as shares of the line: no word of a cell is broken.
        "widths": [
            f"{w / width_cm * 100:.2f}"
            for w in column_widths(
                columns, table.rows, width_cm, size=TABLE_PT, bold_last=table.total_row
            )
        ],
    }


def _block_context(block: Heading | Paragraph | Table | Chart, width_cm: float) -> dict[str, Any]:
    if isinstance(block, Table):
        return _table_context(block, width_cm)
    if isinstance(block, Chart):
        # An <img> with the SVG as a data: URI: WeasyPrint draws it with its SVG engine directly
        # (an inline <svg> element would first go through the HTML style cascade, 20× slower).
        encoded = base64.b64encode(block.svg.encode("utf-8")).decode("ascii")
        return {"kind": "chart", "item": block, "src": f"data:image/svg+xml;base64,{encoded}"}
    if isinstance(block, Heading):
        return {"kind": "heading", "item": block}
    return {"kind": "paragraph", "item": block}


def render_html(document: Document) -> str:
    """The self-contained HTML the PDF is printed from (no remote URL, no script)."""
    signature = document.signature
    signature_lines = (
        [
            line.upper()
            for line in (signature.on_behalf, signature.authority, signature.position)
            if line
        ]
        if signature
        else []
    )
    header = document.header
    width_cm = content_width_cm(document.landscape)
    issuer_cm = min(text_cm(header.issuer.upper(), BODY_PT, bold=True), width_cm * 0.4)
    context = {
        "document": document,
        "header": header,
        "title": document.title.upper(),
        "issuer": header.issuer.upper(),
        "issuer_parent": header.issuer_parent.upper(),
        "language": get_language() or "vi",
        "css": mark_safe(CSS_PATH.read_text(encoding="utf-8")),
        "nation": NATION,
        "motto": MOTTO,
        "recipients_label": RECIPIENTS_LABEL,
        "number_line": number_line(header),
        "date_line": date_line(header),
        "data_line": data_line(document),
        "signature_lines": signature_lines,
        # Decree 30: the issuer's rule a third to a half of its name, the motto's as long as it.
        "issuer_rule_cm": f"{max(issuer_cm * 0.4, 1.5):.2f}",
        "motto_rule_cm": f"{text_cm(MOTTO, 14, bold=True):.2f}",
        "blocks": [_block_context(block, width_cm) for block in document.blocks],
        "appendix": [_block_context(block, width_cm) for block in document.appendix],
    }
    return render_to_string("reports/document.html", context)


def render_pdf(document: Document) -> bytes:
    # deferred: WeasyPrint takes ~1.8 s to import; only PDF needs it
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=["file", "data"])
    html = HTML(string=render_html(document), base_url=str(TEMPLATES), url_fetcher=fetcher)
    return bytes(html.write_pdf())
