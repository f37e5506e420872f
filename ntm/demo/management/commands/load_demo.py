from django.core.management.base import BaseCommand

from ntm.demo.loader import DEMO_PASSWORD, USERS, load_demo


class Command(BaseCommand):
    help = "Load the demo commune (Dương Đức), its villages, the 2025 merger and demo users."

    def handle(self, *args: object, **options: object) -> None:
        load_demo(with_values=True)
        names = ", ".join(u.username for u in USERS)
        self.stdout.write(f"Demo data ready. Users: {names} (password {DEMO_PASSWORD}).")
