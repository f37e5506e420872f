from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ntm.catalog.loader import SAFE_LOADER, CatalogError
from ntm.evaluation.actions import criteria_load


def ordered_files(paths: list[str]) -> list[Path]:
    """Files (folders expanded), each after the sets it depends on."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if not path.exists():
            raise CommandError(f"{name}: no such file or folder")
        files.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    needs: dict[Path, set[str]] = {}
    codes: dict[str, Path] = {}
    for file in files:
        try:
            text = file.read_text(encoding="utf-8-sig")
            head = (yaml.load(text, Loader=SAFE_LOADER) or {}).get("set") or {}
        except (yaml.YAMLError, UnicodeDecodeError, AttributeError):
            head = {}
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
    help = "Load criteria-set YAML files or folders (docs/criteria-format.md); idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="YAML files or folders of them")

    def handle(self, *args: object, **options: object) -> None:
        for file in ordered_files([str(p) for p in options["paths"]]):  # type: ignore[attr-defined]
            try:
                summary = criteria_load(file, filename=file.name)
            except CatalogError as exc:
                raise CommandError(f"{file} refused, nothing was written:\n{exc}") from exc
            self.stdout.write(summary.as_text())
