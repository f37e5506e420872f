"""Texts every renderer prints the same way: numbers, the number and date lines, the data line.

The fixed formulae of the Decree 30/2020/NĐ-CP layout (national motto, "Số:", the date line,
"Nơi nhận:") are the document's legal form and stay Vietnamese in every interface language.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.reports.document import Cell, CellValue, Column, Document, Header

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
RECIPIENTS_LABEL = "Nơi nhận:"
FONT = "Times New Roman"  # resolves to Liberation Serif on Debian (every Vietnamese glyph)
BODY_PT = 13
TABLE_PT = 12
SMALL_PT = 11

# A4 and the Decree 30 margins, in centimetres.
PAGE_CM = (21.0, 29.7)
MARGIN_CM = {"top": 2.0, "bottom": 2.0, "left": 3.0, "right": 1.5}


def content_width_cm(landscape: bool) -> float:
    width = PAGE_CM[1] if landscape else PAGE_CM[0]
    return width - MARGIN_CM["left"] - MARGIN_CM["right"]


def vn_number(value: int | Decimal, decimals: int | None = None) -> str:
    """1234.5 → "1.234,5": dots group thousands, a comma marks decimals (Vietnamese style).

    ``decimals`` rounds half-up to that many digits; None keeps the digits the value carries.
    """
    number = Decimal(value)
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding="ROUND_HALF_UP")
    sign = "-" if number < 0 else ""
    text = format(abs(number), "f")
    whole, _dot, fraction = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    grouped = ".".join(groups)
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def plain(value: CellValue | Cell) -> CellValue:
    return value.value if isinstance(value, Cell) else value


def cell_text(value: CellValue | Cell, column: Column | None = None) -> str:
    """A table cell as printed in DOCX/PDF."""
    raw = plain(value)
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, int | Decimal):
        return vn_number(raw, column.decimals if column else None)
    if isinstance(raw, dt.date):
        return raw.strftime("%d/%m/%Y")
    return raw


def number_line(header: Header) -> str:
    """ "Số: 12/KH-UBND"; a draft without a number leaves the number blank to be filled in."""
    number = header.number.strip()
    if not number:
        return "Số:       /"
    return number if number.startswith("Số") else f"Số: {number}"


def date_line(header: Header) -> str:
    """ "Dương Đức, ngày 05 tháng 01 năm 2025" (Decree 30: a leading zero for days below 10 and
    for months 1 and 2); without a date the day, month and year are left blank."""
    place = f"{header.place}, " if header.place else ""
    day = header.date
    if day is None:
        return f"{place}ngày      tháng      năm 20   "
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}ngày {day.day:02d} tháng {month} năm {day.year}"


def as_of_text(moment: dt.datetime | None) -> str:
    if moment is None:
        return "—"
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%d/%m/%Y %H:%M")


def data_line(document: Document) -> str:
    """ "Số liệu tính đến 05/01/2025 08:00 · phiên bản dữ liệu …", printed in every format."""
    return _("Data as of %(as_of)s · data version %(version)s") % {
        "as_of": as_of_text(document.as_of),
        "version": document.data_version or "—",
    }


def relative_widths(columns: list[Column], total: float) -> list[float]:
    weights = [max(c.width, 0.1) for c in columns]
    scale = total / sum(weights) if weights else 0
    return [w * scale for w in weights]
