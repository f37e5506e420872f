"""``manage.py plan_cheapest --unit CODE --set SET (--target N | --criteria 8,17 | --budget VND)
[--period P] [--key-criteria] [--format text|json]``

The cheapest set of open gaps to close for a commune to reach N met criteria (or to meet the
named criteria) by the costs entered per indicator (else the budget lines of the unfinished works
linked to it), or the most criteria a budget buys; ``--key-criteria`` makes every answer meet the
key criteria of the revocation rule not met yet. Judged on the working result of the period
(default: the latest). Reads only: nothing is stored.

``--format json`` prints one object::

    {"unit": "07408", "set": "xa-ntm-nang-cao-2021-2025", "period": "2024Q1",
     "feasible": true, "met_before": 12, "met_after": 14, "total": 19,
     "cost": "1200000000",                       # VND, a string (whole dong)
     "chosen": [{"code": "8.4", "criterion": 8, "cost": "700000000"}, …],
     "completed": [8, 17], "unreachable": [10],  # criteria no known cost can complete
     "cheaper_unused": ["15.1"],
     "explanation": "đóng 8.4 và 17.3: 1,2 tỷ đồng (12 → 14 tiêu chí đạt); 15.1 rẻ hơn …"}
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from ntm.decisions.errors import DecisionError
from ntm.decisions.management.options import national_set, period_option, unit_option
from ntm.decisions.selectors import plan_cheapest
from ntm.finance.money import MoneyError, parse_vnd
from ntm.geo.models import Level


class Command(BaseCommand):
    help = "The cheapest gaps to close for a commune's target, or the most criteria a budget buys."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="the commune's national code")
        parser.add_argument("--set", dest="set_code", required=True, help="national set code")
        parser.add_argument("--target", type=int, help="criteria met to reach (e.g. 15)")
        parser.add_argument("--criteria", default="", help="criteria to meet, e.g. 8,17")
        parser.add_argument("--budget", default="", help="VND: the most criteria it buys")
        parser.add_argument("--period", default="", help="judge the result of this period")
        parser.add_argument(
            "--key-criteria",
            action="store_true",
            help="meet the key criteria of the revocation rule that are not met, too",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: object, **options: Any) -> None:
        # Explanations are for Vietnamese officials whatever the shell's locale.
        translation.activate("vi")
        period = period_option(options["period"])
        unit = unit_option(options["unit"], period, Level.COMMUNE, "commune")
        family = national_set(options["set_code"])
        try:
            criteria = sorted({int(p) for p in options["criteria"].split(",") if p.strip()})
        except ValueError as exc:
            raise CommandError("--criteria takes numbers, e.g. 8,17.") from exc
        try:
            budget = parse_vnd(options["budget"]) if options["budget"] else None
        except MoneyError as exc:
            raise CommandError("--budget takes whole dong, e.g. 1200000000.") from exc
        target: int | list[int] | None = criteria or options["target"]
        try:
            found = plan_cheapest(
                unit=unit,
                family=family,
                target=target,
                budget=budget,
                period=period or None,
                key_criteria=options["key_criteria"],
            )
        except DecisionError as exc:
            raise CommandError(str(exc)) from exc
        path = found.path
        if path is None or found.result is None:
            raise CommandError(found.explanation)
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "unit": unit.code,
                        "set": family.code,
                        "period": found.result.period,
                        "feasible": path.feasible,
                        "met_before": path.met_before,
                        "met_after": path.met_after,
                        "total": found.result.total,
                        "cost": str(path.cost),
                        "chosen": [
                            {"code": g.code, "criterion": g.criterion, "cost": str(g.cost)}
                            for g in path.chosen
                        ],
                        "completed": list(path.completed),
                        "unreachable": list(path.unreachable),
                        "cheaper_unused": sorted({g.code for g in path.cheaper_unused}),
                        "explanation": found.explanation,
                    },
                    ensure_ascii=False,
                )
            )
            return
        self.stdout.write(
            f"{unit.code} {family.code} {found.result.period}: "
            f"{path.met_before} → {path.met_after}/{found.result.total}"
        )
        self.stdout.write(found.explanation)
