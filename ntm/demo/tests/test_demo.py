from ntm.evaluation.models import SetResult


def test_demo_values_give_12_of_19_then_13_of_19_and_cong_phen_reaches_the_model_village_set(db):
    from ntm.demo.loader import load_demo

    load_demo(with_values=True)
    advanced = {
        r.period: (r.met, r.total)
        for r in SetResult.objects.filter(
            unit__code="07408", criteria_set__code="xa-ntm-nang-cao-2021-2025"
        )
    }
    assert advanced == {"2024Q1": (12, 19), "2024Q4": (13, 19)}
    q4 = SetResult.objects.get(
        unit__code="07408", period="2024Q4", criteria_set__code="xa-ntm-nang-cao-2021-2025"
    )
    assert q4.unverified and q4.applied_set.illustrative
    villages = {
        (r.unit.name, r.period): r.status
        for r in SetResult.objects.filter(
            criteria_set__code="thon-ntm-kieu-mau-bac-giang-minh-hoa"
        ).select_related("unit")
    }
    assert villages[("Thôn Cống Phên", "2024Q1")] == "not_met"
    assert villages[("Thôn Cống Phên", "2024Q4")] == "met"
    assert all(
        villages[(name, "2024Q1")] == "met"
        for name in ("Thôn Thượng", "Thôn Cầu Đàm", "Thôn Cầu Ván", "Thôn Đồng Than")
    )
    count = SetResult.objects.count()
    load_demo(with_values=True)
    assert SetResult.objects.count() == count
