from ntm.finance.demo import load_finance_demo
from ntm.finance.models import (
    Allocation,
    BudgetLine,
    Contribution,
    Disbursement,
    ValuationRate,
    Work,
    WorkProgress,
)

MODELS = (Work, BudgetLine, WorkProgress, Allocation, Disbursement, Contribution, ValuationRate)


def _counts():
    return tuple(m.objects.count() for m in MODELS)


def test_the_finance_demo_is_idempotent(demo, users, works):
    before = _counts()
    assert before[0] == 4
    load_finance_demo(demo, users)
    assert _counts() == before


def test_the_demo_holds_cong_phens_four_works_and_a_land_auction_allocation_all_illustrative(works):
    assert {w.kind for w in works} == {"cultural_house", "sports_ground", "lighting", "waste_point"}
    assert all(w.unit.code == "07408.05" and w.year == 2024 for w in works)
    assert all("minh họa" in w.name for w in works)
    auction = Allocation.objects.get(source="land_auction")
    assert auction.village.code == "07408.05" and "minh họa" in auction.note
    assert all("minh họa" in c.contributor_name for c in Contribution.objects.all())
    assert {c.kind for c in Contribution.objects.all()} >= {"cash", "labour", "land"}
    assert all(r.is_demo and "minh họa" in r.basis for r in ValuationRate.objects.all())
