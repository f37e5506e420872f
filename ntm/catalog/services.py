"""Writes on the catalog: a province localises a national set and edits its thresholds."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.accounts.permissions import Action, require
from ntm.catalog.models import (
    CriteriaSet,
    Criterion,
    DataElement,
    Indicator,
    SetChange,
    Threshold,
)
from ntm.engine.model import Kind
from ntm.engine.values import ValueError_, parse_number, parse_value
from ntm.geo.models import AdminUnit, Level


class CatalogEditError(ValueError):
    pass


def _normalise(indicator: Indicator, value: str) -> str:
    text = value.strip()
    if indicator.kind == Kind.PASS_FAIL:
        try:
            return "true" if parse_value(text, Kind.PASS_FAIL) else "false"
        except ValueError_ as exc:
            raise CatalogEditError(_("Enter “đạt” or “không đạt”.")) from exc
    if indicator.kind == Kind.LEVEL:
        if text not in indicator.levels:
            raise CatalogEditError(_("Choose one of: %s") % ", ".join(indicator.levels))
        return text
    try:
        number = parse_number(text)
    except (ValueError, InvalidOperation) as exc:
        raise CatalogEditError(_("Enter a number.")) from exc
    if indicator.kind == Kind.PERCENT and not Decimal(0) <= number <= Decimal(100):
        raise CatalogEditError(_("A percentage is between 0 and 100."))
    return format(number.normalize(), "f")


@transaction.atomic
def threshold_set(
    *,
    user: Any,
    indicator: Indicator,
    value: str,
    region: str = "",
    commune_group: str = "",
    year: int | None = None,
    source: str,
    verified: bool = False,
    reason: str,
) -> Threshold:
    """A province admin sets a threshold of their province's set; the old version is kept."""
    criteria_set = indicator.criteria_set
    if criteria_set.province is None:
        raise CatalogEditError(
            _(
                "National sets change only by loading a new legal text; "
                "localise the set for your province first."
            )
        )
    require(user, Action.CONFIGURE_CRITERIA, criteria_set.province)
    if criteria_set.illustrative and verified:
        raise CatalogEditError(_("An illustrative set cannot have verified thresholds."))
    if not source.strip():
        raise CatalogEditError(_("Name the legal basis or source of the threshold."))
    if not reason.strip():
        raise CatalogEditError(_("Say why the threshold changes."))
    normalised = _normalise(indicator, value)
    now = timezone.now()
    current = indicator.thresholds.filter(
        superseded_at__isnull=True, region=region, commune_group=commune_group, year=year
    ).first()
    if current is not None:
        if (current.value, current.source, current.verified) == (normalised, source, verified):
            return current
        current.superseded_at = now
        current.superseded_by = user
        current.save(update_fields=["superseded_at", "superseded_by"])
    criteria_set.bump_version()
    return Threshold.objects.create(
        indicator=indicator,
        region=region,
        commune_group=commune_group,
        year=year,
        value=normalised,
        source=source.strip(),
        verified=verified,
        created_by=user,
        change_reason=reason.strip(),
    )


@transaction.atomic
def threshold_remove(*, user: Any, threshold: Threshold, reason: str) -> None:
    criteria_set = threshold.indicator.criteria_set
    if criteria_set.province is None:
        raise CatalogEditError(_("National sets change only by loading a new legal text."))
    require(user, Action.CONFIGURE_CRITERIA, criteria_set.province)
    if not reason.strip():
        raise CatalogEditError(_("Say why the threshold is removed."))
    threshold.superseded_at = timezone.now()
    threshold.superseded_by = user
    threshold.change_reason = threshold.change_reason or ""
    threshold.save(update_fields=["superseded_at", "superseded_by"])
    criteria_set.bump_version()


@transaction.atomic
def set_localise(
    *, user: Any, national: CriteriaSet, province: AdminUnit, legal_basis: str, code: str = ""
) -> CriteriaSet:
    """Copy a national set for a province: same criteria and indicators, thresholds to adjust."""
    require(user, Action.CONFIGURE_CRITERIA, province)
    if province.level != Level.PROVINCE:
        raise CatalogEditError(_("Only a province localises a criteria set."))
    if national.localises_id:
        raise CatalogEditError(_("Localise the national set, not another province's copy."))
    if national.localisations.filter(province=province).exists():
        raise CatalogEditError(
            _("%(province)s already has its version of this set.") % {"province": province.name}
        )
    if not legal_basis.strip():
        raise CatalogEditError(_("Name the province's decision (legal basis)."))
    copy = CriteriaSet.objects.create(
        code=code or f"{national.code}-{province.code}",
        name_vi=f"{national.name_vi} — {province.name}",
        name_en=f"{national.name_en} — {province.name}" if national.name_en else "",
        level=national.level,
        legal_basis=legal_basis.strip(),
        valid_from=national.valid_from,
        valid_to=national.valid_to,
        threshold_axis=national.threshold_axis,
        prerequisite=national.prerequisite,
        localises=national,
        province=province,
        illustrative=national.illustrative,
        verified=national.verified,
        source=national.source,
        note=national.note,
    )
    for element in national.data_elements.all():
        DataElement.objects.create(
            criteria_set=copy,
            code=element.code,
            name_vi=element.name_vi,
            name_en=element.name_en,
            unit=element.unit,
            kind=element.kind,
        )
    for criterion in national.criteria.prefetch_related("indicators__thresholds"):
        new_criterion = Criterion.objects.create(
            criteria_set=copy,
            number=criterion.number,
            name_vi=criterion.name_vi,
            name_en=criterion.name_en,
            group_code=criterion.group_code,
            group_name_vi=criterion.group_name_vi,
            group_name_en=criterion.group_name_en,
            field=criterion.field,
            key=criterion.key,
            verified=criterion.verified,
        )
        for indicator in criterion.indicators.all():
            new_indicator = Indicator.objects.create(
                criteria_set=copy,
                criterion=new_criterion,
                code=indicator.code,
                content_vi=indicator.content_vi,
                content_en=indicator.content_en,
                kind=indicator.kind,
                unit=indicator.unit,
                direction=indicator.direction,
                formula=indicator.formula,
                decimals=indicator.decimals,
                levels=indicator.levels,
                verified=indicator.verified,
                position=indicator.position,
            )
            for t in indicator.thresholds.all():
                if t.superseded_at is None:
                    Threshold.objects.create(
                        indicator=new_indicator,
                        region=t.region,
                        commune_group=t.commune_group,
                        year=t.year,
                        value=t.value,
                        reference_set=t.reference_set,
                        reference_indicator=t.reference_indicator,
                        reference_factor=t.reference_factor,
                        source=t.source,
                        verified=t.verified,
                        created_by=user,
                        change_reason=_("copied from the national set"),
                    )
    return copy


def change_record(
    *, criteria_set: CriteriaSet, user: Any, action: str, lines: list[str], via: str = ""
) -> SetChange:
    """The set's history: one row per change, whoever made it and however (web, command)."""
    return SetChange.objects.create(
        criteria_set=criteria_set,
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        lines=[str(line) for line in lines],
        via=via[:200],
    )
