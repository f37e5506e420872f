"""The baseline rules on hand-computed predecessor values."""

from decimal import Decimal

from ntm.observations.baseline import Item, Predecessor, derive

A = Predecessor(
    "Xã A",
    {
        "households": Decimal(1000),
        "poor": Decimal(30),
        "population": Decimal(4000),
        "roads": Decimal(12),
        "rate": Decimal("90"),
        "income": Decimal(60),
        "plan": True,
        "hall": True,
    },
)
B = Predecessor(
    "Xã B",
    {
        "households": Decimal(500),
        "poor": Decimal(5),
        "population": Decimal(1000),
        "roads": Decimal(3),
        "rate": Decimal("80"),
        "income": Decimal(40),
        "plan": True,
        "hall": False,
    },
)
ITEMS = [
    Item("households", "count", is_element=True),
    Item("poor", "count", is_element=True),
    Item("population", "count", is_element=True),
    Item("roads", "count"),
    Item("poverty", "percent", formula_elements=("households", "poor")),
    Item("rate", "percent"),
    Item("income", "amount", unit="triệu đồng/người/năm"),
    Item("plan", "pass_fail"),
    Item("hall", "pass_fail"),
    Item("level", "level"),
]


def _by_code(predecessors):
    return {d.code: d for d in derive(ITEMS, predecessors)}


def test_counts_add_up_ratios_are_recomputed_or_weighted_and_pass_fail_needs_all():
    found = _by_code([A, B])
    assert found["households"].value == 1500 and found["poor"].value == 35
    assert found["roads"].value == 15
    # The poverty rate is left to the engine: 35 / 1500 from the derived elements.
    assert found["poverty"].value is None and "households" in found["poverty"].rule
    # 90% of 4000 people and 80% of 1000: 88% (population weighs first).
    assert found["rate"].value == Decimal("88.00") and "population" in found["rate"].rule
    # Income per person is an average, never a sum: (60×4000 + 40×1000) / 5000 = 56.
    assert found["income"].value == Decimal("56.00")
    assert found["plan"].value is True
    assert found["hall"].value is False and "Xã B" in found["hall"].rule
    assert found["level"].value is None and found["level"].reason


def test_a_missing_value_gives_no_value_naming_where():
    gap = Predecessor("Xã C", {"households": Decimal(200), "plan": True})
    found = _by_code([A, gap])
    assert found["households"].value == 1200
    assert found["poor"].value is None and "Xã C" in found["poor"].reason
    assert found["hall"].value is None and "Xã C" in found["hall"].reason
    assert found["rate"].value is None and "Xã C" in found["rate"].reason


def test_a_split_predecessor_blocks_sums_and_averages():
    part = Predecessor("Xã D", dict(B.values), partial=True)
    found = _by_code([A, part])
    assert found["households"].value is None and "Xã D" in found["households"].reason
    assert found["rate"].value is None
    assert found["plan"].value is True  # pass/fail needs no division


def test_without_population_the_weight_is_households():
    a = Predecessor("A", {"households": Decimal(100), "rate": Decimal(50)})
    b = Predecessor("B", {"households": Decimal(300), "rate": Decimal(70)})
    found = _by_code([a, b])
    assert found["rate"].value == Decimal("65.00") and "households" in found["rate"].rule
