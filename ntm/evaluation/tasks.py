"""Background work (Django tasks): each takes ids and calls one service."""

from django.tasks import task

from ntm.catalog.models import CriteriaSet
from ntm.evaluation.services import dependants_of, evaluate_units
from ntm.geo.models import AdminUnit


@task
def refresh_set(criteria_set_id: int) -> int:
    """Re-evaluate every unit with values for a set (and the sets that need it) after its
    thresholds changed. A province's localisation re-evaluates that province's units only."""
    criteria_set = CriteriaSet.objects.select_related("localises", "province").get(
        pk=criteria_set_id
    )
    family = criteria_set.family
    units = AdminUnit.objects.filter(data_values__criteria_set=family).distinct()
    if criteria_set.province is not None and criteria_set.localises is not None:
        units = units.filter(path__startswith=criteria_set.province.path)
    units_list = list(units)
    stored = 0
    for chunk_start in range(0, len(units_list), 2000):
        chunk = units_list[chunk_start : chunk_start + 2000]
        for each in [family, *dependants_of(family)]:
            stored += evaluate_units(units=chunk, family=each)
    return stored


@task
def refresh_unit(unit_id: int) -> None:
    from ntm.evaluation.services import refresh

    refresh(unit=AdminUnit.objects.get(pk=unit_id))
