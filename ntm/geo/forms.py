from django import forms
from django.utils.translation import gettext_lazy as _

from ntm.geo.models import Classification, Kind, Region


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )


class SearchForm(AsOfForm):
    q = forms.CharField(label=_("Name or code"), required=False, max_length=100)


class VillageForm(forms.Form):
    name = forms.CharField(
        label=_("Village name"),
        max_length=200,
        help_text=_("Full name with its kind, e.g. “Thôn Cống Phên”."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Kind.VILLAGE, Kind.VILLAGE.label),
            (Kind.RESIDENTIAL_GROUP, Kind.RESIDENTIAL_GROUP.label),
        ],
    )


class ClassificationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Classification"), choices=Classification.Kind.choices)
    value = forms.CharField(
        label=_("Value"),
        max_length=20,
        help_text=_(
            "Commune group: 1, 2 or 3. Especially difficult: yes or no. Region: a region code."
        ),
    )
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if (
            data.get("kind") == Classification.Kind.REGION
            and data.get("value") not in Region.values
        ):
            self.add_error("value", _("Choose one of: %s") % ", ".join(Region.values))
        return data
