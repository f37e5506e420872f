from django import forms
from django.utils.translation import gettext_lazy as _


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
