"""The results pipeline: every action leaves stored results matching their inputs, a refresh
rewrites only what changed, and stale marks are consumed (or kept when a refresh fails)."""

import datetime as dt
import io

import pytest
import yaml
from django.core.management import call_command

from conftest import FIXTURES
from ntm.accounts.models import User
from ntm.catalog.models import CriteriaSet, Indicator
from ntm.evaluation import actions
from ntm.evaluation.models import SetResult, StaleResult, UnitBasis
from ntm.evaluation.services import evaluate_units, mark_stale, refresh_stale
from ntm.geo import services as geo_services
from ntm.geo.models import AdminUnit, Classification
from ntm.observations.models import DataValue, InputStamp


@pytest.fixture
def xa(demo):
    return User.objects.get(username="xa")


@pytest.fixture
def poverty(xa, demo, small_set):
    """Dương Đức at 5 % poverty in 2024Q1: met under the TDMNPB threshold (6 %), not under
    the general one (4 %)."""
    for code, value in [("households", "1200"), ("poor_households", "60"), ("1.1", "85")]:
        actions.value_record(
            user=xa,
            unit=demo["07408"],
            criteria_set=small_set,
            code=code,
            period="2024Q1",
            value=value,
        )
    return demo["07408"]


def _status(unit, family, code, period="2024Q1"):
    result = SetResult.objects.get(unit=unit, criteria_set=family, period=period)
    for criterion in result.explanation["criteria"]:
        for indicator in criterion["indicators"]:
            if indicator["code"] == code:
                return indicator["status"]
    raise AssertionError(code)


def _consistent(unit, family) -> bool:
    """Stored results equal a fresh evaluation of the stored values: nothing to rewrite."""
    done = evaluate_units(units=[unit], family=family, full=True)
    return done.written == 0 and done.removed == 0


def test_a_refresh_with_unchanged_inputs_rewrites_nothing(poverty, small_set):
    before = dict(SetResult.objects.values_list("period", "computed_at"))
    done = evaluate_units(units=[poverty], family=small_set)
    assert (done.results, done.written, done.removed) == (1, 0, 0)
    assert dict(SetResult.objects.values_list("period", "computed_at")) == before


def test_a_new_period_writes_only_its_own_result(poverty, small_set, xa):
    q1 = SetResult.objects.get(period="2024Q1").computed_at
    actions.value_record(
        user=xa, unit=poverty, criteria_set=small_set, code="1.1", period="2024Q3", value="70"
    )
    assert SetResult.objects.get(period="2024Q1").computed_at == q1
    assert _status(poverty, small_set, "1.1", "2024Q3") == "not_met"
    assert _status(poverty, small_set, "1.1", "2024Q1") == "met"


def test_removing_a_value_refreshes_and_drops_a_period_left_without_values(poverty, small_set, xa):
    record, _changed = actions.value_record(
        user=xa, unit=poverty, criteria_set=small_set, code="1.1", period="2024Q3", value="70"
    )
    actions.value_remove(user=xa, value=record)
    assert list(SetResult.objects.values_list("period", flat=True)) == ["2024Q1"]
    assert _consistent(poverty, small_set)


def test_a_classification_change_refreshes_the_units_results_at_once(poverty, small_set):
    assert _status(poverty, small_set, "2") == "met"
    actions.classification_change(
        unit=poverty,
        kind=Classification.Kind.REGION,
        value="DBSH",
        valid_from=dt.date(2024, 1, 1),
    )
    assert _status(poverty, small_set, "2") == "not_met"
    assert _consistent(poverty, small_set)


def test_localising_and_changing_a_threshold_refresh_the_provinces_communes(
    poverty, small_set, demo
):
    tinh = User.objects.get(username="tinh")
    copy = actions.set_localise(
        user=tinh, national=small_set, province=demo["24"], legal_basis="QĐ 1/UBND"
    )
    assert SetResult.objects.get(unit=poverty).applied_set == copy
    indicator = Indicator.objects.get(criteria_set=copy, code="1.1")
    actions.threshold_change(
        user=tinh,
        indicator=indicator,
        value="90",
        source="QĐ 2/UBND",
        reason="Nâng mức",
    )
    assert _status(poverty, small_set, "1.1") == "not_met"
    assert not StaleResult.objects.exists()
    threshold = indicator.thresholds.get(superseded_at__isnull=True, value="90")
    actions.threshold_remove(user=tinh, threshold=threshold, reason="Bỏ")
    assert _status(poverty, small_set, "1.1") == "no_threshold"
    assert _consistent(poverty, small_set)


def test_load_criteria_from_the_command_line_refreshes_stale_results(poverty, small_set, tmp_path):
    assert _status(poverty, small_set, "1.1") == "met"
    data = yaml.safe_load((FIXTURES / "criteria-small.yaml").read_text(encoding="utf-8"))
    irrigation = data["criteria"][0]["indicators"][0]
    irrigation["thresholds"][0]["value"] = 95
    changed = tmp_path / "criteria-small.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    call_command("load_criteria", str(changed), stdout=io.StringIO())
    assert _status(poverty, small_set, "1.1") == "not_met"
    assert not StaleResult.objects.exists()
    # Loading the same file again changes nothing and marks nothing.
    call_command("load_criteria", str(changed), stdout=io.StringIO())
    assert not StaleResult.objects.exists()


def test_an_import_refreshes_the_touched_units_in_its_transaction(small_set, xa, demo):
    preview = actions.values_import(FIXTURES / "values-good.csv", user=xa)
    touched = {unit.pk for _family, units in preview.touched for unit in units}
    assert touched and preview.results > 0
    for unit_id in touched:
        unit = demo["07408"].__class__.objects.get(pk=unit_id)
        family = CriteriaSet.objects.get(code=preview.touched[0][0].code)
        assert _consistent(unit, family)


def test_marks_are_consumed_by_a_refresh_and_kept_when_it_fails(poverty, small_set, monkeypatch):
    DataValue.objects.filter(unit=poverty, code="1.1").update(text="60", number=60)
    mark_stale(unit_ids=[poverty.pk], families=[small_set], reason="test")

    def broken(**kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr("ntm.evaluation.services.evaluate_units", broken)
    with pytest.raises(RuntimeError):
        refresh_stale()
    assert StaleResult.objects.filter(unit=poverty).exists()
    monkeypatch.undo()
    done = refresh_stale()
    assert done.written == 1
    assert not StaleResult.objects.exists()
    assert _status(poverty, small_set, "1.1") == "not_met"


def test_a_unit_left_without_values_loses_its_results_on_refresh(poverty, small_set):
    DataValue.objects.filter(unit=poverty).delete()
    mark_stale(unit_ids=[poverty.pk], families=[small_set], reason="test")
    done = refresh_stale()
    assert done.removed == 1
    assert not SetResult.objects.filter(unit=poverty).exists()


def test_evaluate_queue_marks_the_scope_and_the_workers_refresh_it(poverty, small_set):
    SetResult.objects.all().delete()
    out = io.StringIO()
    # The test settings run background tasks at once, as a worker would.
    call_command("evaluate", "--queue", "2", stdout=out)
    assert "1 unit results marked stale in 1 sets; 2 refresh tasks queued" in out.getvalue()
    assert not StaleResult.objects.exists()
    assert _status(poverty, small_set, "2") == "met"


PIPELINE_PAGE_QUERIES = 5  # fixed, whatever the number of marks or sets


def test_the_pipeline_page_shows_waiting_units_to_system_administrators_only(
    poverty, small_set, client, django_assert_num_queries
):
    from django.urls import reverse

    mark_stale(unit_ids=[poverty.pk], families=[small_set], reason="test")
    url = reverse("evaluation:pipeline")
    for username in ("tinh", "xa", "xem"):
        client.force_login(User.objects.get(username=username))
        assert client.get(url).status_code == 403
    client.force_login(User.objects.get(username="admin"))
    client.get(url)  # session and user cached from here on
    with django_assert_num_queries(PIPELINE_PAGE_QUERIES):
        page = client.get(url)
    assert page.status_code == 200
    assert small_set.name in page.content.decode()
    assert 'hx-trigger="every 5s"' in page.content.decode()
    refresh_stale()
    polled = client.get(url, headers={"HX-Request": "true"})
    assert "<html" not in polled.content.decode()
    assert "every 5s" not in polled.content.decode()


def test_the_stored_explanation_is_compact_and_reads_back_whole(poverty, small_set):
    import json

    from ntm.evaluation.detail import expand

    result = SetResult.objects.get(unit=poverty, period="2024Q1")
    stored, full = result.detail, result.explanation
    assert stored["v"] == 2
    assert len(json.dumps(stored)) < len(json.dumps(full)) / 2
    poverty_rate = full["criteria"][1]["indicators"][0]
    assert poverty_rate["code"] == "2" and poverty_rate["direction"] == "lower"
    assert poverty_rate["value_source"] == "computed" and poverty_rate["source"] == "thử nghiệm"
    # Results stored before the compact form are read as they were.
    assert expand(full) == full


def _values_read(queries) -> int:
    return sum("observations_datavalue" in q["sql"] for q in queries)


def test_nothing_changed_reads_no_value(poverty, small_set, demo, xa):
    """Results whose basis (stamp, definition, profile, prerequisite) still holds are current:
    the check reads stored results and stamps, never the values."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ntm.geo.models import AdminUnit

    other = AdminUnit.objects.get(code="07411")
    admin = User.objects.create_superuser("root", password=None)
    actions.value_record(
        user=admin, unit=other, criteria_set=small_set, code="1.1", period="2024Q1", value="90"
    )
    with CaptureQueriesContext(connection) as queries:
        done = evaluate_units(units=[poverty, other], family=small_set)
    assert (done.results, done.written) == (2, 0)
    assert _values_read(queries.captured_queries) == 0
    # Nor the stored results themselves: the units' bases and a count of their results.
    assert not any("input_hash" in q["sql"] for q in queries.captured_queries)
    # A save bumps the unit's stamp: the next check reads that unit's values, and only its.
    stamp = InputStamp.objects.get(unit=other, criteria_set=small_set).version
    DataValue.objects.filter(unit=other).update(text="50", number=50)
    InputStamp.objects.filter(unit=other).update(version=stamp + 1)
    with CaptureQueriesContext(connection) as queries:
        done = evaluate_units(units=[poverty, other], family=small_set)
    assert done.written == 1
    reads = [q["sql"] for q in queries.captured_queries if "observations_datavalue" in q["sql"]]
    assert len(reads) == 1 and str(other.pk) in reads[0] and str(poverty.pk) not in reads[0]
    assert _status(other, small_set, "1.1") == "not_met"
    # Checked again, now current: no read.
    with CaptureQueriesContext(connection) as queries:
        evaluate_units(units=[poverty, other], family=small_set)
    assert _values_read(queries.captured_queries) == 0


def test_every_write_of_values_bumps_the_stamp(poverty, small_set, xa):
    def stamp():
        return InputStamp.objects.get(unit=poverty, criteria_set=small_set).version

    first = stamp()
    record, _ = actions.value_record(
        user=xa, unit=poverty, criteria_set=small_set, code="1.1", period="2024Q2", value="70"
    )
    assert stamp() == first + 1
    # The same value again is no write, no bump.
    actions.value_record(
        user=xa, unit=poverty, criteria_set=small_set, code="1.1", period="2024Q2", value="70"
    )
    assert stamp() == first + 1
    actions.value_remove(user=xa, value=record)
    assert stamp() == first + 2
    actions.values_import(FIXTURES / "values-good.csv", user=xa)
    assert InputStamp.objects.filter(version__gte=1).exists()


def test_a_changed_threshold_is_seen_without_a_mark(poverty, small_set):
    """The definition is in the basis: results follow a set changed (a new version) without
    marks, e.g. by a catalog service called outside the actions."""
    from django.db.models import F

    from ntm.catalog.models import Threshold

    assert _status(poverty, small_set, "1.1") == "met"
    Threshold.objects.filter(indicator__code="1.1", indicator__criteria_set=small_set).update(
        value="95"
    )
    CriteriaSet.objects.filter(pk=small_set.pk).update(version=F("version") + 1)
    small_set.refresh_from_db()
    done = evaluate_units(units=[poverty], family=small_set)
    assert done.written == 1
    assert _status(poverty, small_set, "1.1") == "not_met"


def test_values_written_around_the_services_need_a_full_check(poverty, small_set):
    DataValue.objects.filter(unit=poverty, code="1.1").update(text="60", number=60)
    assert evaluate_units(units=[poverty], family=small_set).written == 0
    assert evaluate_units(units=[poverty], family=small_set, full=True).written == 1
    assert _status(poverty, small_set, "1.1") == "not_met"


def test_the_evaluate_command_reads_values_with_full(poverty, small_set):
    DataValue.objects.filter(unit=poverty, code="1.1").update(text="60", number=60)
    out = io.StringIO()
    call_command("evaluate", "--set", small_set.code, "-v", "0", stdout=out)
    assert "(0 written, 0 removed)" in out.getvalue()
    out = io.StringIO()
    call_command("evaluate", "--set", small_set.code, "--full", "-v", "0", stdout=out)
    assert "(1 written, 0 removed)" in out.getvalue()
    assert _status(poverty, small_set, "1.1") == "not_met"


def _read_values(unit, family) -> int:
    """Queries reading values in a check of the unit's results (no mark, no --full)."""
    from django.db import connection  # test-only: capture the check's own queries
    from django.test.utils import CaptureQueriesContext  # test-only, as above

    with CaptureQueriesContext(connection) as queries:
        evaluate_units(units=[unit], family=family)
    return _values_read(queries.captured_queries)


def test_a_classification_written_around_the_actions_is_seen_without_a_mark(poverty, small_set):
    """The unit's classifications are in its basis: the geo service alone (no refresh, no mark)
    is enough for the next check to read the unit again."""
    assert _read_values(poverty, small_set) == 0
    geo_services.classification_set(
        unit=poverty,
        kind=Classification.Kind.REGION,
        value="DBSH",
        valid_from=dt.date(2024, 1, 1),
    )
    done = evaluate_units(units=[poverty], family=small_set)
    assert done.written == 1
    assert _status(poverty, small_set, "2") == "not_met"
    assert _read_values(poverty, small_set) == 0


def test_a_province_region_change_is_seen_without_a_mark(poverty, small_set):
    province = AdminUnit.objects.get(pk=int(poverty.path.strip(".").split(".")[0]))
    AdminUnit.objects.filter(pk=province.pk).update(region="DBSH")
    assert evaluate_units(units=[poverty], family=small_set).written == 1
    assert _status(poverty, small_set, "2") == "not_met"


ADVANCED = """format: ntm-criteria/1
set:
  code: xa-thu-nghiem-nang-cao
  name: {vi: "Bộ nâng cao thử nghiệm", en: "Advanced test set"}
  level: commune
  valid_from: 2022-01-01
  threshold_axis: none
  prerequisite: xa-thu-nghiem
criteria:
  - number: 1
    name: {vi: Môi trường, en: Environment}
    indicators:
      - code: "1"
        content: {vi: "Xanh sạch đẹp", en: "Clean"}
        kind: pass_fail
        thresholds:
          - {value: true, source: "thử nghiệm", verified: true}
"""


def test_a_changed_prerequisite_result_is_seen_by_the_set_needing_it(poverty, small_set, xa):
    """The unit's prerequisite results are in its basis: a changed result of the prerequisite
    set makes the dependant set's check read the unit, without a mark."""
    from ntm.catalog.loader import load_criteria  # test-only: a set with a prerequisite

    load_criteria(ADVANCED)
    advanced = CriteriaSet.objects.get(code="xa-thu-nghiem-nang-cao")
    for code, value in [("1.2", "đạt"), ("3", "đạt")]:
        actions.value_record(
            user=xa, unit=poverty, criteria_set=small_set, code=code, period="2024Q1", value=value
        )
    actions.value_record(
        user=xa, unit=poverty, criteria_set=advanced, code="1", period="2024Q1", value="đạt"
    )
    assert SetResult.objects.get(criteria_set=advanced).prerequisite_met is True
    assert _read_values(poverty, advanced) == 0
    # The prerequisite's result changes (here by hand; its own refresh alike): the dependant's
    # next check reads the unit and follows it.
    SetResult.objects.filter(criteria_set=small_set).update(status="not_met")
    assert evaluate_units(units=[poverty], family=advanced).written == 1
    assert SetResult.objects.get(criteria_set=advanced).prerequisite_met is False
    assert _read_values(poverty, advanced) == 0


def test_results_deleted_around_the_pipeline_are_written_again(poverty, small_set, xa):
    actions.value_record(
        user=xa, unit=poverty, criteria_set=small_set, code="1.1", period="2024Q2", value="70"
    )
    SetResult.objects.filter(period="2024Q2").delete()
    done = evaluate_units(units=[poverty], family=small_set)
    assert (done.results, done.written) == (2, 1)
    assert _consistent(poverty, small_set)


def test_a_unit_without_a_stored_basis_is_read_once_then_current(poverty, small_set):
    """Results stored before unit bases existed (or with values written without a stamp):
    read, nothing rewritten when the values match, then current."""
    UnitBasis.objects.all().delete()
    assert _read_values(poverty, small_set) == 1
    assert UnitBasis.objects.get(unit=poverty, criteria_set=small_set).results == 1
    assert _read_values(poverty, small_set) == 0
    InputStamp.objects.filter(unit=poverty).delete()
    assert _read_values(poverty, small_set) == 1
    assert _read_values(poverty, small_set) == 1
