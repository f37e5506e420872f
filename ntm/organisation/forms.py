"""Input forms. They parse what people type; the services decide what is allowed."""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ntm.accounts.models import Field, User
from ntm.geo.models import AdminUnit, Level
from ntm.organisation.models import CommitteeKind, MemberRole, OcopProduct, RecipientKind
from ntm.organisation.selectors import account_candidates, shown_date


def _date(label: Any, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.username})"


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdminUnit) -> str:
        return obj.name


def villages_under(unit: AdminUnit, keep: AdminUnit | None = None) -> Any:
    """Villages of the unit in force on the day it is shown, plus the one already chosen."""
    day = shown_date(unit)
    in_force = (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )
    chosen = Q(pk=keep.pk) if keep is not None else Q(pk__in=[])
    return (
        AdminUnit.objects.filter(path__startswith=unit.path, level=Level.VILLAGE)
        .filter(in_force | chosen)
        .order_by("search_name")
    )


class CommitteeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"))
    name = forms.CharField(
        label=_("Name"),
        max_length=300,
        help_text=_("As in the decision, e.g. “Ban Chỉ đạo xây dựng nông thôn mới xã …”."),
    )
    decision_number = forms.CharField(label=_("Decision number"), max_length=100, required=False)
    decision_date = _date(_("Decision date"))
    term_start = _date(_("Term start"))
    term_end = _date(_("Term end"), help_text=_("Leave empty while the committee is in office."))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, unit: AdminUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if unit.level == Level.VILLAGE:
            kinds = [CommitteeKind.VILLAGE_DEVELOPMENT, CommitteeKind.OTHER]
        else:
            kinds = [CommitteeKind.STEERING, CommitteeKind.MANAGEMENT, CommitteeKind.OTHER]
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]  # type: ignore[attr-defined]


class MemberForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    position = forms.CharField(
        label=_("Position"),
        max_length=300,
        required=False,
        help_text=_("E.g. “Chủ tịch UBND xã – Trưởng ban”."),
    )
    role = forms.ChoiceField(
        label=_("Role in the committee"), choices=MemberRole.choices, initial=MemberRole.MEMBER
    )
    account = AccountChoiceField(
        label=_("User account"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("(none)"),
        help_text=_("Optional: the member's account in this system."),
    )
    assigned_fields = forms.MultipleChoiceField(
        label=_("Assigned fields"),
        choices=Field.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    term_start = _date(_("Term start"))
    term_end = _date(_("Term end"))

    def __init__(self, *args: Any, unit: AdminUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = account_candidates(unit)  # type: ignore[attr-defined]


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    start_date = _date(_("Start date"), required=True)
    end_date = _date(_("End date"))
    decision_number = forms.CharField(label=_("Decision number"), max_length=100, required=False)
    decision_date = _date(_("Decision date"))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class AwardForm(forms.Form):
    recipient_kind = forms.ChoiceField(label=_("Recipient kind"), choices=RecipientKind.choices)
    recipient_name = forms.CharField(label=_("Recipient"), max_length=300)
    village = VillageChoiceField(
        label=_("Village"),
        queryset=AdminUnit.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )
    form = forms.CharField(
        label=_("Form of award"), max_length=150, help_text=_("E.g. Giấy khen, Bằng khen.")
    )
    awarded_by = forms.CharField(
        label=_("Awarded by"), max_length=200, help_text=_("E.g. Chủ tịch UBND xã.")
    )
    decision_number = forms.CharField(label=_("Decision number"), max_length=100, required=False)
    decision_date = _date(_("Decision date"))
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, unit: AdminUnit, keep: AdminUnit | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages_under(unit, keep)  # type: ignore[attr-defined]


class OcopProductForm(forms.Form):
    name = forms.CharField(label=_("Product name"), max_length=300)
    producer = forms.CharField(
        label=_("Producer"),
        max_length=300,
        help_text=_("Name of the cooperative, household or enterprise."),
    )
    village = VillageChoiceField(
        label=_("Village"),
        queryset=AdminUnit.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )
    stars = forms.TypedChoiceField(
        label=_("Star rating"), choices=OcopProduct.Stars.choices, coerce=int
    )
    certification_number = forms.CharField(
        label=_("Certification decision number"), max_length=100, required=False
    )
    certification_date = _date(_("Certification date"), required=True)
    expiry_date = _date(
        _("Expiry date"), required=True, help_text=_("As written on the certificate.")
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, unit: AdminUnit, keep: AdminUnit | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages_under(unit, keep)  # type: ignore[attr-defined]
