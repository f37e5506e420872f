"""What loading a criteria-set file would change: the stored set against the file, compared by
content (not by the file's bytes), so a YAML file, its spreadsheet export and a re-saved copy of
either are "no change" when they say the same thing.

``stored_document`` is also the export: the document a file format writes.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from ntm.catalog.document import FORMAT, ThresholdSpec
from ntm.catalog.models import CriteriaSet

# Entity -> key -> field -> text. Texts, so that a YAML number, a sheet's cell and a database
# column holding the same value compare equal.
Snapshot = dict[str, dict[str, dict[str, str]]]
ENTITIES = ("set", "data element", "criterion", "indicator", "threshold")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _factor(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _threshold_key(code: str, region: str, group: str, year: int | None) -> str:
    scope = region or (f"nhóm {group}" if group else "chung")
    return f"{code} [{scope}{f' {year}' if year else ''}]"


def _threshold_fields(t: Any) -> dict[str, str]:
    """A threshold's compared content, from a file's ``ThresholdSpec`` or a stored
    ``Threshold`` alike (they share these attributes)."""
    return {
        "value": t.value,
        "reference_set": t.reference_set,
        "reference_indicator": t.reference_indicator,
        "reference_factor": _factor(t.reference_factor),
        "source": t.source,
        "verified": _flag(t.verified),
    }


def snapshot_parsed(fields_: dict[str, Any], criteria: list[dict[str, Any]]) -> Snapshot:
    """The content of a parsed file (``document.parse_document``)."""
    snap: Snapshot = {name: {} for name in ENTITIES}
    snap["set"][fields_["code"]] = {
        **{k: str(fields_[k]) for k in _SET_TEXTS},
        "valid_from": fields_["valid_from"].isoformat() if fields_["valid_from"] else "",
        "valid_to": fields_["valid_to"].isoformat() if fields_["valid_to"] else "",
        "illustrative": _flag(fields_["illustrative"]),
        "verified": _flag(fields_["verified"]),
        **{k: fields_[k] for k in ("prerequisite", "localises", "province")},
    }
    for element in fields_["data_elements"]:
        snap["data element"][element["code"]] = {
            k: str(element[k]) for k in ("name_vi", "name_en", "unit", "kind")
        }
    for criterion in criteria:
        snap["criterion"][str(criterion["number"])] = {
            **{k: str(criterion[k]) for k in _CRITERION_TEXTS},
            "key": _flag(criterion["key"]),
            "verified": _flag(criterion["verified"]),
        }
        for position, ind in enumerate(criterion["indicators"]):
            snap["indicator"][ind["code"]] = {
                **{k: str(ind[k]) for k in _INDICATOR_TEXTS},
                "levels": "; ".join(ind["levels"]),
                "verified": _flag(ind["verified"]),
                "retired_from": _day(ind.get("retired_from")),
                "criterion": str(criterion["number"]),
                "position": str(position),
            }
            t: ThresholdSpec
            for t in ind["thresholds"]:
                key = _threshold_key(ind["code"], t.region, t.commune_group, t.year)
                snap["threshold"][key] = _threshold_fields(t)
    return snap


_SET_TEXTS = (
    "name_vi",
    "name_en",
    "level",
    "threshold_axis",
    "legal_basis",
    "source",
    "note",
)
_CRITERION_TEXTS = ("name_vi", "name_en", "group_code", "group_name_vi", "group_name_en", "field")
_INDICATOR_TEXTS = ("content_vi", "content_en", "kind", "unit", "direction", "formula", "decimals")


def snapshot_stored(criteria_set: CriteriaSet) -> Snapshot:
    """The content of the stored set, as ``snapshot_parsed`` would give for its file: 4 queries."""
    s = criteria_set
    snap: Snapshot = {name: {} for name in ENTITIES}
    snap["set"][s.code] = {
        **{k: str(getattr(s, k)) for k in _SET_TEXTS},
        "valid_from": s.valid_from.isoformat() if s.valid_from else "",
        "valid_to": s.valid_to.isoformat() if s.valid_to else "",
        "illustrative": _flag(s.illustrative),
        "verified": _flag(s.verified),
        "prerequisite": s.prerequisite.code if s.prerequisite else "",
        "localises": s.localises.code if s.localises else "",
        "province": s.province.code if s.province else "",
    }
    for element in s.data_elements.all():
        snap["data element"][element.code] = {
            k: str(getattr(element, k)) for k in ("name_vi", "name_en", "unit", "kind")
        }
    for criterion in s.criteria.all():
        snap["criterion"][str(criterion.number)] = {
            **{k: str(getattr(criterion, k)) for k in _CRITERION_TEXTS},
            "key": _flag(criterion.key),
            "verified": _flag(criterion.verified),
        }
    indicators = s.indicators.select_related("criterion").prefetch_related("thresholds")
    for ind in indicators:
        snap["indicator"][ind.code] = {
            **{k: str(getattr(ind, k)) for k in _INDICATOR_TEXTS},
            "levels": "; ".join(str(x) for x in ind.levels),
            "verified": _flag(ind.verified),
            "retired_from": _day(ind.retired_from),
            "criterion": str(ind.criterion.number),
            "position": str(ind.position),
        }
        for t in ind.thresholds.all():
            if t.superseded_at is not None:
                continue
            key = _threshold_key(ind.code, t.region, t.commune_group, t.year)
            snap["threshold"][key] = _threshold_fields(t)
    return snap


@dataclass(frozen=True)
class Change:
    entity: str  # one of ENTITIES
    key: str  # the set's code, a criterion's number, an indicator's code, "1.1 [TDMNPB]"…
    action: str  # "added" | "changed" | "retired"
    fields: tuple[tuple[str, str, str], ...] = ()  # (field, before, after) of a change

    def as_text(self) -> str:
        label = {
            "set": _("set"),
            "data element": _("data element"),
            "criterion": _("criterion"),
            "indicator": _("indicator"),
            "threshold": _("threshold"),
        }[self.entity]
        verb = {"added": _("added"), "changed": _("changed"), "retired": _("retired")}[self.action]
        text = f"{verb}: {label} {self.key}"
        fields = [f for f in self.fields if f[0] != "retired_from"]
        if fields:
            text += ": " + "; ".join(f"{f} {b!r} → {a!r}" for f, b, a in fields)
        for _name, before, after in (f for f in self.fields if f[0] == "retired_from"):
            if after and not before:
                text += " — " + _(
                    "retired from %(day)s: it has values, so it is kept for earlier periods"
                ) % {"day": dt.date.fromisoformat(after).strftime("%d/%m/%Y")}
            elif after:
                text += " — " + _("retired from %(day)s instead of %(before)s") % {
                    "day": dt.date.fromisoformat(after).strftime("%d/%m/%Y"),
                    "before": dt.date.fromisoformat(before).strftime("%d/%m/%Y"),
                }
            else:
                text += " — " + _("in force again (was retired from %(day)s)") % {
                    "day": dt.date.fromisoformat(before).strftime("%d/%m/%Y")
                }
        return text


@dataclass
class Preview:
    """What a file changes in the stored set; empty when the file says what is stored."""

    code: str
    new_set: bool = False
    changes: list[Change] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # entity -> how many the file has

    @property
    def unchanged(self) -> bool:
        return not self.new_set and not self.changes

    def of(self, entity: str, action: str) -> list[Change]:
        return [c for c in self.changes if c.entity == entity and c.action == action]

    def lines(self) -> list[str]:
        if self.new_set:
            return [
                _(
                    "%(code)s: new set, %(criteria)s criteria, %(indicators)s indicators, "
                    "%(thresholds)s thresholds"
                )
                % {
                    "code": self.code,
                    "criteria": self.counts.get("criterion", 0),
                    "indicators": self.counts.get("indicator", 0),
                    "thresholds": self.counts.get("threshold", 0),
                }
            ]
        return [c.as_text() for c in self.changes]


def compare(before: Snapshot | None, after: Snapshot, *, code: str) -> Preview:
    """``before`` is the stored set (None: not stored yet), ``after`` the file."""
    preview = Preview(code=code, new_set=before is None)
    preview.counts = {entity: len(after[entity]) for entity in ENTITIES}
    if before is None:
        return preview
    for entity in ENTITIES:
        old, new = before[entity], after[entity]
        for key, values in new.items():
            if key not in old:
                preview.changes.append(Change(entity, key, "added"))
                continue
            differ = tuple(
                (name, old[key].get(name, ""), value)
                for name, value in values.items()
                if old[key].get(name, "") != value
            )
            if differ:
                preview.changes.append(Change(entity, key, "changed", differ))
        preview.changes.extend(Change(entity, key, "retired") for key in old if key not in new)
    return preview


def _number(value: str) -> int | float:
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def _names(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


def stored_document(criteria_set: CriteriaSet) -> dict[str, Any]:
    """The stored set as a document (the YAML format's structure), current thresholds only."""
    s = criteria_set
    document: dict[str, Any] = {
        "format": FORMAT,
        "set": {
            "code": s.code,
            "name": _names(s.name_vi, s.name_en),
            "level": s.level,
            "legal_basis": s.legal_basis,
            "valid_from": s.valid_from,
            "valid_to": s.valid_to,
            "threshold_axis": s.threshold_axis,
            "prerequisite": s.prerequisite.code if s.prerequisite else None,
            "localises": s.localises.code if s.localises else None,
            "province": s.province.code if s.province else None,
            "illustrative": s.illustrative,
            "source": s.source,
            "verified": s.verified,
            "note": s.note,
        },
    }
    criteria = list(s.criteria.all())
    groups: dict[str, dict[str, Any]] = {}
    for c in criteria:
        if c.group_code and c.group_code not in groups:
            groups[c.group_code] = {
                "code": c.group_code,
                "name": _names(c.group_name_vi, c.group_name_en),
            }
    if groups:
        document["groups"] = list(groups.values())
    elements = [
        {"code": e.code, "name": _names(e.name_vi, e.name_en), "unit": e.unit, "kind": e.kind}
        for e in s.data_elements.all()
    ]
    if elements:
        document["data_elements"] = elements
    by_criterion: dict[int, list[dict[str, Any]]] = {c.pk: [] for c in criteria}
    indicators = s.indicators.order_by("criterion__number", "position").prefetch_related(
        "thresholds"
    )
    for ind in indicators:
        kind = ind.kind
        thresholds = []
        for t in ind.thresholds.all():
            if t.superseded_at is not None:
                continue
            entry: dict[str, Any] = {}
            if t.reference_set:
                entry["reference"] = {
                    "set": t.reference_set,
                    "indicator": t.reference_indicator,
                    "factor": _number(_factor(t.reference_factor) or "1"),
                }
            elif kind == "pass_fail":
                entry["value"] = t.value == "true"
            elif kind == "level":
                entry["value"] = t.value
            else:
                entry["value"] = _number(t.value)
            for scope in ("region", "commune_group"):
                if getattr(t, scope):
                    entry[scope] = getattr(t, scope)
            if t.year:
                entry["year"] = t.year
            entry["source"] = t.source
            entry["verified"] = t.verified
            thresholds.append(entry)
        indicator: dict[str, Any] = {
            "code": ind.code,
            "content": _names(ind.content_vi, ind.content_en),
            "kind": kind,
            "unit": ind.unit,
            "direction": ind.direction,
        }
        if ind.formula:
            indicator["formula"] = ind.formula
        indicator["decimals"] = ind.decimals
        if ind.levels:
            indicator["levels"] = list(ind.levels)
        indicator["verified"] = ind.verified
        if ind.retired_from:
            indicator["retired_from"] = ind.retired_from
        indicator["thresholds"] = thresholds
        by_criterion[ind.criterion_id].append(indicator)
    document["criteria"] = []
    for c in criteria:
        criterion: dict[str, Any] = {"number": c.number, "name": _names(c.name_vi, c.name_en)}
        if c.group_code:
            criterion["group"] = c.group_code
        if c.field:
            criterion["field"] = c.field
        criterion["key"] = c.key
        criterion["verified"] = c.verified
        criterion["indicators"] = by_criterion[c.pk]
        document["criteria"].append(criterion)
    return document
