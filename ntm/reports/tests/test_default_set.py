"""Without a set asked for, a report is about the set in force with results up to its period:
the plan's own first, then the most advanced (Biểu 1); the one most communes report on (the
roll-up). Before, both picked the 2021–2025 advanced set by its code, even for 2026."""

import pytest

from ntm.engine.periods import parse_period
from ntm.geo.models import AdminUnit
from ntm.reports import bieu1, rollup
from ntm.reports.common import ReportError, default_family
from ntm.reports.tests.demo_module import demo_db  # noqa: F401  (module-scoped fixture)

pytestmark = pytest.mark.usefixtures("demo_db")


def _unit(code: str, reformed: bool = False) -> AdminUnit:
    units = AdminUnit.objects.filter(code=code)
    return (units.exclude(valid_from=None) if reformed else units.filter(valid_from=None)).get()


def test_duong_duc_2024_is_about_the_advanced_set_its_plan_aims_at(db):
    data = bieu1.data_for(unit=_unit("07408"), period=parse_period("2024Q4"))
    assert data.set_code == "xa-ntm-nang-cao-2021-2025"


def test_my_thai_2026_is_about_the_set_of_2026_2030(db):
    my_thai = _unit("07420", reformed=True)
    # It also has 2025 results of the 2021–2025 advanced set (the derived baseline).
    assert default_family(my_thai, parse_period("2025Q3")).code == "xa-ntm-nang-cao-2021-2025"
    assert default_family(my_thai, parse_period("2026Q3")).code == "xa-ntm-2026-2030"
    data = bieu1.data_for(unit=my_thai, period=parse_period("2026Q3"))
    assert data.set_code == "xa-ntm-2026-2030"


def test_the_roll_up_of_a_province_follows_the_period(db):
    bac_giang = _unit("24")
    assert rollup.data_for(unit=bac_giang, period=parse_period("2024Q4")).set_code == (
        "xa-ntm-nang-cao-2021-2025"
    )
    bac_ninh = _unit("24", reformed=True)
    assert default_family(bac_ninh, parse_period("2026Q3")).code == "xa-ntm-2026-2030"


def test_the_roll_up_counts_the_set_most_communes_report_on_before_the_most_advanced(db):
    from ntm.catalog.models import CriteriaSet
    from ntm.evaluation.models import SetResult

    bac_giang, q4 = _unit("24"), parse_period("2024Q4")
    basic = CriteriaSet.objects.get(code="xa-ntm-2021-2025")
    # Two communes report on the basic set, one (Dương Đức) on the advanced set.
    for code in ("07411", "07429"):
        SetResult.objects.create(
            unit=_unit(code),
            criteria_set=basic,
            applied_set=basic,
            period="2024Q4",
            period_end=q4.end,
            met=15,
            total=19,
            status="not_met",
            basis="both",
        )
    assert default_family(bac_giang, q4, most_reported=True) == basic
    assert default_family(bac_giang, q4).code == "xa-ntm-nang-cao-2021-2025"


def test_no_result_by_the_period_is_said_with_the_period(db):
    with pytest.raises(ReportError, match="2020Q4"):
        bieu1.data_for(unit=_unit("07408"), period=parse_period("2020Q4"))
    assert default_family(_unit("24"), parse_period("2020Q4")).code == ("xa-ntm-nang-cao-2021-2025")
    assert default_family(_unit("07408.01"), parse_period("2024Q4")) is None  # a village
