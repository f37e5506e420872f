"""A format-neutral official document (Decree 30/2020/NĐ-CP layout).

Each report's ``build_<name>(data, fmt)`` assembles one ``Document`` from its dataclass and hands it
to ``ntm.reports.render.render(document, fmt)``, which writes DOCX (python-docx), XLSX (openpyxl)
or PDF (WeasyPrint). Reports therefore never format a file themselves, and every format carries the
same header, numbers, footnotes and signature.

Texts are final (already translated, Vietnamese diacritics intact); numbers in table cells are kept
as ``Decimal``/``int`` (dates as ``date``) so XLSX stores numbers and DOCX/PDF format them 1.234,5 /
day-first style. A column may be shown in some formats only (``Column.formats``): a printed
"≥ 90*" or "93,5 (2024Q1)" is, in the workbook, a comparator, a number and a period in columns of
their own, so that a reader's software gets numbers (``for_format`` keeps a format's columns).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

Align = Literal["left", "center", "right"]
CellValue = str | int | Decimal | dt.date | None

FORMATS = ("docx", "xlsx", "pdf")
PRINT = ("docx", "pdf")  # the paper formats: numbers printed with their decorations
DATA = ("xlsx",)  # the workbook: one value per cell


@dataclass(frozen=True)
class Header:
    """The top block: issuing body (left) and national motto (right), number and place/date."""

    issuer: str  # "UBND XÃ DƯƠNG ĐỨC" (upper case, bold)
    issuer_parent: str = ""  # the superior body above it, e.g. "UBND HUYỆN LẠNG GIANG"; may be ""
    number: str = ""  # "Số: 12/KH-UBND"; "" prints "Số:      /…" for a draft
    place: str = ""  # "Dương Đức" → "Dương Đức, ngày 05 tháng 01 năm 2025"
    date: dt.date | None = None  # None → "ngày    tháng    năm" left blank to be filled by hand


@dataclass(frozen=True)
class Signature:
    """Bottom right: "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH" / name."""

    on_behalf: str = ""  # "TM. ỦY BAN NHÂN DÂN"
    authority: str = ""  # "KT. CHỦ TỊCH" (empty when the head signs)
    position: str = ""  # "PHÓ CHỦ TỊCH"
    name: str = ""


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: "I. ..." bold; 2: "1. ..." bold; 3: italic


@dataclass(frozen=True)
class Paragraph:
    text: str
    bold: bool = False
    italic: bool = False
    align: Align = "left"  # body text is justified in DOCX/PDF when "left"
    indent: bool = True  # first-line indent as in administrative prose


@dataclass(frozen=True)
class Column:
    title: str
    width: float = 1.0  # relative width
    align: Align = "left"
    decimals: int | None = None  # numbers: digits after the comma (None → as stored)
    formats: tuple[str, ...] = FORMATS  # the formats that show this column


@dataclass(frozen=True)
class Cell:
    """A table cell when plain values are not enough."""

    value: CellValue
    bold: bool = False
    italic: bool = False
    colspan: int = 1  # DOCX/PDF merge; XLSX merges too (except in write-only bulk tables)


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[CellValue | Cell]]
    caption: str = ""  # shown above the table, and the XLSX sheet title when ``sheet`` is empty
    sheet: str = ""  # XLSX: each table with a sheet name goes to its own worksheet
    unit_note: str = ""  # "Đơn vị tính: đồng" right-aligned above the table
    total_row: bool = False  # last row is a total (bold)


@dataclass(frozen=True)
class Chart:
    """A server-rendered chart: SVG for PDF/HTML, PNG for DOCX/XLSX (same figure)."""

    title: str
    svg: str
    png: bytes
    width_cm: float = 16.0


Block = Heading | Paragraph | Table | Chart


@dataclass
class Document:
    header: Header
    title: str  # "KẾ HOẠCH", "BÁO CÁO", "BIỂU 1" (upper case)
    subtitle: str = ""  # "Thực hiện xây dựng xã NTM nâng cao năm 2024" (bold, below the title)
    blocks: list[Block] = field(default_factory=list)
    signature: Signature | None = None
    recipients: list[str] = field(default_factory=list)  # "Nơi nhận:" lines, "- " added
    footnotes: list[str] = field(default_factory=list)  # e.g. unverified thresholds
    as_of: dt.datetime | None = None  # when the data was read (printed in every format)
    data_version: str = ""  # e.g. the latest change id/time of the values used
    # After the signature, from a new page ("PHỤ LỤC"): e.g. the plan's task list. XLSX puts its
    # tables on their sheets like any other.
    appendix: list[Block] = field(default_factory=list)
    landscape: bool = False
    filename: str = "report"  # without extension, ASCII-safe


CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _table_for(table: Table, fmt: str) -> Table:
    """``table`` with the columns ``fmt`` shows; a cell spanning hidden columns spans fewer, and
    a value in a hidden column is dropped."""
    keep = [fmt in column.formats for column in table.columns]
    if all(keep):
        return table
    rows: list[list[CellValue | Cell]] = []
    for values in table.rows:
        row: list[CellValue | Cell] = []
        position = 0
        for value in values:
            span = max(1, value.colspan) if isinstance(value, Cell) else 1
            shown = sum(keep[position : position + span])
            if shown:
                row.append(replace(value, colspan=shown) if isinstance(value, Cell) else value)
            position += span
        rows.append(row)
    columns = [column for column, kept in zip(table.columns, keep, strict=True) if kept]
    return replace(table, columns=columns, rows=rows)


def for_format(document: Document, fmt: str) -> Document:
    """The document as ``fmt`` shows it: each table with that format's columns."""

    def blocks(items: list[Block]) -> list[Block]:
        return [_table_for(b, fmt) if isinstance(b, Table) else b for b in items]

    return replace(document, blocks=blocks(document.blocks), appendix=blocks(document.appendix))
