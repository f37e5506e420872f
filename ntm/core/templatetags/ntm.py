"""Display helpers shared by pages: statuses, values with Vietnamese number format, thresholds."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

register = template.Library()

STATUS_LABELS = {
    "met": _("met"),
    "not_met": _("not met"),
    "no_data": _("no data"),
    "no_threshold": _("no threshold"),
}


@register.filter
def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


@register.simple_tag
def status_badge(status: str) -> SafeString:
    return format_html(
        '<span class="status status-{}">{}</span>',
        status or "none",
        STATUS_LABELS.get(status, status or "—"),
    )


@register.filter
def value(text: str | None, kind: str = "") -> str:
    """ "85.50" → "85,5"; "true" → "đạt"; pass/fail and levels as words."""
    if text in (None, ""):
        return "—"
    if text == "true":
        return str(_("pass"))
    if text == "false":
        return str(_("fail"))
    try:
        number = Decimal(str(text))
    except (InvalidOperation, ValueError):
        return str(text)
    normal = number.normalize()
    exponent = normal.as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return number_format(normal, decimal_pos=decimals, use_l10n=True, force_grouping=True)


@register.filter
def comparator(direction: str) -> str:
    return "≤" if direction == "lower" else "≥"


@register.simple_tag
def threshold(result: dict | None) -> SafeString:  # type: ignore[type-arg]
    if not result or result.get("threshold") in (None, ""):
        return format_html('<span class="muted">{}</span>', _("no threshold"))
    text = result["threshold"]
    if text in ("true", "false"):
        shown = value(text)
    else:
        shown = f"{comparator(result.get('direction', 'higher'))} {value(text)}"
    if result.get("verified") is False:
        return format_html("{}{}", shown, unverified_mark())
    return format_html("{}", shown)


@register.simple_tag
def unverified_mark() -> SafeString:
    """A discreet mark (the asterisk Biểu 1 prints) on a threshold not confirmed in the legal
    text; the page explains it once (``unverified_note``) instead of a badge on every row."""
    return format_html(
        '<sup class="unverified-mark" title="{}">*<span class="visually-hidden"> {}</span></sup>',
        _("This threshold is not confirmed in the legal text."),
        _("unverified"),
    )


@register.inclusion_tag("core/_unverified_note.html")
def unverified_note() -> dict[str, object]:
    return {}


@register.filter
def dictget(mapping: dict | None, key: str) -> object:  # type: ignore[type-arg]
    return (mapping or {}).get(key, [])


TARGET_LABELS = {
    "achieved": (_("achieved"), "met"),
    "on_track": (_("on track"), "on_track"),
    "at_risk": (_("at risk"), "at_risk"),
    "missed": (_("missed"), "not_met"),
    "no_data": (_("no data"), "no_data"),
}


@register.simple_tag
def target_badge(status: str) -> SafeString:
    label, css = TARGET_LABELS.get(status, (status, "none"))
    return format_html('<span class="status status-{}">{}</span>', css, label)


@register.filter
def observed(text: str | None) -> str:
    """A target's observed value: a status word, a count ("13/19") or a number."""
    if text in STATUS_LABELS:
        return str(STATUS_LABELS[text])
    if text and "/" in text:
        return text
    return value(text)
