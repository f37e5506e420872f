"""Frozen data the engine takes and returns. Nothing here knows about databases or web pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cached_property


class Kind(StrEnum):
    PERCENT = "percent"
    NUMBER = "number"
    AMOUNT = "amount"
    COUNT = "count"
    PASS_FAIL = "pass_fail"
    LEVEL = "level"


NUMERIC_KINDS = frozenset({Kind.PERCENT, Kind.NUMBER, Kind.AMOUNT, Kind.COUNT})


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Axis(StrEnum):
    REGION = "region"
    COMMUNE_GROUP = "commune_group"
    NONE = "none"


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NO_DATA = "no_data"
    NO_THRESHOLD = "no_threshold"


# Especially difficult communes are judged at the Northern midlands and mountains level (318/QĐ-TTg).
DIFFICULT_REGION = "TDMNPB"

Value = Decimal | bool | str


@dataclass(frozen=True)
class Reference:
    set_code: str
    indicator_code: str
    factor: Decimal


@dataclass(frozen=True)
class ThresholdRule:
    value: Value | None = None
    reference: Reference | None = None
    region: str = ""
    commune_group: str = ""
    year: int | None = None
    verified: bool = False
    source: str = ""
    rule_id: int | None = None  # the stored version this rule came from, for explanations


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    kind: Kind
    direction: Direction = Direction.HIGHER
    formula: str = ""
    decimals: int = 2
    levels: tuple[str, ...] = ()
    thresholds: tuple[ThresholdRule, ...] = ()
    unit: str = ""
    retired_from: dt.date | None = None  # not judged for periods ending on or after this day


@dataclass(frozen=True)
class CriterionDef:
    number: int
    indicators: tuple[IndicatorDef, ...]
    key: bool = False

    @cached_property
    def retired_from(self) -> dt.date | None:
        """The day from which every indicator is retired: the criterion has left the set."""
        days = [i.retired_from for i in self.indicators]
        if not days or None in days:
            return None
        return max(d for d in days if d is not None)


@dataclass(frozen=True)
class SetDef:
    code: str
    axis: Axis
    criteria: tuple[CriterionDef, ...]
    prerequisite: str = ""

    def indicator(self, code: str) -> IndicatorDef | None:
        for criterion in self.criteria:
            for indicator in criterion.indicators:
                if indicator.code == code:
                    return indicator
        return None


@dataclass(frozen=True)
class UnitProfile:
    region: str = ""
    commune_group: str = ""
    especially_difficult: bool = False
    year: int = 0


@dataclass(frozen=True)
class AppliedThreshold:
    value: Value
    rule: str  # which rule chose it: "general", "region:TDMNPB", "region:TDMNPB (difficult)", "group:2", "+year:2024", "×1.1 of set/10"
    verified: bool
    source: str
    rule_id: int | None = None


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    status: Status
    value: Value | None
    value_source: str  # "entered", "computed", ""
    threshold: AppliedThreshold | None
    gap: Decimal | None  # how far the value must still move in the good direction (0 when met)
    direction: Direction
    reason: str = ""  # why no data / no threshold, for people


@dataclass(frozen=True)
class CriterionResult:
    number: int
    status: Status
    indicators: tuple[IndicatorResult, ...]
    key: bool = False

    @property
    def unverified(self) -> bool:
        return any(i.threshold is not None and not i.threshold.verified for i in self.indicators)


@dataclass(frozen=True)
class SetResult:
    set_code: str
    criteria: tuple[CriterionResult, ...]
    prerequisite: str = ""
    prerequisite_met: bool | None = None

    @property
    def met(self) -> int:
        return sum(1 for c in self.criteria if c.status is Status.MET)

    @property
    def total(self) -> int:
        return len(self.criteria)

    @property
    def status(self) -> Status:
        if self.prerequisite and self.prerequisite_met is False:
            return Status.NOT_MET
        return combine([c.status for c in self.criteria]) if self.criteria else Status.NO_THRESHOLD

    @property
    def fully_met(self) -> bool:
        return self.status is Status.MET


def combine(statuses: list[Status]) -> Status:
    """Any failure fails; then missing data; then missing thresholds; otherwise met."""
    for status in (Status.NOT_MET, Status.NO_DATA, Status.NO_THRESHOLD):
        if status in statuses:
            return status
    return Status.MET


@dataclass(frozen=True)
class Inputs:
    """Values of one unit for one period: indicator codes and data-element codes to values."""

    values: dict[str, Value] = field(default_factory=dict)
