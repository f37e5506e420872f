import pytest

from ntm.accounts.models import User
from ntm.evaluation.actions import value_record


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
