"""Time the unit importers against a plain bulk insert, on a throwaway database.

    DEBUG=1 NTM_ALLOW_DEV_KEY=1 .venv/bin/python bench/import_units.py
    ... bench/import_units.py --database-url postgres://postgres@127.0.0.1:5432/ntm_bench

Figures, in one run on an empty database:
  (a) baseline: read units-2025-03-01.csv and bulk_create as many unit rows as (b) writes, with
      no validation, versions, paths or history;
  (b) import_units of units-2025-03-01.csv (the list before the 2025 reform);
  (c) import_units of units-2026-07-25.csv from 2025-07-01;
  (d) import_mergers of mergers-2025-07-01.csv;
and the ratio (b)/(a). SQLite runs in a temporary directory; a PostgreSQL database named by
--database-url is created for the run and dropped after it (an existing one is left alone).
Without ../shared/data the same steps run on a synthetic country of the same size.
"""

import argparse
import csv
import datetime as dt
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "admin-units"
REFORM = dt.date(2025, 7, 1)


@contextmanager
def throwaway_database(url: str | None) -> Iterator[str]:
    """A database URL valid for the duration of the block; nothing of it survives."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix="ntm-bench-") as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in {"postgres", "postgresql"} or not name:
        sys.exit(f"--database-url must be postgres://…/<database>, not {url}")
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            sys.exit(f"Database {name} exists; the benchmark only uses one it creates.")
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def synthetic_lists() -> tuple[bytes, bytes, bytes]:
    """63 provinces, 691 districts and 10,035 communes; then every three communes of a province
    merged into the first, without districts; and the merger list that says so."""
    before, after, mergers = io.StringIO(), io.StringIO(), io.StringIO()
    old, new, merger = csv.writer(before), csv.writer(after), csv.writer(mergers)
    columns = ["province_code", "province_name", "district_code", "district_name"]
    old.writerow([*columns, "commune_code", "commune_name"])
    new.writerow(["province_code", "province_name", "commune_code", "commune_name"])
    merger.writerow(["parent_code", "code", "name", "formed_from"])
    district, commune = 0, 0
    for p, districts in enumerate([11] * 61 + [10] * 2, start=1):
        province = [f"{p:02d}", f"Tỉnh Số {p}"]
        merger.writerow(["0", *province, "giữ nguyên"])
        communes: list[tuple[str, str]] = []
        for _d in range(districts):
            district += 1
            for _c in range(15 if district <= 361 else 14):
                commune += 1
                communes.append((f"{commune:05d}", f"Xã Số {commune}"))
                old.writerow([*province, f"{district:03d}", f"Huyện Số {district}", *communes[-1]])
        for i in range(0, len(communes), 3):
            group = communes[i : i + 3]
            new.writerow([*province, *group[0]])
            merger.writerow([province[0], *group[0], ", ".join(name for _c, name in group)])
    return tuple(f.getvalue().encode() for f in (before, after, mergers))  # type: ignore[return-value]


def timed(label: str, action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    print(f"  {label:<58} {seconds:8.2f} s")
    return seconds, result


def baseline(source: bytes, filename: str) -> int:
    """Read the list as the importer does, then insert its units as bare rows."""
    from django.db import transaction

    from ntm.core.tabular import read_table
    from ntm.geo.importers import REQUIRED, UNIT_COLUMNS
    from ntm.geo.models import AdminUnit, Kind, Level

    table = read_table(source, aliases=UNIT_COLUMNS, required=REQUIRED, filename=filename)
    units: dict[str, AdminUnit] = {}
    for _row, cells in table.rows:
        for code, name, kind, level in (
            (cells["province_code"], cells["province_name"], Kind.PROVINCE, Level.PROVINCE),
            (
                cells.get("district_code", ""),
                cells.get("district_name", ""),
                Kind.DISTRICT,
                Level.DISTRICT,
            ),
            (cells["commune_code"], cells["commune_name"], Kind.COMMUNE, Level.COMMUNE),
        ):
            if code and code not in units:
                units[code] = AdminUnit(code=code, name=name, kind=kind, level=level)
    with transaction.atomic():
        AdminUnit.objects.bulk_create(units.values(), batch_size=2000)
    return len(units)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL of a database to create and drop")
    args = parser.parse_args()

    if (SHARED / "units-2025-03-01.csv").exists():
        files = ("units-2025-03-01.csv", "units-2026-07-25.csv", "mergers-2025-07-01.csv")
        before, after, mergers = ((SHARED / f).read_bytes() for f in files)
        origin = f"{SHARED}"
    else:
        print(f"{SHARED} is not available: timing a synthetic country of the same size.")
        before, after, mergers = synthetic_lists()
        files = ("synthetic-before.csv", "synthetic-after.csv", "synthetic-mergers.csv")
        origin = "synthetic lists"

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    with throwaway_database(args.database_url) as url:
        os.environ["DATABASE_URL"] = url
        import django
        from django.conf import settings
        from django.core.management import call_command

        django.setup()
        # Query logging (on with DEBUG) is not part of an import's cost.
        settings.DEBUG = False
        call_command("migrate", verbosity=0)

        from django.db import connection

        from ntm.geo.importers import import_units
        from ntm.geo.mergers import import_mergers
        from ntm.geo.models import AdminUnit

        print(f"Unit imports on {connection.vendor} ({origin}):")
        base, rows = timed(
            "(a) baseline: read + plain bulk_create",
            lambda: baseline(before, files[0]),
        )
        AdminUnit.objects.all().delete()
        first, _summary = timed(
            f"(b) import_units {files[0]}",
            lambda: import_units(before, filename=files[0]),
        )
        timed(
            f"(c) import_units {files[1]} from {REFORM:%Y-%m-%d}",
            lambda: import_units(after, valid_from=REFORM, filename=files[1]),
        )
        _seconds, summary = timed(
            f"(d) import_mergers {files[2]}",
            lambda: import_mergers(mergers, effective_date=REFORM, filename=files[2]),
        )
        print(f"  (a) wrote {rows} unit rows; (d): {summary.as_text()}")
        print(f"  ratio (b)/(a): {first / base:.1f}")


if __name__ == "__main__":
    main()
