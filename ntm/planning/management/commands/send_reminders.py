from django.core.management.base import BaseCommand
from django.utils import timezone

from ntm.planning.services import reminders_send


class Command(BaseCommand):
    help = "E-mail each responsible official their overdue and due-soon tasks (run daily)."

    def handle(self, *args: object, **options: object) -> None:
        sent = reminders_send(on=timezone.localdate())
        self.stdout.write(f"{sent} reminder e-mails sent.")
