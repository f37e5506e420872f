"""Peak memory and time of reading hostile uploads, each in a fresh process, against a plain
1,000-row file read in the same run (issue 14).

    NTM_ALLOW_DEV_KEY=1 .venv/bin/python bench/uploads.py

Cases (files written to a temporary folder):
  - baseline: a 1,000-row values CSV;
  - an XLSX of two rows declaring the dimension A1:XFD1048576 (1.5 KB);
  - an XLSX of 1,000,000 rows (refused at the row limit);
  - a CSV of 300 MB, as the web receives it (Django has spooled it to disk): the size check of
    the form refuses it before anything reads it;
  - a zip bomb: an XLSX that unpacks to 1 GB.
Each prints the peak resident memory of its process (ru_maxrss) above the process's own start,
the seconds, and what happened (rows read or the refusal).
"""

import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import os, resource, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.core.files.uploadedfile import TemporaryUploadedFile
from ntm.core.tabular import ImportRefused, read_rows
from ntm.core.uploads import UploadError, check_table_upload
import openpyxl  # loaded before the measure: every case pays it the same
start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
path, mode = sys.argv[1], sys.argv[2]
started = time.perf_counter()
try:
    if mode == "upload":
        upload = TemporaryUploadedFile(os.path.basename(path), "text/csv", os.path.getsize(path), None)
        upload.file.close()
        upload.file = open(path, "rb")
        check_table_upload(upload)
        outcome = "accepted"
    else:
        data = open(path, "rb").read()
        outcome = f"{{len(read_rows(data, filename=path))}} rows read"
except (ImportRefused, UploadError) as exc:
    outcome = "refused: " + str(exc).splitlines()[0][:90]
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{{(peak - start_rss) / 1024:.1f}}\t{{elapsed:.2f}}\t{{outcome}}")
"""


def _xlsx_with_dimension(folder: Path) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["unit", "set", "code", "period", "value"])
    sheet.append(["07408", "s", "1.1", "2024Q4", "80"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    path = folder / "dimension.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b'<dimension ref="A1:E2"', b'<dimension ref="A1:XFD1048576"'
                )
            target.writestr(item, content)
    return path


def _xlsx_rows(folder: Path, rows: int, name: str) -> Path:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["code", "value"])
    for n in range(rows):
        sheet.append([f"c{n}", n])
    path = folder / name
    workbook.save(path)
    return path


def _zip_bomb(folder: Path) -> Path:
    base = _xlsx_rows(folder, 1, "base.xlsx")
    path = folder / "bomb.xlsx"
    source = zipfile.ZipFile(base)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        with target.open("xl/padding.xml", "w") as bomb:
            chunk = b" " * 2**20
            for _ in range(1024):
                bomb.write(chunk)
    return path


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        baseline = folder / "baseline.csv"
        baseline.write_text(
            "unit,set,code,period,value\n"
            + "".join(f"07408,xa-ntm-2021-2025,{n},2024Q4,{n}\n" for n in range(1000)),
            encoding="utf-8",
        )
        big_csv = folder / "big.csv"
        with big_csv.open("wb") as out:
            line = b"07408,xa-ntm-2021-2025,1.1,2024Q4,80,ghi chu\n"
            for _ in range(300 * 2**20 // len(line)):
                out.write(line)
        cases = [
            ("baseline: 1,000-row CSV", baseline, "read"),
            ("XLSX declaring A1:XFD1048576", _xlsx_with_dimension(folder), "read"),
            ("XLSX of 1,000,000 rows", _xlsx_rows(folder, 1_000_000, "million.xlsx"), "read"),
            ("CSV of 300 MB (web upload)", big_csv, "upload"),
            ("XLSX unpacking to 1 GB", _zip_bomb(folder), "read"),
        ]
        env = {**os.environ, "NTM_ALLOW_DEV_KEY": "1"}
        base_mb = None
        print(f"{'case':34} {'file':>9} {'peak MB':>8} {'×base':>6} {'s':>6}  outcome")
        for label, path, mode in cases:
            result = subprocess.run(
                [sys.executable, "-c", CHILD.format(root=str(ROOT)), str(path), mode],
                capture_output=True,
                text=True,
                env=env,
                cwd=ROOT,
                check=True,
            )
            peak, seconds, outcome = result.stdout.strip().splitlines()[-1].split("\t")
            # The baseline's own peak is a few hundred kilobytes: compare with 1 MB at least.
            base_mb = base_mb or max(float(peak), 1.0)
            size = path.stat().st_size
            print(
                f"{label:34} {size / 2**20:8.2f}M {float(peak):8.1f} "
                f"{float(peak) / base_mb:6.1f} {float(seconds):6.2f}  {outcome}"
            )


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - started:.0f} s")
