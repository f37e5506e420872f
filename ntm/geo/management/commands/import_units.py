import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ntm.core.tabular import ImportRefused, trusted
from ntm.geo.importers import import_units


def parse_date(value: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise CommandError(f"Not a date: {value!r} (use YYYY-MM-DD or DD/MM/YYYY)")


class Command(BaseCommand):
    help = "Import the national list of administrative units (CSV or XLSX)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--valid-from",
            type=parse_date,
            default=None,
            help="date the list takes effect (YYYY-MM-DD or DD/MM/YYYY)",
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help="the file is not the whole country: keep units it omits",
        )

    # An administrator's own file: the web's limits on uploaded tables do not apply.
    @trusted()
    def handle(self, *args: object, **options: object) -> None:
        try:
            summary = import_units(
                str(options["file"]),
                valid_from=options["valid_from"],  # type: ignore[arg-type]
                partial=bool(options["partial"]),
            )
        except ImportRefused as exc:
            raise CommandError("File refused, nothing was written:\n" + str(exc)) from exc
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{summary.rows} rows. {summary.as_text()}")
