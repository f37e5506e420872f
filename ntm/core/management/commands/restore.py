"""``manage.py restore FILE [--force] [--check]``: verify an archive of ``backup``, then put
its database and media files back (docs/backup.md)."""

import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ntm.core.backup import BackupError, pending_migrations, restore, verify


class Command(BaseCommand):
    help = (
        "Restore an archive written by `backup`: every checksum is verified before anything is "
        "written; an archive of another database vendor, or with migrations this code does not "
        "know, is refused; a database with user accounts is replaced only with --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the .tar.gz written by `manage.py backup`")
        parser.add_argument(
            "--force", action="store_true", help="replace a database that is already in use"
        )
        parser.add_argument(
            "--check", action="store_true", help="only verify the archive; write nothing"
        )
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        using = options["database"]
        try:
            if options["check"]:
                with tempfile.TemporaryDirectory(prefix="ntm-check-") as tmp:
                    manifest = verify(archive, Path(tmp), using=using).manifest
                self.stdout.write(
                    f"{archive} is intact: {manifest['database']['vendor']} database of "
                    f"{manifest['created_at']}, {len(manifest['media'])} media files; "
                    "it can be restored here."
                )
                return
            manifest = restore(archive, force=options["force"], using=using)
            pending = pending_migrations(using=using)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored the database of {manifest['created_at']} and "
            f"{len(manifest['media'])} media files."
        )
        if pending:
            self.stdout.write(
                f"This code has {len(pending)} migrations the archive had not applied: "
                "run `manage.py migrate` now."
            )
