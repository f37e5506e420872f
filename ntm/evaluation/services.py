"""Evaluation glue: fetch inputs for many units in a fixed number of queries, run the pure
engine per unit and period, store the results. The same path serves one unit after a save and
the whole country in a bulk run.

Values carry forward: a period is judged on the latest value of each code reported up to its
end, and every indicator result names the period its value came from.
"""

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from ntm.catalog.models import CriteriaSet
from ntm.catalog.selectors import (
    prerequisite_order,
    province_id_of,
    set_definition,
    variants_by_province,
)
from ntm.core.db import AmongIds, converted_rows
from ntm.engine import Period, evaluate, parse_period
from ntm.engine.compiled import CompiledSet
from ntm.engine.model import (
    SetDef,
    Status,
    UnitProfile,
    Value,
)
from ntm.engine.model import (
    SetResult as EngineResult,
)
from ntm.evaluation import prerequisites, summaries
from ntm.evaluation.models import BOTH, Basis, SetResult, StaleResult, UnitBasis
from ntm.geo.models import AdminUnit
from ntm.geo.selectors import ProfileSource
from ntm.geo.services import units_lock
from ntm.observations.models import DataValue, InputStamp, ValueStatus

CHUNK = 2000


class _Definitions:
    """Engine definitions of a family's variants and of the sets their thresholds refer to."""

    def __init__(self, family: CriteriaSet):
        self.family = family
        self.variants = variants_by_province(family)
        self._built: dict[int, tuple[SetDef, str]] = {}
        self._references: dict[tuple[int, int | None], dict[str, SetDef]] = {}
        self._others: dict[str, _Definitions | None] = {}
        # Per (variant, references): the digest of what it judges by and the compiled set, so
        # that each unit of a run costs a lookup, not a digest of whole definitions.
        self._applied: dict[tuple[int, int], tuple[str, CompiledSet]] = {}

    def applied(self, unit: AdminUnit) -> tuple[CriteriaSet, SetDef, str, CompiledSet]:
        """``for_unit`` and the definition compiled with the references of the unit's
        province."""
        variant = self.variants.get(province_id_of(unit)) or self.variants[None]
        if variant.pk not in self._built:
            definition = set_definition(variant)
            self._built[variant.pk] = (definition, _digest(definition))
        definition, digest = self._built[variant.pk]
        refs = self.references(unit, definition)
        key = (variant.pk, id(refs))
        applied = self._applied.get(key)
        if applied is None:
            if refs:
                digest = _digest(digest, sorted(refs.items(), key=lambda item: item[0]))
            applied = self._applied[key] = (digest, CompiledSet(definition, refs))
        return variant, definition, applied[0], applied[1]

    def for_unit(self, unit: AdminUnit) -> tuple[CriteriaSet, SetDef, str]:
        """The variant that applies, its definition, and a digest of everything it judges by
        (thresholds, rule ids, sources, and the sets its thresholds refer to)."""
        variant, definition, digest, _compiled = self.applied(unit)
        return variant, definition, digest

    def references(self, unit: AdminUnit, definition: SetDef) -> dict[str, SetDef]:
        key = (id(definition), province_id_of(unit))
        if key in self._references:
            return self._references[key]
        codes = {
            r.reference.set_code
            for c in definition.criteria
            for i in c.indicators
            for r in i.thresholds
            if r.reference is not None
        }
        refs = {}
        for code in sorted(codes):
            if code not in self._others:
                other = CriteriaSet.objects.filter(code=code, localises__isnull=True).first()
                self._others[code] = _Definitions(other) if other is not None else None
            found = self._others[code]
            if found is not None:
                refs[code] = found.for_unit(unit)[1]
        self._references[key] = refs
        return refs


def _prerequisite_lookup(
    family: CriteriaSet, units: list[AdminUnit]
) -> dict[str, dict[int, list[tuple[dt.date, bool]]]]:
    """Per basis, each unit's prerequisite results in order: a set judged on approved figures
    takes its prerequisite from approved figures too."""
    found: dict[str, dict[int, list[tuple[dt.date, bool]]]] = {b: defaultdict(list) for b in Basis}
    if not family.prerequisite_id:
        return found
    prerequisite = family.prerequisite.family  # type: ignore[union-attr]
    rows = (
        SetResult.stored.filter(
            AmongIds(F("unit_id"), [u.pk for u in units]), criteria_set=prerequisite
        )
        # The period breaks ties (a year and its Q4 end on the same day): a fixed order.
        .order_by("period_end", "period")
        .values_list("unit_id", "period_end", "status", "basis")
    )
    for unit_id, end, status, serves in rows:
        for basis in Basis:
            if serves in (BOTH, basis):
                found[basis][unit_id].append((end, status == Status.MET))
    # Recognition decisions under the prerequisite set count as met from their day, on both
    # bases; a result of the same day stands before the decision (stable sort).
    decided = prerequisites.decision_dates(prerequisite.code, [u.pk for u in units])
    for unit_id, dates in decided.items():
        for basis in Basis:
            entries = found[basis][unit_id]
            entries.extend((day, True) for day in dates)
            entries.sort(key=itemgetter(0))
    return found


def _latest_before(entries: list[tuple[dt.date, bool]], day: dt.date) -> bool | None:
    met = None
    for end, ok in entries:
        if end <= day:
            met = ok
    return met


PIPELINE_VERSION = (
    "5"  # bump when the engine or the stored detail changes: every result is rewritten
)


@dataclass
class Refreshed:
    """What a refresh did: results in scope, rows written (new or changed), rows removed."""

    results: int = 0
    written: int = 0
    removed: int = 0

    def __iadd__(self, other: "Refreshed") -> "Refreshed":
        self.results += other.results
        self.written += other.written
        self.removed += other.removed
        return self


def _digest(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def evaluate_units(
    *, units: Iterable[AdminUnit], family: CriteriaSet, full: bool = False
) -> Refreshed:
    """(Re)compute the results of these units for one set and store those whose inputs changed.

    The units are locked first (``units_lock``), so a concurrent save of one of them waits and
    then sees this refresh's rows; results are written by upsert, never by delete-and-insert,
    so two refreshes cannot collide on the unique key.

    Two digests make "nothing changed" cheap. A unit's ``UnitBasis`` covers everything its
    results depend on but the values, which it replaces by the unit's ``InputStamp`` (bumped by
    every write of its values): a unit whose stored basis equals the current one is current,
    and neither its results nor its values are read. A result's ``input_hash`` covers its own
    inputs, values included: a result whose digest equals the stored one is not recomputed nor
    rewritten (a Q4 save leaves Q1–Q3 as they are). ``full`` reads every unit's values whatever
    its basis (for values or results written around the services).
    """
    units = list(units)
    done = Refreshed()
    if not units:
        return done
    unit_ids = [u.pk for u in units]
    with transaction.atomic():
        units_lock(unit_ids)
        stamps = dict(
            InputStamp.objects.filter(
                AmongIds(F("unit_id"), unit_ids), criteria_set=family
            ).values_list("unit_id", "version")
        )
        known = {
            unit_id: (basis, count)
            for unit_id, basis, count in UnitBasis.objects.filter(
                AmongIds(F("unit_id"), unit_ids), criteria_set=family
            ).values_list("unit_id", "basis", "results")
        }
        definitions = _Definitions(family)
        profiles = ProfileSource(units)
        prerequisites = _prerequisite_lookup(family, units)

        def unit_basis(unit: AdminUnit) -> str:
            stamp = stamps.get(unit.pk)
            if stamp is None:
                return ""  # values written without a stamp: never current
            variant, _definition, fingerprint = definitions.for_unit(unit)
            # The whole prerequisite history (not the entry each period uses): any change of
            # it makes the unit's results worth a look; their input_hash decides what is written.
            history = (
                [prerequisites[b].get(unit.pk, []) for b in Basis]
                if family.prerequisite_id
                else None
            )
            return _digest(
                PIPELINE_VERSION, variant.pk, fingerprint, profiles.inputs(unit), history, stamp
            )

        bases = {unit.pk: unit_basis(unit) for unit in units}
        current: set[int] = set()
        if not full:
            matching = [
                pk for pk, basis in bases.items() if basis and known.get(pk, ("",))[0] == basis
            ]
            if matching:
                # Results deleted around the pipeline: a unit missing some is read again.
                counts = dict(
                    SetResult.stored.filter(AmongIds(F("unit_id"), matching), criteria_set=family)
                    .order_by()
                    .values("unit_id")
                    .annotate(n=Count("*"))
                    .values_list("unit_id", "n")
                )
                for pk in matching:
                    if counts.get(pk, 0) == known[pk][1]:
                        current.add(pk)
                        done.results += known[pk][1]
        to_read = [pk for pk in unit_ids if pk not in current]

        def context(unit: AdminUnit, end: dt.date, basis: Basis) -> tuple[UnitProfile, bool | None]:
            profile = profiles.profile(unit, end)
            met = (
                _latest_before(prerequisites[basis].get(unit.pk, []), end)
                if family.prerequisite_id
                else None
            )
            return (
                UnitProfile(
                    profile.region, profile.commune_group, profile.especially_difficult, end.year
                ),
                met,
            )

        stored: dict[tuple[int, str, str], str] = {}
        values: dict[int, list[_Row]] = defaultdict(list)
        if to_read:
            stored = {
                (unit_id, period_code, serves): digest
                for unit_id, period_code, serves, digest in SetResult.stored.filter(
                    AmongIds(F("unit_id"), to_read), criteria_set=family
                ).values_list("unit_id", "period", "basis", "input_hash")
            }
            rows = (
                DataValue.objects.filter(AmongIds(F("unit_id"), to_read), criteria_set=family)
                .order_by("unit_id", "period_end", "updated_at")
                .values_list("unit_id", "code", "period", "number", "flag", "text", "status")
            )
            approved_status = str(ValueStatus.APPROVED.value)
            periods: dict[str, Period] = {}
            last_unit, bucket = None, []
            # Rows come by unit: one list per unit, found once, not per value.
            for unit_id, code, period_code, number, flag, text, status in converted_rows(rows):
                if unit_id != last_unit:
                    last_unit, bucket = unit_id, values[unit_id]
                period = periods.get(period_code)
                if period is None:
                    period = periods[period_code] = parse_period(period_code)
                bucket.append(
                    (
                        code,
                        period,
                        period.end,
                        status == approved_status,
                        # As _typed, inline: the flag, else the number (converted), else the text.
                        flag if flag is not None else number if number is not None else text,
                        # What the result's digest reads of this value, built once per value.
                        f"{code}\x1f{period_code}\x1f{text!r}\x1f{number}\x1f{flag}",
                    )
                )

        results: list[tuple[Any, ...]] = []
        now = timezone.now()
        kept: dict[int, int] = defaultdict(int)
        for unit in units:
            if unit.pk in current:
                continue
            unit_values = values.get(unit.pk)
            if not unit_values:
                continue
            variant, _definition, fingerprint, compiled = definitions.applied(unit)
            # Up to the day before the first draft, the approved basis judges what the working
            # one does: the same values, so the same snapshot and the same row.
            first_draft = min((row[2] for row in unit_values if not row[3]), default=dt.date.max)
            all_approved = first_draft == dt.date.max
            # Per period, what each basis judges: its snapshot of values, the profile, the
            # prerequisite and the digest of all of them.
            plans: dict[str, tuple[Any, dict[Basis, _Plan]]] = {}
            by_working = list(_snapshots(unit_values))
            for basis in Basis:
                snapshots = (
                    by_working
                    if basis == Basis.WORKING or all_approved
                    else _snapshots([r for r in unit_values if r[3]])
                )
                for period, snapshot in snapshots:
                    engine_profile, prerequisite_met = context(unit, period.end, basis)
                    entry = plans.get(period.code)
                    if entry is None:
                        entry = plans[period.code] = (period, {})
                    working = entry[1].get(Basis.WORKING)
                    if (
                        working is not None
                        and period.end < first_draft
                        and working.prerequisite_met == prerequisite_met
                    ):
                        entry[1][basis] = working
                        continue
                    digest = _digest(
                        PIPELINE_VERSION,
                        variant.pk,
                        fingerprint,
                        engine_profile,
                        prerequisite_met,
                        "\x1e".join(sorted([row[5] for row in snapshot.values()])),
                    )
                    entry[1][basis] = _Plan(snapshot, engine_profile, prerequisite_met, digest)
            for period, by_basis in sorted(plans.values(), key=itemgetter(0)):
                working = by_basis.get(Basis.WORKING)
                approved = by_basis.get(Basis.APPROVED)
                if (
                    working is not None
                    and approved is not None
                    and working.digest == approved.digest
                ):
                    entries: list[tuple[str, _Plan]] = [(BOTH, working)]
                else:
                    entries = [
                        (basis.value, plan)
                        for basis, plan in ((Basis.WORKING, working), (Basis.APPROVED, approved))
                        if plan is not None
                    ]
                for serves, plan in entries:
                    key = (unit.pk, period.code, serves)
                    kept[unit.pk] += 1
                    done.results += 1
                    if stored.pop(key, None) == plan.digest:
                        continue
                    outcome = compiled.run(
                        plan.profile,
                        {code: row[4] for code, row in plan.snapshot.items()},
                        {code: row[1].code for code, row in plan.snapshot.items()},
                        prerequisite_met=plan.prerequisite_met,
                        day=period.end,
                    )
                    results.append(
                        (
                            unit.pk,
                            family.pk,
                            variant.pk,
                            period.code,
                            period.end,
                            outcome.met,
                            outcome.total,
                            outcome.status.value,
                            plan.prerequisite_met,
                            outcome.unverified,
                            outcome.revocation().risk.value,
                            json.dumps(outcome.detail, ensure_ascii=False, separators=(",", ":")),
                            outcome.criteria_status,
                            now,
                            plan.digest,
                            serves,
                        )
                    )
        # What is left of the stored results of the units read has no period with values.
        gone = list(stored)
        touched = {row[0] for row in results} | {unit_id for unit_id, _code, _basis in gone}
        old_timelines = summaries.timelines(family, touched) if touched else {}
        if gone:
            by_unit: dict[int, list[tuple[str, str]]] = defaultdict(list)
            for unit_id, period_code, serves in gone:
                by_unit[unit_id].append((period_code, serves))
            for unit_id, keys in by_unit.items():
                _delete_pairs(family, unit_id, keys)
            done.removed = len(gone)
        if results:
            _upsert(results)
        _store_bases(
            family,
            [
                (pk, bases[pk], kept.get(pk, 0))
                for pk in to_read
                if known.get(pk) != (bases[pk], kept.get(pk, 0))
                # No row for a unit with nothing: no stamp, no result.
                and (pk in known or bases[pk] or kept.get(pk, 0))
            ],
        )
        done.written = len(results)
        if touched:
            changed = [u for u in units if u.pk in touched]
            new_timelines = summaries.timelines(family, touched)
            for basis in Basis:
                summaries.apply(
                    family,
                    summaries.changes_for(changed, old_timelines[basis], new_timelines[basis]),
                    basis,
                )
    return done


# One value as the pipeline reads it: code, period, period end, approved, typed value, and
# what the digest of a result judged on it reads.
_Row = tuple[str, Period, dt.date, bool, Value, str]


@dataclass
class _Plan:
    """What one basis judges a unit on for a period."""

    snapshot: dict[str, _Row]  # code → the value it is judged on
    profile: UnitProfile
    prerequisite_met: bool | None
    digest: str


def _snapshots(rows: list[_Row]) -> Iterable[tuple[Period, dict[str, _Row]]]:
    """For each period with values, the latest value of each code reported up to its end;
    ``rows`` in the order values are read (period end, then time of the change).

    A period's own value wins over another ending the same day (a Q2 figure over the first
    half-year's, for Q2); before that day the latest change wins. Built in one pass: what
    ended before a day is carried to the next.
    """
    before: dict[str, _Row] = {}
    for _end, grouped in groupby(rows, itemgetter(2)):
        same_day = list(grouped)
        periods = {row[1].code: row[1] for row in same_day}
        latest = {row[0]: row for row in same_day}
        if len(periods) == 1 and len(latest) == len(same_day):
            # The usual day: one period, each code once. Its values are its snapshot's own.
            snapshot = before.copy()
            snapshot.update(latest)
            yield same_day[0][1], snapshot
            before.update(latest)
            continue
        for period in sorted(periods.values()):
            snapshot = before.copy()
            own: set[str] = set()
            for row in same_day:
                code = row[0]
                if code in own:
                    continue
                snapshot[code] = row
                if row[1].code == period.code:
                    own.add(code)
            yield period, snapshot
        for row in same_day:
            before[row[0]] = row


def _delete_pairs(family: CriteriaSet, unit_id: int, keys: list[tuple[str, str]]) -> None:
    condition = Q()
    for period_code, serves in keys:
        condition |= Q(period=period_code, basis=serves)
    SetResult.stored.filter(condition, criteria_set=family, unit_id=unit_id).delete()


_COLUMNS = (
    "unit_id",
    "criteria_set_id",
    "applied_set_id",
    "period",
    "period_end",
    "met",
    "total",
    "status",
    "prerequisite_met",
    "unverified",
    "revocation_risk",
    "detail",
    "criteria_status",
    "computed_at",
    "input_hash",
    "basis",
)
_KEY = ("unit_id", "criteria_set_id", "period", "basis")


def _upsert(rows: list[tuple[Any, ...]]) -> None:
    """INSERT … ON CONFLICT DO UPDATE (SQLite and PostgreSQL alike) with executemany: a row
    another refresh wrote meanwhile is updated, never a duplicate key. Plain SQL because the
    ORM's bulk_create spends more compiling 2,000 rows than the database spends storing them."""
    table = SetResult._meta.db_table
    placeholders = ", ".join("%s" for _column in _COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _COLUMNS if c not in _KEY)
    sql = (
        f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES ({placeholders}) "
        f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET {updates}"
    )
    if connection.vendor == "postgresql" and len(rows) >= COPY_FROM:
        _upsert_by_copy(table, updates, rows)
        return
    adapt_date = connection.ops.adapt_datefield_value
    adapt_time = connection.ops.adapt_datetimefield_value
    prepared = [
        (*row[:4], adapt_date(row[4]), *row[5:13], adapt_time(row[13]), *row[14:]) for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), 1000):
            cursor.executemany(sql, prepared[start : start + 1000])


# From this many rows on, PostgreSQL gets them by COPY: one INSERT per row costs the server a
# parse, a plan and a round of the pipeline each (two thirds of a national run's time).
COPY_FROM = 200
_STAGE = "ntm_result_stage"


def _upsert_by_copy(table: str, updates: str, rows: list[tuple[Any, ...]]) -> None:
    """COPY the rows into a temporary table of the transaction, then one
    INSERT … SELECT … ON CONFLICT DO UPDATE: the same effect as ``_upsert``'s statements."""
    columns = ", ".join(_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} ON COMMIT DELETE ROWS AS "
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {_STAGE}")  # an earlier call of this transaction
        with cursor.cursor.copy(f"COPY {_STAGE} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {_STAGE} "
            f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET {updates}"
        )


def _store_bases(family: CriteriaSet, rows: list[tuple[int, str, int]]) -> None:
    """Upsert the units' bases (unit id, basis, result count) in the results' transaction."""
    if rows:
        UnitBasis.objects.bulk_create(
            [
                UnitBasis(unit_id=unit_id, criteria_set=family, basis=basis, results=count)
                for unit_id, basis, count in rows
            ],
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["criteria_set", "unit"],
            update_fields=["basis", "results"],
        )


STATUS_LETTERS = {
    Status.MET: "m",
    Status.NOT_MET: "n",
    Status.NO_DATA: "d",
    Status.NO_THRESHOLD: "t",
}
LETTER_STATUS = {letter: status.value for status, letter in STATUS_LETTERS.items()}


def criteria_status(outcome: EngineResult) -> str:
    """ "1m 2n 3d": each criterion's status in a short column, for roll-ups over many units."""
    return " ".join(f"{c.number}{STATUS_LETTERS[c.status]}" for c in outcome.criteria)


def parse_criteria_status(text: str) -> dict[int, str]:
    return {int(part[:-1]): LETTER_STATUS[part[-1]] for part in text.split()}


def _typed(number: Any, flag: bool | None, text: str) -> Value:
    if flag is not None:
        return flag
    if number is not None:
        return Decimal(number)
    return text


def dependants_of(family: CriteriaSet) -> list[CriteriaSet]:
    """Sets whose prerequisite is this one, transitively, in evaluation order."""
    found: list[CriteriaSet] = []
    frontier = [family]
    while frontier:
        current = frontier.pop(0)
        for child in CriteriaSet.objects.filter(prerequisite=current, localises__isnull=True):
            if child not in found:
                found.append(child)
                frontier.append(child)
    return found


def with_dependants(families: Iterable[CriteriaSet]) -> list[CriteriaSet]:
    """These sets and the sets that need them, prerequisites first."""
    ordered: list[CriteriaSet] = []
    for f in families:
        for s in [f, *dependants_of(f)]:
            if s not in ordered:
                ordered.append(s)
    return prerequisite_order(ordered)


def refresh_units(
    *, units: Iterable[AdminUnit], families: Iterable[CriteriaSet] | None = None
) -> Refreshed:
    """Bring these units' results up to date now: the given sets (default: every set they have
    values or results for) and the sets that need them, in chunks, prerequisites first. Marks
    of these units for these sets are cleared."""
    units = list(units)
    done = Refreshed()
    if not units:
        return done
    unit_ids = [u.pk for u in units]
    if families is None:
        ids = set(
            DataValue.objects.filter(unit__in=unit_ids)
            .order_by()
            .values_list("criteria_set", flat=True)
            .distinct()
        ) | set(
            SetResult.stored.filter(unit__in=unit_ids)
            .order_by()
            .values_list("criteria_set", flat=True)
            .distinct()
        )
        families = CriteriaSet.objects.filter(pk__in=ids, localises__isnull=True)
    if transaction.get_connection().in_atomic_block:
        # Inside a caller's transaction every chunk's locks last until it ends: take all the
        # units' now, so no chunk locks a unit after an area (see summaries.lock_areas).
        units_lock(unit_ids)
    for family in with_dependants(families):
        for start in range(0, len(units), CHUNK):
            chunk = units[start : start + CHUNK]
            with transaction.atomic():
                done += evaluate_units(units=chunk, family=family)
                StaleResult.objects.filter(
                    criteria_set=family, unit__in=[u.pk for u in chunk]
                ).delete()
    return done


def refresh(*, unit: AdminUnit, family: CriteriaSet | None = None) -> Refreshed:
    """Recompute one unit's stored results after a change (one set and the sets that need it)."""
    return refresh_units(units=[unit], families=None if family is None else [family])


def mark_stale(*, unit_ids: Iterable[int], families: Iterable[CriteriaSet], reason: str) -> int:
    """Record that these units' results for these sets (and the sets needing them) may be
    stale; ``refresh_stale`` brings them up to date. Returns the marks written."""
    ids = sorted(set(unit_ids))
    marks = [
        StaleResult(unit_id=unit_id, criteria_set=family, reason=reason[:40])
        for family in with_dependants(families)
        for unit_id in ids
    ]
    StaleResult.objects.bulk_create(marks, batch_size=5000)
    return len(marks)


def stale_count(*, family: CriteriaSet | None = None) -> int:
    marks = StaleResult.objects.all()
    if family is not None:
        marks = marks.filter(criteria_set=family)
    return marks.values("unit_id", "criteria_set_id").distinct().count()


def refresh_stale(*, limit: int | None = None, chunk: int = CHUNK) -> Refreshed:
    """Refresh marked results, a chunk of units at a time, prerequisite sets first.

    Each chunk is claimed with ``SKIP LOCKED`` on PostgreSQL, so several workers running this
    at once share the marks instead of repeating each other's work; the marks of a chunk are
    deleted in the transaction that stores its results, so a worker killed midway leaves its
    chunk marked for the next one. ``limit`` bounds the number of chunks (None: until none is
    left)."""
    done = Refreshed()
    chunks = 0
    skip_locked = connection.features.has_select_for_update_skip_locked
    while limit is None or chunks < limit:
        pending = list(
            CriteriaSet.objects.filter(
                pk__in=StaleResult.objects.values("criteria_set_id"), localises__isnull=True
            )
        )
        if not pending:
            break
        family = with_dependants(pending)[0]
        with transaction.atomic():
            marks = StaleResult.objects.filter(criteria_set=family).order_by("unit_id")
            if skip_locked:
                marks = marks.select_for_update(skip_locked=True)
            # Claim one chunk's marks only, so the other workers find the rest unlocked.
            claimed = list(marks.values_list("pk", "unit_id")[:chunk])
            if not claimed:
                # Every mark of the set is being worked on by another worker.
                if not skip_locked:
                    break
                return done
            claimed_ids = [pk for pk, _unit_id in claimed]
            units = list(AdminUnit.objects.filter(pk__in={u for _pk, u in claimed}))
            # A mark asks for a recheck: read the values even where the basis still matches.
            done += evaluate_units(units=units, family=family, full=True)
            StaleResult.objects.filter(pk__in=claimed_ids).delete()
        chunks += 1
    return done


def evaluate_with(
    *,
    unit: AdminUnit,
    family: CriteriaSet,
    period: str,
    overlay: dict[str, Value] | None = None,
) -> EngineResult:
    """The engine's result for one unit and period on its working values with ``overlay``
    (code → value) laid over them, computed as the pipeline computes it (same variant,
    references, profile, prerequisite and carry-forward) and stored nowhere: what a "what if"
    is judged by. An overlaid indicator that has a formula takes the overlaid value, since a
    scenario states the indicator itself rather than the data elements behind it."""
    overlay = overlay or {}
    end = parse_period(period)
    definitions = _Definitions(family)
    definition = definitions.for_unit(unit)[1]
    refs = definitions.references(unit, definition)
    if any(definition.indicator(code) is not None for code in overlay):
        definition = _without_formulas(definition, set(overlay))
    profile = ProfileSource([unit]).profile(unit, end.end)
    prerequisite_met = (
        _latest_before(
            _prerequisite_lookup(family, [unit])[Basis.WORKING].get(unit.pk, []), end.end
        )
        if family.prerequisite_id
        else None
    )
    snapshot: dict[str, Value] = {}
    periods: dict[str, str] = {}
    rows = (
        DataValue.objects.filter(unit=unit, criteria_set=family, period_end__lte=end.end)
        .order_by("period_end", "updated_at")
        .values_list("code", "period", "number", "flag", "text")
    )
    for code, period_code, number, flag, text in rows:
        # As the pipeline: the latest value up to the period's end, the period's own first.
        if code not in periods or periods[code] != end.code:
            snapshot[code] = _typed(number, flag, text)
            periods[code] = period_code
    snapshot.update(overlay)
    return evaluate(
        definition,
        UnitProfile(profile.region, profile.commune_group, profile.especially_difficult, end.year),
        snapshot,
        prerequisite_met=prerequisite_met,
        references=refs,
        day=end.end,
    )


def _without_formulas(definition: SetDef, codes: set[str]) -> SetDef:
    return replace(
        definition,
        criteria=tuple(
            replace(
                c,
                indicators=tuple(
                    replace(i, formula="") if i.code in codes else i for i in c.indicators
                ),
            )
            for c in definition.criteria
        ),
    )
