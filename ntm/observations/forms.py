from django import forms
from django.utils.translation import gettext_lazy as _

from ntm.core.uploads import TableUploadForm


class ValueForm(forms.Form):
    value = forms.CharField(label=_("Value"), max_length=100)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, image or office document, at most 10 MB)"))


class ImportForm(TableUploadForm):
    file = forms.FileField(
        label=_("Values file (CSV or XLSX: unit, set, code, period, value, note)")
    )


class ExportForm(forms.Form):
    set = forms.ChoiceField(label=_("Criteria set"), required=False)
    format = forms.ChoiceField(
        label=_("Format"), choices=[("xlsx", "Excel (XLSX)"), ("csv", "CSV")]
    )

    def __init__(self, *args: object, sets: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["set"].choices = [("", _("All sets")), *sets]  # type: ignore[attr-defined]
