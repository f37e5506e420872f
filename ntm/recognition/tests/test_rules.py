import datetime as dt
from decimal import Decimal

from ntm.recognition.rules import SurveyTally, most_postings_within

D = dt.date(2025, 3, 1)


def days(*offsets: int) -> list[dt.date]:
    return [D + dt.timedelta(days=n) for n in offsets]


def test_four_postings_are_fewer_than_five():
    assert most_postings_within(days(0, 3, 6, 9), 15) == 4


def test_five_postings_within_fifteen_days_count_together():
    assert most_postings_within(days(0, 3, 7, 10, 14), 15) == 5


def test_five_postings_spread_over_twenty_days_are_not_within_fifteen():
    assert most_postings_within(days(0, 5, 10, 15, 20), 15) == 3


def test_the_best_window_is_found_anywhere_in_the_log():
    assert most_postings_within(days(40, 0, 30, 31, 32, 33, 44), 15) == 6


def test_coverage_and_satisfied_share_are_percentages_of_households_and_ballots():
    tally = SurveyTally(households=200, ballots=150, satisfied=138, required_share=Decimal(90))
    assert tally.coverage == Decimal("75.00")
    assert tally.satisfied_share == Decimal("92.00")
    assert tally.passes


def test_a_survey_without_threshold_never_passes():
    assert not SurveyTally(10, 10, 10, None).passes


def test_a_survey_without_ballots_never_passes():
    tally = SurveyTally(10, 0, 0, Decimal(50))
    assert tally.satisfied_share is None and tally.coverage == Decimal("0.00")
    assert not tally.passes
