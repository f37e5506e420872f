"""``manage.py evaluate [--unit CODE] [--set CODE] [--period P] [--format text|json]``

Recompute and store the results of criteria sets, then print them.

* Without ``--unit``: every unit that has values (or stored results) for the set, the whole
  country, in chunks of 2000 units. With ``--unit``: that unit and everything under it, for every
  version with that code (07420 before and after the 2025 merger).
* Without ``--set``: every national set that has values, prerequisites first. With ``--set``: that
  set, then the sets that have it as prerequisite (their "prerequisite met" depends on it); only
  the named set is printed. A province's localisation code is refused: name the national set.
* ``--period`` (2024, 2024H1, 2024Q4) only chooses what is printed — every period is recomputed.
  A period with no stored row of its own is answered by the latest stored period ending on or
  before its end (values carry forward); ``as_of_period`` names it.

``--format text`` (default) prints one line per unit, set and period::

    07408 xa-ntm-nang-cao-2021-2025 2024Q4: 13/19 not met · Xã Dương Đức
    07408 xa-ntm-nang-cao-2021-2025 2025Q1: 13/19 not met (as of 2024Q4) · Xã Dương Đức

then a count of the results in scope, of those rewritten (their inputs changed) and of those
removed (no values left). ``-v 0`` prints only that count and reads no stored result back.

A unit whose results are known current (its values' stamp, the set's version, its profile and
prerequisite unchanged since they were computed) is not read at all; ``--full`` reads every
value anyway — for values written around the application (by SQL, say).

``--basis working`` (default) counts every value, drafts included — the working count the
commune's own pages show; ``--basis approved`` counts approved (locked) values only — the
official count of public pages, the province's tables and reports. Every JSON object names it.

``--format json`` with ``--unit``, ``--set`` and ``--period`` prints ONE JSON object: the result
of the unit itself (the version of the code in force during the period). Otherwise it prints
one such object per line (JSON Lines), for every unit of the scope and every stored period (or,
with ``--period``, the result each unit's report of that period uses)::

    {
      "basis": "working",              # working | approved (see --basis)
      "unit": "07408",                 # national code
      "unit_name": "Xã Dương Đức",
      "set": "xa-ntm-nang-cao-2021-2025",
      "applied_set": "…",              # the province's localisation when one applies
      "period": "2025Q1",              # the period asked for (the stored one without --period)
      "as_of_period": "2024Q4",        # the stored period the figures come from (= period
                                       #   when that period has its own row)
      "met": 13, "total": 19,          # criteria met / criteria (integers)
      "status": "not_met",             # met | not_met | no_data | no_threshold
      "prerequisite_met": true,        # null when the set has no prerequisite
      "unverified": true,              # some threshold used is not verified yet
      "revocation_risk": "watch",      # none | watch | revocation (18/2022 rule)
      "computed_at": "2026-01-05T08:00:00+00:00",
      "criteria": [
        {"number": 1, "status": "met", "key": false, "unverified": false,
         "indicators": [
           {"code": "1.1", "status": "met",  # met | not_met | no_data | no_threshold
            "value": "85.50",                # strings exactly as stored (Decimal precision);
            "threshold": "80",               #   pass/fail as "true"/"false"; null when absent
            "gap": "0",                      # still to go in the good direction (0 when met;
                                             #   levels: steps; null for pass/fail, no data)
            "rule": "region:TDMNPB",         # which threshold applied
            "verified": true,                # is that threshold verified (null: none)
            "value_period": "2024Q1",        # the period the value was reported for
            "value_source": "entered",       # entered | computed (formula) | "" (no value)
            "direction": "higher", "source": "318/QĐ-TTg", "threshold_id": 12,
            "reason": ""}]}]
    }

Unknown units, sets or periods stop with an error message (exit status 1), as does a single-
object request with no stored result for the unit up to that period.
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Model, Q

from ntm.catalog.models import CriteriaSet
from ntm.catalog.selectors import prerequisite_order
from ntm.engine.periods import Period, parse_period
from ntm.evaluation import summaries
from ntm.evaluation.models import Basis, SetResult
from ntm.evaluation.reports import result_as_of, result_data, stored_results
from ntm.evaluation.services import Refreshed, dependants_of, evaluate_units, mark_stale
from ntm.evaluation.tasks import refresh_stale_results
from ntm.geo.models import AdminUnit
from ntm.geo.selectors import version_during
from ntm.observations.models import DataValue, InputStamp

CHUNK = 2000


class Command(BaseCommand):
    help = (
        "Recompute stored results (all units with values, or --unit's subtree; all sets, or "
        "--set and the sets needing it) and print them as text or JSON. With --unit, --set, "
        "--period and --format json: one JSON object; otherwise JSON Lines. The JSON shape is "
        "described in the module docstring of ntm/evaluation/management/commands/evaluate.py."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--unit", metavar="CODE", help="unit code: that unit and its subtree (all versions)"
        )
        parser.add_argument(
            "--set", dest="set_code", metavar="CODE", help="national criteria set code"
        )
        parser.add_argument("--period", metavar="P", help="period to print: 2024, 2024H1 or 2024Q4")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--basis",
            choices=[b.value for b in Basis],
            default=Basis.WORKING.value,
            help="working: every value, drafts included (default); approved: approved values "
            "only, the official count",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="read every unit's values, even where its results are known current (after "
            "values were written around the application, e.g. by SQL)",
        )
        parser.add_argument(
            "--queue",
            type=int,
            metavar="TASKS",
            help="do not compute here: mark the scope stale and queue TASKS refresh tasks on the "
            "background backend, which the running workers (manage.py db_worker --backend "
            "background, on one or several machines) share in chunks; progress at /units/pipeline/",
        )

    def handle(self, *args: object, **options: Any) -> None:
        period = self._period(options["period"])
        basis = Basis(options["basis"])
        family = self._family(options["set_code"])
        full = bool(options["full"])
        # Units with values have a stamp; --full finds them from the values themselves.
        inputs = DataValue if full else InputStamp
        code = (options["unit"] or "").strip()
        versions = list(AdminUnit.objects.filter(code=code)) if code else []
        if code and not versions:
            raise CommandError(f"No administrative unit has the code {code!r}.")
        single = options["format"] == "json" and bool(code) and bool(family) and bool(period)
        target = self._unit_in(versions, period) if single and period else None

        scope = Q()
        for version in versions:
            scope |= Q(unit__path__startswith=version.path)
        if family is not None:
            shown = [family]
        else:
            ids = list(
                inputs.objects.filter(scope)
                .order_by()
                .values_list("criteria_set_id", flat=True)
                .distinct()
            )
            shown = prerequisite_order(
                list(
                    CriteriaSet.objects.filter(pk__in=ids, localises__isnull=True).order_by("code")
                )
            )
        evaluated: list[CriteriaSet] = []
        for s in shown:
            for t in [s, *dependants_of(s)]:
                if t not in evaluated:
                    evaluated.append(t)
        if options["queue"]:
            self._queue(evaluated, scope, int(options["queue"]))
            return
        stored = Refreshed()
        units_seen: set[int] = set()
        units_by_set: dict[int, list[AdminUnit]] = {}
        for s in prerequisite_order(evaluated):
            units = self._units(s, scope, inputs)
            units_by_set[s.pk] = units
            units_seen.update(u.pk for u in units)
            for start in range(0, len(units), CHUNK):
                stored += evaluate_units(units=units[start : start + CHUNK], family=s, full=full)
            if full:
                # Results may have been written around the pipeline: count the areas afresh.
                with transaction.atomic():
                    summaries.rebuild(
                        family=s,
                        area_ids=None
                        if not code
                        else {a for u in units for a in summaries.areas_of(u.path)},
                    )

        if single:
            assert target is not None and family is not None and period is not None
            result = result_as_of(unit=target, family=family, period=period, basis=basis)
            if result is None:
                kind = "approved values" if basis == Basis.APPROVED else "values"
                raise CommandError(
                    f"No stored result for {target.code} {family.code} up to {period.code}: "
                    f"no {kind} were entered for it by then."
                )
            self.stdout.write(
                json.dumps(result_data(result, period=period.code, basis=basis), ensure_ascii=False)
            )
            return
        verbose = int(options["verbosity"]) >= 1
        for s in shown if verbose or options["format"] == "json" else []:
            for result in stored_results(
                units=units_by_set[s.pk], family=s, period=period, basis=basis
            ):
                if options["format"] == "json":
                    data = result_data(result, period=period.code if period else None, basis=basis)
                    self.stdout.write(json.dumps(data, ensure_ascii=False))
                else:
                    self.stdout.write(self._line(result, period))
        if options["format"] == "text":
            self.stdout.write(
                f"{len(units_seen)} units, {len(evaluated)} sets: {stored.results} results stored "
                f"({stored.written} written, {stored.removed} removed)."
            )

    def _queue(self, sets: list[CriteriaSet], scope: Q, tasks: int) -> None:
        """Mark every unit of the scope stale for these sets and queue the refresh tasks."""
        if tasks < 1:
            raise CommandError("--queue takes the number of tasks to queue (1 or more).")
        marked = 0
        for family in prerequisite_order(sets):
            unit_ids = InputStamp.objects.filter(scope, criteria_set=family).values_list(
                "unit_id", flat=True
            )
            marked += mark_stale(
                unit_ids=unit_ids.order_by().distinct().iterator(chunk_size=CHUNK),
                families=[family],
                reason="evaluate",
            )
        for _ in range(tasks):
            refresh_stale_results.using(backend="background").enqueue()
        self.stdout.write(
            f"{marked} unit results marked stale in {len(sets)} sets; {tasks} refresh tasks "
            "queued for the background workers (progress: /units/pipeline/)."
        )

    @staticmethod
    def _period(text: str | None) -> Period | None:
        if not text:
            return None
        try:
            return parse_period(text)
        except ValueError as exc:
            raise CommandError(f"{text!r} is not a period (2024, 2024H1, 2024Q4).") from exc

    @staticmethod
    def _family(code: str | None) -> CriteriaSet | None:
        if not code:
            return None
        found = CriteriaSet.objects.filter(code=code).select_related("localises").first()
        if found is None:
            raise CommandError(f"No criteria set has the code {code!r}.")
        if found.localises is not None:
            raise CommandError(
                f"{code} is a province's localisation; results are stored under the national "
                f"set: use --set {found.localises.code}."
            )
        return found

    @staticmethod
    def _unit_in(versions: list[AdminUnit], period: Period) -> AdminUnit:
        """The version of the code in force during the period (at its end, else its start)."""
        found = version_during(versions, period.start, period.end)
        if found is not None:
            return found
        spans = ", ".join(
            f"{v.valid_from or '…'} – {v.valid_to or '…'}"
            for v in sorted(versions, key=lambda v: str(v.valid_from or ""))
        )
        raise CommandError(
            f"Unit {versions[0].code} did not exist in {period.code} (it existed {spans})."
        )

    @staticmethod
    def _units(family: CriteriaSet, scope: Q, inputs: type[Model]) -> list[AdminUnit]:
        """Units of the scope with values or stored results for the set (stale ones are cleared)."""

        ids: set[int] = set()
        for model in (inputs, SetResult):
            ids.update(
                model._base_manager.filter(scope, criteria_set=family)  # type: ignore[attr-defined]
                .order_by()
                .values_list("unit_id", flat=True)
                .distinct()
            )
        units: list[AdminUnit] = []
        ordered = sorted(ids)
        for start in range(0, len(ordered), CHUNK):
            units.extend(AdminUnit.objects.filter(pk__in=ordered[start : start + CHUNK]))
        return units

    @staticmethod
    def _line(result: SetResult, period: Period | None) -> str:
        shown = period.code if period else result.period
        as_of = f" (as of {result.period})" if result.period != shown else ""
        status = result.status.replace("_", " ")
        return (
            f"{result.unit.code} {result.criteria_set.code} {shown}: "
            f"{result.met}/{result.total} {status}{as_of} · {result.unit.name}"
        )
