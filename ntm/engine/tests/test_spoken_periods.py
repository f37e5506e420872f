"""Periods as officials write them read as the short codes; anything else is refused."""

import pytest

from ntm.engine.periods import normalise_period, parse_period


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2024Q1", "2024Q1"),
        ("Q1/2024", "2024Q1"),
        ("Quý I/2024", "2024Q1"),
        ("quý 1 năm 2024", "2024Q1"),
        ("QUÝ IV NĂM 2024", "2024Q4"),
        ("Quý II - 2025", "2025Q2"),
        ("q3-2025", "2025Q3"),
        ("2024 q2", "2024Q2"),
        ("6 tháng đầu năm 2024", "2024H1"),
        ("6 tháng cuối năm 2024", "2024H2"),
        ("sáu tháng đầu 2024", "2024H1"),
        ("H2/2024", "2024H2"),
        ("2024H1", "2024H1"),
        ("năm 2024", "2024"),
        ("Năm 2024", "2024"),
        ("2024", "2024"),
    ],
)
def test_forms_people_write(text, code):
    assert parse_period(text).code == code
    assert normalise_period(text) == code


@pytest.mark.parametrize(
    "text", ["Quý 5/2024", "Quý V/2024", "2024Q5", "H3/2024", "7 tháng đầu năm 2024", "abc", ""]
)
def test_other_texts_are_refused(text):
    with pytest.raises(ValueError):
        parse_period(text)
