"""The stored explanation of a result, compact: what ``evaluation.detail`` writes and reads.

Stored form, version 2::

    {"v": 2, "s": [source texts, each once],
     "c": [[number, status, key, unverified, [[code, status, value, value_source,
            value_period, threshold, rule, verified, source index, threshold id, gap,
            direction, reason], …]], …]}

with statuses and directions as one letter. Both the interpreted engine (``compact`` of an
engine result) and the compiled one (``ntm.engine.compiled``) write it; a property test holds
them equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ntm.engine import formula
from ntm.engine.model import IndicatorResult, SetResult, Status, Value
from ntm.engine.periods import parse_period

VERSION = 2
STATUS_LETTER = {
    Status.MET: "m",
    Status.NOT_MET: "n",
    Status.NO_DATA: "d",
    Status.NO_THRESHOLD: "t",
}
DIRECTION_LETTER = {"higher": "h", "lower": "l"}
_EARLIEST = parse_period("1900")


def text_of(value: Value | Decimal | None) -> str | None:
    if value is None:
        return None
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def latest_period(names: tuple[str, ...] | list[str], periods: Mapping[str, str]) -> str:
    """The latest of the periods the named data elements came from ("" when none)."""
    return max(
        (periods[n] for n in names if n in periods),
        default="",
        key=lambda p: parse_period(p) if p else _EARLIEST,
    )


def value_period(result: IndicatorResult, periods: dict[str, str], formula_text: str) -> str:
    if result.value_source != "computed":
        return periods.get(result.code, "")
    return latest_period(formula.names(formula_text), periods)


def compact(
    outcome: SetResult, periods: dict[str, str], formulas: dict[str, str]
) -> dict[str, Any]:
    """The stored form of an engine result; ``periods``: code → period its value came from;
    ``formulas``: indicator code → formula."""
    sources: dict[str, int] = {}
    criteria = []
    for c in outcome.criteria:
        indicators = []
        for i in c.indicators:
            threshold = i.threshold
            source = threshold.source if threshold else ""
            indicators.append(
                [
                    i.code,
                    STATUS_LETTER[i.status],
                    text_of(i.value),
                    i.value_source,
                    value_period(i, periods, formulas.get(i.code, "")),
                    text_of(threshold.value) if threshold else None,
                    threshold.rule if threshold else "",
                    threshold.verified if threshold else None,
                    sources.setdefault(source, len(sources)),
                    threshold.rule_id if threshold else None,
                    text_of(i.gap),
                    DIRECTION_LETTER[i.direction.value],
                    i.reason,
                ]
            )
        criteria.append([c.number, STATUS_LETTER[c.status], c.key, c.unverified, indicators])
    return {"v": VERSION, "s": list(sources), "c": criteria}
