"""Loading criteria-set YAML files (format: docs/criteria-format.md).

The whole file is validated first; any error refuses it and nothing is written. Loading the
same file twice changes nothing; a changed threshold becomes a new version of it.
"""

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from ntm.catalog.models import CriteriaSet, Criterion, DataElement, Indicator, SetLevel, Threshold
from ntm.engine import formula as formulas
from ntm.engine.model import Axis, Direction, Kind
from ntm.geo.models import AdminUnit, Level, Region

FORMAT = "ntm-criteria/1"
# The C parser when PyYAML has it: loading the shipped catalog is then several times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FIELDS = {
    "planning",
    "transport",
    "agriculture",
    "economy",
    "culture",
    "education",
    "health",
    "labour",
    "environment",
    "justice",
    "security",
    "finance",
}
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")


class CatalogError(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class LoadSummary:
    code: str
    created: bool = False
    unchanged: bool = True
    criteria: int = 0
    indicators: int = 0
    thresholds_added: int = 0
    thresholds_superseded: int = 0
    thresholds_kept: int = 0
    notes: list[str] = field(default_factory=list)

    def as_text(self) -> str:
        state = "created" if self.created else ("unchanged" if self.unchanged else "updated")
        return (
            f"{self.code}: {state}; {self.criteria} criteria, {self.indicators} indicators; "
            f"thresholds {self.thresholds_added} new, {self.thresholds_superseded} superseded, "
            f"{self.thresholds_kept} unchanged"
        )


@dataclass(frozen=True)
class _Threshold:
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
    """Validate a file; return (set fields, criteria with indicators and thresholds)."""
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise CatalogError([f"not valid YAML: {exc}"]) from exc
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
            thresholds: list[_Threshold] = []
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
                    _Threshold(
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


def _resolve_links(fields_: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    errors = []
    links: dict[str, Any] = {"prerequisite": None, "localises": None, "province": None}
    for key in ("prerequisite", "localises"):
        if fields_[key]:
            links[key] = CriteriaSet.objects.filter(code=fields_[key]).first()
            if links[key] is None:
                errors.append(f"set.{key}: unknown set {fields_[key]!r} (load it first)")
    if fields_["province"]:
        provinces = AdminUnit.objects.filter(code=fields_["province"], level=Level.PROVINCE)
        day = fields_["valid_from"]
        province = (provinces.valid_on(day) if day else provinces.current()).first()
        if province is None:
            errors.append(
                f"set.province: no province {fields_['province']!r} in force"
                f"{' on ' + day.isoformat() if day else ''}"
            )
        links["province"] = province
    if fields_["localises"] and not fields_["province"]:
        errors.append("set.province: a localised set names its province")
    return links, errors


@transaction.atomic
def load_criteria(source: str | Path | bytes, *, filename: str = "") -> LoadSummary:
    if isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and source.endswith((".yaml", ".yml"))
    ):
        data = Path(source).read_bytes()
    elif isinstance(source, bytes):
        data = source
    else:
        data = str(source).encode()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogError(["the file is not UTF-8 text"]) from exc
    fields_, criteria = parse(text)
    links, errors = _resolve_links(fields_)
    if errors:
        raise CatalogError(errors)
    digest = hashlib.sha256(data).hexdigest()
    summary = LoadSummary(code=fields_["code"])
    set_values = {
        k: fields_[k]
        for k in (
            "name_vi",
            "name_en",
            "level",
            "threshold_axis",
            "legal_basis",
            "valid_from",
            "valid_to",
            "illustrative",
            "verified",
            "source",
            "note",
        )
    }
    set_values.update(links)
    criteria_set, summary.created = CriteriaSet.objects.get_or_create(
        code=fields_["code"], defaults=set_values
    )
    if not summary.created and criteria_set.file_sha256 == digest:
        summary.criteria = len(criteria)
        summary.indicators = sum(len(c["indicators"]) for c in criteria)
        summary.thresholds_kept = sum(
            len(i["thresholds"]) for c in criteria for i in c["indicators"]
        )
        return summary
    summary.unchanged = False
    for key, value in set_values.items():
        setattr(criteria_set, key, value)
    criteria_set.file_sha256 = digest
    criteria_set.version += 0 if summary.created else 1
    criteria_set.loaded_at = timezone.now()
    criteria_set.save()

    existing_elements = {e.code: e for e in criteria_set.data_elements.all()}
    for element in fields_["data_elements"]:
        DataElement.objects.update_or_create(
            criteria_set=criteria_set, code=element["code"], defaults=element
        )
    criteria_set.data_elements.exclude(
        code__in=[e["code"] for e in fields_["data_elements"]]
    ).delete()
    del existing_elements

    keep_criteria = []
    keep_indicators = []
    now = timezone.now()
    reason = f"{filename or 'file'} (sha256 {digest[:12]})"
    for raw in criteria:
        indicators = raw.pop("indicators")
        criterion, _ = Criterion.objects.update_or_create(
            criteria_set=criteria_set, number=raw["number"], defaults=raw
        )
        keep_criteria.append(criterion.pk)
        summary.criteria += 1
        for position, ind in enumerate(indicators):
            thresholds: list[_Threshold] = ind.pop("thresholds")
            indicator, _ = Indicator.objects.update_or_create(
                criteria_set=criteria_set,
                code=ind["code"],
                defaults={**ind, "criterion": criterion, "position": position},
            )
            keep_indicators.append(indicator.pk)
            summary.indicators += 1
            current = {
                (t.region, t.commune_group, t.year): t
                for t in indicator.thresholds.filter(superseded_at__isnull=True)
            }
            for wanted in thresholds:
                old = current.pop(wanted.scope, None)
                if old is not None and _same(old, wanted):
                    summary.thresholds_kept += 1
                    continue
                if old is not None:
                    old.superseded_at = now
                    old.save(update_fields=["superseded_at"])
                    summary.thresholds_superseded += 1
                Threshold.objects.create(
                    indicator=indicator,
                    region=wanted.region,
                    commune_group=wanted.commune_group,
                    year=wanted.year,
                    value=wanted.value,
                    reference_set=wanted.reference_set,
                    reference_indicator=wanted.reference_indicator,
                    reference_factor=wanted.reference_factor,
                    source=wanted.source,
                    verified=wanted.verified,
                    change_reason=reason,
                )
                summary.thresholds_added += 1
            for gone in current.values():
                gone.superseded_at = now
                gone.save(update_fields=["superseded_at"])
                summary.thresholds_superseded += 1
    criteria_set.indicators.exclude(pk__in=keep_indicators).delete()
    criteria_set.criteria.exclude(pk__in=keep_criteria).delete()
    return summary


def _same(old: Threshold, new: _Threshold) -> bool:
    return (old.value, old.reference_set, old.reference_indicator, old.source, old.verified) == (
        new.value,
        new.reference_set,
        new.reference_indicator,
        new.source,
        new.verified,
    ) and (old.reference_factor or None) == (new.reference_factor or None)
