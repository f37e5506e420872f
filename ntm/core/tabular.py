"""Reading officials' tables (CSV or XLSX) with named columns, reporting errors by row and column.

Every importer validates everything first and writes nothing when any row is wrong, so it
collects all problems as ``CellError`` and raises ``ImportRefused`` with the full list.
"""

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from ntm.core.csvout import unguard
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
    encoding: str = "utf-8"  # how the file was read: "utf-8", "cp1258"…, or "xlsx"

    def header(self, column: str) -> str:
        """The column as the user wrote it, for error messages ("Mã PX" rather than commune_code)."""
        return self.headers.get(column, column)


def header_key(title: str) -> str:
    """ "Mã Tỉnh/TP", "ma_tinh_tp" and "MÃ TỈNH / TP" all give "ma tinh tp"."""
    return re.sub(r"[^a-z0-9]+", " ", fold(title)).strip()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class Limits:
    """How much of an uploaded table is read (``settings.NTM_TABLE_LIMITS``): a file beyond
    them is refused with the limit named, before it can cost memory or time."""

    bytes: int
    rows: int
    columns: int


# Management commands run by administrators on their own files lift the web's limits.
_TRUSTED: ContextVar[bool] = ContextVar("ntm_tables_trusted", default=False)


@contextmanager
def trusted() -> Iterator[None]:
    token = _TRUSTED.set(True)
    try:
        yield
    finally:
        _TRUSTED.reset(token)


def limits(kind: str = "default") -> Limits:
    table = settings.NTM_TABLE_LIMITS
    chosen = table["trusted"] if _TRUSTED.get() else {**table["default"], **table.get(kind, {})}
    return Limits(int(chosen["bytes"]), int(chosen["rows"]), int(chosen["columns"]))


def _too_big(size: int, limit: Limits) -> CellError:
    return CellError(
        None,
        None,
        _("The file is %(size)s MB; at most %(limit)s MB are read.")
        % {"size": f"{size / 2**20:.1f}", "limit": f"{limit.bytes / 2**20:g}"},
    )


# C0 control characters other than tab, line feed and carriage return: never in a table's text,
# and PostgreSQL refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def decode(data: bytes, *, declared: str = "") -> tuple[str, str]:
    """The text of a CSV file and the encoding used. UTF-8 (with or without BOM) unless another
    encoding is declared; Windows-1258 (Vietnamese Windows) only when nothing in the file is
    UTF-8 — a UTF-8 file with a stray byte is refused with the row of the byte, never read as
    Windows-1258, which would garble every accented letter."""
    if declared:
        try:
            return data.decode(declared), declared
        except (LookupError, UnicodeDecodeError) as exc:
            raise ImportRefused(
                [
                    CellError(
                        None, None, _("The file cannot be read as %(enc)s.") % {"enc": declared}
                    )
                ]
            ) from exc
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        lenient = data.decode("utf-8", errors="replace")
        if any(ord(c) > 127 and c != "\ufffd" for c in lenient):
            row = data[: exc.start].count(b"\n") + 1
            raise ImportRefused(
                [
                    CellError(
                        row,
                        None,
                        _(
                            "byte 0x%(byte)02X is not UTF-8 while the rest of the file is: "
                            "correct the cell or save the file again as CSV UTF-8."
                        )
                        % {"byte": data[exc.start]},
                    )
                ]
            ) from exc
    try:
        # Windows-1258 writes most tone marks as combining characters: composed, as typed.
        return unicodedata.normalize("NFC", data.decode("cp1258")), "cp1258"
    except UnicodeDecodeError:
        raise ImportRefused([CellError(None, None, _("The file is not UTF-8 text."))]) from None


def _check_row(cells: list[str], number: int, limit: Limits) -> list[str]:
    """The row without its trailing empty cells; refused beyond the column limit or with a
    control character."""
    while cells and not cells[-1]:
        cells.pop()
    if len(cells) > limit.columns:
        raise ImportRefused(
            [
                CellError(
                    number,
                    None,
                    _("the row has %(n)d columns; at most %(limit)d are read.")
                    % {"n": len(cells), "limit": limit.columns},
                )
            ]
        )
    for index, text in enumerate(cells):
        if _CONTROL.search(text):
            raise ImportRefused(
                [
                    CellError(
                        number,
                        _column_letter(index),
                        _("the cell holds a control character (code %(code)d): remove it.")
                        % {"code": ord(_CONTROL.search(text).group())},  # type: ignore[union-attr]
                    )
                ]
            )
    return cells


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _too_many_rows(limit: Limits) -> ImportRefused:
    return ImportRefused(
        [
            CellError(
                limit.rows + 1,
                None,
                _("the table has more than %(limit)d rows; split it into several files.")
                % {"limit": limit.rows},
            )
        ]
    )


def csv_rows(text: str, limit: Limits, *, delimiter: str | None = None) -> list[list[str]]:
    """The rows of a CSV text, each checked (columns, control characters) as it is read."""
    if delimiter is None:
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
                text[:4096], delimiters=",;\t"
            )
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(io.StringIO(text), dialect)
    else:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[list[str]] = []
    for number, row in enumerate(reader, start=1):
        if number > limit.rows and any(c.strip() for c in row):
            raise _too_many_rows(limit)
        # The guard against formulas our CSV exports add is taken off.
        rows.append(_check_row([unguard(c.strip()) for c in row], number, limit))
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def _unpacked_limit(limit: Limits) -> int:
    # XML is verbose (10-30 times the packed size for a plain table) but a file that unpacks to
    # hundreds of times its size is a zip bomb; openpyxl reads the shared strings whole.
    return max(100 * 2**20, 10 * limit.bytes)


def xlsx_rows(data: bytes, limit: Limits) -> list[list[str]]:
    """The first sheet's rows, streamed: the sheet's declared dimension is ignored (a file may
    declare A1:XFD1048576 for one cell) and reading stops at the row limit."""
    # deferred: openpyxl takes ~0.6 s to import and only XLSX files need it
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ImportRefused(
            [CellError(None, None, _("The Excel file cannot be read: %s") % exc)]
        ) from exc
    if unpacked > _unpacked_limit(limit):
        raise ImportRefused(
            [
                CellError(
                    None,
                    None,
                    _("The Excel file unpacks to %(size)s MB; at most %(limit)s MB are read.")
                    % {
                        "size": f"{unpacked / 2**20:.0f}",
                        "limit": f"{_unpacked_limit(limit) / 2**20:.0f}",
                    },
                )
            ]
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ImportRefused(
            [CellError(None, None, _("The Excel file cannot be read: %s") % exc)]
        ) from exc
    rows: list[list[str]] = []
    try:
        sheet = workbook.worksheets[0]
        # Without this, rows are padded to the declared width and empty rows are produced up
        # to the declared height.
        sheet.reset_dimensions()  # type: ignore[union-attr]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > limit.rows:
                if any(v is not None and str(v).strip() for v in values):
                    raise _too_many_rows(limit)
                if number > 2 * limit.rows:  # a sheet of formatted empty rows
                    raise _too_many_rows(limit)
                continue
            rows.append(_check_row([_cell_text(v) for v in values], number, limit))
    except ImportRefused:
        raise
    except Exception as exc:  # a damaged sheet fails while it is read
        raise ImportRefused(
            [CellError(None, None, _("The Excel file cannot be read: %s") % exc)]
        ) from exc
    finally:
        workbook.close()
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def _is_xlsx(data: bytes, filename: str) -> bool:
    return Path(filename).suffix.lower() in {".xlsx", ".xlsm"} or data[:2] == b"PK"


def csv_text(data: bytes, kind: str = "default", *, encoding: str = "") -> tuple[str, str, Limits]:
    """A CSV file's text within the limits of its kind: (text, encoding used, limits)."""
    limit = limits(kind)
    if len(data) > limit.bytes:
        raise ImportRefused([_too_big(len(data), limit)])
    text, used = decode(data, declared=encoding)
    return text, used, limit


def _raw_rows(
    data: bytes, filename: str, kind: str = "default", encoding: str = ""
) -> tuple[list[list[str]], str]:
    suffix = Path(filename).suffix.lower()
    if _is_xlsx(data, filename):
        limit = limits(kind)
        if len(data) > limit.bytes:
            raise ImportRefused([_too_big(len(data), limit)])
        return xlsx_rows(data, limit), "xlsx"
    if suffix not in {".csv", ".txt", ""}:
        raise ImportRefused(
            [CellError(None, None, _("Unsupported file type %s: use CSV or XLSX.") % suffix)]
        )
    text, used, limit = csv_text(data, kind, encoding=encoding)
    return csv_rows(text, limit), used


def read_rows(data: bytes, *, filename: str = "", kind: str = "default") -> list[list[str]]:
    """Every row of the first sheet / the CSV as texts, from the file's first row (row ``i`` of
    the file is ``rows[i - 1]``), for tables with more than a header row above them."""
    return _raw_rows(data, filename, kind)[0]


def read_table(
    source: bytes | IO[bytes] | str | Path,
    *,
    aliases: Mapping[str, Iterable[str]],
    required: Iterable[str],
    filename: str = "",
    kind: str = "default",
    encoding: str = "",
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
    raw, used = _raw_rows(data, filename, kind, encoding)
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
    return Table(columns=list(positions), rows=rows, headers=headers, encoding=used)
