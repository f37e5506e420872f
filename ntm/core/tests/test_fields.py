import pytest
from django import forms

from ntm.core.fields import JSONTextField


@pytest.mark.django_db
def test_a_result_explanation_is_stored_as_compact_text_and_read_back_as_json():
    from django.core.management import call_command
    from django.db import connection

    from ntm.demo.loader import load_demo
    from ntm.evaluation.models import SetResult

    load_demo(with_values=True)
    call_command("evaluate", verbosity=0)

    result = next(r for r in SetResult.stored.order_by("pk") if r.detail)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT detail FROM {SetResult._meta.db_table} WHERE id = %s", [result.pk])
        (raw,) = cursor.fetchone()
    assert isinstance(raw, str)  # text on PostgreSQL too: never parsed by the database
    assert result.detail["v"] == 2 and result.explanation["criteria"]
    SetResult.stored.filter(pk=result.pk).update(detail={"v": 1, "criteria": ["Đạt"]})
    assert SetResult.stored.get(pk=result.pk).detail == {"v": 1, "criteria": ["Đạt"]}


def test_the_field_refuses_text_that_is_not_json_and_prints_json():
    field = JSONTextField()
    assert field.to_python('{"a": [1, "ư"]}') == {"a": [1, "ư"]}
    with pytest.raises(forms.ValidationError):
        field.to_python("{not json")
    assert field.get_prep_value({"a": "ư"}) == '{"a":"ư"}'
    assert field.get_prep_value(None) is None
    assert isinstance(field.formfield(), forms.JSONField)
