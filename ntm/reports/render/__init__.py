"""Render a ``Document`` to bytes: ``render(document, "docx" | "xlsx" | "pdf")``."""

from ntm.reports.document import FORMATS, Document


def render(document: Document, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    if fmt == "docx":
        from ntm.reports.render.docx import render_docx

        return render_docx(document)
    if fmt == "xlsx":
        from ntm.reports.render.xlsx import render_xlsx

        return render_xlsx(document)
    from ntm.reports.render.pdf import render_pdf

    return render_pdf(document)
