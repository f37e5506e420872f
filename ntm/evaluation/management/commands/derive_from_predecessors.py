"""A merged commune's baseline from the communes it was formed from::

    manage.py derive_from_predecessors --unit 07420 --set xa-ntm-nang-cao-2021-2025 \\
        --period 2025Q3 [--dry-run]

Counts and amounts add up, a percentage with a formula is recomputed from its data elements, one
without is weighted by population (else households), pass/fail is met only if every predecessor
met; anything else gets no value, with the reason (docs/baseline.md). Values a person entered are
kept. Prints one line per indicator or data element.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ntm.accounts.models import User
from ntm.catalog.models import CriteriaSet
from ntm.engine.periods import parse_period
from ntm.engine.values import format_value
from ntm.evaluation.actions import values_derive
from ntm.geo.models import AdminUnit
from ntm.observations.services import DataError


class Command(BaseCommand):
    help = "Derive a merged commune's values for a set and period from its predecessors'."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="Code of the merged commune")
        parser.add_argument("--set", required=True, help="National set code")
        parser.add_argument("--period", required=True, help="2025Q3, Quý III/2025, năm 2025…")
        parser.add_argument(
            "--user", default="admin", help="Recorded as who derived them (default: admin)"
        )
        parser.add_argument("--dry-run", action="store_true", help="List, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = parse_period(options["period"])
        except ValueError as exc:
            raise CommandError(f"{options['period']!r} is not a period.") from exc
        unit = (
            AdminUnit.objects.filter(code=options["unit"])
            .in_force(period.end if period.end <= dt.date.today() else dt.date.today())
            .order_by("level")
            .first()
        )
        if unit is None:
            raise CommandError(f"No unit had the code {options['unit']!r} on {period.end}.")
        family = CriteriaSet.objects.filter(code=options["set"], localises__isnull=True).first()
        if family is None:
            raise CommandError(f"No national set has the code {options['set']!r}.")
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user {options['user']!r}.")
        try:
            rows = values_derive(
                user=user,
                unit=unit,
                criteria_set=family,
                period=period.code,
                dry_run=options["dry_run"],
            )
        except DataError as exc:
            raise CommandError(str(exc)) from exc
        for row in rows:
            d = row.derived
            value = format_value(d.value)
            self.stdout.write(
                f"{d.code}: {value or '—'} [{row.status}] {d.rule}"
                + (f" — {d.reason}" if d.reason else "")
            )
        stored = sum(1 for r in rows if r.status in {"new", "replaces"})
        suffix = " (dry run: nothing written)" if options["dry_run"] else ""
        self.stdout.write(f"{stored} values derived for {unit} {period.code}{suffix}.")
