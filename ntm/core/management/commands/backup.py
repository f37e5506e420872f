"""``manage.py backup -o FILE``: the database and the media files in one archive (docs/backup.md)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ntm.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write one .tar.gz with the database (SQLite online backup or pg_dump), every file "
        "under MEDIA_ROOT and manifest.json (versions, migrations, sizes and sha256)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", required=True, help="the archive to write")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        try:
            manifest = backup(output, using=options["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        media = manifest["media"]
        self.stdout.write(
            f"Wrote {output}: {manifest['database']['vendor']} database "
            f"({manifest['database']['size']} bytes), {len(media)} media files "
            f"({sum(m['size'] for m in media)} bytes)."
        )
