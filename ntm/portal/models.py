"""Citizen feedback on a plan, a work or a criterion, sent without an account.

The name and contact are for the officials who answer only: never shown publicly. The client's
address is kept only as a keyed hash, for rate limiting.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ntm.geo.models import AdminUnit


class FeedbackKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    QUESTION = "question", _("Question")
    PROPOSAL = "proposal", _("Proposal")


class FeedbackStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")


class Feedback(models.Model):
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    plan = models.ForeignKey(
        "planning.Plan", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    work = models.ForeignKey(
        "finance.Work", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    criteria_set = models.ForeignKey(
        "catalog.CriteriaSet", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    criterion_number = models.PositiveSmallIntegerField(_("criterion"), null=True, blank=True)
    # Sent from the public page of a unit that had ended: the message went to its successor
    # (``unit``), which now answers for it; this keeps where the citizen wrote.
    sent_to = models.ForeignKey(
        AdminUnit,
        verbose_name=_("sent to the page of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=FeedbackKind.choices)
    text = models.TextField(_("message"), max_length=2000)
    name = models.CharField(_("name"), max_length=120, blank=True)
    contact = models.CharField(_("phone or e-mail"), max_length=120, blank=True)
    client_hash = models.CharField(max_length=64, db_index=True, editable=False)
    # The form's one-time number: a form is accepted once (replayed posts are refused).
    nonce = models.CharField(max_length=32, unique=True, null=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=FeedbackStatus.choices, default=FeedbackStatus.PENDING
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("citizen feedback")
        verbose_name_plural = _("citizen feedback")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                # One subject at most; none means the unit as a whole.
                condition=(
                    models.Q(
                        plan__isnull=True,
                        work__isnull=True,
                        criteria_set__isnull=True,
                        criterion_number__isnull=True,
                    )
                    | models.Q(plan__isnull=False, work__isnull=True, criteria_set__isnull=True)
                    | models.Q(plan__isnull=True, work__isnull=False, criteria_set__isnull=True)
                    | models.Q(
                        plan__isnull=True,
                        work__isnull=True,
                        criteria_set__isnull=False,
                        criterion_number__isnull=False,
                    )
                ),
                name="portal_feedback_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
