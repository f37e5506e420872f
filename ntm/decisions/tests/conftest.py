import pytest

from ntm.accounts.models import User
from ntm.decisions.services import gap_cost_set, scenario_create
from ntm.evaluation.actions import value_record
from ntm.finance.models import BudgetLine, Work, WorkKind
from ntm.geo.models import AdminUnit


@pytest.fixture
def users(demo):

    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def commune(demo):
    return demo["07408"]


@pytest.fixture
def recorded(commune, small_set, users):
    """Dương Đức on the three-criterion test set: 0/3 in 2024Q1 (1.1 below 80, poverty 10%
    above the midlands' 6%, no radio), 1.1 at 82 in 2024Q2 (1/3)."""

    admin = users["admin"]
    for code, period, value in [
        ("1.1", "2024Q1", "70"),
        ("1.2", "2024Q1", "đạt"),
        ("households", "2024Q1", "100"),
        ("poor_households", "2024Q1", "10"),
        ("3", "2024Q1", "không đạt"),
        ("1.1", "2024Q2", "82"),
    ]:
        value_record(
            user=admin, unit=commune, criteria_set=small_set, code=code, period=period, value=value
        )
    return small_set


@pytest.fixture
def province(demo):
    return demo["24"]


@pytest.fixture
def two_communes(demo, commune, recorded, users):
    """Dương Đức at 1/3 in 2024Q2, closing 2 and 3 for 1,2 tỷ (entered); Tân Thanh at 2/3,
    closing 3 by an unfinished work's budget line of 500 triệu. Mỹ Thái and Xuân Hương have no
    result."""
    for code, cost in [("2", 300_000_000), ("3", 900_000_000)]:
        gap_cost_set(
            user=users["xa"], unit=commune, criteria_set=recorded, indicator_code=code, cost=cost
        )
    tan_thanh = AdminUnit.objects.get(code="07411")
    for code, value in [
        ("1.1", "90"),
        ("1.2", "đạt"),
        ("households", "100"),
        ("poor_households", "1"),
        ("3", "không đạt"),
    ]:
        value_record(
            user=users["admin"],
            unit=tan_thanh,
            criteria_set=recorded,
            code=code,
            period="2024Q2",
            value=value,
        )
    _work_feeding(tan_thanh, "Đài truyền thanh", 500_000_000)
    _work_feeding(tan_thanh, "Cũ", 1, year=2023, status=Work.Status.DONE)
    return recorded


def _work_feeding(
    unit, name, amount, *, code="3", year=2024, status=Work.Status.IN_PROGRESS
) -> Work:
    """A work that feeds indicator ``code``, with one budget line of ``amount`` đồng."""
    work = Work.objects.create(
        unit=unit, year=year, kind=WorkKind.OTHER, name=name, indicator_code=code, status=status
    )
    BudgetLine.objects.create(work=work, source="commune", amount=amount)
    return work


@pytest.fixture
def foreign(other_commune, recorded, users):
    """A scenario of a commune in another province, which no Dương Đức user may see."""
    return scenario_create(
        user=users["admin"],
        unit=other_commune,
        criteria_set=recorded,
        base_period="2024Q2",
        name="Kịch bản Hòa Lạc",
        values={"3": "đạt"},
    )


@pytest.fixture
def own(commune, recorded, users):
    return scenario_create(
        user=users["xa"],
        unit=commune,
        criteria_set=recorded,
        base_period="2024Q2",
        name="Đài truyền thanh",
        values={"3": "đạt"},
    )


@pytest.fixture
def work_feeding():
    """``work_feeding(unit, name, amount)``: a work in progress feeding indicator 3."""
    return _work_feeding
