from decimal import Decimal

import pytest

from ntm.finance.money import MoneyError, parse_quantity, parse_vnd, shares, valued


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.250.000", 1_250_000),
        ("1 250 000", 1_250_000),
        ("1,250,000", 1_250_000),
        ("1250000", 1_250_000),
        ("1.250.000 đ", 1_250_000),
        ("0", 0),
    ],
)
def test_amounts_typed_as_officials_write_them_are_whole_dong(text, expected):
    assert parse_vnd(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["12.5", "1250000,5", "1.25.000", "-5", "abc", "1e6", "", "1.5e20"]
)
def test_fractional_negative_or_garbled_amounts_are_refused(text):
    with pytest.raises(MoneyError):
        parse_vnd(text)


def test_a_decimal_with_fractional_digits_is_not_a_dong_amount():
    with pytest.raises(MoneyError):
        parse_vnd(Decimal("10.50"))
    assert parse_vnd(Decimal("10.00")) == Decimal(10)


def test_quantities_keep_two_decimals_and_accept_a_decimal_comma():
    assert parse_quantity("12,5") == Decimal("12.50")
    with pytest.raises(MoneyError):
        parse_quantity("1.234")


def test_valuation_rounds_half_up_to_the_dong():
    assert valued(Decimal("2.5"), Decimal(3)) == Decimal(8)  # 7.5 → 8
    assert valued(Decimal("0.01"), Decimal(150)) == Decimal(2)  # 1.5 → 2
    assert valued(Decimal(400), Decimal(200_000)) == Decimal(80_000_000)


def test_shares_always_add_up_to_exactly_one_hundred():
    parts = [Decimal(1), Decimal(1), Decimal(1)]
    result = shares(parts)
    assert sum(result) == Decimal(100)
    assert sorted(result) == [Decimal("33.3"), Decimal("33.3"), Decimal("33.4")]
    assert shares([Decimal(0), Decimal(0)]) == [Decimal(0), Decimal(0)]
    odd = [Decimal(n) for n in (123_456_789, 7, 98_765, 1, 0, 42_000_000)]
    assert sum(shares(odd)) == Decimal(100)
