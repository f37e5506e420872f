"""The stored explanation of a result (``SetResult.detail``): compact on disk, full when read.

A result explains every indicator: value, threshold, rule, gap, the period the value came from,
the legal source of the threshold. Stored as dictionaries, the keys and the repeated source
texts made ~9 KB a result (1 GB for the country). The stored form (version 2, written by
``ntm.engine.explain``)::

    {"v": 2, "s": [source texts, each once],
     "c": [[number, status, key, unverified, [[code, status, value, value_source,
            value_period, threshold, rule, verified, source index, threshold id, gap,
            direction, reason], …]], …]}

with statuses and directions as one letter. ``expand`` gives back the dictionaries every
reader uses (``{"criteria": [{"number", "status", "key", "unverified", "indicators":
[{"code", "status", "value", …}]}]}``); it also passes through results stored before
(version 1, the dictionaries themselves) until the pipeline rewrites them.
"""

from typing import Any

from ntm.engine.explain import DIRECTION_LETTER, STATUS_LETTER, VERSION, compact
from ntm.engine.model import SetDef

__all__ = ["VERSION", "compact", "expand", "formulas_of"]

_STATUS_BACK = {letter: status.value for status, letter in STATUS_LETTER.items()}
_DIRECTION_BACK = {letter: word for word, letter in DIRECTION_LETTER.items()}


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
