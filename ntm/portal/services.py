"""Writes of the portal: a citizen's feedback (rate limited per client) and its moderation."""

import datetime as dt
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.accounts.permissions import Action, can
from ntm.geo.models import AdminUnit
from ntm.geo.selectors import successor_in_force
from ntm.portal.models import Feedback, FeedbackStatus

RATE_LIMIT = 5  # messages per client address …
RATE_WINDOW = dt.timedelta(minutes=10)  # … within this window


class FeedbackRefused(Exception):
    """A submission or moderation that is not accepted, with a message for people."""


def client_hash(ip: str) -> str:
    """A keyed hash of the client address: enough to count, useless to identify."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"portal-feedback:{ip}".encode(), hashlib.sha256).hexdigest()


def can_moderate(user: Any, unit: Any) -> bool:
    return can(user, Action.MODERATE, unit)


def today() -> dt.date:
    return timezone.localdate()


def answering_unit(unit: AdminUnit) -> AdminUnit:
    """Who answers a message sent to this unit's page: the unit itself, or, once it has ended
    (the 2025 mergers), the one unit in force that it became — its officials read their own
    queue, not the ended unit's. A unit split in several keeps its messages."""
    return successor_in_force(unit, today()) or unit


@transaction.atomic
def feedback_submit(
    *,
    unit: Any,
    kind: str,
    text: str,
    client_ip: str,
    name: str = "",
    contact: str = "",
    plan: Any = None,
    work: Any = None,
    criteria_set: Any = None,
    criterion_number: int | None = None,
    nonce: str | None = None,
) -> Feedback:
    """``nonce``: the form's one-time number; a form sent again is refused."""
    digest = client_hash(client_ip)
    if nonce and Feedback.objects.filter(nonce=nonce).exists():
        raise FeedbackRefused(
            _("This form was sent already. Reload the page to write another message.")
        )
    since = timezone.now() - RATE_WINDOW
    if Feedback.objects.filter(client_hash=digest, created_at__gte=since).count() >= RATE_LIMIT:
        raise FeedbackRefused(
            _(
                "Too many messages from your connection: at most %(n)s in %(m)s minutes. "
                "Please try again later."
            )
            % {"n": RATE_LIMIT, "m": int(RATE_WINDOW.total_seconds() // 60)}
        )
    text = text.strip()
    if not text:
        raise FeedbackRefused(_("Write your message."))
    answering = answering_unit(unit)
    try:
        with transaction.atomic():
            return Feedback.objects.create(
                unit=answering,
                sent_to=unit if answering.pk != unit.pk else None,
                plan=plan,
                work=work,
                criteria_set=criteria_set,
                criterion_number=criterion_number,
                kind=kind,
                text=text,
                name=name.strip(),
                contact=contact.strip(),
                client_hash=digest,
                nonce=nonce or None,
            )
    except IntegrityError as exc:  # the same form sent twice at once
        raise FeedbackRefused(
            _("This form was sent already. Reload the page to write another message.")
        ) from exc


@transaction.atomic
def feedback_moderate(*, user: Any, feedback: Feedback, status: str, answer: str = "") -> Feedback:
    """Publish or reject a message, and give or change the commune's public answer."""
    if not can_moderate(user, feedback.unit):
        raise FeedbackRefused(_("You may not moderate feedback of this unit."))
    if status not in FeedbackStatus.values:
        raise FeedbackRefused(_("Unknown status."))
    now = timezone.now()
    answer = answer.strip()
    if status != feedback.status:
        feedback.status = status
        feedback.moderated_at = now
        feedback.moderated_by = user
    if answer != feedback.answer:
        feedback.answer = answer
        feedback.answered_at = now if answer else None
        feedback.answered_by = user if answer else None
    feedback.save()
    return feedback
