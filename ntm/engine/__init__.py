"""The NTM evaluation engine: pure Python, no Django. See docs/criteria-format.md for the rules."""

from ntm.engine.evaluate import evaluate, evaluate_indicator, quantize, select_threshold
from ntm.engine.model import (
    AppliedThreshold,
    Axis,
    CriterionDef,
    CriterionResult,
    Direction,
    IndicatorDef,
    IndicatorResult,
    Kind,
    Reference,
    SetDef,
    SetResult,
    Status,
    ThresholdRule,
    UnitProfile,
)
from ntm.engine.periods import Period, parse_period
from ntm.engine.revocation import RevocationAssessment, Risk, revocation_risk

__all__ = [
    "AppliedThreshold",
    "Axis",
    "CriterionDef",
    "CriterionResult",
    "Direction",
    "IndicatorDef",
    "IndicatorResult",
    "Kind",
    "Period",
    "Reference",
    "RevocationAssessment",
    "Risk",
    "SetDef",
    "SetResult",
    "Status",
    "ThresholdRule",
    "UnitProfile",
    "evaluate",
    "evaluate_indicator",
    "parse_period",
    "quantize",
    "revocation_risk",
    "select_threshold",
]
