from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ntm.core.uploads import TABLES, UploadError, check_upload
from ntm.geo.groups import CommuneGroup, GroupRow, group_in_force
from ntm.geo.models import Classification, Kind, Region

MAX_TABLE_BYTES = 2 * 2**20


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


class CommuneGroupsForm(forms.Form):
    """One choice per commune (left as it is unless changed) and one date and basis for all
    the changes."""

    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=300,
        help_text=_(
            "The province's decision that sets the groups, e.g. “Quyết định số …/QĐ-UBND”."
        ),
    )

    def __init__(self, *args: Any, communes: list[CommuneGroup], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.communes = communes
        for row in communes:
            self.fields[f"g{row.unit.pk}"] = forms.ChoiceField(
                label=row.unit.name,
                required=False,
                choices=[("", "—"), ("1", "1"), ("2", "2"), ("3", "3")],
                initial=row.current.value if row.current else "",
                # The table's row names the commune; screen readers get it from aria-label.
                widget=forms.Select(attrs={"aria-label": row.unit.name}),
            )

    def group_fields(self) -> list[tuple[CommuneGroup, forms.BoundField]]:
        return [(row, self[f"g{row.unit.pk}"]) for row in self.communes]

    def group_rows(self) -> list[GroupRow]:
        day = self.cleaned_data["valid_from"]
        chosen = {
            row.unit.pk: (row.unit, self.cleaned_data.get(f"g{row.unit.pk}") or "")
            for row in self.communes
        }
        before = group_in_force(list(chosen), day)
        return [
            GroupRow(
                0,
                unit,
                group,
                day,
                self.cleaned_data["legal_basis"],
                before[pk].value if pk in before else "",
            )
            for pk, (unit, group) in chosen.items()
            if group
        ]


class GroupsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("Columns: commune code, group (1, 2 or 3), valid from, legal basis."),
    )

    def clean_file(self) -> dict[str, Any]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_TABLE_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)d MB.") % {"mb": 2})
        content = upload.read()
        try:
            checked = check_upload(upload.name, content, allowed=TABLES, max_bytes=MAX_TABLE_BYTES)
        except UploadError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return {"name": checked.name, "content": content}
