"""Two counts: the working count (every value, drafts included) and the approved count
(approved values only). Public pages, the province's tables and recognitions read the approved
one; the commune's own pages show both."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from ntm.accounts.models import User
from ntm.evaluation import actions
from ntm.evaluation.models import BOTH, Basis, SetResult
from ntm.observations.models import DataValue, ValueStatus
from ntm.observations.services import values_submit

Q1 = {"1.1": "85", "1.2": "đạt", "3": "đạt"}


@pytest.fixture
def commune(demo, small_set):
    return demo["07408"]


def _record(user, unit, family, period, values):
    for code, value in values.items():
        actions.value_record(
            user=user, unit=unit, criteria_set=family, code=code, period=period, value=value
        )


def _rows(unit, family):
    return sorted(
        SetResult.stored.filter(unit=unit, criteria_set=family).values_list(
            "period", "basis", "met"
        )
    )


def test_a_draft_counts_in_the_working_figures_only_until_approved(commune, small_set):
    xa = User.objects.get(username="xa")
    _record(xa, commune, small_set, "2024Q1", Q1)
    assert _rows(commune, small_set) == [("2024Q1", "working", 2)]
    assert not SetResult.approved.filter(unit=commune).exists()

    values_submit(user=xa, unit=commune, criteria_set=small_set, period="2024Q1")
    batch = actions.values_approve(user=xa, unit=commune, criteria_set=small_set, period="2024Q1")
    assert batch.done == 3
    # Every value approved: one row serves both counts.
    assert _rows(commune, small_set) == [("2024Q1", BOTH, 2)]
    assert SetResult.approved.get(unit=commune).met == SetResult.objects.get(unit=commune).met

    # A later draft: the working count moves on, the approved count stays at Q1 (carried).
    _record(xa, commune, small_set, "2024Q4", {"3": "không đạt"})
    assert _rows(commune, small_set) == [("2024Q1", BOTH, 2), ("2024Q4", "working", 1)]

    # Reopening an approved value takes it out of the approved count: Q1 splits in two rows.
    value = DataValue.objects.get(unit=commune, code="1.2", period="2024Q1")
    actions.value_reopen(user=xa, value=value, reason="sai số liệu")
    rows = _rows(commune, small_set)
    assert ("2024Q1", "working", 2) in rows and ("2024Q1", "approved", 1) in rows
    assert ("2024Q1", BOTH, 2) not in rows


def test_evaluate_names_its_basis_and_reads_the_approved_count(commune, small_set):
    xa = User.objects.get(username="xa")
    _record(xa, commune, small_set, "2024Q1", Q1)
    out = io.StringIO()
    call_command("evaluate", "--set", small_set.code, "--format", "json", stdout=out)
    [working] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert (working["basis"], working["met"]) == ("working", 2)
    out = io.StringIO()
    call_command(
        "evaluate", "--set", small_set.code, "--format", "json", "--basis", "approved", stdout=out
    )
    assert out.getvalue() == ""  # nothing approved yet
    with pytest.raises(Exception, match="no approved values"):
        call_command(
            "evaluate",
            "--unit",
            commune.code,
            "--set",
            small_set.code,
            "--period",
            "2024Q1",
            "--format",
            "json",
            "--basis",
            "approved",
            stdout=io.StringIO(),
        )


def test_the_public_page_shows_a_draft_only_once_approved(client, commune, small_set):
    xa = User.objects.get(username="xa")
    _record(xa, commune, small_set, "2024Q1", Q1)
    page = client.get(reverse("portal:unit", args=[commune.code]))
    assert "Bộ tiêu chí thử nghiệm" not in page.text
    values_submit(user=xa, unit=commune, criteria_set=small_set, period="2024Q1")
    actions.values_approve(user=xa, unit=commune, criteria_set=small_set, period="2024Q1")
    page = client.get(reverse("portal:unit", args=[commune.code]))
    assert "Bộ tiêu chí thử nghiệm" in page.text and "2/3" in page.text


def test_the_commune_submits_and_its_manager_approves_a_whole_period(
    client, persona, commune, small_set
):
    xa = User.objects.get(username="xa")
    _record(xa, commune, small_set, "2024Q1", Q1)
    entry = reverse("evaluation:entry", args=[commune.pk, small_set.code, "2024Q1"])
    approval = reverse("evaluation:approval", args=[commune.pk, small_set.code, "2024Q1"])

    # A specialist submits the drafts of their own fields only (culture: criterion 3).
    persona("congchuc")
    text = client.get(entry).text
    assert 'value="submit"' in text and 'value="approve"' not in text
    response = client.post(approval, {"do": "submit"}, follow=True)
    assert response.status_code == 200
    statuses = dict(
        DataValue.objects.filter(unit=commune, period="2024Q1").values_list("code", "status")
    )
    assert statuses == {
        "1.1": ValueStatus.DRAFT,
        "1.2": ValueStatus.DRAFT,
        "3": ValueStatus.SUBMITTED,
    }
    # Approving is the manager's: the specialist is refused.
    assert client.post(approval, {"do": "approve"}).status_code == 403

    persona("xa")
    client.post(approval, {"do": "submit"})
    text = client.get(entry).text
    assert "0 nháp, 3 đã gửi duyệt, 0 đã phê duyệt" in text
    assert 'value="approve"' in text
    client.post(approval, {"do": "approve"})
    assert set(DataValue.objects.filter(unit=commune).values_list("status", flat=True)) == {
        ValueStatus.APPROVED
    }
    text = client.get(entry).text
    assert "Số liệu đã phê duyệt (công khai)" in text and "<strong>2/3</strong>" in text
    # An unknown step is not an action.
    assert client.post(approval, {"do": "delete"}).status_code == 404
    assert client.get(approval).status_code == 405


def test_another_communes_user_cannot_approve(client, persona, other_commune, small_set):
    persona("xa")
    approval = reverse("evaluation:approval", args=[other_commune.pk, small_set.code, "2024Q1"])
    assert client.post(approval, {"do": "approve"}).status_code == 404
    assert client.post(approval, {"do": "submit"}).status_code == 404


def test_the_set_page_shows_both_counts_and_switches_basis(client, persona, commune, small_set):
    xa = persona("xa")
    _record(xa, commune, small_set, "2024Q1", Q1)
    url = reverse("evaluation:set_result", args=[commune.pk, small_set.code])
    page = client.get(url).context["page"]
    assert page.basis == Basis.WORKING and page.result.met == 2 and page.other is None
    text = client.get(url).text
    assert "chưa có số liệu nào được phê duyệt" in text
    approved = client.get(url, {"basis": "approved"}).context["page"]
    assert approved.result is None and approved.other.met == 2


def test_reports_are_built_on_approved_figures_and_say_so(commune, small_set):
    from ntm.engine.periods import parse_period
    from ntm.reports import bieu1
    from ntm.reports.common import ReportError

    xa = User.objects.get(username="xa")
    _record(xa, commune, small_set, "2024Q1", Q1)
    q1 = parse_period("2024Q1")
    with pytest.raises(ReportError, match="chưa có kết quả đã phê duyệt"):
        bieu1.data_for(unit=commune, period=q1, family=small_set)
    working = bieu1.data_for(unit=commune, period=q1, family=small_set, basis=Basis.WORKING)
    assert working.met == 2
    assert "không phải số liệu chính thức" in bieu1.document_for(working).footnotes[0]
    values_submit(user=xa, unit=commune, criteria_set=small_set, period="2024Q1")
    actions.values_approve(user=xa, unit=commune, criteria_set=small_set, period="2024Q1")
    official = bieu1.data_for(unit=commune, period=q1, family=small_set)
    note = bieu1.document_for(official).footnotes[0]
    assert official.met == 2 and note.startswith("Số liệu chỉ tính các giá trị đã được phê duyệt")


def test_a_formula_reads_in_words_and_unverified_thresholds_carry_a_mark():
    from ntm.core.templatetags.ntm import threshold
    from ntm.evaluation.selectors import formula_in_words

    names = {"cultural_villages": "Số thôn văn hóa", "villages": "Tổng số thôn"}
    assert formula_in_words("cultural_villages / villages * 100", names) == (
        "Số thôn văn hóa / Tổng số thôn × 100"
    )
    assert formula_in_words("unknown_code + 1", names) == "unknown_code + 1"
    shown = threshold({"threshold": "90", "direction": "higher", "verified": False})
    assert 'class="unverified-mark"' in shown and "badge" not in shown
    assert "unverified-mark" not in threshold({"threshold": "90", "verified": True})


def test_period_boxes_offer_the_units_periods_with_data_first(client, persona, commune, small_set):
    import datetime as dt

    from ntm.evaluation.selectors import period_choices

    xa = persona("xa")
    _record(xa, commune, small_set, "2024Q1", Q1)
    _record(xa, commune, small_set, "2024H1", {"3": "đạt"})
    choices = period_choices(commune, dt.date(2026, 12, 5))
    assert [(c.code, c.label, c.with_data) for c in choices[:3]] == [
        ("2024H1", "6 tháng đầu năm 2024", True),
        ("2024Q1", "Quý I/2024", True),
        ("2026Q3", "Quý III/2026", False),
    ]
    assert {"2026", "2025H2", "2025Q4"} <= {c.code for c in choices}
    assert len({c.code for c in choices}) == len(choices)
    entry = reverse("evaluation:entry", args=[commune.pk, small_set.code, "2024Q1"])
    text = client.get(entry).text
    assert 'list="periods"' in text and '<option value="2024Q1">Quý I/2024 · có số liệu' in text


def test_the_revocation_mark_and_names_are_for_people(client, persona, commune, small_set):
    import datetime as dt

    from ntm.recognition.models import Recognition

    xa = persona("xa")
    # Criterion 2 (key) not met: the revocation rule would apply, were the commune recognised.
    _record(xa, commune, small_set, "2024Q1", {**Q1, "households": "100", "poor_households": "9"})
    result = SetResult.objects.get(unit=commune)
    assert result.revocation_risk == "revocation"
    url = reverse("evaluation:set_result", args=[commune.pk, small_set.code])
    text = client.get(url).text
    assert "18/2022" not in text  # never recognised: no warning
    # The last change names the person, the login only as a tooltip.
    assert f'<span title="xa">{xa.full_name}</span>' in text
    persona("tinh")
    province = commune.parent.parent
    table = reverse("evaluation:subunits", args=[province.pk, small_set.code])
    assert "badge ended" not in client.get(table, {"basis": "working"}).text
    Recognition.objects.create(
        unit=commune,
        set_code=small_set.code,
        decision_number="1/QĐ",
        decision_date=dt.date(2023, 1, 1),
    )
    assert "badge ended" in client.get(table, {"basis": "working"}).text
