"""Poverty figures say which poverty standard they were measured against, and a change of
standard (2022–2025 line through 2026, a new line from 2027) is marked, never a silent jump."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from ntm.catalog.models import CriteriaSet, Standard
from ntm.catalog.selectors import poverty_codes, standard_on, standards
from ntm.demo.loader import load_demo
from ntm.evaluation.actions import value_record


@pytest.fixture
def demo_full(db):
    return load_demo(with_values=True)


def test_the_standards_are_dated(db):
    found = standards()
    assert [s.code for s in found] == ["ngheo-da-chieu-2022-2025", "ngheo-da-chieu-2027-2030"]
    assert standard_on(found, dt.date(2026, 12, 31)).code == "ngheo-da-chieu-2022-2025"
    assert standard_on(found, dt.date(2027, 3, 31)).code == "ngheo-da-chieu-2027-2030"
    assert not Standard.objects.get(code="ngheo-da-chieu-2027-2030").verified
    assert standard_on(found, dt.date(2021, 6, 30)) is None


def test_the_rate_and_its_count_are_measured_and_the_change_is_marked(client, demo_full):
    from ntm.accounts.models import User

    my_thai = demo_full["07420"]
    family = CriteriaSet.objects.get(code="xa-ntm-2026-2030")
    applied = CriteriaSet.objects.get(code="xa-ntm-2026-2030-bac-ninh-minh-hoa")
    assert poverty_codes(applied) == {"poor_households", "6.1"}
    xa = User.objects.get(username="xa")
    for code, value in {"households": "9850", "poor_households": "320"}.items():
        value_record(
            user=xa, unit=my_thai, criteria_set=family, code=code, period="2027Q1", value=value
        )
    client.force_login(xa)
    entry = client.get(reverse("evaluation:entry", args=[my_thai.pk, family.code, "2027Q1"]))
    assert "Chuẩn nghèo đa chiều giai đoạn 2027–2030" in entry.content.decode()
    page = client.get(
        reverse("evaluation:criterion", args=[my_thai.pk, family.code, 6]), {"period": "2027Q1"}
    ).content.decode()
    assert page.count('class="standard-change"') == 1
    # The mark sits between Q3/2026 (old line) and Q1/2027 (new line).
    assert re.search(
        r"<td>2026Q3</td>.*?class=\"standard-change\".*?</tr>\s*<tr><td>2027Q1</td>", page, re.S
    )
    assert "giai đoạn 2022–2025" in page
    # The trend chart breaks its line at the change and marks it.
    chart = page[page.index('<svg class="trend"') :]
    chart = chart[: chart.index("</svg>")]
    assert 'id="standard-change"' in chart
    assert 'id="values-1"' in chart and 'id="values-2"' in chart and 'id="values-3"' not in chart


def test_a_trend_without_a_change_of_standard_is_one_line():
    from ntm.evaluation.charts import trend_svg
    from ntm.evaluation.selectors import HistoryPoint

    points = [
        HistoryPoint(p, "not_met", v, "4", None, p)
        for p, v in (("2025Q4", "6.1"), ("2026Q1", "5.2"), ("2026Q2", "4.4"))
    ]
    svg = trend_svg(points, title="6.1")
    assert 'id="values-1"' in svg and 'id="values-2"' not in svg
    assert "standard-change" not in svg and "<title>6.1</title>" in svg
    # Fewer than two numbers (or pass/fail values): no chart.
    assert trend_svg(points[:1], title="x") == ""
    assert trend_svg([HistoryPoint("2026Q1", "met", "true", "true", None, "")] * 3, title="x") == ""
