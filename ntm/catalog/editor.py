"""Edits of a set made in the app, as changes to its document (the YAML form of
docs/criteria-format.md): the edited document is loaded like a file, so it is checked the same
way, versioned the same way (a changed threshold keeps its old version) and recorded in the set's
history. Pure: the document in, the document out."""

from typing import Any

from django.utils.translation import gettext as _

from ntm.engine.model import Direction, Kind

KINDS = {k.value for k in Kind}
DIRECTIONS = {d.value for d in Direction}


class EditorError(ValueError):
    """An edit that cannot be made, with a message for people."""


def _criterion(doc: dict[str, Any], number: int) -> dict[str, Any]:
    for criterion in doc["criteria"]:
        if int(criterion["number"]) == number:
            return criterion
    raise EditorError(_("The set has no criterion %(n)s.") % {"n": number})


def _indicator(doc: dict[str, Any], code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    for criterion in doc["criteria"]:
        for indicator in criterion.get("indicators") or []:
            if str(indicator["code"]) == code:
                return criterion, indicator
    raise EditorError(_("The set has no indicator %(code)s.") % {"code": code})


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    kind = fields.get("kind")
    if kind is not None and kind not in KINDS:
        raise EditorError(_("Unknown kind of indicator: %(kind)s.") % {"kind": kind})
    direction = fields.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        raise EditorError(_("“Better when” is higher or lower."))
    return fields


def criterion_add(doc: dict[str, Any], *, number: int, name_vi: str, name_en: str = "") -> None:
    if any(int(c["number"]) == number for c in doc["criteria"]):
        raise EditorError(_("Criterion %(n)s exists already.") % {"n": number})
    if not name_vi.strip():
        raise EditorError(_("Name the criterion."))
    doc["criteria"].append(
        {
            "number": number,
            "name": {"vi": name_vi.strip(), "en": name_en.strip()},
            "key": False,
            "verified": False,
            "indicators": [],
        }
    )
    doc["criteria"].sort(key=lambda c: int(c["number"]))


def criterion_rename(doc: dict[str, Any], *, number: int, name_vi: str, name_en: str = "") -> None:
    if not name_vi.strip():
        raise EditorError(_("Name the criterion."))
    criterion = _criterion(doc, number)
    criterion["name"] = {"vi": name_vi.strip(), "en": name_en.strip()}


def indicator_add(doc: dict[str, Any], *, number: int, code: str, **fields: Any) -> None:
    code = code.strip()
    if not code:
        raise EditorError(_("Give the indicator a code."))
    try:
        _indicator(doc, code)
    except EditorError:
        pass
    else:
        raise EditorError(_("Indicator %(code)s exists already.") % {"code": code})
    criterion = _criterion(doc, number)
    fields = _clean(fields)
    indicator: dict[str, Any] = {
        "code": code,
        "content": {"vi": str(fields.get("content_vi", "")).strip(), "en": ""},
        "kind": fields.get("kind") or "pass_fail",
        "unit": fields.get("unit", ""),
        "direction": fields.get("direction") or "higher",
        "verified": False,
        "thresholds": [],
    }
    if fields.get("formula"):
        indicator["formula"] = fields["formula"]
    criterion.setdefault("indicators", []).append(indicator)


def indicator_edit(doc: dict[str, Any], *, code: str, **fields: Any) -> None:
    _criterion_of, indicator = _indicator(doc, code)
    fields = _clean(fields)
    if "content_vi" in fields:
        if not str(fields["content_vi"]).strip():
            raise EditorError(_("Describe the indicator."))
        indicator["content"] = {**(indicator.get("content") or {}), "vi": fields["content_vi"]}
    for key in ("kind", "unit", "direction"):
        if key in fields and fields[key] is not None:
            indicator[key] = fields[key]
    if "formula" in fields:
        if fields["formula"]:
            indicator["formula"] = fields["formula"]
        else:
            indicator.pop("formula", None)


def indicator_move(doc: dict[str, Any], *, code: str, step: int) -> None:
    """One place up (-1) or down (+1) within its criterion."""
    criterion, indicator = _indicator(doc, code)
    items = criterion["indicators"]
    index = items.index(indicator)
    target = index + step
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]


def indicator_remove(doc: dict[str, Any], *, code: str) -> None:
    criterion, indicator = _indicator(doc, code)
    criterion["indicators"].remove(indicator)
