"""``manage.py export_values --unit CODE [--set CODE] [--period P ...] [--format csv|xlsx]
[-o FILE]``: the values of a unit's subtree in the columns ``import_values`` reads.

Without ``--period``, every version of the unit with that code is included (07420 before and
after the 2025 merger), with everything under it. With ``--period``, each period takes the
version in force during it (at its end, else at its start), as ``import_values`` and
``build_report`` do: a code the reform gave to another unit names the old unit in 2024Q4 and the
new one in 2025Q4, and a period in which no unit had the code is an error. Importing the file
back changes nothing.
"""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from ntm.catalog.models import CriteriaSet
from ntm.engine.periods import parse_period
from ntm.geo.models import AdminUnit
from ntm.geo.selectors import version_during
from ntm.observations.exporters import export_rows, render


class Command(BaseCommand):
    help = (
        "Export the indicator values of a unit and everything under it (every version with "
        "that code) as CSV or XLSX, in the columns import_values reads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--unit", required=True, metavar="CODE", help="unit code, e.g. 07408 or 24"
        )
        parser.add_argument(
            "--set", dest="set_code", metavar="CODE", help="only this national set code"
        )
        parser.add_argument(
            "--period",
            action="append",
            dest="periods",
            metavar="P",
            help="only this period (2024, 2024H1, 2024Q1); repeat for several",
        )
        parser.add_argument(
            "--format",
            choices=["csv", "xlsx"],
            help="file format (default: from the -o suffix, else csv)",
        )
        parser.add_argument(
            "-o",
            "--output",
            metavar="FILE",
            help="file to write (default: standard output, CSV only)",
        )

    def handle(self, *args: object, **options: object) -> None:
        code = str(options["unit"]).strip()
        versions = list(AdminUnit.objects.filter(code=code))
        if not versions:
            raise CommandError(f"No administrative unit has the code {code!r}.")
        periods = list(options["periods"] or [])  # type: ignore[call-overload]
        parsed = []
        for period in periods:
            try:
                parsed.append(parse_period(period))
            except ValueError as exc:
                raise CommandError(f"{period!r} is not a period (2024, 2024H1, 2024Q1).") from exc
        # Per period the version in force then, so a code the 2025 reform gave to another unit
        # does not bring that unit's values along.
        by_version: dict[AdminUnit, list[str]] = {}
        for p in parsed:
            version = version_during(versions, p.start, p.end)
            if version is None:
                raise CommandError(f"No unit had the code {code!r} in {p.code}.")
            codes = by_version.setdefault(version, [])
            if p.code not in codes:
                codes.append(p.code)
        criteria_set = None
        if options["set_code"]:
            criteria_set = CriteriaSet.objects.filter(code=options["set_code"]).first()
            if criteria_set is None:
                raise CommandError(f"No criteria set has the code {options['set_code']!r}.")
        output = str(options["output"]) if options["output"] else None
        fmt = options["format"] or (
            "xlsx" if output and Path(output).suffix.lower() == ".xlsx" else "csv"
        )
        if fmt == "xlsx" and output is None:
            raise CommandError("An XLSX export needs a file: add -o FILE.xlsx.")
        if parsed:
            rows = []
            for version in sorted(by_version, key=lambda v: (v.valid_from or dt.date.min, v.pk)):
                units = AdminUnit.objects.filter(path__startswith=version.path)
                rows += export_rows(
                    units=units, criteria_set=criteria_set, periods=by_version[version]
                )
        else:
            subtree = Q()
            for version in versions:
                subtree |= Q(path__startswith=version.path)
            rows = export_rows(units=AdminUnit.objects.filter(subtree), criteria_set=criteria_set)
        data = render(rows, str(fmt))
        if output is None:
            self.stdout.write(data.decode("utf-8-sig"), ending="")
            return
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{output}: {len(rows)} values.")
