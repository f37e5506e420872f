from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ntm.core.uploads import TableUploadForm
from ntm.core.versions import VersionedForm, version_of
from ntm.finance.models import (
    CASH_SOURCES,
    QUANTITY_SOURCES,
    QUANTITY_UNITS,
    BudgetLine,
    ContributionKind,
    ContributorKind,
    RateKind,
    SourceKind,
    Work,
    WorkProgress,
)
from ntm.finance.money import MoneyError, parse_quantity, parse_vnd
from ntm.geo.models import AdminUnit, Level

DATE = forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
CASH_CHOICES = [(k.value, k.label) for k in SourceKind if k in CASH_SOURCES]


class MoneyField(forms.CharField):
    """Whole dong as officials type them: 1.250.000, 1 250 000 or 1250000."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("VND, whole dong (e.g. 1.250.000)"))
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off", "maxlength": 30})

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_vnd(text)
        except MoneyError as exc:
            raise forms.ValidationError(
                _("Enter a whole number of dong (no fractional digits), not negative.")
            ) from exc


class QuantityField(forms.CharField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "maxlength": 20})

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_quantity(text)
        except MoneyError as exc:
            raise forms.ValidationError(_("Enter a quantity of at most two decimals.")) from exc


class WorkForm(VersionedForm):
    class Meta:
        model = Work
        fields = [
            "kind",
            "name",
            "length_km",
            "criterion_number",
            "indicator_code",
            "latitude",
            "longitude",
            "decision_number",
            "contractor",
            "start",
            "finish",
            "status",
            "feeds_set",
            "feeds_code",
            "quantity",
        ]
        widgets = {"start": DATE, "finish": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["latitude"].widget.attrs["inputmode"] = "decimal"
        self.fields["longitude"].widget.attrs["inputmode"] = "decimal"
        self.fields["quantity"].widget.attrs["inputmode"] = "decimal"
        self.fields["quantity"].help_text = _(
            "When finished, the work adds this to the indicator or data element it feeds."
        )

    def validate_unique(self) -> None:
        pass  # the service says it in words (unit is not a form field)

    def version(self) -> str:
        """The work and its budget lines (edited on the same page)."""
        lines = BudgetLine.history.filter(work_id=self.instance.pk).order_by("-history_id")
        latest = lines.values_list("history_id", flat=True).first()
        return f"{version_of(self.instance)}:{latest or ''}"


class BudgetForm(forms.Form):
    """One input per source: VND for money and materials, a quantity for labour days and land."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for source in SourceKind:
            if source in QUANTITY_SOURCES:
                self.fields[source.value] = QuantityField(
                    label=f"{source.label} ({QUANTITY_UNITS[source]})", required=False
                )
            else:
                self.fields[source.value] = MoneyField(
                    label=f"{source.label} (VND)", required=False, help_text=""
                )


class WorkProgressForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    percent = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.FileField(
        label=_("Photo (PNG or JPEG, at most 10 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    photo_stage = forms.ChoiceField(
        label=_("The photo shows"),
        required=False,
        choices=WorkProgress.Stage.choices,
        initial=WorkProgress.Stage.AFTER,
    )


class DisbursementForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=CASH_CHOICES)
    amount = MoneyField(label=_("Amount (VND)"))
    date = forms.DateField(label=_("Date"), widget=DATE)
    document = forms.CharField(label=_("Voucher or document"), required=False, max_length=100)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class AllocationForm(forms.Form):
    village = forms.ModelChoiceField(label=_("Village"), queryset=AdminUnit.objects.none())
    source = forms.ChoiceField(label=_("Source"), choices=CASH_CHOICES)
    amount = MoneyField(label=_("Amount (VND)"))
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    decision_number = forms.CharField(label=_("Decision"), required=False, max_length=100)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, commune: AdminUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = AdminUnit.objects.filter(  # type: ignore[attr-defined]
            path__startswith=commune.path, level=Level.VILLAGE
        ).order_by("code")


class RateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Rate"), choices=RateKind.choices)
    vnd_per_unit = MoneyField(label=_("VND per unit"))
    basis = forms.CharField(label=_("Basis (decision, meeting)"), required=False, max_length=300)


class ContributionForm(forms.Form):
    contributor_kind = forms.ChoiceField(label=_("Contributor"), choices=ContributorKind.choices)
    contributor_name = forms.CharField(label=_("Name"), max_length=200)
    consent_to_publish = forms.BooleanField(
        label=_("Agrees to have the name published"), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ContributionKind.choices)
    quantity = QuantityField(
        label=_("Quantity (labour days or m²)"),
        required=False,
        help_text=_("For labour days and land; the value follows from the commune's rate."),
    )
    value = MoneyField(
        label=_("Value (VND)"),
        required=False,
        help_text=_("For cash and materials."),
    )
    date = forms.DateField(label=_("Date"), widget=DATE)
    work = forms.ModelChoiceField(label=_("Work"), required=False, queryset=Work.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, unit: AdminUnit, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["work"].queryset = Work.objects.filter(  # type: ignore[attr-defined]
            unit__path__startswith=unit.path, year=year
        ).order_by("name")


class ImportForm(TableUploadForm):
    file = forms.FileField(label=_("File (CSV or XLSX)"))
