"""Re-open generated files the way a reader would: python-docx, openpyxl, pdftotext, pdftoppm."""

import io
import subprocess
import tempfile
from pathlib import Path

import docx
import openpyxl


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
