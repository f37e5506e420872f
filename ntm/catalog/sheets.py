"""A criteria set as one spreadsheet (XLSX first sheet, or CSV), laid out like the annex of a
decision (format: docs/criteria-format.md, "Spreadsheet").

Above the table, a header block of "label | value" rows holds what a flat table cannot (the
set's code, name, level, legal basis, dates, axis, prerequisite; its groups and data elements).
The table has one row per indicator (a criterion without indicators has one row of its own),
one "Ngưỡng …" column per value of the threshold axis with its "Căn cứ …" (source) and
"Xác minh …" (verified) columns, and a "Năm" column: an indicator whose thresholds vary by
year takes one row per year, the first carrying the indicator, the next only code, year and
thresholds.

Pure conversions, no database: ``read_sheet`` turns a file's bytes into the document the YAML
format is (``document.parse_document`` then checks both alike), naming every bad row and
column at once; ``write_sheet`` turns a document (``changes.stored_document``) into a file.
"""

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ntm.catalog.document import FIELDS, FORMAT, CatalogError, parse_document
from ntm.core.csvout import write_csv
from ntm.core.tabular import (
    CellError,
    ImportRefused,
    csv_rows,
    csv_text,
    header_key,
    read_rows,
)
from ntm.core.text import fold
from ntm.engine.model import Axis, Direction, Kind
from ntm.geo.models import Region

EXTENSIONS = (".xlsx", ".xlsm", ".csv")

# The file's vocabulary is fixed Vietnamese, like the decisions it copies: a file reads the same
# whatever the language of the page that exports or loads it. The document's own keys and codes
# (``legal_basis``, ``percent``…) are accepted too.
HEAD = {
    "format": "Định dạng",
    "code": "Mã bộ tiêu chí",
    "name": "Tên bộ tiêu chí",
    "name_en": "Tên bộ tiêu chí (tiếng Anh)",
    "level": "Cấp",
    "legal_basis": "Căn cứ pháp lý",
    "valid_from": "Hiệu lực từ",
    "valid_to": "Hiệu lực đến",
    "threshold_axis": "Ngưỡng theo",
    "prerequisite": "Bộ tiêu chí phải đạt trước",
    "localises": "Cụ thể hóa bộ tiêu chí",
    "province": "Mã tỉnh",
    "illustrative": "Minh họa",
    "verified": "Cấu trúc đã xác minh",
    "source": "Nguồn",
    "note": "Ghi chú",
    "groups": "Nhóm tiêu chí",  # repeated: code | name | name in English
    "data_elements": "Dữ liệu gốc",  # repeated: code | name | name in English | unit | kind
}
CRITERION_COLUMNS = {
    "number": "Tiêu chí",
    "name": "Tên tiêu chí",
    "name_en": "Tên tiêu chí (tiếng Anh)",
    "group": "Nhóm",
    "field": "Lĩnh vực",
    "key": "Then chốt",
    "criterion_verified": "Tiêu chí đã xác minh",
}
INDICATOR_COLUMNS = {
    "code": "Mã chỉ tiêu",
    "content": "Nội dung chỉ tiêu",
    "content_en": "Nội dung chỉ tiêu (tiếng Anh)",
    "kind": "Loại",
    "unit": "Đơn vị tính",
    "direction": "Tốt hơn khi",
    "formula": "Công thức",
    "decimals": "Số chữ số thập phân",
    "levels": "Các mức (từ thấp đến cao)",
    "indicator_verified": "Chỉ tiêu đã xác minh",
    "retired_from": "Thôi áp dụng từ",
}
YEAR_COLUMN = "Năm"
COLUMNS = {**CRITERION_COLUMNS, **INDICATOR_COLUMNS, "year": YEAR_COLUMN}
# Each threshold column is "<part> <scope>": "Ngưỡng nhóm 2", "Căn cứ TDMNPB", "Xác minh chung".
PARTS = {"value": "Ngưỡng", "source": "Căn cứ", "verified": "Xác minh"}
GENERAL = "chung"

LEVELS = {"commune": "xã", "village": "thôn"}
AXES = {Axis.REGION.value: "vùng", Axis.COMMUNE_GROUP.value: "nhóm xã", Axis.NONE.value: "không"}
KINDS = {
    Kind.PERCENT.value: "tỷ lệ",
    Kind.NUMBER.value: "số",
    Kind.AMOUNT.value: "số tiền",
    Kind.COUNT.value: "số lượng",
    Kind.PASS_FAIL.value: "đạt/không đạt",
    Kind.LEVEL.value: "mức",
}
DIRECTIONS = {Direction.HIGHER.value: "cao hơn", Direction.LOWER.value: "thấp hơn"}
FIELD_NAMES = {
    "planning": "quy hoạch",
    "transport": "giao thông",
    "agriculture": "nông nghiệp",
    "economy": "kinh tế",
    "culture": "văn hóa",
    "education": "giáo dục",
    "health": "y tế",
    "labour": "lao động",
    "environment": "môi trường",
    "justice": "tư pháp",
    "security": "an ninh",
    "finance": "tài chính",
}
assert set(FIELD_NAMES) == FIELDS
YES, NO = "có", "không"
PASS, FAIL = "Đạt", "Không đạt"
_TRUE = {"co", "x", "dung", "true", "1", "yes", "dat"}
_FALSE = {"khong", "sai", "false", "0", "no", "khong dat"}
_REFERENCE = re.compile(
    r"^(?:(?P<factor>\d+(?:[.,]\d+)?)\s*[×x*]\s*)?(?P<set>[a-z0-9][a-z0-9-]+)\s*/\s*(?P<ind>\S+)$"
)
_LOCATION = re.compile(
    r"^(?:set(?:\.(?P<key>\w+))?|groups\[(?P<group>\d+)\]|data_elements\[(?P<element>\d+)\]"
    r"|criterion (?P<criterion>\d+)|indicator (?P<indicator>[^,:]+))[,:]"
)


def is_sheet(data: bytes, filename: str) -> bool:
    return Path(filename).suffix.lower() in EXTENSIONS or data[:4] == b"PK\x03\x04"


def _choice_text(choices: dict[str, str]) -> str:
    return ", ".join(f"{label} ({code})" for code, label in choices.items())


def _scope_of(suffix: str) -> tuple[str, str] | None:
    """(region, commune_group) of a threshold column's scope ("nhom 2", "tdmnpb", "chung")."""
    if suffix in ("", GENERAL):
        return ("", "")
    match = re.fullmatch(r"nhom (?:xa )?([123])", suffix)
    if match:
        return ("", match.group(1))
    for region in Region:
        if suffix in (region.value.lower(), header_key(str(region.label))):
            return (region.value, "")
    return None


def _scope_label(scope: tuple[str, str]) -> str:
    region, group = scope
    return region or (f"nhóm {group}" if group else GENERAL)


@dataclass
class _Reader:
    errors: list[CellError] = field(default_factory=list)

    def fail(self, row: int | None, column: str | None, message: str) -> None:
        self.errors.append(CellError(row, f"'{column}'" if column else None, message))

    def flag(self, text: str, row: int, column: str) -> bool:
        key = fold(text)
        if key in _TRUE:
            return True
        if key in _FALSE or key == "":
            return False
        self.fail(
            row, column, _("“%(value)s” is not yes or no: write có or không.") % {"value": text}
        )
        return False

    def choice(self, text: str, choices: dict[str, str], row: int, column: str) -> str | None:
        key = fold(text)
        for code, label in choices.items():
            if key in (code, fold(label)):
                return code
        self.fail(
            row,
            column,
            _("“%(value)s” is not one of: %(allowed)s.")
            % {"value": text, "allowed": _choice_text(choices)},
        )
        return None

    def whole(self, text: str, row: int, column: str) -> int | None:
        try:
            number = Decimal(text.strip())
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite() or number != number.to_integral_value():
            self.fail(row, column, _("“%(value)s” is not a whole number.") % {"value": text})
            return None
        return int(number)

    def day(self, text: str, row: int, column: str) -> dt.date | None:
        text = text.strip()
        if not text:
            return None
        for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                return dt.datetime.strptime(text.split(" ")[0], fmt).date()
            except ValueError:
                continue
        self.fail(
            row, column, _("“%(value)s” is not a date: write it as 15/02/2026.") % {"value": text}
        )
        return None


def _number(text: str) -> Decimal | None:
    text = text.strip().removesuffix("%").strip()
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # "3,5" as Vietnamese write it
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _csv_rows(data: bytes) -> list[list[str]]:
    text, _encoding, limit = csv_text(data, "criteria")
    first = next((line for line in text.splitlines() if line.strip()), "")
    return csv_rows(text, limit, delimiter=max(",;\t", key=first.count))


@dataclass
class Sheet:
    """A read sheet: the document, and where each part of it was written (for error rows)."""

    document: dict[str, Any]
    rows: dict[str, int]  # "set.code", "groups[0]", "criterion 3", "indicator 1.1" -> row
    # The bad cells; each was left out of the document or given a harmless stand-in, so that
    # the document's own checks do not report it a second time.
    errors: list[CellError] = field(default_factory=list)
    complete: bool = True  # False: the table could not be read at all


def read_sheet(data: bytes, *, filename: str = "") -> Sheet:
    """The document a sheet holds and its bad cells (``CatalogError``: an unreadable file)."""
    try:
        if Path(filename).suffix.lower() == ".csv" or (
            Path(filename).suffix.lower() not in EXTENSIONS and data[:4] != b"PK\x03\x04"
        ):
            raw = _csv_rows(data)
        else:
            raw = read_rows(data, filename=filename or "sheet.xlsx", kind="criteria")
    except ImportRefused as exc:
        raise CatalogError([str(e) for e in exc.errors]) from exc
    reader = _Reader()
    code_key = header_key(INDICATOR_COLUMNS["code"])
    start = next(
        (i for i, r in enumerate(raw) if any(header_key(c) in (code_key, "code") for c in r)),
        None,
    )
    if start is None:
        raise CatalogError(
            [
                _("The table's header row (with the column “%(column)s”) is missing.")
                % {"column": INDICATOR_COLUMNS["code"]}
            ]
        )
    sheet = Sheet(document={"format": FORMAT, "set": {}, "criteria": []}, rows={})
    _read_head(reader, raw[:start], sheet)
    sheet.complete = _read_table(reader, raw[start], raw[start + 1 :], start + 1, sheet)
    sheet.errors = reader.errors
    return sheet


def _read_head(reader: _Reader, raw: list[list[str]], sheet: Sheet) -> None:
    labels = {header_key(label): key for key, label in HEAD.items()}
    labels.update({header_key(key): key for key in HEAD})
    head: dict[str, Any] = {"threshold_axis": None}
    names = {"name": "", "name_en": ""}
    doc = sheet.document
    for number, cells in enumerate(raw, start=1):
        if not any(cells):
            continue
        label, values = cells[0], [*cells[1:], "", "", "", "", ""]
        key = labels.get(header_key(label))
        if key is None:
            reader.fail(
                number,
                None,
                _("“%(label)s” is not a line of the set's header (docs/criteria-format.md).")
                % {"label": label},
            )
            continue
        value = values[0]
        if key == "groups":
            sheet.rows[f"groups[{len(doc.setdefault('groups', []))}]"] = number
            doc["groups"].append({"code": value, "name": {"vi": values[1], "en": values[2]}})
            continue
        if key == "data_elements":
            sheet.rows[f"data_elements[{len(doc.setdefault('data_elements', []))}]"] = number
            element = {"code": value, "name": {"vi": values[1], "en": values[2]}}
            element["unit"] = values[3]
            if values[4]:
                element["kind"] = reader.choice(values[4], KINDS, number, label) or "number"
            doc["data_elements"].append(element)
            continue
        sheet.rows[f"set.{key}"] = number
        if key == "format":
            doc["format"] = value
        elif key in names:
            names[key] = value
        elif key == "level":
            # A bad level is reported here; "commune" stands in for it.
            head[key] = (reader.choice(value, LEVELS, number, label) or "commune") if value else ""
        elif key == "threshold_axis":
            head[key] = reader.choice(value, AXES, number, label) if value else None
        elif key in ("valid_from", "valid_to"):
            head[key] = reader.day(value, number, label)
        elif key in ("illustrative", "verified"):
            head[key] = reader.flag(value, number, label)
        else:
            head[key] = value
    sheet.rows.setdefault("set.name", sheet.rows.get("set.code", 1))
    head["name"] = {"vi": names["name"], "en": names["name_en"]}
    doc["set"] = head


def _read_table(
    reader: _Reader, header: list[str], raw: list[list[str]], header_row: int, sheet: Sheet
) -> bool:
    lookup = {header_key(title): key for key, title in COLUMNS.items()}
    lookup.update({header_key(key): key for key in COLUMNS})
    positions: dict[str, int] = {}
    titles: dict[str, str] = {}
    scopes: dict[tuple[str, str], dict[str, int]] = {}
    for index, title in enumerate(header):
        key = header_key(title)
        if not key:
            continue
        if key in lookup and lookup[key] not in positions:
            positions[lookup[key]] = index
            titles[lookup[key]] = title
            continue
        part = next(
            (
                p
                for p, word in PARTS.items()
                if key == header_key(word) or key.startswith(header_key(word) + " ")
            ),
            None,
        )
        scope = _scope_of(key.removeprefix(header_key(PARTS[part])).strip()) if part else None
        if part is None or scope is None:
            reader.fail(
                header_row,
                title,
                _(
                    "Unknown column: a threshold column is named “Ngưỡng”, “Căn cứ” or "
                    "“Xác minh” followed by “chung”, a region code or “nhóm 1”, “nhóm 2”, "
                    "“nhóm 3”."
                ),
            )
            continue
        if part in scopes.setdefault(scope, {}):
            reader.fail(header_row, title, _("This column appears twice."))
        scopes[scope][part] = index
        titles[f"{part} {scope}"] = title
    for scope, parts in scopes.items():
        if "value" not in parts:
            reader.fail(
                header_row,
                titles[f"{next(iter(parts))} {scope}"],
                _("No column “%(column)s” for it.")
                % {"column": f"{PARTS['value']} {_scope_label(scope)}"},
            )
    missing = [k for k in ("number", "name", "code", "content", "kind") if k not in positions]
    for key in missing:
        reader.fail(header_row, COLUMNS[key], _("This column is missing from the table's header."))
    if missing:
        return False
    doc = sheet.document
    if doc["set"].get("threshold_axis") is None:
        # Not stated: the threshold columns say it.
        used = {s for s in scopes if s != ("", "")}
        doc["set"]["threshold_axis"] = (
            Axis.COMMUNE_GROUP.value
            if any(g for _r, g in used)
            else (Axis.REGION.value if used else Axis.NONE.value)
        )

    def cell(cells: list[str], key: str) -> str:
        index = positions.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    criteria: dict[int, dict[str, Any]] = {}
    first_cells: dict[str, tuple[int, dict[str, str]]] = {}
    current: dict[str, Any] | None = None
    last_code = ""
    indicators: dict[str, dict[str, Any]] = {}
    for number, cells in enumerate(raw, start=header_row + 1):
        if not any(cells):
            continue
        text = cell(cells, "number")
        if text:
            found = reader.whole(text, number, titles["number"])
            if found is None or found < 1:
                if found is not None:
                    reader.fail(number, titles["number"], _("A criterion number is 1 or more."))
                continue
            if found not in criteria:
                current = _criterion(reader, cells, cell, titles, number, found)
                criteria[found] = current
                doc["criteria"].append(current)
                sheet.rows[f"criterion {found}"] = number
                first_cells[f"criterion {found}"] = (
                    number,
                    {k: cell(cells, k) for k in CRITERION_COLUMNS if k != "number"},
                )
                last_code = ""
            else:
                if criteria[found] is not current:
                    last_code = ""
                current = criteria[found]
                _same_as_first(
                    reader, first_cells[f"criterion {found}"], cells, cell, titles, number
                )
        elif current is None:
            reader.fail(
                number,
                titles.get("number", CRITERION_COLUMNS["number"]),
                _("The row belongs to no criterion: write the criterion's number."),
            )
            continue
        else:
            _same_as_first(
                reader,
                first_cells[f"criterion {current['number']}"],
                cells,
                cell,
                titles,
                number,
            )
        code = cell(cells, "code")
        has_thresholds = any(
            index < len(cells) and cells[index].strip()
            for parts in scopes.values()
            for index in parts.values()
        )
        if not code:
            if has_thresholds or cell(cells, "year"):
                reader.fail(
                    number,
                    titles.get("code", INDICATOR_COLUMNS["code"]),
                    _("Thresholds without an indicator code."),
                )
            continue
        if code == last_code:
            indicator = indicators[code]
            _same_as_first(reader, first_cells[f"indicator {code}"], cells, cell, titles, number)
        elif code in indicators:
            reader.fail(
                number,
                titles["code"],
                _("Indicator %(code)s is already on row %(row)s.")
                % {"code": code, "row": sheet.rows[f"indicator {code}"]},
            )
            continue
        else:
            indicator = _indicator(reader, cells, cell, titles, number, code)
            indicators[code] = indicator
            assert current is not None
            if indicator["kind"] is not None:  # a bad kind is reported already
                current["indicators"].append(indicator)
            sheet.rows[f"indicator {code}"] = number
            first_cells[f"indicator {code}"] = (
                number,
                {k: cell(cells, k) for k in INDICATOR_COLUMNS if k != "code"},
            )
            last_code = code
        year_text = cell(cells, "year")
        year = reader.whole(year_text, number, titles["year"]) if year_text else None
        if indicator.get("kind") is None:
            continue  # a bad kind: its thresholds cannot be read
        for scope, parts in scopes.items():
            value_text = cells[parts["value"]].strip() if parts["value"] < len(cells) else ""
            source = (
                cells[parts["source"]].strip() if parts.get("source", 99999) < len(cells) else ""
            )
            flag_text = (
                cells[parts["verified"]].strip()
                if parts.get("verified", 99999) < len(cells)
                else ""
            )
            verified = (
                reader.flag(flag_text, number, titles[f"verified {scope}"]) if flag_text else False
            )
            if not value_text:
                if source or verified:
                    reader.fail(
                        number,
                        titles[f"value {scope}"],
                        _("A source or a verified mark is given without a threshold."),
                    )
                continue
            threshold = _threshold(reader, indicator, value_text, number, titles[f"value {scope}"])
            if threshold is None:
                continue
            if scope[0]:
                threshold["region"] = scope[0]
            if scope[1]:
                threshold["commune_group"] = scope[1]
            if year is not None:
                threshold["year"] = year
            threshold["source"] = source
            threshold["verified"] = verified
            taken = {
                (t.get("region", ""), t.get("commune_group", ""), t.get("year"))
                for t in indicator["thresholds"]
            }
            if (*scope, year) in taken:
                reader.fail(
                    number,
                    titles[f"value {scope}"],
                    _("Indicator %(code)s already has this threshold (same year).")
                    % {"code": code},
                )
                continue
            indicator["thresholds"].append(threshold)
    return True


def _same_as_first(
    reader: _Reader,
    first: tuple[int, dict[str, str]],
    cells: list[str],
    cell: Any,
    titles: dict[str, str],
    number: int,
) -> None:
    """A continuation row leaves the criterion's or indicator's cells empty (or repeats them)."""
    row, texts = first
    if row == number:
        return
    for key, text in texts.items():
        value = cell(cells, key)
        if value and value != text:
            reader.fail(
                number,
                titles[key],
                _("Differs from row %(row)s above, where this is first written.") % {"row": row},
            )


def _criterion(
    reader: _Reader, cells: list[str], cell: Any, titles: dict[str, str], row: int, number: int
) -> dict[str, Any]:
    criterion: dict[str, Any] = {
        "number": number,
        "name": {"vi": cell(cells, "name"), "en": cell(cells, "name_en")},
        "key": reader.flag(cell(cells, "key"), row, titles.get("key", "")),
        "verified": reader.flag(
            cell(cells, "criterion_verified"), row, titles.get("criterion_verified", "")
        ),
        "indicators": [],
    }
    if cell(cells, "group"):
        criterion["group"] = cell(cells, "group")
    if cell(cells, "field"):
        criterion["field"] = reader.choice(cell(cells, "field"), FIELD_NAMES, row, titles["field"])
    return criterion


def _indicator(
    reader: _Reader, cells: list[str], cell: Any, titles: dict[str, str], row: int, code: str
) -> dict[str, Any]:
    indicator: dict[str, Any] = {
        "code": code,
        "content": {"vi": cell(cells, "content"), "en": cell(cells, "content_en")},
        "unit": cell(cells, "unit"),
        "verified": reader.flag(
            cell(cells, "indicator_verified"), row, titles.get("indicator_verified", "")
        ),
        "thresholds": [],
    }
    kind = cell(cells, "kind")
    if not kind:
        reader.fail(
            row, titles.get("kind", INDICATOR_COLUMNS["kind"]), _("Empty: the kind is required.")
        )
        indicator["kind"] = None
    else:
        indicator["kind"] = reader.choice(kind, KINDS, row, titles["kind"])
    if cell(cells, "direction"):
        indicator["direction"] = (
            reader.choice(cell(cells, "direction"), DIRECTIONS, row, titles["direction"])
            or "higher"
        )
    if cell(cells, "formula"):
        indicator["formula"] = cell(cells, "formula")
    if cell(cells, "decimals"):
        decimals = reader.whole(cell(cells, "decimals"), row, titles["decimals"])
        if decimals is not None:
            indicator["decimals"] = decimals
    levels = [x.strip() for x in cell(cells, "levels").split(";") if x.strip()]
    if levels:
        indicator["levels"] = levels
    if cell(cells, "retired_from"):
        indicator["retired_from"] = reader.day(
            cell(cells, "retired_from"), row, titles["retired_from"]
        )
    return indicator


def _threshold(
    reader: _Reader, indicator: dict[str, Any], text: str, row: int, column: str
) -> dict[str, Any] | None:
    kind = indicator["kind"]
    reference = _REFERENCE.match(text)
    if reference and kind not in (Kind.PASS_FAIL, Kind.LEVEL):
        factor = (reference.group("factor") or "1").replace(",", ".")
        return {
            "reference": {
                "set": reference.group("set"),
                "indicator": reference.group("ind"),
                "factor": factor,
            }
        }
    if kind == Kind.PASS_FAIL:
        key = fold(text)
        if key in _TRUE:
            return {"value": True}
        if key in _FALSE:
            return {"value": False}
        reader.fail(
            row,
            column,
            _("“%(value)s” is not a pass/fail threshold: write Đạt or Không đạt.")
            % {"value": text},
        )
        return None
    if kind == Kind.LEVEL:
        levels = indicator.get("levels") or []
        if text not in levels:
            reader.fail(
                row,
                column,
                _("“%(value)s” is not one of the indicator's levels (%(levels)s).")
                % {"value": text, "levels": "; ".join(levels)},
            )
            return None
        return {"value": text}
    number = _number(text)
    if number is None:
        reader.fail(
            row,
            column,
            _("“%(value)s” is not a number (nor a reference such as “1.1 × set/indicator”).")
            % {"value": text},
        )
        return None
    return {"value": format(number, "f")}


def parse_sheet(data: bytes, *, filename: str = "") -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A sheet read and checked like a YAML file: ``document.parse_document``'s result. All
    errors at once: the bad cells, then the document's checks placed on the sheet's rows
    ("row 12: indicator 2: formula uses unknown…")."""
    sheet = read_sheet(data, filename=filename)
    errors = [str(e) for e in sheet.errors]
    if not sheet.complete:
        raise CatalogError(errors)
    try:
        parsed = parse_document(sheet.document)
    except CatalogError as exc:
        errors += [_locate(message, sheet.rows) for message in exc.errors]
    if errors:
        raise CatalogError(errors)
    return parsed


def _locate(message: str, rows: dict[str, int]) -> str:
    match = _LOCATION.match(message)
    if match is None:
        return message
    if match.group("group") is not None:
        row = rows.get(f"groups[{match.group('group')}]")
    elif match.group("element") is not None:
        row = rows.get(f"data_elements[{match.group('element')}]")
    elif match.group("criterion"):
        row = rows.get(f"criterion {match.group('criterion')}")
    elif match.group("indicator"):
        row = rows.get(f"indicator {match.group('indicator')}")
    else:
        key = match.group("key") or next((k for k in HEAD if f"'{k}'" in message), "code")
        row = rows.get(f"set.{key}")
    return str(CellError(row, None, message)) if row else message


def head_of(data: bytes, *, filename: str = "") -> dict[str, Any]:
    """The set fields of a sheet's header block (code, prerequisite…), {} when unreadable: for
    ordering files before loading them."""
    try:
        return read_sheet(data, filename=filename).document["set"]
    except CatalogError:
        return {}


# ---------------------------------------------------------------- writing


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _flag_text(value: Any) -> str:
    return YES if value else NO


def _names(value: Any) -> tuple[str, str]:
    if isinstance(value, dict):
        return str(value.get("vi") or ""), str(value.get("en") or "")
    return str(value or ""), ""


def _threshold_text(threshold: dict[str, Any], kind: str) -> str | int | float:
    if "reference" in threshold:
        ref = threshold["reference"]
        factor = Decimal(str(ref.get("factor", 1)))
        prefix = "" if factor == 1 else f"{format(factor.normalize(), 'f')} × "
        return f"{prefix}{ref['set']}/{ref['indicator']}"
    value = threshold["value"]
    if kind == Kind.PASS_FAIL:
        return PASS if value else FAIL
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return str(value)
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def sheet_rows(document: dict[str, Any]) -> list[list[Any]]:
    """The sheet's rows (texts, and numbers where a spreadsheet should see numbers)."""
    head = document["set"]
    name_vi, name_en = _names(head.get("name"))
    axis = head.get("threshold_axis") or Axis.NONE.value
    rows: list[list[Any]] = [
        [HEAD["format"], document.get("format", FORMAT)],
        [HEAD["code"], head.get("code", "")],
        [HEAD["name"], name_vi],
        [HEAD["name_en"], name_en],
        [HEAD["level"], LEVELS.get(head.get("level", ""), head.get("level", ""))],
        [HEAD["legal_basis"], head.get("legal_basis") or ""],
        [HEAD["valid_from"], _day(head.get("valid_from"))],
        [HEAD["valid_to"], _day(head.get("valid_to"))],
        [HEAD["threshold_axis"], AXES[axis]],
        [HEAD["prerequisite"], head.get("prerequisite") or ""],
        [HEAD["localises"], head.get("localises") or ""],
        [HEAD["province"], head.get("province") or ""],
        [HEAD["illustrative"], _flag_text(head.get("illustrative"))],
        [HEAD["verified"], _flag_text(head.get("verified"))],
        [HEAD["source"], head.get("source") or ""],
        [HEAD["note"], head.get("note") or ""],
    ]
    for group in document.get("groups") or []:
        rows.append([HEAD["groups"], group["code"], *_names(group.get("name"))])
    for element in document.get("data_elements") or []:
        kind = element.get("kind", Kind.NUMBER.value)
        rows.append(
            [
                HEAD["data_elements"],
                element["code"],
                *_names(element.get("name")),
                element.get("unit") or "",
                KINDS.get(kind, kind),
            ]
        )
    rows.append([])
    scopes: list[tuple[str, str]] = [("", "")]
    if axis == Axis.REGION:
        scopes += [(r.value, "") for r in Region]
    elif axis == Axis.COMMUNE_GROUP:
        scopes += [("", g) for g in "123"]
    for criterion in document["criteria"]:
        for indicator in criterion.get("indicators") or []:
            for t in indicator.get("thresholds") or []:
                region, group = t.get("region") or "", str(t.get("commune_group") or "")
                if region and group:
                    raise CatalogError(
                        [
                            _(
                                "Indicator %(code)s has a threshold for both a region and a "
                                "commune group: a sheet cannot hold it, export it as YAML."
                            )
                            % {"code": indicator["code"]}
                        ]
                    )
                if (region, group) not in scopes:
                    scopes.append((region, group))
    rows.append(
        [
            *COLUMNS.values(),
            *(
                f"{PARTS[part]} {_scope_label(scope)}"
                for scope in scopes
                for part in ("value", "source", "verified")
            ),
        ]
    )
    for criterion in document["criteria"]:
        name, name_en = _names(criterion.get("name"))
        field_ = criterion.get("field") or ""
        criterion_cells = [
            criterion["number"],
            name,
            name_en,
            criterion.get("group") or "",
            FIELD_NAMES.get(field_, field_),
            _flag_text(criterion.get("key")),
            _flag_text(criterion.get("verified")),
        ]
        blank_criterion = [criterion["number"], *([""] * (len(criterion_cells) - 1))]
        indicators = criterion.get("indicators") or []
        if not indicators:
            rows.append(criterion_cells)
            continue
        for position, indicator in enumerate(indicators):
            kind = indicator["kind"]
            content, content_en = _names(indicator.get("content"))
            direction = indicator.get("direction", Direction.HIGHER.value)
            indicator_cells = [
                indicator["code"],
                content,
                content_en,
                KINDS.get(kind, kind),
                indicator.get("unit") or "",
                DIRECTIONS.get(direction, direction),
                indicator.get("formula") or "",
                indicator.get("decimals", 2),
                "; ".join(str(x) for x in indicator.get("levels") or []),
                _flag_text(indicator.get("verified")),
                _day(indicator.get("retired_from")),
            ]
            by_year: dict[int | None, dict[tuple[str, str], dict[str, Any]]] = {}
            for t in indicator.get("thresholds") or []:
                scope = (t.get("region") or "", str(t.get("commune_group") or ""))
                by_year.setdefault(t.get("year"), {})[scope] = t
            years = sorted(by_year, key=lambda y: (y is not None, y or 0)) or [None]
            for index, year in enumerate(years):
                cells: list[Any] = [
                    *(criterion_cells if position == 0 and index == 0 else blank_criterion),
                    *(
                        indicator_cells
                        if index == 0
                        else [indicator["code"], *[""] * (len(indicator_cells) - 1)]
                    ),
                    year or "",
                ]
                for scope in scopes:
                    t = by_year.get(year, {}).get(scope)
                    if t is None:
                        cells += ["", "", ""]
                    else:
                        cells += [
                            _threshold_text(t, kind),
                            t.get("source") or "",
                            _flag_text(t.get("verified")),
                        ]
                rows.append(cells)
    return rows


def write_sheet(document: dict[str, Any], fmt: str) -> bytes:
    """The document as an XLSX workbook or a CSV file (UTF-8 with BOM, for Excel)."""
    rows = sheet_rows(document)
    if fmt == "csv":
        return write_csv(None, rows)
    if fmt != "xlsx":
        raise ValueError(f"unknown sheet format {fmt!r}")
    return _xlsx(rows, title=str(document["set"].get("code", ""))[:31] or "criteria")


def _xlsx(rows: list[list[Any]], *, title: str) -> bytes:
    # deferred: openpyxl takes ~0.6 s to import and only XLSX files need it
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    bold = Font(bold=True)
    header_row = next(i for i, r in enumerate(rows, start=1) if INDICATOR_COLUMNS["code"] in r)
    for number, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            if value == "":
                continue
            cell = sheet.cell(row=number, column=column, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a spreadsheet formula
            if (column == 1 and number < header_row) or number == header_row:
                cell.font = bold
            if number == header_row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = {2: 40, 3: 30, 9: 60, 10: 40}
    for column in range(1, (max(len(r) for r in rows) if rows else 0) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = widths.get(column, 14)
    sheet.freeze_panes = f"A{header_row + 1}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
