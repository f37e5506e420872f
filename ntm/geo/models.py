"""Time-versioned administrative units.

A unit *version* is one (code, name, parent) that held between ``valid_from`` and ``valid_to``
(both inclusive; None means open). Codes are reused across reforms — province 24 was Bắc Giang
and is now Bắc Ninh — so a code alone never identifies a row; (code, valid_from) does.
Subtrees are found by a materialised path of row ids, so a subtree or the ancestors of a unit
cost one query whatever the depth.
"""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ntm.core.text import fold


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Province level")
    DISTRICT = 2, _("District level")
    COMMUNE = 3, _("Commune level")
    VILLAGE = 4, _("Village level")


class Kind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("Centrally-run city")
    DISTRICT = "district", _("Rural district")
    URBAN_DISTRICT = "urban_district", _("Urban district")
    TOWN = "town", _("Town")
    PROVINCIAL_CITY = "provincial_city", _("Provincial city")
    COMMUNE = "commune", _("Commune")
    WARD = "ward", _("Ward")
    TOWNSHIP = "township", _("Township")
    SPECIAL_ZONE = "special_zone", _("Special zone")
    VILLAGE = "village", _("Village")
    RESIDENTIAL_GROUP = "residential_group", _("Residential group")


KIND_LEVEL: dict[str, int] = {
    Kind.PROVINCE: Level.PROVINCE,
    Kind.CITY: Level.PROVINCE,
    Kind.DISTRICT: Level.DISTRICT,
    Kind.URBAN_DISTRICT: Level.DISTRICT,
    Kind.TOWN: Level.DISTRICT,
    Kind.PROVINCIAL_CITY: Level.DISTRICT,
    Kind.COMMUNE: Level.COMMUNE,
    Kind.WARD: Level.COMMUNE,
    Kind.TOWNSHIP: Level.COMMUNE,
    Kind.SPECIAL_ZONE: Level.COMMUNE,
    Kind.VILLAGE: Level.VILLAGE,
    Kind.RESIDENTIAL_GROUP: Level.VILLAGE,
}


class Region(models.TextChoices):
    """The seven socio-economic regions used by the 2021–2025 NTM thresholds."""

    TDMNPB = "TDMNPB", _("Northern midlands and mountains")
    DBSH = "DBSH", _("Red River Delta")
    BTB = "BTB", _("North Central Coast")
    DHNTB = "DHNTB", _("South Central Coast")
    TN = "TN", _("Central Highlands")
    DNB = "DNB", _("Southeast")
    DBSCL = "DBSCL", _("Mekong River Delta")


def in_force_q(day: dt.date | None, prefix: str = "") -> Q:
    """Rows in force on ``day`` (None: in force now, i.e. not ended)."""
    if day is None:
        return Q(**{f"{prefix}valid_to__isnull": True})
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


class AdminUnitQuerySet(models.QuerySet["AdminUnit"]):
    def valid_on(self, day: dt.date) -> "AdminUnitQuerySet":
        return self.filter(in_force_q(day))

    def in_force(self, day: dt.date | None) -> "AdminUnitQuerySet":
        return self.filter(in_force_q(day))

    def current(self) -> "AdminUnitQuerySet":
        return self.filter(valid_to__isnull=True)

    def subtree_of(self, unit: "AdminUnit", include_self: bool = True) -> "AdminUnitQuerySet":
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)


class AdminUnit(models.Model):
    code = models.CharField(_("code"), max_length=32, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # ".<root id>.<child id>.…<own id>." — prefix match gives a subtree in one query.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    region = models.CharField(
        _("NTM region"), max_length=8, choices=Region.choices, blank=True, default=""
    )
    search_name = models.CharField(max_length=200, db_index=True, editable=False, default="")
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["search_name", "path"])
    objects = AdminUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "valid_from"], name="geo_unit_code_valid_from_uniq"
            ),
            # NULL valid_from ("since before the records") is one version too; portable partial index.
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(valid_from__isnull=True),
                name="geo_unit_code_first_version_uniq",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="geo_unit_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args: object, **kwargs: object) -> None:
        # Derived columns only; anything with side effects belongs in services.
        self.level = KIND_LEVEL[self.kind]
        self.search_name = fold(f"{self.name} {self.code}")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip(".").split(".") if part][:-1]

    @property
    def depth(self) -> int:
        return len(self.ancestor_ids)

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    def ancestors(self) -> "AdminUnitQuerySet":
        return AdminUnit.objects.filter(pk__in=self.ancestor_ids).order_by("level")

    def is_in_subtree_of(self, other: "AdminUnit") -> bool:
        return bool(other.path) and self.path.startswith(other.path)


class Classification(models.Model):
    """A dated fact about a commune that thresholds depend on (commune group, especially difficult)."""

    class Kind(models.TextChoices):
        COMMUNE_GROUP = "commune_group", _("Commune group (2026–2030)")
        ESPECIALLY_DIFFICULT = "especially_difficult", _("Especially difficult commune")
        REGION = "region", _("NTM region override")

    unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="classifications",
    )
    kind = models.CharField(_("classification"), max_length=30, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=20)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit classification")
        verbose_name_plural = _("unit classifications")
        ordering = ["unit", "kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "valid_from"], name="geo_classification_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_kind_display()} = {self.value}"


class Succession(models.Model):
    """One old unit version continuing (wholly or partly) in a new one."""

    class Kind(models.TextChoices):
        MERGED = "merged", _("merged into")
        UNCHANGED = "unchanged", _("continued unchanged as")
        RENAMED = "renamed", _("renamed to")
        TRANSFERRED = "transferred", _("transferred to")
        SPLIT = "split", _("split, partly into")

    predecessor = models.ForeignKey(
        AdminUnit,
        verbose_name=_("predecessor"),
        on_delete=models.CASCADE,
        related_name="successions_out",
    )
    successor = models.ForeignKey(
        AdminUnit,
        verbose_name=_("successor"),
        on_delete=models.CASCADE,
        related_name="successions_in",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MERGED)
    effective_date = models.DateField(_("effective date"))
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        ordering = ["effective_date", "successor", "predecessor"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="geo_succession_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective_date:%d/%m/%Y})"
