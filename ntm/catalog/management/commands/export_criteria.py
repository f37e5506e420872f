"""Write a stored criteria set as a file (docs/criteria-format.md)::

    manage.py export_criteria xa-ntm-2026-2030 --format xlsx -o xa-ntm-2026-2030.xlsx

``xlsx`` and ``csv`` give the annex-like sheet, ``yaml`` the YAML format. The file holds the
thresholds in force: loading it back unchanged changes nothing.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ntm.catalog.loader import FORMATS, CatalogError, export_criteria
from ntm.catalog.models import CriteriaSet


class Command(BaseCommand):
    help = "Write a criteria set as XLSX, CSV or YAML (docs/criteria-format.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="the set's code, e.g. xa-ntm-2026-2030")
        parser.add_argument("--format", choices=FORMATS, help="default: from the file's name")
        parser.add_argument("-o", "--output", required=True, help="file to write ('-': stdout)")

    def handle(self, *args: object, **options: Any) -> None:
        criteria_set = (
            CriteriaSet.objects.select_related("prerequisite", "localises", "province")
            .filter(code=options["code"])
            .first()
        )
        if criteria_set is None:
            raise CommandError(f"No criteria set has the code {options['code']!r}.")
        output = str(options["output"])
        fmt = options["format"] or Path(output).suffix.lower().lstrip(".").replace("yml", "yaml")
        if fmt not in FORMATS:
            raise CommandError(f"Give --format {'|'.join(FORMATS)} (the file's name says none).")
        try:
            data = export_criteria(criteria_set, fmt=fmt)
        except CatalogError as exc:
            raise CommandError(str(exc)) from exc
        if output == "-":
            self.stdout.write(data.decode("utf-8-sig") if fmt != "xlsx" else "(binary XLSX)")
            return
        Path(output).write_bytes(data)
        self.stdout.write(f"{criteria_set.code} (version {criteria_set.version}) → {output}")
