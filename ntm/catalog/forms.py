from django import forms
from django.utils.translation import gettext_lazy as _

from ntm.geo.models import Region


class ThresholdForm(forms.Form):
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        choices=[("", _("General (all regions)")), *Region.choices],
    )
    commune_group = forms.ChoiceField(
        label=_("Commune group"),
        required=False,
        choices=[("", _("All groups")), ("1", "1"), ("2", "2"), ("3", "3")],
    )
    year = forms.IntegerField(
        label=_("Year (only if the law varies by year)"),
        required=False,
        min_value=2000,
        max_value=2100,
    )
    value = forms.CharField(
        label=_("Threshold"),
        max_length=100,
        help_text=_("A number (80 or 99,7), or “đạt” for a requirement."),
    )
    source = forms.CharField(label=_("Legal basis or source"), max_length=500)
    verified = forms.BooleanField(label=_("Verified against the legal text"), required=False)
    reason = forms.CharField(label=_("Reason for the change"), max_length=500)


class LocaliseForm(forms.Form):
    legal_basis = forms.CharField(label=_("Province's decision (legal basis)"), max_length=500)


class UploadSetForm(forms.Form):
    file = forms.FileField(label=_("Criteria set file (XLSX, CSV or YAML, see the format guide)"))

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".yaml", ".yml", ".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx, .csv or .yaml file."))
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload
