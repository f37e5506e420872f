"""Reading officials' tables (CSV or XLSX) with named columns, reporting errors by row and column.

Every importer validates everything first and writes nothing when any row is wrong, so it
collects all problems as ``CellError`` and raises ``ImportRefused`` with the full list.
"""

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from ntm.core.text import fold


@dataclass(frozen=True)
class CellError:
    row: int | None  # 1-based line of the file, header is row 1; None for file-level errors
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("column %(column)s") % {"column": self.column})
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class ImportRefused(Exception):
    def __init__(self, errors: Iterable[CellError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class Table:
    columns: list[str]  # canonical names found
    rows: list[tuple[int, dict[str, str]]]  # (file row number, canonical column -> text)
    headers: dict[str, str]  # canonical name -> the header as written in the file

    def header(self, column: str) -> str:
        """The column as the user wrote it, for error messages ("Mã PX" rather than commune_code)."""
        return self.headers.get(column, column)


def header_key(title: str) -> str:
    """ "Mã Tỉnh/TP", "ma_tinh_tp" and "MÃ TỈNH / TP" all give "ma tinh tp"."""
    return re.sub(r"[^a-z0-9]+", " ", fold(title)).strip()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused([CellError(None, None, _("The file is not UTF-8 text."))])


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _raw_rows(data: bytes, filename: str) -> list[list[str]]:
    suffix = Path(filename).suffix.lower()
    if suffix in {".xlsx", ".xlsm"} or data[:2] == b"PK":
        # deferred: openpyxl takes ~0.6 s to import and only XLSX files need it
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise ImportRefused(
                [CellError(None, None, _("The Excel file cannot be read: %s") % exc)]
            ) from exc
        sheet = workbook.worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return rows
    if suffix not in {".csv", ".txt", ""}:
        raise ImportRefused(
            [CellError(None, None, _("Unsupported file type %s: use CSV or XLSX.") % suffix)]
        )
    text = _decode(data)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]


def read_rows(data: bytes, *, filename: str = "") -> list[list[str]]:
    """Every row of the first sheet / the CSV as texts, from the file's first row (row ``i`` of
    the file is ``rows[i - 1]``), for tables with more than a header row above them."""
    return _raw_rows(data, filename)


def read_table(
    source: bytes | IO[bytes] | str | Path,
    *,
    aliases: Mapping[str, Iterable[str]],
    required: Iterable[str],
    filename: str = "",
) -> Table:
    """Read the first sheet / the CSV; map headers (accent- and case-insensitive) to canonical names.

    ``aliases`` maps each canonical column to the headers accepted for it (the canonical name is
    always accepted). Missing required columns refuse the whole file.
    """
    if isinstance(source, (str, Path)):
        filename = filename or str(source)
        data = Path(source).read_bytes()
    elif isinstance(source, bytes):
        data = source
    else:
        data = source.read()
    raw = [r for r in _raw_rows(data, filename)]
    while raw and not any(raw[0]):
        raw.pop(0)
    if not raw:
        raise ImportRefused([CellError(None, None, _("The file is empty."))])
    lookup: dict[str, str] = {}
    for canonical, names in aliases.items():
        for name in (canonical, *names):
            lookup[header_key(name)] = canonical
    header = raw[0]
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        found = lookup.get(header_key(title))
        if found and found not in positions:
            positions[found] = index
    missing = [c for c in required if c not in positions]
    if missing:
        raise ImportRefused(
            [
                CellError(
                    1,
                    column,
                    _("required column is missing (header found: %(h)s)")
                    % {"h": ", ".join(h for h in header if h)},
                )
                for column in missing
            ]
        )
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(raw[1:], start=2):
        if not any(values):
            continue
        rows.append(
            (
                number,
                {c: (values[i].strip() if i < len(values) else "") for c, i in positions.items()},
            )
        )
    headers = {c: (header[i].strip() or c) for c, i in positions.items()}
    return Table(columns=list(positions), rows=rows, headers=headers)
