from django import forms
from django.utils.translation import gettext_lazy as _

from ntm.geo.models import Kind


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
