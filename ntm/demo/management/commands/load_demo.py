from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ntm.accounts.models import User
from ntm.demo.loader import DEMO_PASSWORD, USERS, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo commune (Dương Đức), its villages, the 2025 merger and demo users. "
        "Refused on a database with real (non-demo) user accounts unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="load even though the database has non-demo user accounts",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Demo accounts share a published password: on a real installation they are a way in.
        real = list(User.objects.filter(is_demo=False).values_list("username", flat=True)[:6])
        if real and not options["force"]:
            shown = ", ".join(real[:5]) + (", …" if len(real) > 5 else "")
            raise CommandError(
                f"This database has user accounts that are not demo accounts ({shown}): the "
                f"demo would add accounts whose password ({DEMO_PASSWORD}) is published. "
                "Use --force to load it anyway."
            )
        load_demo(with_values=True)
        names = ", ".join(u.username for u in USERS)
        self.stdout.write(f"Demo data ready. Users: {names} (password {DEMO_PASSWORD}).")
