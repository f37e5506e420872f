"""A set compiled once, then run for many units and periods: the bulk path of the pipeline.

``evaluate`` walks frozen definitions and builds a result object per indicator, criterion and
set, which ``explain.compact`` then turns into the stored explanation. For a national run that
is most of the time. Here, everything that depends only on the set, the unit's profile and the
period's end — which criteria and indicators are still judged, the threshold each indicator gets
and why, its source text's index, whether the criterion's thresholds are all verified — is
chosen once per (profile, day) into flat tuples; a run per unit and period only reads the
values, compares and writes the stored explanation's rows directly.

The outcome is the one ``evaluate`` gives: ``test_compiled`` holds ``CompiledSet.run`` equal to
``compact(evaluate(...))``, met, total, status and revocation risk alike, on generated sets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ntm.engine import formula as formulas
from ntm.engine.evaluate import NO_GROUP, NO_THRESHOLD, select_threshold
from ntm.engine.explain import DIRECTION_LETTER, VERSION, latest_period, text_of
from ntm.engine.model import (
    NUMERIC_KINDS,
    Axis,
    Direction,
    Kind,
    SetDef,
    Status,
    UnitProfile,
    Value,
)
from ntm.engine.revocation import RevocationAssessment, assess

# Indicator kinds as small integers for the run's branches.
_NUMERIC, _PASS_FAIL, _LEVEL, _OTHER = 0, 1, 2, 3
# Status letters, in the order ``combine`` ranks them (any "n" fails, then "d", then "t").
_RANK = {"n": 0, "d": 1, "t": 2, "m": 3}
_LETTER_STATUS = {
    "m": Status.MET,
    "n": Status.NOT_MET,
    "d": Status.NO_DATA,
    "t": Status.NO_THRESHOLD,
}
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One unit's result for one period, with its stored explanation."""

    met: int
    total: int
    status: Status
    unverified: bool
    statuses: tuple[tuple[int, Status, bool], ...]  # (criterion number, status, key)
    detail: dict[str, Any]  # the stored explanation (``explain`` version 2)

    @property
    def criteria_status(self) -> str:
        """ "1m 2n 3d": each criterion's status in one short column."""
        return " ".join(f"{c[0]}{c[1]}" for c in self.detail["c"])

    def revocation(self) -> RevocationAssessment:
        return assess(self.statuses)


# One indicator, flattened: everything but the value is fixed for a (profile, day).
_Row = tuple[
    str,  # code
    int,  # kind
    Callable[[Mapping[str, Value]], Decimal] | None,  # compiled formula
    tuple[str, ...],  # the formula's data elements
    Decimal,  # quantum of the indicator's decimals
    tuple[str, ...],  # levels
    Value | None,  # threshold value (None: no threshold)
    str,  # why no threshold ("" when there is one)
    bool,  # higher is better
    list[Any],  # the explanation's threshold part: threshold, rule, verified, source, id
    str,  # direction letter
]


class _Plan:
    """A set for one profile and one day: criteria still judged, thresholds chosen."""

    __slots__ = ("criteria", "sources")

    def __init__(
        self,
        definition: SetDef,
        profile: UnitProfile,
        references: Mapping[str, SetDef] | None,
        day: dt.date | None,
    ):
        sources: dict[str, int] = {}
        self.criteria: list[tuple[int, bool, bool, list[_Row]]] = []
        for criterion in definition.criteria:
            retired = criterion.retired_from
            if day is not None and retired is not None and day >= retired:
                continue
            rows: list[_Row] = []
            unverified = False
            for i in criterion.indicators:
                if i.retired_from is not None and day is not None and day >= i.retired_from:
                    continue
                threshold = select_threshold(i, definition.axis, profile, references)
                source = threshold.source if threshold else ""
                index = sources.setdefault(source, len(sources))
                if threshold is None:
                    no_group = (
                        definition.axis is Axis.COMMUNE_GROUP
                        and not profile.commune_group
                        and any(r.commune_group for r in i.thresholds)
                    )
                    why = NO_GROUP if no_group else NO_THRESHOLD
                    explained = [None, "", None, index, None]
                else:
                    why = ""
                    unverified = unverified or not threshold.verified
                    explained = [
                        text_of(threshold.value),
                        threshold.rule,
                        threshold.verified,
                        index,
                        threshold.rule_id,
                    ]
                if i.kind in NUMERIC_KINDS:
                    kind = _NUMERIC
                elif i.kind is Kind.PASS_FAIL:
                    kind = _PASS_FAIL
                elif i.kind is Kind.LEVEL:
                    kind = _LEVEL
                else:
                    kind = _OTHER
                rows.append(
                    (
                        i.code,
                        kind,
                        *_formula(i.formula),
                        Decimal(1).scaleb(-i.decimals),
                        i.levels,
                        threshold.value if threshold else None,
                        why,
                        i.direction is Direction.HIGHER,
                        explained,
                        DIRECTION_LETTER[i.direction.value],
                    )
                )
            self.criteria.append((criterion.number, criterion.key, unverified, rows))
        self.sources = list(sources)


def _formula(
    text: str,
) -> tuple[Callable[[Mapping[str, Value]], Decimal] | None, tuple[str, ...]]:
    """The compiled formula and its data elements; an invalid formula fails each run with its
    error, as the interpreter's does."""
    if not text:
        return None, ()
    try:
        return formulas.compiled(text), tuple(formulas.names(text))
    except formulas.FormulaError as exc:
        error = exc

        def invalid(_values: Mapping[str, Value]) -> Decimal:
            raise error

        return invalid, ()


class CompiledSet:
    """One set definition (with the sets its thresholds refer to), compiled per profile and day
    on first use. Keep one per definition for a run; it holds no values."""

    def __init__(self, definition: SetDef, references: Mapping[str, SetDef] | None = None):
        self.definition = definition
        self.references = references
        self._plans: dict[tuple[UnitProfile, dt.date | None], _Plan] = {}

    def plan(self, profile: UnitProfile, day: dt.date | None) -> _Plan:
        key = (profile, day)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _Plan(self.definition, profile, self.references, day)
        return plan

    def run(
        self,
        profile: UnitProfile,
        values: Mapping[str, Value],
        periods: Mapping[str, str],
        *,
        prerequisite_met: bool | None = None,
        day: dt.date | None = None,
    ) -> Outcome:
        """What ``compact(evaluate(definition, profile, values, ...), periods, formulas)`` gives,
        with the counts; ``periods``: code → the period its value came from."""
        plan = self.plan(profile, day)
        criteria: list[list[Any]] = []
        statuses = []
        met = 0
        any_unverified = False
        get = values.get
        for number, key, unverified, rows in plan.criteria:
            explained = []
            worst = 3 if rows else -1
            for (
                code,
                kind,
                compiled,
                names,
                quantum,
                levels,
                target,
                no_threshold,
                higher,
                threshold_part,
                direction,
            ) in rows:
                value: Value | None = None
                source = ""
                reason = ""
                if compiled is not None:
                    try:
                        computed = compiled(values)
                    except formulas.MissingData as exc:
                        reason = "missing data elements: " + ", ".join(exc.names)
                    except formulas.FormulaError as exc:
                        reason = str(exc)
                    else:
                        value = computed.quantize(quantum, rounding=ROUND_HALF_UP)
                        source = "computed"
                if source == "":
                    entered = get(code)
                    if entered is None:
                        reason = reason or "no value"
                    else:
                        source = "entered"
                        reason = ""
                        if kind == _NUMERIC and isinstance(entered, Decimal):
                            value = entered.quantize(quantum, rounding=ROUND_HALF_UP)
                        else:
                            value = entered
                gap: Decimal | None = None
                if value is None:
                    letter = "d"
                elif no_threshold:
                    letter, reason = "t", no_threshold
                elif kind == _PASS_FAIL:
                    if value is True or value is False:
                        if target is True or target is False:
                            letter = "m" if value == target else "n"
                        else:
                            letter, reason = "d", "not a pass/fail value"
                    else:
                        letter, reason = "d", "not a pass/fail value"
                elif kind == _LEVEL:
                    if value not in levels or target not in levels:
                        letter, reason = "d", "unknown level"
                    else:
                        have, want = levels.index(str(value)), levels.index(str(target))
                        letter = "m" if have >= want else "n"
                        gap = Decimal(max(0, want - have))
                elif not isinstance(value, Decimal) or not isinstance(target, Decimal):
                    letter, reason = "d", "not a number"
                else:
                    gap = target - value if higher else value - target
                    if gap <= 0:
                        letter, gap = "m", _ZERO
                    else:
                        letter = "n"
                rank = _RANK[letter]
                if rank < worst:
                    worst = rank
                # ``text_of``, inline: this runs for every indicator of every result.
                if value is None or type(value) is str:
                    shown = value
                elif type(value) is Decimal:
                    shown = format(value, "f")
                else:
                    shown = text_of(value)
                explained.append(
                    [
                        code,
                        letter,
                        shown,
                        source,
                        latest_period(names, periods)
                        if source == "computed"
                        else periods.get(code, ""),
                        *threshold_part,
                        None if gap is None else format(gap, "f"),
                        direction,
                        reason,
                    ]
                )
            c_letter = "t" if worst == -1 else "ndtm"[worst]
            if c_letter == "m":
                met += 1
            any_unverified = any_unverified or unverified
            criteria.append([number, c_letter, key, unverified, explained])
            statuses.append((number, _LETTER_STATUS[c_letter], key))
        if self.definition.prerequisite and prerequisite_met is False:
            status = Status.NOT_MET
        elif not criteria:
            status = Status.NO_THRESHOLD
        else:
            status = _LETTER_STATUS["ndtm"[min(_RANK[c[1]] for c in criteria)]]
        return Outcome(
            met,
            len(criteria),
            status,
            any_unverified,
            tuple(statuses),
            {"v": VERSION, "s": plan.sources, "c": criteria},
        )
