"""Time the results pipeline against a bare scan of the same values, in one run.

    DEBUG=1 NTM_ALLOW_DEV_KEY=1 .venv/bin/python bench/evaluate.py [--communes N]
    ... bench/evaluate.py --database-url postgres://postgres@127.0.0.1:5432/ntm_bench

Builds, on a throwaway database: every commune of units-2025-03-01.csv (10,035; synthetic codes
when ../shared is absent), the advanced set with the full indicator list of the illustrative
Bắc Giang version (19 criteria, 32 indicators, 7 data elements — as a national set so it applies
everywhere), and values for 4 quarters of 2024 (Q1–Q3 approved, Q4 drafts: both counts kept;
--all-draft for drafts only). Then it times, each as a ratio to (a):
  (a) a bare scan: the same value rows read with the same query, touched once each — run twice,
      the second (warm) run is the baseline, as the pipeline's own reads are warm too;
  (b) the full re-evaluation: evaluate_units over all communes, storing every result (goal ≤ 1.5×);
  (c) the same with nothing changed (goal ≤ 0.2×): every unit's basis (stamp of the unit's
      values, set version, profile, prerequisite) matches, no value is read, nothing written;
  (c') the same with --full: every value read, every input digest compared, nothing written;
  (d) refresh_stale with nothing marked (what a worker does when nothing changed);
  (e) national chunks shared by 1 and then 2 worker processes (every commune marked stale, its
      results deleted, `refresh_stale` in each worker);
and one save with its refresh (actions.value_record): median and p95 over 200 saves.
"""

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_units import throwaway_database

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "admin-units" / "units-2025-03-01.csv"
QUARTERS = ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("NTM_ALLOW_DEV_KEY", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_units(limit: int | None) -> list:
    from ntm.geo.importers import import_units
    from ntm.geo.models import AdminUnit, Level

    if SHARED.exists():
        lines = SHARED.read_text(encoding="utf-8").splitlines()
        text = "\n".join(lines[: (limit + 1) if limit else None])
    else:
        rows = ["province_code,province_name,district_code,district_name,commune_code,commune_name"]
        for n in range(limit or 10035):
            p, d = n // 160, n // 16
            rows.append(f"{p:02d},Tỉnh {p},{d:03d},Huyện {d},{n:05d},Xã {n}")
        text = "\n".join(rows)
    import_units(text.encode(), filename="units.csv")
    AdminUnit.objects.filter(level=Level.PROVINCE).update(region="DBSH")
    return list(AdminUnit.objects.filter(level=Level.COMMUNE))


def load_bench_set():
    import yaml

    from ntm.catalog.loader import load_criteria
    from ntm.catalog.models import CriteriaSet

    data = yaml.safe_load(
        (ROOT / "data" / "demo" / "bac-giang-xa-ntm-nang-cao-2021-2025.yaml").read_text()
    )
    data["set"].update(code="bench-xa-nang-cao", localises=None, province=None, prerequisite=None)
    load_criteria(yaml.safe_dump(data, allow_unicode=True))
    return CriteriaSet.objects.get(code="bench-xa-nang-cao")


def build_values(units: list, criteria_set, all_draft: bool = False) -> int:
    from ntm.catalog.models import DataElement, Indicator
    from ntm.engine.periods import parse_period
    from ntm.observations.models import DataValue, InputStamp

    rng = random.Random(7)
    codes = [(i.code, i.kind) for i in Indicator.objects.filter(criteria_set=criteria_set)]
    codes += [(e.code, e.kind) for e in DataElement.objects.filter(criteria_set=criteria_set)]
    # Raw executemany: the ORM's bulk_create costs more than the measurement itself here.
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    sql = (
        f"INSERT INTO {DataValue._meta.db_table} (unit_id, criteria_set_id, code, period, "
        "period_end, text, number, flag, note, source, status, updated_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', 'entered', %s, %s)"
    )
    batch: list[tuple] = []
    total = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for unit in units:
            for quarter in QUARTERS:
                period = parse_period(quarter)
                for code, kind in codes:
                    if kind == "pass_fail":
                        flag = rng.random() < 0.9
                        number, text = None, "đạt" if flag else "không đạt"
                    else:
                        number = (
                            Decimal(rng.randint(50, 1000))
                            if kind in ("count", "amount", "number")
                            else Decimal(rng.randint(600, 1000)) / 10
                        )
                        flag, text = None, format(number, "f")
                    batch.append(
                        (
                            unit.pk,
                            criteria_set.pk,
                            code,
                            quarter,
                            period.end,
                            text,
                            number,
                            flag,
                            # As in use: past quarters approved, the last one still a draft,
                            # so both counts are kept (Q1–Q3 one row each, Q4 working only).
                            "draft" if quarter == QUARTERS[-1] or all_draft else "approved",
                            now,
                        )
                    )
            if len(batch) >= 20000:
                cursor.executemany(sql, batch)
                total += len(batch)
                batch = []
        cursor.executemany(sql, batch)
    # What value_set does per write: one stamp per (unit, set) with values.
    InputStamp.objects.bulk_create(
        [InputStamp(unit_id=u.pk, criteria_set_id=criteria_set.pk, version=1) for u in units],
        batch_size=5000,
    )
    return total + len(batch)


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<52} {seconds:8.2f} s")
    return seconds, result


def bare_scan(units: list, criteria_set) -> int:
    from ntm.observations.models import DataValue

    touched = 0
    for start in range(0, len(units), 2000):
        chunk = [u.pk for u in units[start : start + 2000]]
        rows = (
            DataValue.objects.filter(criteria_set=criteria_set, unit__in=chunk)
            .order_by("unit_id", "period_end", "updated_at")
            .values_list("unit_id", "code", "period", "number", "flag", "text")
        )
        for _row in rows.iterator(chunk_size=5000):
            touched += 1
    return touched


def full_evaluation(units: list, criteria_set, full: bool = False):
    from ntm.evaluation.services import Refreshed, evaluate_units

    done = Refreshed()
    for start in range(0, len(units), 2000):
        done += evaluate_units(units=units[start : start + 2000], family=criteria_set, full=full)
    return done


def _worker(out) -> None:
    from django.db import connections

    from ntm.evaluation.services import refresh_stale

    connections.close_all()
    try:
        out.put(refresh_stale(chunk=500).written)
    finally:
        connections.close_all()


def shared_by_workers(units: list, criteria_set, workers: int) -> int:
    """Delete every result, mark every commune stale, let ``workers`` processes share it."""
    import multiprocessing

    from django.db import connections

    from ntm.evaluation.models import SetResult
    from ntm.evaluation.services import mark_stale

    SetResult.objects.filter(criteria_set=criteria_set).delete()
    mark_stale(unit_ids=[u.pk for u in units], families=[criteria_set], reason="bench")
    connections.close_all()
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    processes = [context.Process(target=_worker, args=(out,)) for _ in range(workers)]
    for process in processes:
        process.start()
    written = sum(out.get() for _ in processes)
    for process in processes:
        process.join()
    return written


def single_saves(units: list, criteria_set, n: int = 200) -> list[float]:
    from ntm.accounts.models import User
    from ntm.evaluation.actions import value_record

    admin = User.objects.create_superuser("bench", password=None)
    rng = random.Random(11)
    times = []
    for _ in range(n):
        unit = rng.choice(units)
        start = time.perf_counter()
        value_record(
            user=admin,
            unit=unit,
            criteria_set=criteria_set,
            code="12.1",
            period="2024Q4",
            value=str(rng.randint(60, 99)),
        )
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--communes", type=int, default=None, help="only the first N communes")
    parser.add_argument(
        "--all-draft",
        action="store_true",
        help="every value a draft (no approved count to keep), as before results had bases",
    )
    args = parser.parse_args()
    with throwaway_database(args.database_url) as url:
        setup_django(url)
        from django.db import connection

        from ntm.evaluation.services import refresh_stale

        print(f"database: {connection.vendor}")
        _s, units = timed("import communes", lambda: build_units(args.communes))
        criteria_set = load_bench_set()
        _s, count = timed(
            "insert values (bulk)", lambda: build_values(units, criteria_set, args.all_draft)
        )
        print(
            f"communes: {len(units)}, values: {count}, periods: {len(QUARTERS)}, "
            + ("all drafts" if args.all_draft else "Q1–Q3 approved, Q4 drafts")
        )
        timed("bare scan, cold (not the baseline)", lambda: bare_scan(units, criteria_set))
        scan, touched = timed(
            "(a) bare scan of the values, warm", lambda: bare_scan(units, criteria_set)
        )
        assert touched == count, (touched, count)
        full, done = timed(
            "(b) full re-evaluation (every result written)",
            lambda: full_evaluation(units, criteria_set),
        )
        print(f"    results: {done.results}, written: {done.written}")
        same, again = timed(
            "(c) full re-evaluation, nothing changed",
            lambda: full_evaluation(units, criteria_set),
        )
        assert again.written == 0, again
        same_full, again = timed(
            "(c') the same, --full (every value read, digests compared)",
            lambda: full_evaluation(units, criteria_set, full=True),
        )
        assert again.written == 0, again
        idle, _d = timed("(d) refresh of stale results, none stale", refresh_stale)
        one, w1 = timed(
            "(e) national chunks, 1 worker", lambda: shared_by_workers(units, criteria_set, 1)
        )
        two, w2 = timed(
            "(e) national chunks, 2 workers", lambda: shared_by_workers(units, criteria_set, 2)
        )
        assert w1 == w2 == done.results, (w1, w2, done.results)
        print(f"ratio (b)/(a) full re-evaluation:      {full / scan:6.2f}x  (goal <= 1.5x)")
        print(f"ratio (c)/(a) nothing changed:         {same / scan:6.2f}x  (goal <= 0.2x)")
        print(f"ratio (c')/(a) nothing changed, --full: {same_full / scan:5.2f}x")
        print(f"ratio (d)/(a) nothing stale, refresh:  {idle / scan:6.2f}x")
        print(f"ratio (e)/(a) 1 worker / 2 workers:    {one / scan:6.2f}x / {two / scan:.2f}x")
        saves = sorted(single_saves(units, criteria_set))
        print(
            f"one value save with refresh: median {statistics.median(saves):.1f} ms, "
            f"p95 {saves[int(len(saves) * 0.95)]:.1f} ms over {len(saves)}  (goal < 50 ms)"
        )


if __name__ == "__main__":
    main()
