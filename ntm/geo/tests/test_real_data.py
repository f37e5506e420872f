"""The 2025 reform from the published lists in ../shared/data (skipped when absent).

One test, because the three imports are most of its time (about 20 s on SQLite, 45 s on
PostgreSQL).
"""

import datetime as dt

import pytest

from ntm.geo.importers import import_units
from ntm.geo.mergers import import_mergers
from ntm.geo.models import AdminUnit, Level, Succession

REFORM = dt.date(2025, 7, 1)
BEFORE = dt.date(2025, 6, 30)


@pytest.mark.realdata
def test_the_published_lists_and_merger_list_give_the_2025_reform(db, shared_data):
    import_units(shared_data / "units-2025-03-01.csv")
    import_units(shared_data / "units-2026-07-25.csv", valid_from=REFORM)
    summary = import_mergers(shared_data / "mergers-2025-07-01.csv", effective_date=REFORM)

    communes = AdminUnit.objects.filter(level=Level.COMMUNE)
    assert communes.valid_on(BEFORE).count() == 10035
    assert communes.valid_on(REFORM).count() == 3321

    duong_duc = communes.valid_on(BEFORE).get(code="07408")
    [succession] = duong_duc.successions_out.select_related("successor__parent")
    assert succession.kind == Succession.Kind.MERGED
    assert succession.successor.code == "07420" and succession.successor.name == "Xã Mỹ Thái"
    assert succession.successor.parent.name == "Tỉnh Bắc Ninh"

    # Measured: 10,597 of 10,635 mentions resolved (99.6 %), 2 ambiguous, 36 unknown; 11 read
    # by the code the new unit continues, the names spelled otherwise ("Hua Bum" / "Hua Bun").
    assert summary.rows == 3355 and summary.mentions > 10_000
    assert summary.resolved / summary.mentions > 0.995
    assert summary.ambiguous + summary.unknown < 45
    assert summary.by_code >= 10
    hua_bun = communes.valid_on(BEFORE).get(code="03460")
    assert [s.successor.name for s in hua_bun.successions_out.select_related("successor")] == [
        "Xã Hua Bum"
    ]
    orphans = communes.valid_on(BEFORE).filter(successions_out__isnull=True).count()
    assert orphans < 50

    # Codes the reform gave to another unit name the old one in 2024 and the new one after:
    # 14758 was Phường Đông Thọ (Thanh Hóa) and is Phường Hàm Rồng from 1/7/2025.
    from ntm.engine.periods import parse_period
    from ntm.geo.selectors import version_for_period

    q4_2024, q4_2025 = parse_period("2024Q4"), parse_period("2025Q4")
    old = {u.code: u for u in communes.valid_on(BEFORE)}
    reused = [u for u in communes.valid_on(REFORM) if u.code in old and u.pk != old[u.code].pk]
    assert len(reused) > 1000
    for new in reused:
        assert version_for_period(new.code, q4_2024.start, q4_2024.end) == old[new.code]
        assert version_for_period(new.code, q4_2025.start, q4_2025.end) == new
    assert version_for_period("14758", q4_2024.start, q4_2024.end).name == "Phường Đông Thọ"
    assert version_for_period("14758", q4_2025.start, q4_2025.end).name == "Phường Hàm Rồng"
