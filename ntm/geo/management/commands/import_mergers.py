import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ntm.core.tabular import ImportRefused, trusted
from ntm.geo.management.commands.import_units import parse_date
from ntm.geo.mergers import import_mergers


class Command(BaseCommand):
    help = (
        "Import a merger list (CSV or XLSX): the old units each new unit was formed from. "
        "Import the new list of units first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--effective-date",
            type=parse_date,
            default=dt.date(2025, 7, 1),
            help="date the new units took effect (YYYY-MM-DD or DD/MM/YYYY; default 2025-07-01)",
        )
        parser.add_argument("--legal-basis", default="", help="resolution the list comes from")
        parser.add_argument(
            "--show-problems",
            type=int,
            default=50,
            metavar="N",
            help="print the first N problems (default 50; 0 for none)",
        )

    # An administrator's own file: the web's limits on uploaded tables do not apply.
    @trusted()
    def handle(self, *args: object, **options: object) -> None:
        try:
            summary = import_mergers(
                str(options["file"]),
                effective_date=options["effective_date"],  # type: ignore[arg-type]
                legal_basis=str(options["legal_basis"]),
            )
        except ImportRefused as exc:
            raise CommandError("File refused, nothing was written:\n" + str(exc)) from exc
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(summary.as_text())
        shown = max(int(options["show_problems"]), 0)  # type: ignore[call-overload]
        for problem in summary.problems[:shown]:
            self.stdout.write(f"  {problem}")
        if len(summary.problems) > shown:
            self.stdout.write(f"  … {len(summary.problems) - shown} more")
