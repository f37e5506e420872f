"""No silent overwrite of an edited record (works, plans…): the edit form carries the version
it showed — the record's latest history row (django-simple-history) — and a save made after
someone else's change is refused with what they changed, before → after, who and when. The
form comes back with the person's own values and the new version: saving again keeps theirs,
reloading keeps the other's."""

from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _


class StaleEdit(Exception):
    def __init__(self, lines: list[str], current: str):
        super().__init__("\n".join(lines))
        self.lines = lines
        self.current = current


def version_of(record: models.Model) -> str:
    history = record.history  # type: ignore[attr-defined]
    latest = history.order_by("-history_id").values_list("history_id", flat=True).first()
    return str(latest or "")


def check_version(record: models.Model, based_on: str | None, *, parts: Any = None) -> None:
    """Lock the record's row and refuse (``StaleEdit``) when it changed since ``based_on``.
    None: no check (a form of a page loaded before this existed, commands). ``parts``: a
    function giving the version when it covers more than the record (a work and its budget
    lines); the record's own part comes first."""
    if based_on is None:
        return
    type(record)._default_manager.select_for_update().filter(pk=record.pk).exists()
    current = parts() if parts is not None else version_of(record)
    if current == based_on.strip():
        return
    try:
        read = int(based_on.split(":")[0])
    except ValueError:
        read = 0
    history = record.history  # type: ignore[attr-defined]
    lines = []
    for row in (
        history.filter(history_id__gt=read).order_by("history_id").select_related("history_user")
    ):
        who = row.history_user
        name = (who.get_full_name() or who.get_username()) if who else _("someone")
        when = timezone.localtime(row.history_date).strftime("%H:%M %d/%m/%Y")
        previous = row.prev_record
        changes = row.diff_against(previous).changes if previous is not None else []
        for change in changes:
            field = getattr(
                type(record)._meta.get_field(change.field), "verbose_name", change.field
            )
            lines.append(
                _("%(who)s at %(when)s: %(field)s %(old)s → %(new)s")
                % {
                    "who": name,
                    "when": when,
                    "field": field,
                    "old": change.old or "—",
                    "new": change.new or "—",
                }
            )
    raise StaleEdit(lines or [_("Someone changed this record after you opened it.")], current)


class VersionedForm(forms.ModelForm):
    """A model form that carries ``based_on``; ``refuse_stale`` puts the other person's changes
    on the form and the current version in its data."""

    based_on = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            self.initial["based_on"] = self.version()

    def version(self) -> str:
        """The version the form stands for (the record's; override to cover more)."""
        return version_of(self.instance)

    @property
    def read_version(self) -> str | None:
        """What the page showed (None when the post has no version: no check)."""
        key = self.add_prefix("based_on")
        return self.data.get(key) if key in self.data else None

    def refuse_stale(self, error: StaleEdit) -> None:
        # A QueryDict's copy is mutable and keeps multi-valued fields.
        data = self.data.copy() if hasattr(self.data, "copy") else dict(self.data)
        data[self.add_prefix("based_on")] = error.current
        self.data = data
        self.add_error(
            None,
            _(
                "Someone saved this record after you opened it; your values are kept below. "
                "Their changes:"
            )
            + " "
            + "; ".join(error.lines)
            + " "
            + _("Save again to keep yours, or reload the page to keep theirs."),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned.pop("based_on", None)
        return cleaned
