import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from ntm.finance import selectors, services
from ntm.finance.models import PEOPLE_SOURCES, BudgetLine, Contribution

M = Decimal(1_000_000)


def test_the_communes_2024_mobilisation_table_reconciles_to_the_sum_of_its_works_sources_and_contributions(
    demo, works
):
    duong_duc = demo["07408"]
    table = selectors.mobilisation(unit=duong_duc, year=2024)
    works_sources = (
        BudgetLine.objects.filter(work__unit__path__startswith=duong_duc.path, work__year=2024)
        .exclude(source__in=PEOPLE_SOURCES)
        .aggregate(t=Sum("amount"))["t"]
    )
    contributions = Contribution.objects.filter(
        unit__path__startswith=duong_duc.path, date__year=2024
    ).aggregate(t=Sum("value"))["t"]
    assert works_sources == 1350 * M
    assert contributions == 120 * M + 450 * 300_000 + 550 * 200_000
    assert table.total == works_sources + contributions == Decimal(1_715_000_000)
    assert table.works_total == works_sources and table.contributions_total == contributions
    assert sum(r.total for r in table.rows) == table.total
    assert table.cash + table.non_cash_value == table.total
    assert sum(r.share for r in table.rows) == Decimal(100)
    assert all(r.total == r.cash + r.non_cash_value for r in table.rows)
    assert all(r.total == r.total.to_integral_value() for r in table.rows)


def test_non_cash_rows_keep_their_units_and_are_valued_apart_from_cash(demo, works):
    rows = {r.source: r for r in selectors.mobilisation(unit=demo["07408"], year=2024).rows}
    labour, land = rows["people_labour"], rows["people_land"]
    assert labour.quantity == Decimal(550) and labour.non_cash_value == 110 * M and not labour.cash
    assert land.quantity == Decimal(450) and land.non_cash_value == 135 * M and not land.cash
    assert rows["people_cash"].cash == 120 * M and rows["people_cash"].quantity is None
    assert rows["district"].cash == 300 * M


def test_a_village_table_equals_the_commune_table_when_only_that_village_has_data(demo, works):
    village = selectors.mobilisation(unit=demo["07408.05"], year=2024)
    commune = selectors.mobilisation(unit=demo["07408"], year=2024)
    assert village.rows == commune.rows
    assert selectors.mobilisation(unit=demo["07408"], year=2023).total == 0


def test_changing_a_rate_revalues_the_years_contributions_and_the_table(demo, works, users):
    services.rate_set(
        user=users["xa"],
        unit=demo["07408"],
        year=2024,
        kind="labour_day",
        vnd_per_unit=Decimal(250_000),
    )
    rows = {r.source: r for r in selectors.mobilisation(unit=demo["07408"], year=2024).rows}
    assert rows["people_labour"].non_cash_value == 550 * 250_000
    assert set(Contribution.objects.filter(kind="labour").values_list("rate", flat=True)) == {
        Decimal(250_000)
    }


def test_unconsented_names_never_appear_in_the_public_contributions(demo, works, users):
    services.contribution_add(
        user=users["thon"],
        unit=demo["07408.05"],
        contributor_kind="household",
        contributor_name="Hộ ông Bí Mật (minh họa)",
        kind="cash",
        value=Decimal(7_000_000),
        date=dt.date(2024, 12, 1),
    )
    board = selectors.public_contributions(demo["07408"], 2024)
    hidden = set(
        Contribution.objects.filter(consent_to_publish=False).values_list(
            "contributor_name", flat=True
        )
    )
    assert "Hộ ông Bí Mật (minh họa)" in hidden and len(hidden) == 5
    shown = repr(board)
    assert not any(name in shown for name in hidden)
    assert {n.name for n in board.named} == set(
        Contribution.objects.filter(consent_to_publish=True).values_list(
            "contributor_name", flat=True
        )
    )
    # the aggregates still count everyone
    assert board.total_value == Contribution.objects.aggregate(t=Sum("value"))["t"]
    assert board.contributors == Contribution.objects.count()


def test_consent_defaults_to_no(demo, users):
    c = services.contribution_add(
        user=users["thon"],
        unit=demo["07408.05"],
        contributor_kind="household",
        contributor_name="Hộ A",
        kind="cash",
        value=Decimal(1000),
        date=dt.date(2024, 1, 2),
    )
    assert c.consent_to_publish is False
    assert selectors.public_contributions(demo["07408.05"], 2024).named == []


def test_works_summary_shows_budget_against_spending_and_progress(demo, works):
    rows = {r.work.kind: r for r in selectors.works_summary(unit=demo["07408"], year=2024)}
    house = rows["cultural_house"]
    # 1 050 M of money + 120 M people's cash planned + 400 days × 200 000 + 150 m² × 300 000
    assert house.planned == 1170 * M + 80 * M + 45 * M
    assert house.disbursed == 1000 * M and house.work.percent == 100
    assert house.work.status == "done" and not house.over_plan
    assert rows["sports_ground"].over_plan  # 120 M of auction money against 100 M planned
    assert rows["waste_point"].work.status == "in_progress"


def test_disbursed_beyond_the_allocation_is_flagged(demo, works):
    balances = {b.source: b for b in selectors.balances(unit=demo["07408"], year=2024)}
    auction = balances["land_auction"]
    assert auction.allocated == 250 * M and auction.disbursed == 270 * M
    assert auction.over_allocation and auction.over_plan
    assert not balances["province"].over_plan and not balances["province"].allocated


@pytest.mark.parametrize(
    ("selector", "queries"),
    [
        (lambda u: selectors.mobilisation(unit=u, year=2024), 2),
        (lambda u: selectors.works_summary(unit=u, year=2024), 5),
        (lambda u: selectors.balances(unit=u, year=2024), 3),
        (lambda u: selectors.public_contributions(u, 2024), 3),
    ],
)
def test_selectors_take_a_fixed_number_of_queries(
    demo, works, django_assert_num_queries, selector, queries
):
    unit = demo["07408"]
    with django_assert_num_queries(queries):
        selector(unit)
