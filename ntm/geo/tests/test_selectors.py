"""A code names a unit only together with a day or a period: the 2025 reform reused codes."""

import pytest

from ntm.engine.periods import parse_period
from ntm.geo.selectors import version_for_period, version_on


def _during(code: str, period: str):
    span = parse_period(period)
    return version_for_period(code, span.start, span.end)


def test_a_reused_code_names_the_old_ward_before_the_reform_and_the_new_one_after(reform):
    assert _during("14758", "2024Q4") == reform["old"]
    assert _during("14758", "2025H1") == reform["old"]
    assert _during("14758", "2025Q3") == reform["new"]
    assert _during("14758", "2025Q4") == reform["new"]
    # Without a period the code names today's unit.
    assert version_on("14758") == reform["new"]


def test_a_period_spanning_the_reform_takes_the_unit_at_its_end_else_at_its_start(reform):
    assert _during("14758", "2025") == reform["new"]
    assert _during("14758", "2025H2") == reform["new"]
    # Nam Ngạn ended on 30/06/2025: in 2025 it held its code at the start only.
    assert _during("14755", "2025") == reform["neighbour"]


@pytest.mark.parametrize(
    ("code", "period"), [("14755", "2025Q4"), ("14755", "2026"), ("99999", "2024")]
)
def test_a_code_no_unit_had_during_the_period_names_nothing(reform, code, period):
    assert _during(code, period) is None


def test_the_version_during_a_period_takes_one_query(reform, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert _during("14758", "2024Q4").parent.name == "Thành phố Thanh Hóa"
