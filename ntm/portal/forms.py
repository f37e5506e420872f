"""The citizen's feedback form, with spam protection that needs no third party: a honeypot field
people never see, and a signed timestamp proving the form was open for a few seconds."""

import secrets
import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from ntm.portal.models import FeedbackKind, FeedbackStatus

SALT = "ntm.portal.feedback"
MAX_AGE = 6 * 3600  # a form older than this is refused: reload the page


def min_fill_seconds() -> float:
    return float(getattr(settings, "PORTAL_FEEDBACK_MIN_SECONDS", 3))


def form_token(at: float | None = None) -> str:
    """When the form was opened, and a one-time number: a form is sent once (a robot that
    reads the page once cannot post it again and again)."""
    return signing.dumps(
        {"t": int(at if at is not None else time.time()), "n": secrets.token_urlsafe(12)},
        salt=SALT,
    )


class SpamRefused(forms.ValidationError):
    pass


class FeedbackForm(forms.Form):
    subject = forms.ChoiceField(label=_("About"), required=True)
    kind = forms.ChoiceField(label=_("Kind"), choices=FeedbackKind.choices)
    text = forms.CharField(
        label=_("Your message"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=120, required=False)
    contact = forms.CharField(
        label=_("Phone or e-mail (optional)"),
        max_length=120,
        required=False,
        help_text=_(
            "Your name and contact are seen only by the officials who answer; "
            "they are never published."
        ),
    )
    # The honeypot: hidden from people by CSS, filled by robots.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput)
    nonce = ""  # the form's one-time number, once ``spam_reason`` has read it

    def __init__(self, *args: Any, subjects: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.subjects = dict(subjects)
        subject = self.fields["subject"]
        assert isinstance(subject, forms.ChoiceField)
        subject.choices = subjects
        if len(subjects) == 1:
            self.fields["subject"].widget = forms.HiddenInput()
        if not self.is_bound:
            self.initial["started"] = form_token()
            self.initial.setdefault("subject", subjects[0][0] if subjects else "")

    def spam_reason(self) -> str | None:
        """Why the submission looks automated, or None. Checked before anything is stored."""
        if self.data.get("website"):
            return str(_("Your message looks automated and was not sent."))
        try:
            token = signing.loads(self.data.get("started", ""), salt=SALT, max_age=MAX_AGE)
            started, self.nonce = float(token["t"]), str(token["n"])
        except (signing.BadSignature, TypeError, KeyError, ValueError):
            return str(_("This form has expired. Reload the page and write your message again."))
        if time.time() - started < min_fill_seconds():
            return str(
                _(
                    "Your message was sent too quickly to be from a person. Wait a moment and send it again."
                )
            )
        return None


class ModerationForm(forms.Form):
    status = forms.ChoiceField(label=_("Decision"), choices=FeedbackStatus.choices)
    answer = forms.CharField(
        label=_("Public answer"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
