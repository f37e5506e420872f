"""The in-app editor: each edit is loaded like a file (checked, versioned, recorded in the set's
history, results refreshed); an indicator with values is never deleted; only the set's owner
edits."""

import pytest
from django.urls import reverse

from ntm.accounts.models import User
from ntm.catalog import editor
from ntm.catalog.models import Indicator


def _post(client, small_set, **data):
    return client.post(reverse("catalog:set", args=[small_set.code]), data)


@pytest.fixture
def admin(client, demo):
    client.force_login(User.objects.get(username="admin"))
    return client


def test_add_edit_move_and_rename_through_the_page(admin, small_set):
    version = small_set.version
    response = _post(
        admin,
        small_set,
        op="indicator_add",
        number="1",
        code="1.9",
        content_vi="Tỷ lệ hộ có nhà vệ sinh đạt chuẩn",
        kind="percent",
        unit="%",
        direction="higher",
    )
    assert response.status_code == 302
    added = Indicator.objects.get(criteria_set=small_set, code="1.9")
    assert added.kind == "percent" and added.criterion.number == 1
    _post(
        admin,
        small_set,
        op="indicator_edit",
        code="1.9",
        content_vi="Tỷ lệ hộ có nhà tiêu",
        kind="percent",
        unit="%",
        direction="higher",
        formula="",
    )
    added.refresh_from_db()
    assert added.content_vi == "Tỷ lệ hộ có nhà tiêu"
    positions = list(
        Indicator.objects.filter(criteria_set=small_set, criterion__number=1)
        .order_by("position")
        .values_list("code", flat=True)
    )
    _post(admin, small_set, op="indicator_move", code="1.9", step="up")
    moved = list(
        Indicator.objects.filter(criteria_set=small_set, criterion__number=1)
        .order_by("position")
        .values_list("code", flat=True)
    )
    assert moved.index("1.9") == positions.index("1.9") - 1
    _post(admin, small_set, op="criterion_rename", number="1", name_vi="Quy hoạch và kiến trúc")
    assert small_set.criteria.get(number=1).name_vi == "Quy hoạch và kiến trúc"
    small_set.refresh_from_db()
    assert small_set.version > version
    actions = list(small_set.changes.values_list("via", flat=True))
    assert len(actions) == 4 and all("editor" in via or "biên tập" in via for via in actions)
    page = admin.get(reverse("catalog:set", args=[small_set.code])).content.decode()
    assert "1.9" in page and "Quy hoạch và kiến trúc" in page


def test_a_bad_edit_is_refused_with_a_message_and_changes_nothing(admin, small_set):
    version = small_set.version
    response = _post(
        admin,
        small_set,
        op="indicator_add",
        number="1",
        code="1.1",
        content_vi="trùng mã",
        kind="percent",
    )
    assert response.status_code == 302
    small_set.refresh_from_db()
    assert small_set.version == version and not small_set.changes.exists()
    page = admin.get(reverse("catalog:set", args=[small_set.code])).content.decode()
    assert "1.1" in page and 'class="msg error"' in page
    response = _post(admin, small_set, op="criterion_add", number="x", name_vi="?")
    assert response.status_code == 302 and not small_set.changes.exists()


def test_an_indicator_with_values_is_never_deleted(admin, demo, small_set):
    from ntm.evaluation.actions import value_record

    value_record(
        user=User.objects.get(username="admin"),
        unit=demo["07408"],
        criteria_set=small_set,
        code="1.1",
        period="2024Q4",
        value="80",
    )
    _post(admin, small_set, op="indicator_remove", code="1.1")
    assert Indicator.objects.filter(criteria_set=small_set, code="1.1").exists()
    _post(
        admin, small_set, op="indicator_add", number="2", code="2.9", content_vi="Mới", kind="count"
    )
    _post(admin, small_set, op="indicator_remove", code="2.9")
    assert not Indicator.objects.filter(criteria_set=small_set, code="2.9").exists()


@pytest.mark.parametrize("username", ["tinh", "xa", "xem"])
def test_only_the_owner_edits(client, demo, small_set, username):
    client.force_login(User.objects.get(username=username))
    response = _post(client, small_set, op="criterion_rename", number="1", name_vi="X")
    assert response.status_code == 403
    assert small_set.criteria.get(number=1).name_vi != "X"


def test_the_editor_functions_on_a_document():
    doc = {
        "criteria": [
            {
                "number": 1,
                "name": {"vi": "A", "en": ""},
                "indicators": [{"code": "1.1"}, {"code": "1.2"}],
            }
        ]
    }
    editor.indicator_move(doc, code="1.2", step=-1)
    assert [i["code"] for i in doc["criteria"][0]["indicators"]] == ["1.2", "1.1"]
    with pytest.raises(editor.EditorError):
        editor.indicator_edit(doc, code="9.9", content_vi="x")
    with pytest.raises(editor.EditorError):
        editor.indicator_add(doc, number=1, code="1.3", kind="bogus")
    editor.criterion_add(doc, number=3, name_vi="C")
    editor.criterion_add(doc, number=2, name_vi="B")
    assert [c["number"] for c in doc["criteria"]] == [1, 2, 3]


def test_an_indicator_is_retired_from_a_date_and_earlier_results_keep_it(admin, demo, small_set):
    import datetime as dt

    from ntm.evaluation.actions import value_record
    from ntm.evaluation.models import SetResult

    xa = User.objects.get(username="admin")
    unit = demo["07408"]
    for period in ("2024Q4", "2025Q1"):
        value_record(
            user=xa, unit=unit, criteria_set=small_set, code="1.1", period=period, value="10"
        )

    def indicators_judged(period):
        result = SetResult.objects.get(unit=unit, criteria_set=small_set, period=period)
        return {i["code"] for c in result.explanation["criteria"] for i in c["indicators"]}

    assert "1.1" in indicators_judged("2025Q1")
    response = _post(admin, small_set, op="indicator_retire", code="1.1", retired_from="2025-01-01")
    assert response.status_code == 302
    indicator = Indicator.objects.get(criteria_set=small_set, code="1.1")
    assert indicator.retired_from == dt.date(2025, 1, 1)
    # Results are refreshed by the workers' marks; run them as a worker would.
    from ntm.evaluation.services import refresh_stale

    refresh_stale()
    assert "1.1" in indicators_judged("2024Q4")
    assert "1.1" not in indicators_judged("2025Q1")
    change = small_set.changes.get(action="retired")
    assert "01/01/2025" in change.lines[0] and change.user.username == "admin"
    # A wrong date is refused with a message; an empty one brings it back.
    _post(admin, small_set, op="indicator_retire", code="1.1", retired_from="31/02/2025")
    indicator.refresh_from_db()
    assert indicator.retired_from == dt.date(2025, 1, 1)
    _post(admin, small_set, op="indicator_retire", code="1.1", retired_from="")
    indicator.refresh_from_db()
    assert indicator.retired_from is None
