"""A file that leaves out an indicator with values retires it (from the day of loading), never
deletes it; the retirement is part of the file formats, so export → load changes nothing."""

import datetime as dt

import pytest
import yaml

from conftest import FIXTURES
from ntm.accounts.models import User
from ntm.catalog.loader import export_criteria
from ntm.catalog.models import Indicator
from ntm.engine.evaluate import evaluate
from ntm.engine.model import (
    Axis,
    CriterionDef,
    IndicatorDef,
    Kind,
    SetDef,
    ThresholdRule,
    UnitProfile,
)
from ntm.evaluation import actions

SMALL = (FIXTURES / "criteria-small.yaml").read_text(encoding="utf-8")
DAY = dt.date(2026, 12, 5)


def _without(*codes: str, criterion: int | None = None) -> str:
    doc = yaml.safe_load(SMALL)
    if criterion is not None:
        doc["criteria"] = [c for c in doc["criteria"] if c["number"] != criterion]
    for c in doc["criteria"]:
        c["indicators"] = [i for i in c["indicators"] if i["code"] not in codes]
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


@pytest.fixture
def with_values(demo, small_set):
    user = User.objects.get(username="admin")
    for code, value in (("1.1", "85"), ("poor_households", "12"), ("households", "600")):
        actions.value_record(
            user=user,
            unit=demo["07408"],
            criteria_set=small_set,
            code=code,
            period="2024Q4",
            value=value,
        )
    return small_set


def test_a_dropped_indicator_with_values_is_retired_and_one_without_is_deleted(
    with_values, monkeypatch
):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: DAY)
    preview = actions.criteria_load(_without("1.1", "1.2"), dry_run=True).preview
    assert preview is not None
    lines = "\n".join(preview.lines())
    assert "1.1" in lines and "05/12/2026" in lines  # retired, with its day
    assert Indicator.objects.get(criteria_set=with_values, code="1.1").retired_from is None

    summary = actions.criteria_load(_without("1.1", "1.2"), filename="bo-moi.yaml")
    assert summary.kept_retired == ["1.1"]
    kept = Indicator.objects.get(criteria_set=with_values, code="1.1")
    assert kept.retired_from == DAY
    assert kept.thresholds.filter(superseded_at__isnull=True).get().value == "80"
    assert not Indicator.objects.filter(criteria_set=with_values, code="1.2").exists()
    history = with_values.changes.latest("pk")
    assert any("1.1" in line and "05/12/2026" in line for line in history.lines)

    # The same file again, or the stored set exported and loaded back: nothing changes.
    assert actions.criteria_load(_without("1.1", "1.2"), filename="lai.yaml").unchanged
    for fmt in ("yaml", "xlsx", "csv"):
        data = export_criteria(with_values, fmt=fmt)
        if fmt == "yaml":
            assert "retired_from: 2026-12-05" in data.decode()
        assert actions.criteria_load(data, filename=f"xuat.{fmt}").unchanged, fmt


def test_a_computed_indicator_keeps_its_criterion_and_data_elements(with_values, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: DAY)
    doc = yaml.safe_load(_without("2", criterion=2))
    doc["criteria"] = [c for c in doc["criteria"] if c["number"] != 3]
    doc["data_elements"] = [e for e in doc["data_elements"] if e["code"] == "households"]
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    summary = actions.criteria_load(text, filename="bo-bot.yaml")
    assert summary.kept_retired == ["2"]
    assert with_values.criteria.filter(number=2).exists()
    assert with_values.data_elements.filter(code="poor_households").exists()
    # Criterion 3 had no values: it is gone.
    assert not with_values.criteria.filter(number=3).exists()
    # Bringing it back in a file puts it in force again.
    summary = actions.criteria_load(SMALL, filename="lai.yaml")
    assert not summary.unchanged
    assert Indicator.objects.get(criteria_set=with_values, code="2").retired_from is None


def test_a_sheet_states_the_day_an_indicator_was_retired(with_values, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: DAY)
    actions.criteria_load(_without("1.1"), filename="bo-moi.yaml")
    text = export_criteria(with_values, fmt="csv").decode("utf-8-sig")
    assert "Thôi áp dụng từ" in text and "2026-12-05" in text
    moved = text.replace("2026-12-05", "01/01/2027")
    summary = actions.criteria_load(moved.encode(), filename="doi-ngay.csv")
    assert Indicator.objects.get(criteria_set=with_values, code="1.1").retired_from == (
        dt.date(2027, 1, 1)
    )
    assert any("01/01/2027" in line for line in summary.preview.lines())
    bad = text.replace("2026-12-05", "31/02/2027")
    with pytest.raises(Exception) as refused:
        actions.criteria_load(bad.encode(), filename="sai.csv")
    assert "Thôi áp dụng từ" in str(refused.value.errors)


def test_a_criterion_whose_indicators_are_all_retired_leaves_the_set_from_that_day():
    rule = (ThresholdRule(value=True),)
    definition = SetDef(
        code="s",
        axis=Axis.NONE,
        criteria=(
            CriterionDef(1, (IndicatorDef("1.1", Kind.PASS_FAIL, thresholds=rule),)),
            CriterionDef(
                2,
                (
                    IndicatorDef(
                        "2.1", Kind.PASS_FAIL, thresholds=rule, retired_from=dt.date(2026, 1, 1)
                    ),
                    IndicatorDef(
                        "2.2", Kind.PASS_FAIL, thresholds=rule, retired_from=dt.date(2026, 7, 1)
                    ),
                ),
            ),
        ),
    )
    values = {"1.1": True, "2.1": True, "2.2": True}

    def judged(day):
        result = evaluate(definition, UnitProfile(), values, day=day)
        return {c.number: [i.code for i in c.indicators] for c in result.criteria}

    assert judged(dt.date(2025, 12, 31)) == {1: ["1.1"], 2: ["2.1", "2.2"]}
    assert judged(dt.date(2026, 3, 31)) == {1: ["1.1"], 2: ["2.2"]}
    assert judged(dt.date(2026, 9, 30)) == {1: ["1.1"]}
    assert judged(None) == {1: ["1.1"], 2: ["2.1", "2.2"]}
