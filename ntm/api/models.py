"""Personal API tokens and the mapping of our codes to a DHIS2 instance's identifiers."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ntm.catalog.models import CriteriaSet
from ntm.geo.models import AdminUnit
from ntm.observations.models import DataValue

# DHIS2 UIDs: 11 characters, a letter first, then letters and digits.
DHIS2_UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")


class ApiToken(models.Model):
    """A secret a script presents as ``Authorization: Bearer ntm_<prefix>_<secret>``.

    Only the SHA-256 of the whole key is stored: the key is shown once, when created. The token
    acts with its user's memberships; a read-only token cannot write whatever the user may do.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    read_only = models.BooleanField(_("read only"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} (ntm_{self.prefix}…)"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class Dhis2Kind(models.TextChoices):
    UNIT = "unit", _("Organisation unit")
    ELEMENT = "element", _("Data element (indicator or data element of a set)")
    DATASET = "dataset", _("Data set (a criteria set)")


class Dhis2Mapping(models.Model):
    """One of our units, or one (set, code), and the DHIS2 object it is exchanged as.

    Units map to organisation units; a set's indicator or data element maps to a DHIS2 data
    element, optionally with a category option combo (disaggregation) when DHIS2 holds it so;
    a set may map to a DHIS2 data set (for the ``dataSet`` of an export).
    """

    kind = models.CharField(_("kind"), max_length=10, choices=Dhis2Kind.choices)
    unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    criteria_set = models.ForeignKey(
        CriteriaSet,
        verbose_name=_("criteria set"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    code = models.CharField(_("indicator or data element"), max_length=60, blank=True)
    dhis2_id = models.CharField(_("DHIS2 UID"), max_length=11)
    dhis2_code = models.CharField(_("DHIS2 code"), max_length=50, blank=True)
    category_option_combo = models.CharField(
        _("category option combo UID"), max_length=11, blank=True
    )

    class Meta:
        verbose_name = _("DHIS2 mapping")
        verbose_name_plural = _("DHIS2 mappings")
        ordering = ["kind", "dhis2_id", "category_option_combo"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "dhis2_id", "category_option_combo"], name="api_dhis2_id_uniq"
            ),
            models.UniqueConstraint(
                fields=["unit"], condition=models.Q(kind="unit"), name="api_dhis2_unit_uniq"
            ),
            models.UniqueConstraint(
                fields=["criteria_set", "code"],
                condition=models.Q(kind="element"),
                name="api_dhis2_element_uniq",
            ),
            models.UniqueConstraint(
                fields=["criteria_set"],
                condition=models.Q(kind="dataset"),
                name="api_dhis2_dataset_uniq",
            ),
        ]

    def __str__(self) -> str:
        ours = self.unit.code if self.unit_id and self.unit else f"{self.criteria_set} {self.code}"
        return f"{ours} → {self.dhis2_id}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not DHIS2_UID.match(self.dhis2_id or ""):
            errors["dhis2_id"] = str(_("A DHIS2 UID is 11 letters and digits, a letter first."))
        if self.category_option_combo and not DHIS2_UID.match(self.category_option_combo):
            errors["category_option_combo"] = str(
                _("A DHIS2 UID is 11 letters and digits, a letter first.")
            )
        if self.kind == Dhis2Kind.UNIT and (self.unit_id is None or self.criteria_set_id):
            errors["unit"] = str(_("An organisation unit mapping names a unit and no set."))
        if self.kind == Dhis2Kind.ELEMENT and (
            self.criteria_set_id is None or not self.code or self.unit_id
        ):
            errors["code"] = str(_("A data element mapping names a set and a code, no unit."))
        if self.kind == Dhis2Kind.DATASET and (
            self.criteria_set_id is None or self.code or self.unit_id
        ):
            errors["set"] = str(_("A data set mapping names a set, no code and no unit."))
        if errors:
            raise ValidationError(errors)


class Dhis2FollowUp(models.Model):
    """A value DHIS2 marked for follow-up (its ``followup`` flag). Our values have no such field,
    and a follow-up mark changes no result: kept here so that it survives an exchange."""

    value = models.OneToOneField(
        DataValue, verbose_name=_("data value"), on_delete=models.CASCADE, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"), auto_now=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("DHIS2 follow-up mark")
        verbose_name_plural = _("DHIS2 follow-up marks")

    def __str__(self) -> str:
        return f"{self.value_id} followup"
