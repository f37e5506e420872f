"""Every CSV file ntm writes goes through ``write_csv``: a text cell that a spreadsheet would
take for a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return) is written with a leading
apostrophe, which Excel and LibreOffice show as text and ``unguard`` (the readers) removes.
Numbers, negative ones included, are written as they are."""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        return Decimal(text.replace(",", ".")).is_finite()
    except (InvalidOperation, ValueError):
        return False


def safe_cell(value: Any) -> Any:
    if not isinstance(value, str) or value[:1] not in FORMULA_START or _is_number(value):
        return value
    return "'" + value


def unguard(text: str) -> str:
    """A cell as read back: the guard ``safe_cell`` added is removed."""
    if text[:1] == "'" and text[1:2] in FORMULA_START and not _is_number(text[1:]):
        return text[1:]
    return text


def write_csv(
    header: Sequence[Any] | None,
    rows: Iterable[Sequence[Any]],
    *,
    bom: bool = True,
    lineterminator: str = "\r\n",
) -> bytes:
    """UTF-8 (with a BOM by default, so that Excel reads the accents) and guarded cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    if header is not None:
        writer.writerow([safe_cell(c) for c in header])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    text = out.getvalue()
    return ("\ufeff" + text).encode("utf-8") if bom else text.encode("utf-8")
