import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import formats, translation

from ntm.geo.forms import AsOfForm


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_model_has_a_working_admin_list_and_add_page(persona, client, model, rf):
    user = persona("admin")
    opts = model._meta
    assert (
        client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code
        == 200
    )
    # Some records are never added by hand (API tokens: their owner creates them so the key is
    # shown once; task results: the queue writes them); their add page must then be refused.
    request = rf.get("/")
    request.user = user
    addable = admin.site._registry[model].has_add_permission(request)
    expected = 200 if addable else 403
    assert (
        client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == expected
    )


def test_every_project_model_is_registered_in_the_admin():
    from django.apps import apps

    ours = [
        m
        for m in apps.get_models()
        if m.__module__.startswith("ntm.") and not m.__name__.startswith("Historical")
    ]
    assert [m.__name__ for m in ours if m not in admin.site._registry] == []


def test_dates_are_typed_and_shown_day_first_in_vietnamese():
    with translation.override("vi"):
        form = AsOfForm({"as_of": "04/03/2024"})
        assert form.is_valid() and form.cleaned_data["as_of"] == dt.date(2024, 3, 4)
        assert formats.date_format(dt.date(2024, 3, 4), "SHORT_DATE_FORMAT") == "04/03/2024"


def test_numbers_are_grouped_the_vietnamese_way():
    with translation.override("vi"):
        assert (
            formats.number_format(Decimal("1234.5"), 1, use_l10n=True, force_grouping=True)
            == "1.234,5"
        )
