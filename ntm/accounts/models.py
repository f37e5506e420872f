from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ntm.geo.models import AdminUnit


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    position = models.CharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # Demo accounts share a published password; the site shows a banner while any exist.
    is_demo = models.BooleanField(_("demo account"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    PROVINCE_ADMIN = "province_admin", _("Province administrator")
    PROVINCE_APPRAISER = "province_appraiser", _("Province appraiser")
    COMMUNE_MANAGER = "commune_manager", _("Commune manager (management board)")
    SPECIALIST = "specialist", _("Specialist official")
    VILLAGE_HEAD = "village_head", _("Village head")
    FATHERLAND_FRONT = "fatherland_front", _("Fatherland Front")
    VIEWER = "viewer", _("Viewer")


class Field(models.TextChoices):
    """Fields of work a specialist official can be assigned (they own the criteria of that field)."""

    PLANNING = "planning", _("Planning and construction")
    TRANSPORT = "transport", _("Transport and infrastructure")
    AGRICULTURE = "agriculture", _("Agriculture and irrigation")
    ECONOMY = "economy", _("Economy and income")
    CULTURE = "culture", _("Culture and information")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    LABOUR = "labour", _("Labour and social affairs")
    ENVIRONMENT = "environment", _("Natural resources and environment")
    JUSTICE = "justice", _("Justice and administration")
    SECURITY = "security", _("Defence and security")
    FINANCE = "finance", _("Finance and accounting")


class Membership(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    fields = models.JSONField(_("assigned fields"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"], name="accounts_membership_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    @property
    def field_labels(self) -> list[str]:
        """The assigned fields as people read them ("Văn hóa", not "culture")."""
        return [str(Field(f).label) for f in self.fields if f in Field.values]
