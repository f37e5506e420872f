"""Criteria-set documents: the structure every file format reads into (docs/criteria-format.md).

A YAML file is such a document as written; a spreadsheet (``sheets``) is read into one. Both go
through ``parse_document``, so they share every check, and ``loader`` writes the result.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from ntm.accounts.models import Field
from ntm.catalog.models import CriteriaSet, Criterion, DataElement, Indicator, SetLevel, Threshold
from ntm.engine import formula as formulas
from ntm.engine.model import Axis, Direction, Kind
from ntm.geo.models import Region

FORMAT = "ntm-criteria/1"
# The C parser when PyYAML has it: loading the shipped catalog is then several times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The fields of work a specialist official is assigned (accounts.Field): one list for both.
FIELDS = set(Field.values)
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")


class CatalogError(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass(frozen=True)
class ThresholdSpec:
    region: str
    commune_group: str
    year: int | None
    value: str
    reference_set: str
    reference_indicator: str
    reference_factor: Decimal | None
    source: str
    verified: bool

    @property
    def scope(self) -> tuple[str, str, int | None]:
        return (self.region, self.commune_group, self.year)


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def text(self, data: dict[str, Any], key: str, where: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.fail(where, f"'{key}' is required")
            return ""
        return str(value).strip()

    def names(self, data: dict[str, Any], key: str, where: str) -> tuple[str, str]:
        value = data.get(key)
        if isinstance(value, str):
            return value.strip(), ""
        if not isinstance(value, dict) or not value.get("vi"):
            self.fail(where, f"'{key}' needs a Vietnamese text ({key}: {{vi: …, en: …}})")
            return "", ""
        return str(value["vi"]).strip(), str(value.get("en") or "").strip()

    def date(self, data: dict[str, Any], key: str, where: str) -> dt.date | None:
        value = data.get(key)
        if value in (None, ""):
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(where, f"'{key}' is not a date (YYYY-MM-DD): {value!r}")
            return None

    def choice(self, value: Any, allowed: set[str], where: str, key: str) -> str:
        text = "" if value is None else str(value)
        if text not in allowed:
            self.fail(where, f"'{key}' must be one of {', '.join(sorted(allowed))}, not {value!r}")
        return text


def _threshold_value(raw: Any, kind: str, levels: list[str], check: _Checker, where: str) -> str:
    if kind == Kind.PASS_FAIL:
        if isinstance(raw, bool):
            return "true" if raw else "false"
        check.fail(where, f"a pass/fail threshold is true or false, not {raw!r}")
        return ""
    if kind == Kind.LEVEL:
        if str(raw) in levels:
            return str(raw)
        check.fail(where, f"level {raw!r} is not one of {levels}")
        return ""
    try:
        number = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        check.fail(where, f"threshold {raw!r} is not a number")
        return ""
    if not number.is_finite():
        check.fail(where, f"threshold {raw!r} is not a number")
        return ""
    return format(number.normalize(), "f")


def parse(text: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Validate a YAML file; return (set fields, criteria with indicators and thresholds)."""
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise CatalogError([f"not valid YAML: {exc}"]) from exc
    return parse_document(data)


def parse_document(data: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Validate a document (a YAML file as loaded, or a sheet as read); return (set fields,
    criteria with indicators and thresholds). Every error is collected before refusing."""
    check = _Checker()
    if not isinstance(data, dict) or not isinstance(data.get("set"), dict):
        raise CatalogError(["the file needs a 'set' section (see docs/criteria-format.md)"])
    if data.get("format") != FORMAT:
        check.fail("format", f"must be '{FORMAT}'")
    raw_set = data["set"]
    code = check.text(raw_set, "code", "set")
    if code and not _CODE.match(code):
        check.fail("set.code", "use lower-case letters, digits and dashes")
    name_vi, name_en = check.names(raw_set, "name", "set")
    level = check.choice(raw_set.get("level"), {SetLevel.COMMUNE, SetLevel.VILLAGE}, "set", "level")
    axis = check.choice(
        raw_set.get("threshold_axis", "none"), {a.value for a in Axis}, "set", "threshold_axis"
    )
    fields_: dict[str, Any] = {
        "code": code,
        "name_vi": name_vi,
        "name_en": name_en,
        "level": level,
        "threshold_axis": axis,
        "legal_basis": check.text(raw_set, "legal_basis", "set", required=False),
        "valid_from": check.date(raw_set, "valid_from", "set"),
        "valid_to": check.date(raw_set, "valid_to", "set"),
        "prerequisite": str(raw_set.get("prerequisite") or ""),
        "localises": str(raw_set.get("localises") or ""),
        "province": str(raw_set.get("province") or ""),
        "illustrative": bool(raw_set.get("illustrative", False)),
        "verified": bool(raw_set.get("verified", False)),
        "source": check.text(raw_set, "source", "set", required=False),
        "note": check.text(raw_set, "note", "set", required=False),
    }
    groups = {}
    for i, group in enumerate(data.get("groups") or []):
        where = f"groups[{i}]"
        if not isinstance(group, dict):
            check.fail(where, "must be a mapping")
            continue
        groups[check.text(group, "code", where)] = check.names(group, "name", where)
    elements = []
    element_codes: set[str] = set()
    for i, element in enumerate(data.get("data_elements") or []):
        where = f"data_elements[{i}]"
        if not isinstance(element, dict):
            check.fail(where, "must be a mapping")
            continue
        ecode = check.text(element, "code", where)
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", ecode or "_"):
            check.fail(
                where, f"code {ecode!r}: use lower-case letters, digits and _ (formulas use it)"
            )
        if ecode in element_codes:
            check.fail(where, f"duplicate data element {ecode!r}")
        element_codes.add(ecode)
        ename_vi, ename_en = check.names(element, "name", where)
        elements.append(
            {
                "code": ecode,
                "name_vi": ename_vi,
                "name_en": ename_en,
                "unit": str(element.get("unit") or ""),
                "kind": check.choice(
                    element.get("kind", "number"),
                    {Kind.NUMBER, Kind.COUNT, Kind.AMOUNT, Kind.PERCENT},
                    where,
                    "kind",
                ),
            }
        )
    criteria = []
    numbers: set[int] = set()
    codes: set[str] = set()
    raw_criteria = data.get("criteria")
    if not isinstance(raw_criteria, list) or not raw_criteria:
        check.fail("criteria", "a set needs at least one criterion")
        raw_criteria = []
    for i, raw in enumerate(raw_criteria):
        where = f"criteria[{i}]"
        if not isinstance(raw, dict):
            check.fail(where, "must be a mapping")
            continue
        number = raw.get("number")
        if not isinstance(number, int) or number < 1:
            check.fail(where, f"'number' must be a positive whole number, not {number!r}")
            number = 0
        elif number in numbers:
            check.fail(where, f"duplicate criterion number {number}")
        numbers.add(number)
        where = f"criterion {number}"
        cname_vi, cname_en = check.names(raw, "name", where)
        group = str(raw.get("group") or "")
        if group and group not in groups:
            check.fail(where, f"unknown group {group!r}")
        field_ = str(raw.get("field") or "")
        if field_ and field_ not in FIELDS:
            check.fail(where, f"unknown field {field_!r} (one of {', '.join(sorted(FIELDS))})")
        indicators = []
        for j, ind in enumerate(raw.get("indicators") or []):
            iwhere = f"{where}, indicators[{j}]"
            if not isinstance(ind, dict):
                check.fail(iwhere, "must be a mapping")
                continue
            icode = check.text(ind, "code", iwhere)
            iwhere = f"indicator {icode}"
            if icode in codes:
                check.fail(iwhere, "duplicate indicator code in the set")
            codes.add(icode)
            content_vi, content_en = check.names(ind, "content", iwhere)
            kind = check.choice(ind.get("kind"), {k.value for k in Kind}, iwhere, "kind")
            direction = check.choice(
                ind.get("direction", "higher"), {d.value for d in Direction}, iwhere, "direction"
            )
            levels = [str(x) for x in ind.get("levels") or []]
            if kind == Kind.LEVEL and len(levels) < 2:
                check.fail(iwhere, "an ordered-level indicator needs at least two levels")
            formula = str(ind.get("formula") or "")
            if formula:
                try:
                    unknown = [n for n in formulas.names(formula) if n not in element_codes]
                except formulas.FormulaError as exc:
                    check.fail(iwhere, str(exc))
                else:
                    if unknown:
                        check.fail(
                            iwhere, f"formula uses unknown data elements: {', '.join(unknown)}"
                        )
            decimals = ind.get("decimals", 2)
            if not isinstance(decimals, int) or not 0 <= decimals <= 4:
                check.fail(iwhere, "'decimals' is a whole number from 0 to 4")
                decimals = 2
            thresholds: list[ThresholdSpec] = []
            scopes: set[tuple[str, str, int | None]] = set()
            for k, th in enumerate(ind.get("thresholds") or []):
                twhere = f"{iwhere}, thresholds[{k}]"
                if not isinstance(th, dict):
                    check.fail(twhere, "must be a mapping")
                    continue
                region = str(th.get("region") or "")
                if region and region not in Region.values:
                    check.fail(twhere, f"unknown region {region!r} ({', '.join(Region.values)})")
                group_ = str(th.get("commune_group") or "")
                if group_ and group_ not in {"1", "2", "3"}:
                    check.fail(twhere, "commune_group is 1, 2 or 3")
                year = th.get("year")
                if year is not None and not (isinstance(year, int) and 2000 <= year <= 2100):
                    check.fail(twhere, f"year {year!r} is not a year")
                    year = None
                if "source" not in th or "verified" not in th:
                    check.fail(twhere, "every threshold states its 'source' and 'verified'")
                ref = th.get("reference")
                value = ""
                ref_set = ref_ind = ""
                factor = None
                if ref is not None:
                    if not isinstance(ref, dict) or not ref.get("set") or not ref.get("indicator"):
                        check.fail(twhere, "reference needs set and indicator")
                    else:
                        ref_set, ref_ind = str(ref["set"]), str(ref["indicator"])
                        try:
                            factor = Decimal(str(ref.get("factor", 1)))
                        except InvalidOperation:
                            check.fail(twhere, "reference factor is not a number")
                elif "value" in th:
                    value = _threshold_value(th["value"], kind, levels, check, twhere)
                else:
                    check.fail(twhere, "a threshold has a value or a reference")
                scope = (region, group_, year)
                if scope in scopes:
                    check.fail(twhere, "two thresholds for the same region/group/year")
                scopes.add(scope)
                thresholds.append(
                    ThresholdSpec(
                        region,
                        group_,
                        year,
                        value,
                        ref_set,
                        ref_ind,
                        factor,
                        str(th.get("source") or ""),
                        bool(th.get("verified")),
                    )
                )
            if fields_["illustrative"] and any(t.verified for t in thresholds):
                check.fail(iwhere, "an illustrative set cannot have verified thresholds")
            indicators.append(
                {
                    "code": icode,
                    "content_vi": content_vi,
                    "content_en": content_en,
                    "kind": kind,
                    "unit": str(ind.get("unit") or ""),
                    "direction": direction,
                    "formula": formula,
                    "decimals": decimals,
                    "levels": levels,
                    "verified": bool(ind.get("verified", False)),
                    "retired_from": check.date(ind, "retired_from", iwhere),
                    "thresholds": thresholds,
                }
            )
        gname = groups.get(group, ("", ""))
        criteria.append(
            {
                "number": number,
                "name_vi": cname_vi,
                "name_en": cname_en,
                "group_code": group,
                "group_name_vi": gname[0],
                "group_name_en": gname[1],
                "field": field_,
                "key": bool(raw.get("key", False)),
                "verified": bool(raw.get("verified", False)),
                "indicators": indicators,
            }
        )
    _check_lengths(check, fields_, elements, criteria)
    if check.errors:
        raise CatalogError(check.errors)
    fields_["data_elements"] = elements
    return fields_, criteria


def _check_lengths(
    check: _Checker,
    set_fields: dict[str, Any],
    elements: list[dict[str, Any]],
    criteria: list[dict[str, Any]],
) -> None:
    """Every text must fit its database column (PostgreSQL refuses what SQLite would keep)."""

    def fits(model: type, values: dict[str, Any], where: str) -> None:
        for name, value in values.items():
            try:
                field = model._meta.get_field(name)  # type: ignore[attr-defined]
            except Exception:  # keys that are not columns (indicators, thresholds)
                continue
            limit = getattr(field, "max_length", None)
            if limit and isinstance(value, str) and len(value) > limit:
                check.fail(where, f"'{name}' is longer than {limit} characters ({len(value)})")

    fits(CriteriaSet, set_fields, "set")
    for element in elements:
        fits(DataElement, element, f"data element {element['code']}")
    for criterion in criteria:
        fits(Criterion, criterion, f"criterion {criterion['number']}")
        for indicator in criterion["indicators"]:
            fits(Indicator, indicator, f"indicator {indicator['code']}")
            for t in indicator["thresholds"]:
                fits(
                    Threshold,
                    {
                        "value": t.value,
                        "reference_set": t.reference_set,
                        "reference_indicator": t.reference_indicator,
                    },
                    f"indicator {indicator['code']}, threshold",
                )
