from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ntm.catalog.models import CriteriaSet
from ntm.geo.models import AdminUnit, Level
from ntm.recognition.models import Purpose, Survey, Workflow

DATE = forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})


def national_sets() -> Any:
    return CriteriaSet.objects.filter(localises__isnull=True, level="commune")


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    criteria_set = forms.ModelChoiceField(
        label=_("National criteria set"), queryset=CriteriaSet.objects.none(), to_field_name="code"
    )
    questions = forms.CharField(
        label=_("Questions (one per line, answered yes or no)"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criteria_set"].queryset = national_sets()  # type: ignore[attr-defined]


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=500)


class VillageForm(forms.Form):
    village = forms.ModelChoiceField(label=_("Village"), queryset=AdminUnit.objects.none())
    households = forms.IntegerField(label=_("Households"), min_value=1)

    def __init__(self, *args: Any, unit: AdminUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = AdminUnit.objects.filter(  # type: ignore[attr-defined]
            parent=unit, level=Level.VILLAGE
        )


class ThresholdForm(forms.Form):
    required_share = forms.DecimalField(
        label=_("Required satisfied share (%)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        help_text=_("Leave empty while no threshold is known: the survey then never passes."),
    )
    source = forms.CharField(label=_("Source of the threshold"), required=False, max_length=300)
    verified = forms.BooleanField(label=_("Verified in law"), required=False)


class BallotForm(forms.Form):
    village = forms.ModelChoiceField(label=_("Village"), queryset=AdminUnit.objects.none())
    household_code = forms.CharField(label=_("Household code"), max_length=40)

    def __init__(
        self, *args: Any, survey: Survey, villages: list[AdminUnit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = AdminUnit.objects.filter(  # type: ignore[attr-defined]
            pk__in=[v.pk for v in villages]
        )
        self.questions = list(survey.questions.all())
        for q in self.questions:
            self.fields[f"q{q.pk}"] = forms.TypedChoiceField(
                label=q.text,
                choices=[("1", _("Satisfied")), ("0", _("Not satisfied"))],
                coerce=lambda v: v == "1",
                widget=forms.RadioSelect,
            )

    def answers(self) -> dict[int, bool]:
        return {q.pk: self.cleaned_data[f"q{q.pk}"] for q in self.questions}


class DossierForm(forms.Form):
    criteria_set = forms.ModelChoiceField(
        label=_("National criteria set"), queryset=CriteriaSet.objects.none(), to_field_name="code"
    )
    workflow = forms.ModelChoiceField(label=_("Workflow"), queryset=Workflow.objects.all())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criteria_set"].queryset = national_sets()  # type: ignore[attr-defined]


class PostingForm(forms.Form):
    place = forms.CharField(label=_("Place"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DATE)


class CommentsForm(forms.Form):
    received = forms.IntegerField(label=_("Comments received"), min_value=0)
    answered = forms.IntegerField(label=_("Comments answered"), min_value=0)


class SurveyLinkForm(forms.Form):
    survey = forms.ModelChoiceField(
        label=_("Satisfaction survey"), queryset=Survey.objects.none(), required=False
    )

    def __init__(self, *args: Any, unit: AdminUnit, set_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = Survey.objects.filter(  # type: ignore[attr-defined]
            unit=unit, set_code=set_code
        )


class VoteForm(forms.Form):
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0)
    total = forms.IntegerField(label=_("Delegates present"), min_value=1)
    date = forms.DateField(label=_("Meeting date"), widget=DATE)


class AppraisalForm(forms.Form):
    notes = forms.CharField(label=_("Appraisal notes"), widget=forms.Textarea(attrs={"rows": 4}))


class DecisionForm(forms.Form):
    number = forms.CharField(label=_("Decision number"), max_length=60)
    date = forms.DateField(label=_("Decision date"), widget=DATE)


class AdvanceForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
