"""Time the province overview and the API roll-up at 100 and 550 communes, in one run.

    DEBUG=1 NTM_ALLOW_DEV_KEY=1 .venv/bin/python bench/area_pages.py
    ... bench/area_pages.py --database-url postgres://postgres@127.0.0.1:5432/ntm_bench_area

On a throwaway database: two provinces, of 100 and 550 communes (districts of 16), the bench set
of bench/evaluate.py (19 criteria), values for 4 quarters and their results written by the
pipeline (which keeps the area summaries). For each province it prints the median of 30
requests, through Django's test client as a signed-in system administrator, of:
  - a trivial page (login form) — the baseline of the same run;
  - the province overview (/units/<id>/sets/<set>/units/?period=2024Q4);
  - the API roll-up (/api/v1/results/rollup, limit 100);
  - the counts the old way (every commune's latest result read and counted) — what the
    summaries replace;
and the ratio 550 / 100 of each (goal: about 1, i.e. time does not grow with the communes).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluate import build_values, load_bench_set, setup_django
from import_units import throwaway_database

SIZES = (100, 550)


def build(sizes: tuple[int, ...]):
    from ntm.geo.importers import import_units
    from ntm.geo.models import AdminUnit, Level

    rows = ["province_code,province_name,district_code,district_name,commune_code,commune_name"]
    n = 0
    for p, size in enumerate(sizes, start=1):
        for i in range(size):
            d = p * 100 + i // 16
            rows.append(f"{p:02d},Tỉnh {p},{d:03d},Huyện {d},{n:05d},Xã {n}")
            n += 1
    import_units("\n".join(rows).encode(), filename="units.csv")
    AdminUnit.objects.filter(level=Level.PROVINCE).update(region="DBSH")
    return {
        size: AdminUnit.objects.get(level=Level.PROVINCE, code=f"{p:02d}")
        for p, size in enumerate(sizes, start=1)
    }


def median_ms(fn, repeat: int = 30) -> float:
    fn()  # warm: the first call of a URL compiles templates and fills caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def old_counts(province, family) -> int:
    """The counts as computed before the summaries: every commune and its latest result."""
    from ntm.engine.periods import parse_period
    from ntm.evaluation.selectors import criterion_rollup, subunit_results

    rows = subunit_results(parent=province, family=family, period=parse_period("2024Q4"), level=3)
    return len(criterion_rollup(rows))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with throwaway_database(args.database_url) as url:
        setup_django(url)
        from django.conf import settings
        from django.test import Client

        from ntm.accounts.models import User
        from ntm.evaluation.services import evaluate_units
        from ntm.geo.models import AdminUnit

        settings.ALLOWED_HOSTS = ["*"]
        provinces = build(SIZES)
        family = load_bench_set()
        communes = list(AdminUnit.objects.filter(level=3))
        build_values(communes, family)
        for start in range(0, len(communes), 2000):
            evaluate_units(units=communes[start : start + 2000], family=family)
        admin = User.objects.create_superuser("bench", password="x")
        client = Client()
        client.force_login(admin)
        print(f"database: {url.split(':')[0]}")
        figures: dict[str, dict[int, float]] = {}

        def get(path: str, **params: object) -> None:
            response = client.get(path, params)
            assert response.status_code == 200, (path, response.status_code)

        anonymous = Client()

        def trivial() -> None:
            assert anonymous.get("/accounts/login/").status_code == 200

        for size, province in provinces.items():
            checks = {
                "trivial page (login form)": lambda: trivial(),
                "province overview": lambda p=province: get(
                    f"/units/{p.pk}/sets/{family.code}/units/", period="2024Q4"
                ),
                "API roll-up (limit 100)": lambda p=province: get(
                    "/api/v1/results/rollup",
                    unit=p.code,
                    set=family.code,
                    period="2024Q4",
                    limit=100,
                ),
                "counts the old way (no summary)": lambda p=province: old_counts(p, family),
            }
            for label, fn in checks.items():
                figures.setdefault(label, {})[size] = median_ms(fn)
        small, large = SIZES
        print(f"{'':<36} {small:>6} communes {large:>6} communes   ratio")
        for label, by_size in figures.items():
            print(
                f"{label:<36} {by_size[small]:9.1f} ms {by_size[large]:11.1f} ms"
                f"   {by_size[large] / by_size[small]:5.2f}x"
            )
        base = figures["trivial page (login form)"]
        for label in ("province overview", "API roll-up (limit 100)"):
            print(
                f"{label} / trivial page: {figures[label][small] / base[small]:.1f}x at {small}, "
                f"{figures[label][large] / base[large]:.1f}x at {large}"
            )


if __name__ == "__main__":
    main()
