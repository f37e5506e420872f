"""A merged commune's baseline from its predecessors' values, by documented rules
(docs/baseline.md):

* counts and amounts (data elements and indicators) add up — but an amount per person or per
  household ("triệu đồng/người/năm": its unit has a "/") is averaged like a percentage;
* a percentage with a formula is recomputed by the engine from its data elements, which are
  derived first (so nothing is stored for the percentage itself);
* a percentage without a formula is averaged weighted by a stated data element — population,
  else households — when every predecessor has both;
* pass/fail is met only if every predecessor met (else not met, naming which);
* anything else (a number such as income, a level) gets no value, with the reason.

A predecessor that was split (only part of it joined) blocks sums and averages: its figures
cannot be divided. Pure: the database is read and written by ``evaluation.actions.values_derive``.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from ntm.engine.model import Value

WEIGHTS = ("population", "households")


def _weight_label(code: str) -> str:
    return {"population": _("population"), "households": _("households")}.get(code, code)


ADDITIVE = {"count", "amount"}


@dataclass(frozen=True)
class Item:
    """An indicator or data element of the set the successor is judged against."""

    code: str
    kind: str  # count, amount, percent, number, pass_fail, level
    is_element: bool = False
    unit: str = ""  # of measure: "triệu đồng/người/năm" is a rate, not an amount to add
    formula_elements: tuple[str, ...] = ()  # a percentage's data elements, when it has a formula


@dataclass(frozen=True)
class Predecessor:
    name: str
    values: Mapping[str, Value | None]  # code → its latest value up to the period
    partial: bool = False  # only part of it joined (split)


@dataclass(frozen=True)
class Derived:
    code: str
    value: Value | None  # None: nothing to store
    rule: str  # how it was (or would be) obtained
    reason: str = ""  # why there is no value


def _missing(code: str, predecessors: Sequence[Predecessor]) -> list[str]:
    return [p.name for p in predecessors if p.values.get(code) is None]


def _numbers(code: str, predecessors: Sequence[Predecessor]) -> list[Decimal] | None:
    found = [p.values.get(code) for p in predecessors]
    if any(not isinstance(v, Decimal) for v in found):
        return None
    return [v for v in found if isinstance(v, Decimal)]


def derive(items: Sequence[Item], predecessors: Sequence[Predecessor]) -> list[Derived]:
    names = ", ".join(p.name for p in predecessors)
    split = [p.name for p in predecessors if p.partial]
    derived: list[Derived] = []
    for item in items:
        missing = _missing(item.code, predecessors)
        if item.kind == "pass_fail":
            if missing:
                derived.append(
                    Derived(
                        item.code, None, _("all met"), _("no value at: %s") % ", ".join(missing)
                    )
                )
                continue
            failed = [p.name for p in predecessors if p.values.get(item.code) is not True]
            if failed:
                derived.append(Derived(item.code, False, _("not met at: %s") % ", ".join(failed)))
            else:
                derived.append(Derived(item.code, True, _("met at every one: %s") % names))
            continue
        if "/" in item.unit and item.kind in {"amount", "number"}:
            # Per person or per household (income): an average, weighted like a percentage.
            derived.append(_weighted(item, predecessors, split, missing))
            continue
        if item.kind in ADDITIVE or (item.is_element and item.kind == "number"):
            rule = _("sum of %s") % names
            if split:
                derived.append(
                    Derived(
                        item.code, None, rule, _("split, cannot be divided: %s") % ", ".join(split)
                    )
                )
            elif missing:
                derived.append(
                    Derived(item.code, None, rule, _("no value at: %s") % ", ".join(missing))
                )
            else:
                numbers = _numbers(item.code, predecessors) or []
                derived.append(Derived(item.code, sum(numbers, Decimal(0)), rule))
            continue
        if item.kind == "percent" and item.formula_elements:
            derived.append(
                Derived(
                    item.code,
                    None,
                    _("recomputed from %s") % ", ".join(item.formula_elements),
                )
            )
            continue
        if item.kind == "percent":
            derived.append(_weighted(item, predecessors, split, missing))
            continue
        derived.append(
            Derived(
                item.code,
                None,
                "",
                _("no rule adds or averages this kind of value: enter it"),
            )
        )
    return derived


def _weighted(
    item: Item, predecessors: Sequence[Predecessor], split: list[str], missing: list[str]
) -> Derived:
    if split:
        return Derived(item.code, None, "", _("split, cannot be divided: %s") % ", ".join(split))
    if missing:
        return Derived(item.code, None, "", _("no value at: %s") % ", ".join(missing))
    values = _numbers(item.code, predecessors) or []
    for weight in WEIGHTS:
        weights = _numbers(weight, predecessors)
        if weights is None or not sum(weights):
            continue
        share = sum((v * w for v, w in zip(values, weights, strict=True)), Decimal(0)) / sum(
            weights
        )
        return Derived(
            item.code,
            share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            _("average weighted by %s") % _weight_label(weight),
        )
    return Derived(
        item.code,
        None,
        "",
        _("no weight (population or households) at every predecessor"),
    )
