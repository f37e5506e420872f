import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ntm.accounts.models import User
from ntm.geo.models import AdminUnit, Classification, Kind, Succession
from ntm.geo.services import (
    SuccessionSpec,
    UnitError,
    classification_set,
    succession_record,
    successions_record_bulk,
    unit_create,
    village_create,
)


def test_commune_manager_adds_a_village_with_the_next_code(demo):
    xa = User.objects.get(username="xa")
    commune = demo["07420"]  # villages are added to the commune in force (Mỹ Thái since 2025)
    from ntm.accounts.models import Membership, Role

    Membership.objects.create(user=xa, unit=commune, role=Role.COMMUNE_MANAGER)
    village = village_create(commune=commune, name="Thôn  Mới")
    assert village.name == "Thôn Mới" and village.parent == commune
    assert village.code == "07420.01" and village.path.startswith(commune.path)
    with pytest.raises(UnitError):
        village_create(commune=commune, name="thôn mới")


def test_village_cannot_be_added_to_an_ended_commune(demo):
    with pytest.raises(UnitError):
        village_create(commune=demo["07408"], name="Thôn X")


def test_a_unit_cannot_sit_under_a_lower_level(db):
    province = unit_create(code="24", name="Tỉnh Bắc Giang", kind=Kind.PROVINCE)
    commune = unit_create(code="07408", name="Xã Dương Đức", kind=Kind.COMMUNE, parent=province)
    with pytest.raises(UnitError):
        unit_create(code="217", name="Huyện Lạng Giang", kind=Kind.DISTRICT, parent=commune)
    with pytest.raises(UnitError):
        unit_create(code="07409", name="Xã Lẻ", kind=Kind.COMMUNE)


def test_a_new_classification_ends_the_previous_one(demo):
    commune = demo["07420"]
    classification_set(
        unit=commune, kind="commune_group", value="2", valid_from=dt.date(2026, 2, 15)
    )
    classification_set(
        unit=commune, kind="commune_group", value="1", valid_from=dt.date(2027, 1, 1)
    )
    first, second = Classification.objects.filter(unit=commune).order_by("valid_from")
    assert first.valid_to == dt.date(2026, 12, 31) and second.valid_to is None
    with pytest.raises(UnitError):
        classification_set(
            unit=commune, kind="commune_group", value="4", valid_from=dt.date(2028, 1, 1)
        )


def test_demo_links_duong_duc_to_my_thai_and_carries_its_villages_over(demo):
    duong_duc = demo["07408"]
    [succession] = Succession.objects.filter(predecessor=duong_duc)
    assert succession.successor.code == "07420" and succession.effective_date == dt.date(2025, 7, 1)
    old_villages = duong_duc.children.all()
    assert old_villages.count() == 6
    assert all(v.valid_to == dt.date(2025, 6, 30) for v in old_villages)
    new_villages = AdminUnit.objects.filter(parent=demo["07420"])
    assert sorted(v.name for v in new_villages) == sorted(v.name for v in old_villages)


def test_demo_is_idempotent(demo):
    from ntm.demo.loader import load_demo

    counts = (AdminUnit.objects.count(), Succession.objects.count(), User.objects.count())
    load_demo()
    assert (AdminUnit.objects.count(), Succession.objects.count(), User.objects.count()) == counts


def test_unit_profile_takes_the_region_from_the_province_and_dated_classifications(demo):
    from ntm.geo.selectors import unit_profiles

    duong_duc, my_thai = demo["07408"], demo["07420"]
    classification_set(
        unit=my_thai, kind="commune_group", value="2", valid_from=dt.date(2026, 2, 15)
    )
    classification_set(
        unit=my_thai, kind="especially_difficult", value="yes", valid_from=dt.date(2026, 1, 1)
    )
    profiles = unit_profiles(units=[duong_duc, my_thai], on=dt.date(2026, 3, 1))
    assert profiles[duong_duc.pk].region == "TDMNPB"
    assert profiles[my_thai.pk].commune_group == "2" and profiles[my_thai.pk].especially_difficult
    earlier = unit_profiles(units=[my_thai], on=dt.date(2026, 2, 1))[my_thai.pk]
    assert earlier.commune_group == "" and earlier.especially_difficult


REFORM = dt.date(2025, 7, 1)


def _communes(n: int) -> tuple[AdminUnit, list[AdminUnit]]:
    province = unit_create(code="24", name="Tỉnh Bắc Giang", kind=Kind.PROVINCE)
    communes = [
        unit_create(code=f"{7400 + i:05d}", name=f"Xã Số {i}", kind=Kind.COMMUNE, parent=province)
        for i in range(n)
    ]
    return province, communes


def test_recording_the_same_succession_again_writes_no_history(db):
    _province, (old, new) = _communes(2)
    first, created = succession_record(
        predecessor=old, successor=new, effective_date=REFORM, legal_basis="NQ 1658"
    )
    assert created and Succession.history.count() == 1
    again, created = succession_record(
        predecessor=old, successor=new, effective_date=REFORM, legal_basis="NQ 1658"
    )
    assert not created and again.pk == first.pk and Succession.history.count() == 1
    changed, created = succession_record(
        predecessor=old,
        successor=new,
        effective_date=REFORM,
        kind=Succession.Kind.SPLIT,
        legal_basis="NQ 1658",
    )
    assert not created and changed.kind == Succession.Kind.SPLIT
    assert Succession.history.count() == 2
    assert Succession.objects.get().kind == Succession.Kind.SPLIT


def test_bulk_recording_creates_new_pairs_updates_changed_ones_and_leaves_the_rest(db):
    _province, (a, b, c, d, target) = _communes(5)
    successions_record_bulk(
        pairs=[SuccessionSpec(a, target), SuccessionSpec(b, target)],
        effective_date=REFORM,
        legal_basis="NQ 1658",
    )
    [kept] = Succession.history.filter(predecessor=a)
    created, updated = successions_record_bulk(
        pairs=[
            SuccessionSpec(a, target),  # as stored
            SuccessionSpec(b, target, Succession.Kind.SPLIT),  # changed
            SuccessionSpec(c, target),  # new
            SuccessionSpec(d, target, Succession.Kind.SPLIT),  # new
        ],
        effective_date=REFORM,
        legal_basis="NQ 1658",
    )
    assert (created, updated) == (2, 1)
    stored = {s.predecessor_id: s.kind for s in Succession.objects.filter(successor=target)}
    assert stored == {
        a.pk: Succession.Kind.MERGED,
        b.pk: Succession.Kind.SPLIT,
        c.pk: Succession.Kind.MERGED,
        d.pk: Succession.Kind.SPLIT,
    }
    assert list(Succession.history.filter(predecessor=a)) == [kept]
    assert [h.history_type for h in Succession.history.filter(predecessor=b).order_by("pk")] == [
        "+",
        "~",
    ]
    assert Succession.history.filter(predecessor__in=[c, d], history_type="+").count() == 2
    history = Succession.history.count()
    again = successions_record_bulk(
        pairs=[SuccessionSpec(u, target) for u in (a, c)],
        effective_date=REFORM,
        legal_basis="NQ 1658",
    )
    assert again == (0, 0) and Succession.history.count() == history


def test_bulk_recording_takes_as_many_queries_for_many_pairs_as_for_few(db):
    _province, communes = _communes(41)
    target, few, many = communes[0], communes[1:4], communes[4:]

    def queries(units: list[AdminUnit], kind: str) -> int:
        with CaptureQueriesContext(connection) as context:
            successions_record_bulk(
                pairs=[SuccessionSpec(u, target, kind) for u in units], effective_date=REFORM
            )
        return len(context.captured_queries)

    assert queries(few, Succession.Kind.MERGED) == queries(many, Succession.Kind.MERGED)
    assert queries(few, Succession.Kind.SPLIT) == queries(many, Succession.Kind.SPLIT)


def test_a_unit_cannot_succeed_itself_even_in_bulk(db):
    _province, (old, new) = _communes(2)
    with pytest.raises(UnitError):
        succession_record(predecessor=old, successor=old, effective_date=REFORM)
    with pytest.raises(UnitError):
        successions_record_bulk(
            pairs=[SuccessionSpec(old, new), SuccessionSpec(new, new)], effective_date=REFORM
        )
    with pytest.raises(UnitError):
        successions_record_bulk(
            pairs=[SuccessionSpec(old, new), SuccessionSpec(old, new)], effective_date=REFORM
        )
    assert not Succession.objects.exists() and not Succession.history.exists()
