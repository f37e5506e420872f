"""``manage.py build_report NAME --unit CODE --period P --format docx|xlsx|pdf --out FILE [--set CODE]``

Build one official report to a file, for schedulers and scripts. NAME is one of ``bieu1``,
``progress``, ``plan``, ``mobilisation``, ``province-rollup``. The unit is the version of CODE in
force during the period (codes are reused: 24 was Bắc Giang before 1/7/2025, Bắc Ninh after).
``--set`` chooses the criteria set of ``bieu1`` and ``province-rollup`` (default: the set the
unit has results for). Exits non-zero with the reason when the unit, period or data is missing.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from ntm.evaluation.models import Basis
from ntm.geo.models import AdminUnit
from ntm.geo.selectors import version_during
from ntm.reports import registry
from ntm.reports.common import ReportError
from ntm.reports.document import FORMATS
from ntm.reports.services import family_named, period_named


class Command(BaseCommand):
    help = "Build one official report (DOCX, XLSX or PDF) for a unit and period into a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=sorted(registry.REPORTS), help="the report")
        parser.add_argument("--unit", required=True, metavar="CODE", help="national unit code")
        parser.add_argument("--period", required=True, metavar="P", help="2024, 2024H1, 2024Q4")
        parser.add_argument("--format", dest="fmt", required=True, choices=FORMATS)
        parser.add_argument("--out", required=True, metavar="FILE", help="file to write")
        parser.add_argument("--set", dest="set_code", default="", metavar="CODE")
        parser.add_argument("--language", default="vi", choices=["vi", "en"])
        parser.add_argument(
            "--basis",
            choices=[b.value for b in Basis],
            default=Basis.APPROVED.value,
            help="approved: approved values only, the official figures (default); working: "
            "every value, drafts included",
        )

    def handle(self, *args: object, **options: Any) -> None:
        with translation.override(options["language"]):
            try:
                kind = registry.kind_named(options["name"])
                period = period_named(options["period"])
                unit = self._unit(options["unit"], period)
                family = family_named(options["set_code"]) if kind.uses_set else None
                built = registry.build(
                    kind,
                    unit=unit,
                    period=period,
                    family=family,
                    fmt=options["fmt"],
                    basis=options["basis"],
                )
            except ReportError as exc:
                raise CommandError(str(exc)) from exc
        out = Path(options["out"])
        try:
            out.write_bytes(built.content)
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror}") from exc
        self.stdout.write(f"{out} ({len(built.content):,} bytes): {kind.name} {unit.code} {period}")

    @staticmethod
    def _unit(code: str, period: Any) -> AdminUnit:
        versions = list(AdminUnit.objects.filter(code=code.strip()).select_related("parent"))
        if not versions:
            raise ReportError(f"No administrative unit has the code {code!r}.")
        found = version_during(versions, period.start, period.end)
        if found is None:
            raise ReportError(f"Unit {code} did not exist in {period.code}.")
        return found
