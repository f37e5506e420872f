"""Revocation risk of a recognised commune (18/2022/QĐ-TTg, as amended).

The title is revoked when at least 50% of the criteria fail, or when 30% to 50% fail and one of
the failed criteria is a key one (income, environment, living-environment quality, defence and
security).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from ntm.engine.model import SetResult, Status


class Risk(StrEnum):
    NONE = "none"
    WATCH = "watch"  # some criteria failed, below the revocation rule
    REVOCATION = "revocation"


@dataclass(frozen=True)
class RevocationAssessment:
    risk: Risk
    failed: int
    total: int
    share: Decimal  # failed / total, in percent, 2 decimals
    failed_key: tuple[int, ...]


def revocation_risk(result: SetResult) -> RevocationAssessment:
    return assess(tuple((c.number, c.status, c.key) for c in result.criteria))


def assess(criteria: tuple[tuple[int, Status, bool], ...]) -> RevocationAssessment:
    """The rule over each criterion's (number, status, key)."""
    failed = [(number, key) for number, status, key in criteria if status is Status.NOT_MET]
    total = len(criteria)
    share = (
        (Decimal(len(failed)) * 100 / Decimal(total)).quantize(Decimal("0.01"))
        if total
        else Decimal(0)
    )
    failed_key = tuple(number for number, key in failed if key)
    if share >= 50 or (share >= 30 and failed_key):
        risk = Risk.REVOCATION
    elif failed:
        risk = Risk.WATCH
    else:
        risk = Risk.NONE
    return RevocationAssessment(risk, len(failed), total, share, failed_key)
