"""The stored explanation of a result (``SetResult.detail``): compact on disk, full when read.

A result explains every indicator: value, threshold, rule, gap, the period the value came from,
the legal source of the threshold. Stored as dictionaries, the keys and the repeated source
texts made ~9 KB a result (1 GB for the country). Stored form, version 2::

    {"v": 2, "s": [source texts, each once],
     "c": [[number, status, key, unverified, [[code, status, value, value_source,
            value_period, threshold, rule, verified, source index, threshold id, gap,
            direction, reason], …]], …]}

with statuses and directions as one letter. ``expand`` gives back the dictionaries every
reader uses (``{"criteria": [{"number", "status", "key", "unverified", "indicators":
[{"code", "status", "value", …}]}]}``); it also passes through results stored before
(version 1, the dictionaries themselves) until the pipeline rewrites them.
"""

from decimal import Decimal
from typing import Any

from ntm.engine import formula, parse_period
from ntm.engine.model import IndicatorResult, SetDef, Status, Value
from ntm.engine.model import SetResult as EngineResult

VERSION = 2
_STATUS = {Status.MET: "m", Status.NOT_MET: "n", Status.NO_DATA: "d", Status.NO_THRESHOLD: "t"}
_STATUS_BACK = {letter: status.value for status, letter in _STATUS.items()}
_DIRECTION = {"higher": "h", "lower": "l"}
_DIRECTION_BACK = {letter: word for word, letter in _DIRECTION.items()}


def _text(value: Value | Decimal | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _value_period(result: IndicatorResult, periods: dict[str, str], formula_text: str) -> str:
    if result.value_source != "computed":
        return periods.get(result.code, "")
    used = formula.names(formula_text)
    return max(
        (periods[n] for n in used if n in periods),
        default="",
        key=lambda p: parse_period(p) if p else parse_period("1900"),
    )


def compact(
    outcome: EngineResult, periods: dict[str, str], formulas: dict[str, str]
) -> dict[str, Any]:
    """The stored form of an engine result; ``periods``: code → period its value came from;
    ``formulas``: indicator code → formula (see ``formulas_of``)."""
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
                    _STATUS[i.status],
                    _text(i.value),
                    i.value_source,
                    _value_period(i, periods, formulas.get(i.code, "")),
                    _text(threshold.value) if threshold else None,
                    threshold.rule if threshold else "",
                    threshold.verified if threshold else None,
                    sources.setdefault(source, len(sources)),
                    threshold.rule_id if threshold else None,
                    _text(i.gap),
                    _DIRECTION[i.direction.value],
                    i.reason,
                ]
            )
        criteria.append([c.number, _STATUS[c.status], c.key, c.unverified, indicators])
    return {"v": VERSION, "s": list(sources), "c": criteria}


def formulas_of(definition: SetDef) -> dict[str, str]:
    return {i.code: i.formula for c in definition.criteria for i in c.indicators}


def expand(detail: dict[str, Any] | None) -> dict[str, Any]:
    """The full explanation, whatever version was stored."""
    if not detail:
        return {"criteria": []}
    if detail.get("v") != VERSION:
        return detail  # version 1: stored as the full dictionaries
    sources = detail["s"]
    return {
        "criteria": [
            {
                "number": number,
                "status": _STATUS_BACK[status],
                "key": key,
                "unverified": unverified,
                "indicators": [
                    {
                        "code": code,
                        "status": _STATUS_BACK[i_status],
                        "value": value,
                        "value_source": value_source,
                        "value_period": value_period,
                        "threshold": threshold,
                        "rule": rule,
                        "verified": verified,
                        "source": sources[source],
                        "threshold_id": threshold_id,
                        "gap": gap,
                        "direction": _DIRECTION_BACK[direction],
                        "reason": reason,
                    }
                    for (
                        code,
                        i_status,
                        value,
                        value_source,
                        value_period,
                        threshold,
                        rule,
                        verified,
                        source,
                        threshold_id,
                        gap,
                        direction,
                        reason,
                    ) in indicators
                ],
            }
            for number, status, key, unverified, indicators in detail["c"]
        ]
    }
