"""Format checks of the criteria catalog files (data/criteria/*.yaml, data/demo/*.yaml).

Plain PyYAML, no Django: these tests guard the files themselves against the rules of
docs/criteria-format.md and against the project's honesty rule (a threshold is only "verified" when a
source says so; an illustrative set never carries a verified threshold).
"""

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CRITERIA_DIR = ROOT / "data" / "criteria"
DEMO_DIR = ROOT / "data" / "demo"
FILES = sorted(CRITERIA_DIR.glob("*.yaml")) + sorted(DEMO_DIR.glob("*.yaml"))

FORMAT = "ntm-criteria/1"
LEVELS = {"commune", "village"}
AXES = {"region", "commune_group", "none"}
KINDS = {"percent", "number", "amount", "count", "pass_fail", "level"}
DIRECTIONS = {"higher", "lower"}
REGIONS = {"TDMNPB", "DBSH", "BTB", "DHNTB", "TN", "DNB", "DBSCL"}
COMMUNE_GROUPS = {"1", "2", "3"}
FIELDS = {
    "planning",
    "transport",
    "agriculture",
    "economy",
    "culture",
    "education",
    "health",
    "labour",
    "environment",
    "justice",
    "security",
    "finance",
}

TOP_KEYS = {"format", "set", "groups", "data_elements", "criteria"}
SET_KEYS = {
    "code",
    "name",
    "level",
    "legal_basis",
    "valid_from",
    "valid_to",
    "threshold_axis",
    "prerequisite",
    "localises",
    "province",
    "illustrative",
    "source",
    "verified",
    "note",
}
SET_REQUIRED = {
    "code",
    "name",
    "level",
    "legal_basis",
    "valid_from",
    "threshold_axis",
    "illustrative",
    "source",
    "verified",
}
CRITERION_KEYS = {"number", "name", "group", "field", "key", "verified", "indicators"}
CRITERION_REQUIRED = {"number", "name", "verified", "indicators"}
INDICATOR_KEYS = {
    "code",
    "content",
    "kind",
    "unit",
    "direction",
    "formula",
    "decimals",
    "levels",
    "verified",
    "thresholds",
}
INDICATOR_REQUIRED = {"code", "content", "kind", "verified", "thresholds"}
THRESHOLD_KEYS = {"value", "reference", "region", "commune_group", "year", "source", "verified"}
DATA_ELEMENT_KEYS = {"code", "name", "unit", "kind"}

CODE_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FORMULA_RE = re.compile(r"^[A-Za-z0-9_+\-*/(). ]+$")

NATIONAL_SETS = {
    "xa-ntm-2021-2025": 19,
    "xa-ntm-nang-cao-2021-2025": 19,
    "xa-ntm-kieu-mau-2021-2025": 4,
    "xa-ntm-2026-2030": 10,
}


def load(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


CATALOG = {load(p)["set"]["code"]: load(p) for p in FILES}


def ids(paths):
    return [p.relative_to(ROOT).as_posix() for p in paths]


def indicators(doc: dict):
    for criterion in doc["criteria"]:
        yield from criterion["indicators"]


def thresholds(doc: dict):
    for indicator in indicators(doc):
        for threshold in indicator["thresholds"]:
            yield indicator, threshold


def is_national(doc: dict) -> bool:
    return not doc["set"]["illustrative"] and not doc["set"].get("localises")


def assert_bilingual(name, where: str) -> None:
    assert isinstance(name, dict), f"{where}: expected {{vi, en}}"
    assert set(name) == {"vi", "en"}, f"{where}: keys {sorted(name)}"
    for lang in ("vi", "en"):
        assert isinstance(name[lang], str), f"{where}.{lang} is not text"
        assert name[lang].strip(), f"{where}.{lang} is empty"


def test_catalog_files_exist():
    assert FILES, "no catalog files found"
    assert len(CATALOG) == len(FILES), "two files declare the same set code"


@pytest.mark.parametrize("path", FILES, ids=ids(FILES))
def test_top_level_and_format(path):
    doc = load(path)
    assert isinstance(doc, dict)
    assert set(doc) <= TOP_KEYS, f"unknown keys {set(doc) - TOP_KEYS}"
    assert {"format", "set", "criteria"} <= set(doc)
    assert doc["format"] == FORMAT
    assert isinstance(doc["criteria"], list)
    assert doc["criteria"], "a set has at least one criterion"


@pytest.mark.parametrize("path", FILES, ids=ids(FILES))
def test_set_header(path):
    s = load(path)["set"]
    assert set(s) <= SET_KEYS, f"unknown keys {set(s) - SET_KEYS}"
    missing = SET_REQUIRED - set(s)
    assert not missing, f"missing {missing}"
    assert CODE_RE.match(s["code"]), s["code"]
    assert_bilingual(s["name"], "set.name")
    assert s["level"] in LEVELS
    assert s["threshold_axis"] in AXES
    assert isinstance(s["valid_from"], dt.date)
    if s.get("valid_to") is not None:
        assert isinstance(s["valid_to"], dt.date)
        assert s["valid_to"] >= s["valid_from"]
    assert isinstance(s["illustrative"], bool)
    assert isinstance(s["verified"], bool)
    assert isinstance(s["legal_basis"], str)
    assert s["legal_basis"].strip()
    assert isinstance(s["source"], str)
    assert s["source"].strip()
    if s.get("province") is not None:
        assert isinstance(s["province"], str), "province code must be quoted text"
        assert s["province"].isdigit()
    if s.get("localises"):
        assert s.get("province"), "a province's localisation names its province"
    if s["illustrative"]:
        assert not s["verified"], "an illustrative set is never verified"


def test_national_criteria_files_are_named_after_their_code():
    for path in sorted(CRITERIA_DIR.glob("*.yaml")):
        assert load(path)["set"]["code"] == path.stem


@pytest.mark.parametrize("path", FILES, ids=ids(FILES))
def test_groups_and_data_elements(path):
    doc = load(path)
    codes = [g["code"] for g in doc.get("groups") or []]
    assert len(codes) == len(set(codes)), "group codes repeat"
    for group in doc.get("groups") or []:
        assert set(group) == {"code", "name"}
        assert_bilingual(group["name"], f"group {group['code']}")
    element_codes = [e["code"] for e in doc.get("data_elements") or []]
    assert len(element_codes) == len(set(element_codes)), "data element codes repeat"
    for element in doc.get("data_elements") or []:
        assert set(element) <= DATA_ELEMENT_KEYS
        assert re.fullmatch(r"[a-z_][a-z0-9_]*", element["code"]), element["code"]
        assert_bilingual(element["name"], f"data element {element['code']}")
        assert element["kind"] in KINDS


@pytest.mark.parametrize("path", FILES, ids=ids(FILES))
def test_criteria(path):
    doc = load(path)
    numbers = [c["number"] for c in doc["criteria"]]
    assert numbers == list(range(1, len(numbers) + 1)), f"numbers must run 1..n: {numbers}"
    groups = {g["code"] for g in doc.get("groups") or []}
    for criterion in doc["criteria"]:
        where = f"criterion {criterion.get('number')}"
        assert set(criterion) <= CRITERION_KEYS, (
            f"{where}: unknown {set(criterion) - CRITERION_KEYS}"
        )
        assert set(criterion) >= CRITERION_REQUIRED, f"{where}: missing keys"
        assert isinstance(criterion["number"], int)
        assert_bilingual(criterion["name"], f"{where}.name")
        if criterion.get("group") is not None:
            assert criterion["group"] in groups, f"{where}: unknown group {criterion['group']}"
        if criterion.get("field") is not None:
            assert criterion["field"] in FIELDS, f"{where}: unknown field {criterion['field']}"
        assert isinstance(criterion.get("key", False), bool)
        assert isinstance(criterion["verified"], bool)
        assert isinstance(criterion["indicators"], list)


@pytest.mark.parametrize("path", FILES, ids=ids(FILES))
def test_indicators(path):
    doc = load(path)
    codes = [i["code"] for i in indicators(doc)]
    assert len(codes) == len(set(codes)), "indicator codes repeat within the set"
    elements = {e["code"] for e in doc.get("data_elements") or []}
    for indicator in indicators(doc):
        where = f"indicator {indicator.get('code')}"
        assert set(indicator) <= INDICATOR_KEYS, (
            f"{where}: unknown {set(indicator) - INDICATOR_KEYS}"
        )
        assert set(indicator) >= INDICATOR_REQUIRED, f"{where}: missing keys"
        assert isinstance(indicator["code"], str), f"{where}: quote the code"
        assert indicator["code"].strip()
        assert_bilingual(indicator["content"], f"{where}.content")
        assert indicator["kind"] in KINDS, f"{where}: kind {indicator['kind']}"
        assert indicator.get("direction", "higher") in DIRECTIONS
        assert isinstance(indicator["verified"], bool)
        assert isinstance(indicator["thresholds"], list)
        decimals = indicator.get("decimals", 2)
        assert isinstance(decimals, int)
        assert 0 <= decimals <= 4
        levels = indicator.get("levels") or []
        if indicator["kind"] == "level":
            assert len(levels) >= 2, f"{where}: a level indicator lists its levels, worst first"
            assert len(levels) == len(set(levels)), f"{where}: levels repeat"
        else:
            assert not levels, f"{where}: levels only for kind level"
        if indicator["kind"] == "pass_fail":
            assert "direction" not in indicator, f"{where}: pass_fail has no direction"
        formula = indicator.get("formula")
        if formula is not None:
            assert FORMULA_RE.match(formula), f"{where}: formula {formula!r}"
            names = set(IDENT_RE.findall(formula))
            assert names, f"{where}: formula uses no data element"
            assert names <= elements, f"{where}: unknown data elements {names - elements}"


@pytest.mark.parametrize("path", FILES, ids=ids(FILES))
def test_thresholds(path):
    doc = load(path)
    axis = doc["set"]["threshold_axis"]
    for indicator, threshold in thresholds(doc):
        where = f"indicator {indicator['code']} threshold {threshold}"
        assert set(threshold) <= THRESHOLD_KEYS, f"{where}: unknown keys"
        assert ("value" in threshold) != ("reference" in threshold), f"{where}: value xor reference"
        assert isinstance(threshold.get("source"), str), f"{where}: no source"
        assert threshold["source"].strip(), f"{where}: empty source"
        assert isinstance(threshold.get("verified"), bool), f"{where}: no verified flag"
        if "region" in threshold:
            assert axis == "region", f"{where}: region on a {axis} axis"
            assert threshold["region"] in REGIONS
        if "commune_group" in threshold:
            assert axis == "commune_group", f"{where}: commune group on a {axis} axis"
            assert threshold["commune_group"] in COMMUNE_GROUPS
        if "year" in threshold:
            assert isinstance(threshold["year"], int)
            assert 2000 <= threshold["year"] <= 2100
        if "value" in threshold:
            value = threshold["value"]
            if indicator["kind"] == "pass_fail":
                assert value is True, f"{where}: pass_fail threshold is true (đạt)"
            elif indicator["kind"] == "level":
                assert value in (indicator.get("levels") or []), f"{where}: unknown level"
            else:
                assert isinstance(value, int | float), f"{where}: not a number"
                assert not isinstance(value, bool), f"{where}: not a number"
                assert value >= 0
                if indicator["kind"] == "percent":
                    assert value <= 100
        else:
            reference = threshold["reference"]
            assert set(reference) <= {"set", "indicator", "factor"}
            assert reference["set"] in CATALOG, f"{where}: unknown set"
            target = {i["code"] for i in indicators(CATALOG[reference["set"]])}
            assert reference["indicator"] in target, f"{where}: unknown indicator"
            assert isinstance(reference.get("factor", 1), int | float)
            assert reference.get("factor", 1) > 0


@pytest.mark.parametrize("path", FILES, ids=ids(FILES))
def test_no_duplicate_threshold_rows(path):
    for indicator in indicators(load(path)):
        keys = [
            (t.get("region"), t.get("commune_group"), t.get("year"))
            for t in indicator["thresholds"]
        ]
        assert len(keys) == len(set(keys)), f"indicator {indicator['code']}: two thresholds apply"


@pytest.mark.parametrize("path", FILES, ids=ids(FILES))
def test_illustrative_sets_never_claim_verified_thresholds(path):
    doc = load(path)
    if not doc["set"]["illustrative"]:
        pytest.skip("not illustrative")
    for indicator, threshold in thresholds(doc):
        assert threshold["verified"] is False, f"indicator {indicator['code']}"
    for indicator in indicators(doc):
        assert indicator["verified"] is False, f"indicator {indicator['code']}"


@pytest.mark.parametrize("path", FILES, ids=ids(FILES))
def test_verified_national_thresholds_cite_their_source(path):
    doc = load(path)
    if not is_national(doc):
        pytest.skip("not a national set")
    for indicator, threshold in thresholds(doc):
        if threshold["verified"]:
            source = threshold["source"]
            assert "http" in source or "QĐ" in source, f"indicator {indicator['code']}: {source}"


def test_national_sets_exist_with_their_criteria_counts():
    for code, count in NATIONAL_SETS.items():
        assert code in CATALOG, f"missing set {code}"
        doc = CATALOG[code]
        assert is_national(doc), code
        assert len(doc["criteria"]) == count, code


def test_prerequisites_and_localisations_point_to_known_sets():
    for code, doc in CATALOG.items():
        for key in ("prerequisite", "localises"):
            target = doc["set"].get(key)
            if target:
                assert target in CATALOG, f"{code}.{key} -> {target}"
                assert target != code
                assert CATALOG[target]["set"]["level"] == doc["set"]["level"]


def test_localisations_keep_the_national_criteria():
    for code, doc in CATALOG.items():
        national = doc["set"].get("localises")
        if not national:
            continue
        ours = [(c["number"], c["name"]["vi"], c.get("key", False)) for c in doc["criteria"]]
        theirs = [
            (c["number"], c["name"]["vi"], c.get("key", False))
            for c in CATALOG[national]["criteria"]
        ]
        assert ours == theirs, code


def test_shape_of_the_2021_2025_sets():
    basic = CATALOG["xa-ntm-2021-2025"]
    assert basic["set"]["threshold_axis"] == "region"
    assert basic["set"]["valid_from"] == dt.date(2022, 3, 8)
    assert [g["code"] for g in basic["groups"]] == ["I", "II", "III", "IV", "V"]
    assert all(c.get("group") for c in basic["criteria"])
    assert all(c.get("field") for c in basic["criteria"])
    assert {c["number"] for c in basic["criteria"] if c.get("key")} == {10, 17, 19}

    advanced = CATALOG["xa-ntm-nang-cao-2021-2025"]
    assert advanced["set"]["prerequisite"] == "xa-ntm-2021-2025"
    assert {c["number"] for c in advanced["criteria"] if c.get("key")} == {10, 17, 18, 19}

    model = CATALOG["xa-ntm-kieu-mau-2021-2025"]
    assert model["set"]["prerequisite"] == "xa-ntm-nang-cao-2021-2025"
    assert model["set"]["threshold_axis"] == "none"
    assert all(len(c["indicators"]) == 1 for c in model["criteria"])

    for doc in (basic, advanced):
        poverty = next(i for i in indicators(doc) if i["code"] == "11")
        assert poverty["direction"] == "lower"
        assert poverty["formula"] == "poor_households / households * 100"
    stunting = next(i for i in indicators(basic) if i["code"] == "15.3")
    assert stunting["direction"] == "lower"


def test_confirmed_basic_thresholds():
    basic = CATALOG["xa-ntm-2021-2025"]
    by_code = {i["code"]: i for i in indicators(basic)}
    assert [(t["value"], t["verified"]) for t in by_code["3.1"]["thresholds"]] == [(80, True)]
    assert [(t["value"], t["verified"]) for t in by_code["3.2"]["thresholds"]] == [(True, True)]
    # Income values per year and region were not retrieved: no threshold may be invented.
    assert by_code["10"]["thresholds"] == []


def test_shape_of_the_2026_2030_set():
    doc = CATALOG["xa-ntm-2026-2030"]
    assert doc["set"]["threshold_axis"] == "commune_group"
    assert doc["set"]["valid_from"] == dt.date(2026, 2, 15)


def test_every_criterion_of_an_illustrative_commune_set_has_an_indicator():
    for code, doc in CATALOG.items():
        if doc["set"]["illustrative"] and doc["set"].get("localises"):
            for criterion in doc["criteria"]:
                assert criterion["indicators"], f"{code} criterion {criterion['number']}"
