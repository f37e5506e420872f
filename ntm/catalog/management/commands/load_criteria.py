"""Load criteria-set files: YAML, XLSX or CSV (docs/criteria-format.md)::

    manage.py load_criteria data/criteria                 # every file of a folder, in order
    manage.py load_criteria xa-ntm-2026-2030.xlsx --dry-run

Each file is checked whole first: a bad file is refused with every error named (the row and
column of a sheet) and nothing of it is written. What a changed file adds, changes and retires
is listed before it is loaded (``--dry-run``: listed only). Loading goes through
``evaluation.actions.criteria_load``, so the results the set judges are refreshed.
"""

from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ntm.catalog import sheets
from ntm.catalog.loader import SAFE_LOADER, CatalogError
from ntm.core.tabular import trusted
from ntm.evaluation.actions import criteria_load

SUFFIXES = (".yaml", ".yml", *sheets.EXTENSIONS)


def _head(file: Path) -> dict[str, Any]:
    """The set fields of a file (its code and the sets it needs), {} when unreadable."""
    if file.suffix.lower() in sheets.EXTENSIONS:
        return sheets.head_of(file.read_bytes(), filename=file.name)
    try:
        text = file.read_text(encoding="utf-8-sig")
        head = (yaml.load(text, Loader=SAFE_LOADER) or {}).get("set") or {}
    except (yaml.YAMLError, UnicodeDecodeError, AttributeError):
        head = {}
    return head if isinstance(head, dict) else {}


def ordered_files(paths: list[str]) -> list[Path]:
    """Files (folders expanded), each after the sets it depends on."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if not path.exists():
            raise CommandError(f"{name}: no such file or folder")
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES))
        else:
            files.append(path)
    needs: dict[Path, set[str]] = {}
    codes: dict[str, Path] = {}
    for file in files:
        head = _head(file)
        codes[str(head.get("code"))] = file
        needs[file] = {str(head[k]) for k in ("prerequisite", "localises") if head.get(k)}
    ordered: list[Path] = []

    def visit(file: Path, trail: tuple[Path, ...] = ()) -> None:
        if file in ordered or file in trail:
            return
        for code in needs[file]:
            if code in codes:
                visit(codes[code], (*trail, file))
        ordered.append(file)

    for file in files:
        visit(file)
    return ordered


class Command(BaseCommand):
    help = (
        "Load criteria-set files or folders (YAML, XLSX, CSV; docs/criteria-format.md); "
        "idempotent, a changed file is previewed then versioned."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="YAML, XLSX or CSV files, or folders of them")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and list the changes, write nothing"
        )

    # An administrator's own file: the web's limits on uploaded tables do not apply.
    @trusted()
    def handle(self, *args: object, **options: Any) -> None:
        for file in ordered_files([str(p) for p in options["paths"]]):
            try:
                summary = criteria_load(
                    file,
                    filename=file.name,
                    dry_run=options["dry_run"],
                    via=f"manage.py load_criteria {file.name}",
                )
            except CatalogError as exc:
                raise CommandError(f"{file} refused, nothing was written:\n{exc}") from exc
            if summary.preview is not None:
                for line in summary.preview.lines():
                    self.stdout.write(f"  {line}")
            self.stdout.write(summary.as_text())
