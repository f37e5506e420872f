"""``manage.py allocate --province CODE --set SET --budget VND [--target N] [--period P]
[--floor GROUP=N …] [--goal most_reach|fewest_below] [--format text|json]``

Which communes of a province to fund with a year's budget so that the most reach the standard
(``--target`` met criteria; default: every criterion of the set), each at the cost of its
cheapest path (``plan_cheapest``'s costs: entered per indicator, else the budget lines of the
unfinished works linked to it), with at least N communes funded in a district
(``--floor 217=2``). ``--goal fewest_below`` funds the most communes below the revocation rule
instead. Judged on the working results of the period (default: the latest). Reads only.

``--format json`` prints one object::

    {"province": "24", "set": "…", "period": "2024Q2", "budget": "1300000000",
     "feasible": true, "cost": "500000000", "reached": 1, "already": 0,
     "chosen": [{"code": "07411", "name": "Xã Tân Thanh", "group": "217", "met": 2,
                 "target": 3, "cost": "500000000", "path": ["3"], "explanation": "đóng 3: …"}],
     "not_chosen": [{"code": "07408", …, "reason": "budget"},
                    {"code": "07420", "reason": "no_result"}, …],
     "short": [], "floors_cost": "0"}

Reasons: ``already`` (at the target without money), ``no_path`` (no known cost reaches it),
``budget`` (dearer than the money left), ``goal`` (not below the revocation rule),
``floors`` (the floors cannot be met: nothing chosen), ``no_result`` (no result for the set).
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from ntm.catalog.models import CriteriaSet
from ntm.decisions.errors import DecisionError
from ntm.decisions.management.options import national_set, period_option, unit_option
from ntm.decisions.optimise import GOALS
from ntm.decisions.selectors import (
    CommunePath,
    ProvinceAllocation,
    allocation_for,
    money,
    reason_labels,
)
from ntm.finance.money import MoneyError, parse_vnd
from ntm.geo.models import AdminUnit, Level


class Command(BaseCommand):
    help = "Which communes of a province a budget brings to the standard."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", required=True, help="the province's national code")
        parser.add_argument("--set", dest="set_code", required=True, help="national set code")
        parser.add_argument("--budget", required=True, help="VND, e.g. 5000000000")
        parser.add_argument("--target", type=int, help="criteria met (default: all of the set)")
        parser.add_argument("--period", default="", help="judge the results of this period")
        parser.add_argument(
            "--floor",
            action="append",
            default=[],
            help="GROUP=N: at least N communes funded in the district GROUP (repeatable)",
        )
        parser.add_argument("--goal", choices=GOALS, default="most_reach")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: object, **options: Any) -> None:
        translation.activate("vi")
        period = period_option(options["period"])
        province = unit_option(options["province"], period, Level.PROVINCE, "province")
        family = national_set(options["set_code"])
        try:
            budget = parse_vnd(options["budget"])
        except MoneyError as exc:
            raise CommandError("--budget takes whole dong, e.g. 5000000000.") from exc
        floors: dict[str, int] = {}
        for text in options["floor"]:
            group, _sep, count = text.partition("=")
            if not group.strip() or not count.strip().isdigit():
                raise CommandError(f"--floor takes GROUP=N, e.g. 217=2, not {text!r}.")
            floors[group.strip()] = int(count)
        try:
            found = allocation_for(
                province=province,
                family=family,
                period=period or None,
                budget=budget,
                target=options["target"],
                floors=floors,
                goal=options["goal"],
            )
        except DecisionError as exc:
            raise CommandError(str(exc)) from exc
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(as_json(found, province, family, period, budget), ensure_ascii=False)
            )
            return
        self._text(found, budget)

    def _text(self, found: ProvinceAllocation, budget: Any) -> None:
        alloc = found.allocation
        if not alloc.feasible:
            self.stdout.write(
                _("The floors cannot be met: they need at least %(cost)s.")
                % {"cost": money(alloc.floors_cost)}
            )
            for group, floor, fundable, _least in alloc.short:
                self.stdout.write(
                    "  "
                    + _("%(group)s: %(floor)s communes asked, %(n)s have a path.")
                    % {"group": group, "floor": floor, "n": fundable}
                )
            return
        self.stdout.write(
            _(
                "%(n)s communes chosen, %(cost)s of %(budget)s; %(reached)s at the standard (%(already)s already)."
            )
            % {
                "n": len(alloc.chosen),
                "cost": money(alloc.cost),
                "budget": money(budget),
                "reached": alloc.reached,
                "already": alloc.already,
            }
        )
        for candidate in alloc.chosen:
            row = found.communes[candidate.id]
            self.stdout.write(f"  {candidate.id} {row.unit.name}: {row.explanation}")
        reasons = reason_labels()
        for candidate, reason in alloc.not_chosen:
            name = found.communes[candidate.id].unit.name
            self.stdout.write(f"  - {candidate.id} {name}: {reasons[reason]}")
        for unit in found.no_result:
            self.stdout.write(f"  - {unit.code} {unit.name}: {reasons['no_result']}")


def _row(row: CommunePath, group: str) -> dict[str, Any]:
    path = row.path
    return {
        "code": row.unit.code,
        "name": row.unit.name,
        "group": group,
        "met": row.result.met if row.result else None,
        "cost": str(path.cost) if path is not None and path.feasible else None,
        "path": [g.code for g in path.chosen] if path is not None else [],
        "explanation": row.explanation,
    }


def as_json(
    found: ProvinceAllocation, province: AdminUnit, family: CriteriaSet, period: str, budget: Any
) -> dict[str, Any]:
    alloc = found.allocation
    chosen = [{**_row(found.communes[c.id], c.group), "target": c.target} for c in alloc.chosen]
    not_chosen = [
        {**_row(found.communes[c.id], c.group), "target": c.target, "reason": reason}
        for c, reason in alloc.not_chosen
    ]
    not_chosen += [
        {**_row(found.communes[u.code], ""), "target": None, "reason": "no_result"}
        for u in found.no_result
    ]
    periods = sorted({r.result.period for r in found.communes.values() if r.result})
    return {
        "province": province.code,
        "set": family.code,
        "period": period or (periods[-1] if periods else None),
        "budget": str(budget),
        "feasible": alloc.feasible,
        "cost": str(alloc.cost),
        "reached": alloc.reached,
        "already": alloc.already,
        "chosen": chosen,
        "not_chosen": sorted(not_chosen, key=lambda r: r["code"]),
        "short": [
            {"group": g, "floor": f, "fundable": n, "least_cost": str(c)}
            for g, f, n, c in alloc.short
        ],
        "floors_cost": str(alloc.floors_cost),
    }
