"""Time the official reports against bare baselines measured in the same run.

    DEBUG=1 NTM_ALLOW_DEV_KEY=1 .venv/bin/python bench/reports.py [--communes N] [--repeat 3]

(1) The province roll-up as XLSX for every commune of units-2025-03-01.csv (10,035; synthetic
    codes when ../shared is absent), with synthetic stored-result rows (criteria met, status,
    period, per-criterion statuses) fed straight into ``RollupData``; compared with
    (a) a bare openpyxl write-only workbook writing the same cells (the same values on the same
    sheets, no styles, merges or print setup) — prints both (best of --repeat) and the ratio
    (goal ≤ 2×), and checks the numbers of the built file.
(2) Biểu 1 of Dương Đức (2024Q4) from the demo data on a throwaway SQLite database, as DOCX and
    as PDF — prints the data read and each format's time.
"""

import argparse
import csv
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_units import throwaway_database

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "admin-units" / "units-2025-03-01.csv"
CRITERIA = 19


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("NTM_ALLOW_DEV_KEY", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    call_command("migrate", verbosity=0)
    translation.activate("vi")


def commune_list(limit: int | None) -> list[tuple[str, str, str]]:
    """(code, name, district name) of every commune, in file order."""
    if SHARED.exists():
        with SHARED.open(encoding="utf-8") as handle:
            rows = [
                (r["commune_code"], r["commune_name"], r["district_name"])
                for r in csv.DictReader(handle)
            ]
    else:
        rows = [(f"{n:05d}", f"Xã {n}", f"Huyện {n // 16}") for n in range(10035)]
    return rows[:limit] if limit else rows


def rollup_data(communes: list[tuple[str, str, str]]):
    """Synthetic stored results for every commune, rolled up exactly as ``rollup.data_for``."""
    from collections import Counter

    from django.utils import timezone

    from ntm.reports.common import header_for
    from ntm.reports.rollup import CommuneLine, CriterionShare, RollupData, share

    rng = random.Random(7)
    counts: dict[int, Counter[str]] = {n: Counter() for n in range(1, CRITERIA + 1)}
    lines = []
    for code, name, district in communes:
        if rng.random() < 0.03:  # a few communes have reported nothing yet
            lines.append(CommuneLine(code, name, district, None, None, "", "", False))
            continue
        statuses = ["met" if rng.random() < 0.8 else "not_met" for _ in range(CRITERIA)]
        for number, status in enumerate(statuses, start=1):
            counts[number][status] += 1
        met = statuses.count("met")
        lines.append(
            CommuneLine(
                code,
                name,
                district,
                met,
                CRITERIA,
                "met" if met == CRITERIA else "not_met",
                rng.choice(["2024Q3", "2024Q4"]),
                rng.random() < 0.5,
            )
        )
    with_result = sum(1 for line in lines if line.met is not None)
    from ntm.evaluation.models import Basis
    from ntm.geo.models import AdminUnit, Kind

    country = AdminUnit(code="VN", name="Tỉnh Thử nghiệm", kind=Kind.PROVINCE, level=1)
    return RollupData(
        header=header_for(country),
        unit_code="VN",
        unit_name="Tỉnh Thử nghiệm",
        set_code="bench-xa-nang-cao",
        set_name="Bộ tiêu chí xã nông thôn mới nâng cao giai đoạn 2021-2025",
        illustrative=True,
        period="2024Q4",
        basis=Basis.APPROVED,
        communes=lines,
        criteria=[
            CriterionShare(
                n,
                f"Tiêu chí {n}",
                counts[n]["met"],
                with_result,
                share(counts[n]["met"], with_result),
            )
            for n in range(1, CRITERIA + 1)
        ],
        as_of=timezone.now(),
        data_version="bench",
    )


def bare_write_only(data) -> bytes:
    """The same cells in a plain write-only workbook: header lines, then each table's rows."""
    from openpyxl import Workbook

    from ntm.reports.document import Cell, Table
    from ntm.reports.rollup import document_for

    document = document_for(data, charts=False)
    workbook = Workbook(write_only=True)
    first = True
    for block in document.blocks:
        if not isinstance(block, Table):
            continue
        sheet = workbook.create_sheet(block.sheet)
        if first:
            header = document.header
            sheet.append([header.issuer, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
            sheet.append([header.number, None, None, "Độc lập - Tự do - Hạnh phúc"])
            sheet.append([document.title])
            sheet.append([document.subtitle])
            first = False
        sheet.append([block.caption])
        sheet.append([c.title for c in block.columns])
        for row in block.rows:
            sheet.append([v.value if isinstance(v, Cell) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def best(label: str, fn, repeat: int):
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    print(f"{label:<52} {min(times):8.2f} s  (best of {repeat})")
    return min(times), result


def check_rollup(content: bytes, data) -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    sheet = workbook.worksheets[0]
    met = {r[1]: r[4] for r in sheet.iter_rows(values_only=True) if len(r) > 4 and r[1]}
    sample = next(c for c in data.communes if c.met is not None)
    assert met[sample.code] == sample.met, (met.get(sample.code), sample.met)
    assert sum(1 for c in data.communes if c.code in met) == len(data.communes)


def bieu1_times(repeat: int) -> None:
    from ntm.demo.loader import load_demo
    from ntm.engine.periods import parse_period
    from ntm.geo.models import AdminUnit
    from ntm.reports import bieu1

    start = time.perf_counter()
    load_demo(with_values=True)
    print(f"{'demo data loaded':<52} {time.perf_counter() - start:8.2f} s")
    unit = AdminUnit.objects.get(code="07408", valid_from=None)
    _s, data = best(
        "Biểu 1 data (Dương Đức, 2024Q4)",
        lambda: bieu1.data_for(unit=unit, period=parse_period("2024Q4")),
        repeat,
    )
    print(f"  {data.met}/{data.total} criteria, {len(data.villages)} villages")
    best("Biểu 1 DOCX", lambda: bieu1.build(data, "docx"), repeat)
    # The first PDF of a process also loads WeasyPrint and its fonts.
    start = time.perf_counter()
    bieu1.build(data, "pdf")
    print(f"{'Biểu 1 PDF (first in the process)':<52} {time.perf_counter() - start:8.2f} s")
    best("Biểu 1 PDF", lambda: bieu1.build(data, "pdf"), repeat)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--communes", type=int, default=None, help="only the first N communes")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with throwaway_database(None) as url:
        setup_django(url)
        from ntm.reports.rollup import build_province_rollup

        communes = commune_list(args.communes)
        data = rollup_data(communes)
        print(f"communes: {len(communes)} ({'shared list' if SHARED.exists() else 'synthetic'})")
        bare, _content = best(
            "(a) bare write-only workbook, same cells", lambda: bare_write_only(data), args.repeat
        )
        built, content = best(
            "(b) roll-up XLSX (build_province_rollup)",
            lambda: build_province_rollup(data, "xlsx"),
            args.repeat,
        )
        check_rollup(content, data)
        print(f"roll-up XLSX: {len(content) / 1e6:.1f} MB")
        print(f"ratio (b)/(a): {built / bare:.2f}x  (goal <= 2x)")
        bieu1_times(args.repeat)


if __name__ == "__main__":
    main()
