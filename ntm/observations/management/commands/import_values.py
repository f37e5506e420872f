"""``manage.py import_values FILE --user USERNAME [--dry-run]``: indicator values from CSV or XLSX.

The file's columns are ``unit, set, code, period, value, note`` (note optional; Vietnamese
headers accepted). Rows are written with the permissions of ``--user``, exactly as if that user
had typed them on the unit's page; any bad row refuses the whole file and every error is listed.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ntm.accounts.models import User
from ntm.core.tabular import ImportRefused, trusted
from ntm.evaluation.actions import values_import


class Command(BaseCommand):
    help = (
        "Import indicator values (CSV or XLSX, columns unit, set, code, period, value, note). "
        "--user names the account whose permissions apply (required). All rows or none: a "
        "refused file lists every error by row and column and writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV (comma, semicolon or tab) or XLSX (first sheet)")
        parser.add_argument(
            "--user",
            required=True,
            metavar="USERNAME",
            help="username whose permissions apply and who is recorded as the author",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check every row and show what would change, write nothing",
        )
        parser.add_argument(
            "--all-rows", action="store_true", help="list unchanged rows too, not only changes"
        )

    # An administrator's own file: the web's limits on uploaded tables do not apply.
    @trusted()
    def handle(self, *args: object, **options: object) -> None:
        username = str(options["user"])
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        try:
            preview = values_import(
                str(options["file"]), user=user, dry_run=bool(options["dry_run"])
            )
        except ImportRefused as exc:
            raise CommandError("File refused, nothing was written:\n" + str(exc)) from exc
        except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(preview.as_text(all_rows=bool(options["all_rows"])))
