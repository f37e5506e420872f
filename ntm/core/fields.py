"""Model fields shared by the apps."""

import json
from typing import Any

from django import forms
from django.db import models


class JSONTextField(models.TextField):
    """A JSON document kept as its text: written and read whole, never queried inside.

    On PostgreSQL a ``jsonb`` column parses and re-encodes every document it stores; for the
    results' explanations (about 3 KB each, rewritten by the thousand) that was most of the
    cost of writing them: 0.33 s against 0.015 s for 4,000. SQLite keeps JSON as text anyway.
    Reads give the Python value, as ``JSONField`` does.
    """

    # For django-stubs: the attribute holds any JSON value, not the text it is stored as.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else json.loads(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)

    def formfield(self, **kwargs: Any) -> Any:
        return super(models.TextField, self).formfield(**{"form_class": forms.JSONField, **kwargs})
