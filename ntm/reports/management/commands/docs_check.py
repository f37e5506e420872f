"""``manage.py docs_check [--out DIR]``: every report in every format, printed and checked.

Builds each report of ``TARGETS`` (the demo's units: load it first, as ``make docs-check`` does)
in each of its formats, converts the DOCX and XLSX files to PDF with LibreOffice headless, and
checks every PDF (ours and LibreOffice's) with ``ntm.reports.checks``. Keeps the files, the PDFs
and each PDF's first two pages as PNG (60 dpi) in DIR, to be looked at. Exits non-zero when a
check fails or a tool is missing.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from ntm.geo.models import AdminUnit
from ntm.geo.selectors import version_during
from ntm.reports import registry
from ntm.reports.checks import check_pdf, expected_for
from ntm.reports.document import PRINT, for_format
from ntm.reports.services import family_named, period_named

SOFFICE_TIMEOUT = 900  # seconds for the whole batch; LibreOffice starts once for all files


@dataclass(frozen=True)
class Target:
    report: str
    unit: str
    period: str
    set_code: str = ""


SET = "xa-ntm-nang-cao-2021-2025"
# The demo's units: a commune, its village, the province (see ntm/demo/loader.py).
TARGETS = (
    Target("bieu1", "07408", "2024Q4", SET),
    Target("progress", "07408", "2024Q4"),
    Target("plan", "07408", "2024"),
    Target("mobilisation", "07408", "2024"),
    Target("mobilisation", "24", "2024"),
    Target("province-rollup", "24", "2024Q4", SET),
)


class Command(BaseCommand):
    help = (
        "Build every report in every format, print DOCX/XLSX through LibreOffice, check the PDFs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default="build/docs-check", metavar="DIR")
        parser.add_argument("--soffice", default="soffice", help="LibreOffice's program")

    def handle(self, *args: object, **options: Any) -> None:
        out = Path(options["out"])
        files = out / "files"
        printed = out / "libreoffice"
        pictures = out / "png"
        for folder in (files, printed, pictures):
            folder.mkdir(parents=True, exist_ok=True)
        soffice = shutil.which(options["soffice"])
        if soffice is None or shutil.which("pdftoppm") is None:
            raise CommandError("LibreOffice (soffice) and pdftoppm are needed: run `make deps`.")

        expectations: dict[Path, tuple[str, Any]] = {}
        to_convert: list[Path] = []
        with translation.override("vi"):
            for target in TARGETS:
                for fmt, path, document in self._build(target, files):
                    if fmt == "pdf":
                        expectations[path] = (fmt, document)
                    else:
                        to_convert.append(path)
                        expectations[printed / f"{path.stem}.pdf"] = (fmt, document)
        self._convert(soffice, to_convert, printed)

        failures = 0
        for pdf, (fmt, document) in sorted(expectations.items()):
            if not pdf.exists():
                self.stdout.write(f"FAIL {pdf}: LibreOffice wrote no PDF")
                failures += 1
                continue
            # A spreadsheet prints each row whole by construction, and shows the workbook's own
            # number formats: the rows are compared in the paper formats.
            expected = expected_for(document, rows=fmt in PRINT)
            problems = check_pdf(pdf, expected)
            subprocess.run(
                ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", pdf, pictures / pdf.stem],
                check=True,
                timeout=120,
            )
            if problems:
                failures += 1
                self.stdout.write(f"FAIL {pdf} ({fmt}):")
                for problem in problems[:20]:
                    self.stdout.write(f"  - {problem}")
                if len(problems) > 20:
                    self.stdout.write(f"  … and {len(problems) - 20} more")
            else:
                self.stdout.write(f"ok   {pdf} ({fmt})")
        self.stdout.write(f"{len(expectations)} PDFs checked, pictures in {pictures}")
        if failures:
            raise CommandError(f"{failures} of {len(expectations)} PDFs failed their checks")

    def _build(self, target: Target, folder: Path) -> list[tuple[str, Path, Any]]:
        kind = registry.kind_named(target.report)
        period = period_named(target.period)
        versions = AdminUnit.objects.filter(code=target.unit)
        unit = version_during(list(versions), period.start, period.end)
        if unit is None:
            raise CommandError(f"No unit {target.unit} in {target.period}: load the demo first.")
        family = family_named(target.set_code) if kind.uses_set else None
        # What registry.build does, the data read once for the file and the expectations.
        data = kind.module.data_for(unit=unit, period=period, family=family)
        built = []
        for fmt in kind.formats:
            registry.check_format(kind, fmt)
            path = folder / f"{kind.name}-{target.unit}-{target.period}-{fmt}.{fmt}"
            path.write_bytes(kind.module.build(data, fmt))
            built.append((fmt, path, for_format(kind.module.document_for(data), fmt)))
        return built

    def _convert(self, soffice: str, paths: list[Path], folder: Path) -> None:
        if not paths:
            return
        # A profile of its own: no clash with a LibreOffice the user runs, nothing left behind.
        with tempfile.TemporaryDirectory() as profile:
            command = [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                *map(str, paths),
            ]
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT, check=False
            )
        if result.returncode != 0:
            raise CommandError(f"LibreOffice failed ({result.returncode}): {result.stderr}")
