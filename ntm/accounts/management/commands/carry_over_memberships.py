"""Give the people of merged units the same roles on their successors::

    manage.py carry_over_memberships --unit 24 [--dry-run]

``--unit`` is the code of a unit in force today (a province carries its communes and villages
too). Prints one line per person and role with what happens; idempotent.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ntm.accounts.services import CarryStatus, memberships_carry_over
from ntm.geo.models import AdminUnit


class Command(BaseCommand):
    help = "Carry the memberships of merged (ended) units over to their successors."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="Code of a unit in force today")
        parser.add_argument("--dry-run", action="store_true", help="List, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        units = list(
            AdminUnit.objects.filter(code=options["unit"])
            .in_force(dt.date.today())
            .order_by("level")[:2]
        )
        if not units:
            raise CommandError(f"No unit in force today has the code {options['unit']!r}.")
        if len(units) > 1:
            raise CommandError(f"The code {options['unit']!r} names more than one unit today.")
        rows = memberships_carry_over(unit=units[0], actor=None, dry_run=options["dry_run"])
        for r in rows:
            what = {
                CarryStatus.NEW: "would carry over" if options["dry_run"] else "carried over",
                CarryStatus.EXISTS: "already there",
                CarryStatus.SKIPPED: f"not carried: {r.reason}",
            }[r.status]
            self.stdout.write(
                f"{r.membership.user.username} ({r.membership.get_role_display()}): "
                f"{r.predecessor.code} {r.predecessor.name} → {r.successor.code} "
                f"{r.successor.name}: {what}"
            )
        new = sum(1 for r in rows if r.status == CarryStatus.NEW)
        suffix = " (dry run)" if options["dry_run"] else ""
        self.stdout.write(f"{new} of {len(rows)} roles to carry over{suffix}.")
