"""A merged commune's baseline from its predecessors: stored as derived values, never over a
person's value, replaced by any value entered later; the same preview on the web and the
command line; only the commune's data-entry roles may run it."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from ntm.catalog.models import CriteriaSet
from ntm.demo.loader import load_demo
from ntm.evaluation.actions import value_record, values_derive
from ntm.observations.models import DataValue, ValueSource

ADVANCED = "xa-ntm-nang-cao-2021-2025"


@pytest.fixture
def demo_full(db):
    return load_demo(with_values=True)


def _user(name):
    from ntm.accounts.models import User

    return User.objects.get(username=name)


def test_the_demo_baseline_adds_up_the_four_communes(demo_full):
    my_thai = demo_full["07420"]
    stored = {
        v.code: v
        for v in DataValue.objects.filter(
            unit=my_thai, criteria_set__code=ADVANCED, period="2025Q3"
        )
    }
    # 2850 (Dương Đức) + 2410 + 2605 + 1955 households; 63 + 41 + 38 + 44 poor households.
    assert stored["households"].number == 9820 and stored["poor_households"].number == 186
    assert all(v.source == ValueSource.DERIVED for v in stored.values())
    assert "Xã Tân Thanh" in stored["households"].note
    # Income per person is averaged by population, not added.
    assert Decimal(55) < stored["10"].number < Decimal(67)


def test_a_persons_value_is_kept_and_a_later_entry_replaces_a_derived_one(demo_full):
    my_thai, xa = demo_full["07420"], _user("xa")
    family = CriteriaSet.objects.get(code=ADVANCED)
    value_record(
        user=xa, unit=my_thai, criteria_set=family, code="households", period="2025Q4", value="9900"
    )
    rows = {
        r.derived.code: r
        for r in values_derive(user=xa, unit=my_thai, criteria_set=family, period="2025Q4")
    }
    assert rows["households"].status == "kept"
    kept = DataValue.objects.get(
        unit=my_thai, criteria_set=family, code="households", period="2025Q4"
    )
    assert kept.number == 9900 and kept.source == ValueSource.ENTERED
    derived = DataValue.objects.get(
        unit=my_thai, criteria_set=family, code="poor_households", period="2025Q4"
    )
    assert derived.source == ValueSource.DERIVED
    value_record(
        user=xa,
        unit=my_thai,
        criteria_set=family,
        code="poor_households",
        period="2025Q4",
        value="180",
    )
    derived.refresh_from_db()
    assert derived.number == 180 and derived.source == ValueSource.ENTERED


def test_the_command_previews_without_writing(demo_full):
    out = StringIO()
    call_command(
        "derive_from_predecessors",
        "--unit",
        "07420",
        "--set",
        ADVANCED,
        "--period",
        "năm 2025",
        "--dry-run",
        stdout=out,
    )
    assert "households: 9820" in out.getvalue() and "dry run" in out.getvalue()
    assert not DataValue.objects.filter(unit=demo_full["07420"], period="2025").exists()


def test_the_page_previews_then_stores_for_the_communes_people_only(client, demo_full):
    my_thai = demo_full["07420"]
    url = reverse("evaluation:derive", args=[my_thai.pk, ADVANCED, "2025Q4"])
    client.force_login(_user("xa"))
    entry = client.get(reverse("evaluation:entry", args=[my_thai.pk, ADVANCED, "2025Q4"]))
    assert url in entry.content.decode()
    preview = client.get(url).content.decode()
    assert "households" in preview and "9.820" in preview  # Vietnamese grouping
    assert not DataValue.objects.filter(unit=my_thai, period="2025Q4").exists()
    assert client.post(url).status_code == 302
    assert DataValue.objects.filter(unit=my_thai, period="2025Q4", source="derived").count() == 5
    # Someone of another commune (xa of Dương Đức only) may not.
    from ntm.accounts.models import Membership

    Membership.objects.filter(user__username="xa", unit=my_thai).delete()
    client.force_login(_user("xa"))
    assert client.get(url).status_code in (403, 404)
    assert client.post(url).status_code in (403, 404)
