"""No silent overwrite (issue 14): a value saved from a page read before someone else's save is
refused with both values shown, and either can be kept."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from ntm.accounts.models import User
from ntm.demo.loader import load_demo
from ntm.evaluation.actions import value_record
from ntm.observations.models import DataValue
from ntm.observations.services import StaleValue, version_of

ADVANCED = "xa-ntm-nang-cao-2021-2025"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def demo_values(db):
    return load_demo(with_values=True)


def _based_on(html: str, code: str) -> str:
    row = html[html.index(f'id="row-{code.replace(".", "")}"') :]
    return re.search(r'name="based_on" type="hidden" value="([^"]*)"', row).group(1)


def test_two_people_on_one_value(demo_values):
    unit = demo_values["07408"]
    entry = reverse("evaluation:entry", args=[unit.pk, ADVANCED, "2024Q4"])
    save = reverse("evaluation:value_save", args=[unit.pk, ADVANCED, "2024Q4", "17.2"])
    first, second = Client(), Client()
    first.force_login(User.objects.get(username="xa"))
    second.force_login(User.objects.get(username="admin"))
    read_by_first = _based_on(first.get(entry).text, "17.2")
    read_by_second = _based_on(second.get(entry).text, "17.2")
    # No value yet for Q4: both read "none"; the second person's save creates it.
    assert read_by_first == read_by_second == ""

    saved = second.post(save, {"value": "50", "based_on": read_by_second}, headers=HTMX)
    assert saved.status_code == 200 and 'role="alert"' not in saved.text
    refused = first.post(save, {"value": "85", "based_on": read_by_first}, headers=HTMX)
    assert 'role="alert"' in refused.text
    assert "50" in refused.text and "85" in refused.text  # both values shown
    stored = DataValue.objects.get(unit=unit, code="17.2", period="2024Q4")
    assert stored.text == "50"

    # Keeping mine: the conflict form carries the version now shown.
    keep = re.search(
        r'class="inline-value conflict">.*?name="based_on" type="hidden" value="([^"]*)"',
        refused.text,
        re.S,
    ).group(1)
    kept = first.post(save, {"value": "85", "based_on": keep}, headers=HTMX)
    assert 'role="alert"' not in kept.text
    stored.refresh_from_db()
    assert stored.text == "85" and stored.updated_by.username == "xa"

    # Without the browser's scripts (a plain form post): refused with a message, nothing lost.
    plain = second.post(save, {"value": "60", "based_on": read_by_second}, follow=True)
    assert "85" in plain.text
    stored.refresh_from_db()
    assert stored.text == "85"


def test_the_service_checks_the_version(demo_values):
    unit = demo_values["07408"]
    family = DataValue.objects.filter(unit=unit, code="17.2").first().criteria_set
    xa = User.objects.get(username="xa")
    record, _changed = value_record(
        user=xa, unit=unit, criteria_set=family, code="17.2", period="2024Q4", value="65"
    )
    old = version_of(record)
    value_record(
        user=xa,
        unit=unit,
        criteria_set=family,
        code="17.2",
        period="2024Q4",
        value="70",
        based_on=old,
    )
    with pytest.raises(StaleValue) as stale:
        value_record(
            user=xa,
            unit=unit,
            criteria_set=family,
            code="17.2",
            period="2024Q4",
            value="71",
            based_on=old,
        )
    assert stale.value.current.text == "70"
    # Saving the value already there is no conflict; a new value read as "none yet" is fine.
    value_record(
        user=xa,
        unit=unit,
        criteria_set=family,
        code="17.2",
        period="2024Q4",
        value="70",
        based_on=old,
    )
    value_record(
        user=xa,
        unit=unit,
        criteria_set=family,
        code="17.2",
        period="2025Q1",
        value="72",
        based_on="",
    )
    with pytest.raises(StaleValue):
        value_record(
            user=xa,
            unit=unit,
            criteria_set=family,
            code="17.2",
            period="2025Q1",
            value="73",
            based_on="",
        )
