from django import forms
from django.utils.translation import gettext_lazy as _

from ntm.catalog.models import CriteriaSet
from ntm.core.versions import VersionedForm
from ntm.geo.models import AdminUnit
from ntm.planning.models import Obstacle, Plan, SolutionArea, TargetKind, TargetStatus, Task

DATE = forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})


class PlanForm(VersionedForm):
    class Meta:
        model = Plan
        fields = [
            "year",
            "title",
            "number",
            "issued_on",
            "issuer",
            "signer",
            "legal_basis",
            "purposes",
            "requirements",
            "recipients",
            "status",
        ]
        widgets = {
            "issued_on": DATE,
            **{
                f: forms.Textarea(attrs={"rows": 4})
                for f in ("legal_basis", "purposes", "requirements", "recipients")
            },
        }


class TargetForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TargetKind.choices)
    title = forms.CharField(label=_("Target"), max_length=500)
    criteria_set = forms.ModelChoiceField(
        label=_("Criteria set"),
        required=False,
        queryset=CriteriaSet.objects.filter(localises__isnull=True),
    )
    count = forms.IntegerField(
        label=_("Number of criteria"), required=False, min_value=1, max_value=99
    )
    criterion_number = forms.IntegerField(label=_("Criterion number"), required=False, min_value=1)
    indicator_code = forms.CharField(label=_("Indicator code"), required=False, max_length=20)
    value = forms.DecimalField(
        label=_("Target value"), required=False, max_digits=15, decimal_places=4
    )
    stars = forms.TypedChoiceField(
        label=_("OCOP stars"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (3, "3"), (4, "4"), (5, "5")],
    )
    village = forms.ModelChoiceField(
        label=_("Village"), required=False, queryset=AdminUnit.objects.none()
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)
    manual_status = forms.ChoiceField(
        label=_("Status (qualitative targets only)"),
        required=False,
        choices=[("", "—"), *TargetStatus.choices],
    )
    manual_reason = forms.CharField(
        label=_("Reason for the status"), required=False, max_length=500
    )

    def __init__(self, *args: object, plan: Plan, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["village"].queryset = AdminUnit.objects.filter(  # type: ignore[attr-defined]
            path__startswith=plan.unit.path, level=4
        ).order_by("search_name")


class TaskForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Solution area"), queryset=SolutionArea.objects.none())
    description = forms.CharField(label=_("Task"), widget=forms.Textarea(attrs={"rows": 3}))
    responsible_person = forms.CharField(
        label=_("Responsible person"), required=False, max_length=200
    )
    organisations = forms.MultipleChoiceField(
        label=_("Responsible organisations"),
        required=False,
        choices=Task.Organisation.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    criteria = forms.CharField(
        label=_("Linked criteria (numbers, comma-separated)"), required=False, max_length=100
    )
    start = forms.DateField(label=_("Start"), required=False, widget=DATE)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)

    def __init__(self, *args: object, plan: Plan, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["area"].queryset = plan.areas.all()  # type: ignore[attr-defined]

    def clean_criteria(self) -> list[int]:
        text = self.cleaned_data["criteria"]
        try:
            return sorted({int(x) for x in text.replace(";", ",").split(",") if x.strip()})
        except ValueError as exc:
            raise forms.ValidationError(_("Write criterion numbers separated by commas.")) from exc


class ProgressForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(
        label=_("Attachment (PDF, image, DOCX, XLSX; at most 10 MB)"), required=False
    )


class ObstacleForm(forms.Form):
    description = forms.CharField(label=_("Obstacle"), widget=forms.Textarea(attrs={"rows": 3}))
    task = forms.ModelChoiceField(label=_("Task"), required=False, queryset=Task.objects.none())
    criterion_number = forms.IntegerField(label=_("Criterion"), required=False, min_value=1)
    level = forms.ChoiceField(
        label=_("To be resolved at"), choices=Obstacle.Level.choices, initial=Obstacle.Level.COMMUNE
    )
    raised_on = forms.DateField(label=_("Raised on"), widget=DATE)

    def __init__(self, *args: object, plan: Plan, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["task"].queryset = plan.tasks.all()  # type: ignore[attr-defined]


class ResolveForm(forms.Form):
    resolved_on = forms.DateField(label=_("Resolved on"), widget=DATE)
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 2}))


class SnapshotForm(forms.Form):
    period = forms.CharField(label=_("Period (2024Q1, 2024H1, 2024)"), max_length=7)
