"""Render a ``Document`` to bytes: ``render(document, "docx" | "xlsx" | "pdf")``."""

from ntm.reports.document import FORMATS, Document, for_format


def render(document: Document, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    document = for_format(document, fmt)
    if fmt == "docx":
        # deferred: each format loads its library only when asked for (python-docx, ~0.2 s)
        from ntm.reports.render.docx import render_docx

        return render_docx(document)
    if fmt == "xlsx":
        # deferred: openpyxl, ~0.6 s
        from ntm.reports.render.xlsx import render_xlsx

        return render_xlsx(document)
    # deferred: WeasyPrint, ~1.8 s
    from ntm.reports.render.pdf import render_pdf

    return render_pdf(document)
