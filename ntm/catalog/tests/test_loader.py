import pytest

from conftest import FIXTURES
from ntm.catalog.loader import CatalogError, load_criteria
from ntm.catalog.models import CriteriaSet, Indicator, Threshold
from ntm.catalog.selectors import set_definition
from ntm.engine import Axis

SMALL = FIXTURES / "criteria-small.yaml"


def test_a_set_file_loads_criteria_indicators_elements_and_thresholds(db):
    summary = load_criteria(SMALL)
    assert summary.created and (summary.criteria, summary.indicators) == (3, 4)
    criteria_set = CriteriaSet.objects.get(code="xa-thu-nghiem")
    assert criteria_set.data_elements.count() == 2
    poverty = Indicator.objects.get(criteria_set=criteria_set, code="2")
    assert poverty.direction == "lower" and poverty.formula.startswith("poor_households")
    definition = set_definition(criteria_set)
    assert definition.axis is Axis.REGION and len(definition.criteria) == 3
    assert {t.region for t in definition.indicator("2").thresholds} == {"", "TDMNPB"}


def test_loading_twice_changes_nothing(db):
    load_criteria(SMALL)
    before = list(Threshold.objects.values_list("pk", "value", "superseded_at"))
    summary = load_criteria(SMALL)
    assert summary.unchanged and not summary.created
    assert list(Threshold.objects.values_list("pk", "value", "superseded_at")) == before


def test_a_changed_threshold_keeps_the_old_version(db):
    load_criteria(SMALL)
    changed = SMALL.read_text(encoding="utf-8").replace("value: 80,", "value: 85,")
    summary = load_criteria(changed)
    assert (summary.thresholds_added, summary.thresholds_superseded) == (1, 1)
    versions = Threshold.objects.filter(indicator__code="1.1").order_by("created_at")
    assert [(t.value, t.superseded_at is None) for t in versions] == [("80", False), ("85", True)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("kind: percent", "kind: percentage"), "'kind' must be one of"),
        (("number: 2", "number: 1"), "duplicate criterion number 1"),
        (("poor_households / households", "poor / households"), "unknown data elements: poor"),
        (("region: TDMNPB", "region: MARS"), "unknown region 'MARS'"),
        (
            ('{value: 80, source: "318/QĐ-TTg", verified: true}', "{value: 80}"),
            "'source' and 'verified'",
        ),
        (("format: ntm-criteria/1", "format: other"), "format: must be"),
    ],
)
def test_bad_files_are_refused_whole_with_the_place_of_each_error(db, change, message):
    text = SMALL.read_text(encoding="utf-8").replace(*change)
    with pytest.raises(CatalogError) as info:
        load_criteria(text)
    assert message in str(info.value)
    assert not CriteriaSet.objects.exists()


def test_illustrative_sets_cannot_claim_verified_thresholds(db):
    text = SMALL.read_text(encoding="utf-8").replace(
        "verified: true\ngroups", "verified: true\n  illustrative: true\ngroups"
    )
    with pytest.raises(CatalogError, match="illustrative"):
        load_criteria(text)


def test_shipped_catalog_loads_in_dependency_order(db):
    from django.core.management import call_command

    from conftest import ROOT

    call_command("load_criteria", str(ROOT / "data" / "criteria"))
    codes = set(CriteriaSet.objects.values_list("code", flat=True))
    assert {
        "xa-ntm-2021-2025",
        "xa-ntm-nang-cao-2021-2025",
        "xa-ntm-kieu-mau-2021-2025",
        "xa-ntm-2026-2030",
    } <= codes
    advanced = CriteriaSet.objects.get(code="xa-ntm-nang-cao-2021-2025")
    assert advanced.prerequisite.code == "xa-ntm-2021-2025" and advanced.criteria.count() == 19
    assert CriteriaSet.objects.get(code="xa-ntm-2026-2030").criteria.count() == 10


def test_texts_longer_than_their_column_are_refused_by_name(db):
    text = SMALL.read_text(encoding="utf-8").replace(
        "{vi: Thủy lợi, en: Irrigation}", "{vi: " + "Thủy lợi " * 40 + ", en: Irrigation}"
    )
    with pytest.raises(CatalogError, match="criterion 1: 'name_vi' is longer than 300"):
        load_criteria(text)
