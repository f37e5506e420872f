from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ntm.catalog.models import CriteriaSet, SetLevel
from ntm.decisions.models import Scenario
from ntm.geo.models import AdminUnit, Level


def national_sets(unit: AdminUnit) -> QuerySet[CriteriaSet]:
    level = SetLevel.VILLAGE if unit.level == Level.VILLAGE else SetLevel.COMMUNE
    return CriteriaSet.objects.filter(localises__isnull=True, level=level).order_by(
        "-valid_from", "code"
    )


VALUES_HELP = _("One per line: code = value, e.g. “8.4 = đạt” or “17.1 = 62,5”.")


class ScenarioForm(forms.Form):
    name = forms.CharField(label=_("Scenario name"), max_length=200)
    criteria_set = forms.ModelChoiceField(label=_("Criteria set"), queryset=CriteriaSet.objects)
    base_period = forms.CharField(
        label=_("Base period"), max_length=20, help_text=_("e.g. 2024Q4, 2024H2, 2024")
    )
    source = forms.ChoiceField(label=_("Built from"), choices=Scenario.Source.choices)
    values = forms.CharField(
        label=_("Values (typed scenarios)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=VALUES_HELP,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: object, unit: AdminUnit, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["criteria_set"].queryset = national_sets(unit)  # type: ignore[attr-defined]


class ScenarioValuesForm(forms.Form):
    values = forms.CharField(
        label=_("Scenario values"), widget=forms.Textarea(attrs={"rows": 6}), help_text=VALUES_HELP
    )


class GapCostForm(forms.Form):
    indicator_code = forms.CharField(label=_("Indicator"), max_length=20)
    cost = forms.CharField(label=_("Cost (VND)"), max_length=30)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class CheapestForm(forms.Form):
    target = forms.IntegerField(
        label=_("Criteria met to reach"), required=False, min_value=1, max_value=99
    )
    criteria = forms.CharField(
        label=_("Or these criteria (numbers)"),
        required=False,
        max_length=100,
        help_text=_("e.g. 8, 17"),
    )
    budget = forms.CharField(label=_("Or a budget (VND)"), required=False, max_length=30)
    key_criteria = forms.BooleanField(
        label=_("Meet the key criteria of the revocation rule too"), required=False
    )

    def clean_criteria(self) -> list[int]:
        text = self.cleaned_data["criteria"].replace(";", ",")
        try:
            return sorted({int(part) for part in text.split(",") if part.strip()})
        except ValueError:
            raise forms.ValidationError(_("Write criterion numbers, e.g. 8, 17.")) from None


class AllocationForm(forms.Form):
    budget = forms.CharField(label=_("Budget for the year (VND)"), max_length=30)
    target = forms.IntegerField(
        label=_("Criteria met to reach"),
        required=False,
        min_value=1,
        max_value=99,
        help_text=_("Empty: every criterion of the set (the standard)."),
    )
