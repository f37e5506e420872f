"""Record a province's commune groups from a table (CSV or XLSX)::

    manage.py import_commune_groups nhom-xa-24.csv --province 24 [--dry-run]

Columns (Vietnamese or English headers): commune code, group (1, 2 or 3), valid from
(15/02/2026), legal basis. The whole file is checked first; a bad file is refused with every
bad row and column named, and nothing is written. Results of the changed communes are refreshed.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ntm.core.tabular import ImportRefused, trusted
from ntm.evaluation.actions import commune_groups_set
from ntm.geo.groups import read_groups
from ntm.geo.models import AdminUnit, Level


class Command(BaseCommand):
    help = "Record a province's commune groups (1, 2, 3) from a CSV or XLSX table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--province", required=True, help="Code of a province in force today")
        parser.add_argument("--dry-run", action="store_true", help="Check and list, write nothing")

    # An administrator's own file: the web's limits on uploaded tables do not apply.
    @trusted()
    def handle(self, *args: Any, **options: Any) -> None:
        province = (
            AdminUnit.objects.filter(code=options["province"], level=Level.PROVINCE)
            .in_force(dt.date.today())
            .first()
        )
        if province is None:
            raise CommandError(f"No province in force today has the code {options['province']!r}.")
        try:
            rows = read_groups(options["file"], province=province)
        except ImportRefused as exc:
            raise CommandError("The file was refused, nothing written:\n" + str(exc)) from exc
        changes = [r for r in rows if r.changes]
        for r in changes:
            self.stdout.write(
                f"{r.unit.code} {r.unit.name}: {r.before or '—'} → {r.group} "
                f"from {r.valid_from:%d/%m/%Y}"
            )
        if options["dry_run"]:
            self.stdout.write(f"{len(changes)} of {len(rows)} rows would change a group (dry run).")
            return
        changed = commune_groups_set(rows=rows)
        self.stdout.write(f"{changed} of {len(rows)} rows changed a group.")
