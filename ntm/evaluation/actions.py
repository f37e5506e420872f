"""Every write that changes stored results: the owning app's service, then what it made stale.

Web views, the API, management commands, the importer's callers, finance and the demo call
these, never the lower services directly, so there is one place where results go stale
(zulip's ``zerver/actions``). Two kinds of consequence:

* a change to one unit's data (a value, an import, a classification) refreshes that unit's
  results at once, in the same transaction: the person who saved sees the new result;
* a change to a set (a threshold, a localisation, a loaded file) marks every unit with values
  for it stale and queues ``refresh_stale_results`` on the background backend, whose workers
  share the work in chunks (``services.refresh_stale``).
"""

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from ntm.catalog import editor
from ntm.catalog import services as catalog_services
from ntm.catalog.loader import LoadSummary, export_criteria, load_criteria
from ntm.catalog.models import CriteriaSet, DataElement, Indicator, Threshold
from ntm.catalog.selectors import applicable_set
from ntm.engine.formula import names as formula_names
from ntm.engine.model import Value
from ntm.engine.periods import parse_period
from ntm.engine.values import format_value
from ntm.evaluation.services import (
    Refreshed,
    dependants_of,
    mark_stale,
    refresh,
    refresh_units,
)
from ntm.evaluation.tasks import refresh_stale_results
from ntm.geo import services as geo_services
from ntm.geo.groups import GroupRow
from ntm.geo.models import AdminUnit, Classification, Succession
from ntm.observations import services as observation_services
from ntm.observations.baseline import Derived, Item, Predecessor, derive
from ntm.observations.importers import ImportPreview, import_values
from ntm.observations.models import DataValue, ValueSource


@transaction.atomic
def value_record(
    *,
    user: Any,
    unit: AdminUnit,
    criteria_set: CriteriaSet,
    code: str,
    period: str,
    value: str | Value,
    note: str = "",
    based_on: str | None = None,
) -> tuple[DataValue, bool]:
    """Record a value (``observations.services.value_set``; ``based_on``: the version the
    person read, see there) and refresh the unit's results."""
    record, changed = observation_services.value_set(
        user=user,
        unit=unit,
        criteria_set=criteria_set,
        code=code,
        period=period,
        value=value,
        note=note,
        based_on=based_on,
    )
    if changed:
        refresh(unit=unit, family=criteria_set)
    return record, changed


@transaction.atomic
def value_remove(*, user: Any, value: DataValue) -> None:
    """Delete a draft value and refresh the unit's results."""
    unit, family = value.unit, value.criteria_set
    observation_services.value_clear(user=user, value=value)
    refresh(unit=unit, family=family)


@transaction.atomic
def value_approve(*, user: Any, value: DataValue) -> DataValue:
    """Approve and lock a value; the approved count changes with it."""
    done = observation_services.value_approve(user=user, value=value)
    refresh(unit=value.unit, family=value.criteria_set)
    return done


@transaction.atomic
def value_reopen(*, user: Any, value: DataValue, reason: str) -> DataValue:
    """Reopen an approved value (back to draft): it leaves the approved count."""
    done = observation_services.value_reopen(user=user, value=value, reason=reason)
    refresh(unit=value.unit, family=value.criteria_set)
    return done


@transaction.atomic
def values_approve(
    *, user: Any, unit: AdminUnit, criteria_set: CriteriaSet, period: str
) -> observation_services.Batch:
    """Approve every submitted value of a unit's period, then refresh its results once."""
    batch = observation_services.values_approve(
        user=user, unit=unit, criteria_set=criteria_set, period=period
    )
    if batch.done:
        refresh(unit=unit, family=criteria_set)
    return batch


def values_import(
    source: bytes | IO[bytes] | str | Path,
    *,
    user: Any,
    dry_run: bool = False,
    filename: str = "",
) -> ImportPreview:
    """Import a value file (all rows or none) and refresh the touched units' results in the
    same transaction; ``preview.results`` counts the results in scope."""
    with transaction.atomic():
        preview = import_values(source, user=user, dry_run=dry_run, filename=filename)
        if not dry_run:
            done = Refreshed()
            for family, units in preview.touched:
                done += refresh_units(units=units, families=[family])
            preview.results = done.results
    return preview


def _set_changed(criteria_set: CriteriaSet, reason: str) -> int:
    """Mark the units judged by this set (a localisation: its province's units) stale and queue
    their refresh. Returns the marks written."""
    family = criteria_set.family
    values = DataValue.objects.filter(criteria_set=family)
    if criteria_set.localises_id is not None and criteria_set.province is not None:
        values = values.filter(unit__path__startswith=criteria_set.province.path)
    unit_ids = list(values.order_by().values_list("unit_id", flat=True).distinct())
    if not unit_ids:
        return 0
    marked = mark_stale(unit_ids=unit_ids, families=[family], reason=reason)
    # The database backend stores the task in this transaction: a worker sees it only if the
    # change commits. The immediate backend (tests, no worker) refreshes here and now.
    refresh_stale_results.using(backend="background").enqueue()
    return marked


@transaction.atomic
def threshold_change(*, user: Any, indicator: Indicator, **fields: Any) -> Threshold:
    """Set a threshold of a province's set (a new version) and refresh what it judges."""
    before = indicator.criteria_set.version
    old = indicator.thresholds.filter(
        superseded_at__isnull=True,
        region=fields.get("region", ""),
        commune_group=fields.get("commune_group", ""),
        year=fields.get("year"),
    ).first()
    threshold = catalog_services.threshold_set(user=user, indicator=indicator, **fields)
    indicator.criteria_set.refresh_from_db(fields=["version"])
    if indicator.criteria_set.version != before:
        _set_changed(indicator.criteria_set, "threshold")
        catalog_services.change_record(
            criteria_set=indicator.criteria_set,
            user=user,
            action="threshold",
            via=fields.get("reason", ""),
            lines=[f"{threshold}: {old.display if old else '—'} → {threshold.display}"],
        )
    return threshold


@transaction.atomic
def threshold_remove(*, user: Any, threshold: Threshold, reason: str) -> None:
    catalog_services.threshold_remove(user=user, threshold=threshold, reason=reason)
    _set_changed(threshold.indicator.criteria_set, "threshold")
    catalog_services.change_record(
        criteria_set=threshold.indicator.criteria_set,
        user=user,
        action="threshold_removed",
        via=reason,
        lines=[f"{threshold} → —"],
    )


@transaction.atomic
def set_localise(
    *, user: Any, national: CriteriaSet, province: AdminUnit, legal_basis: str, code: str = ""
) -> CriteriaSet:
    """A province's copy of a national set; its communes are judged by it from now on."""
    copy = catalog_services.set_localise(
        user=user, national=national, province=province, legal_basis=legal_basis, code=code
    )
    _set_changed(copy, "localised")
    catalog_services.change_record(
        criteria_set=copy,
        user=user,
        action="localised",
        via=legal_basis,
        lines=[f"{national.code} → {copy.code} ({province.name})"],
    )
    return copy


@transaction.atomic
def criteria_load(
    source: str | Path | bytes | IO[bytes],
    *,
    filename: str = "",
    dry_run: bool = False,
    user: Any = None,
    via: str = "",
) -> LoadSummary:
    """Load a criteria-set file, YAML or a sheet (web upload, ``load_criteria`` and the demo
    alike); a changed set marks the results it judges stale and is recorded in the set's
    history (who, how, each change before → after). ``dry_run``: check and preview
    (``summary.preview``), write nothing."""
    summary = load_criteria(source, filename=filename, dry_run=dry_run, in_use=_with_values)
    if not dry_run and (summary.created or not summary.unchanged):
        loaded = CriteriaSet.objects.select_related("localises", "province").get(code=summary.code)
        _set_changed(loaded, "criteria")
        catalog_services.change_record(
            criteria_set=loaded,
            user=user,
            action="load",
            via=via or filename,
            lines=summary.preview.lines() if summary.preview is not None else [],
        )
    return summary


def _with_values(criteria_set: CriteriaSet, indicators: list[Indicator]) -> set[str]:
    """Which of these indicators have values: their own code's, or (computed ones) those of a
    data element their formula reads. A localisation's values are recorded under the national
    set it localises. One ``exists`` per indicator: loads are rare, the values table is not."""
    recorded = criteria_set.localises_id or criteria_set.pk
    found = set()
    for indicator in indicators:
        codes = [indicator.code]
        if indicator.formula:
            codes += formula_names(indicator.formula)
        if DataValue.objects.filter(criteria_set_id=recorded, code__in=codes).exists():
            found.add(indicator.code)
    return found


@transaction.atomic
def classification_change(
    *,
    unit: AdminUnit,
    kind: str,
    value: str,
    valid_from: dt.date,
    legal_basis: str = "",
) -> Classification:
    """Record a dated classification (region, commune group…): thresholds depend on it, so the
    unit's results are refreshed at once."""
    found = geo_services.classification_set(
        unit=unit, kind=kind, value=value, valid_from=valid_from, legal_basis=legal_basis
    )
    refresh_units(units=[unit])
    return found


@transaction.atomic
def recognition_recorded(*, unit: AdminUnit, set_code: str) -> Refreshed:
    """A recognition decision under a national set was recorded: the sets that ask for it as
    their prerequisite judge the unit again at once (``evaluation.prerequisites``)."""
    family = CriteriaSet.objects.filter(code=set_code, localises__isnull=True).first()
    if family is None:
        return Refreshed()
    return refresh_units(units=[unit], families=dependants_of(family))


@transaction.atomic
def commune_groups_set(*, rows: Sequence[GroupRow]) -> int:
    """Record the commune groups of a province's table (the rows that change a group) and
    refresh those communes' results once. Returns the communes changed."""
    changed = [r for r in rows if r.changes]
    for row in changed:
        geo_services.classification_set(
            unit=row.unit,
            kind=Classification.Kind.COMMUNE_GROUP,
            value=row.group,
            valid_from=row.valid_from,
            legal_basis=row.basis,
        )
    refresh_units(units=list({r.unit.pk: r.unit for r in changed}.values()))
    return len(changed)


@dataclass(frozen=True)
class DerivedRow:
    derived: Derived
    status: str  # "new", "replaces" (a derived value), "kept" (a person's value), "none"
    current: str = ""  # the value stored now, as text
    label: str = ""  # the indicator's content or the data element's name

    @property
    def text(self) -> str:
        """The derived value as stored ("9820", "đạt", "61.23")."""
        return format_value(self.derived.value)


@transaction.atomic
def values_derive(
    *, user: Any, unit: AdminUnit, criteria_set: CriteriaSet, period: str, dry_run: bool = False
) -> list[DerivedRow]:
    """A merged commune's baseline for a set and period from its predecessors' latest values up
    to the period's end (``observations.baseline``): stored as derived values, never over a
    value a person entered, then the unit's results refreshed. ``dry_run`` only previews."""
    parsed = parse_period(period)
    successions = list(
        Succession.objects.filter(successor=unit)
        .select_related("predecessor")
        .order_by("predecessor__name")
    )
    if not successions:
        raise observation_services.DataError(
            _("%(unit)s was not formed from other units: nothing to derive.") % {"unit": unit}
        )
    applied = applicable_set(criteria_set, unit)
    elements = list(DataElement.objects.filter(criteria_set=applied).order_by("code"))
    element_codes = {e.code for e in elements}
    items = [Item(e.code, e.kind, is_element=True, unit=e.unit) for e in elements]
    labels = {e.code: e.name for e in elements}
    for indicator in Indicator.objects.filter(criteria_set=applied).order_by("position"):
        used = tuple(
            sorted(c for c in element_codes if re.search(rf"\b{re.escape(c)}\b", indicator.formula))
        )
        items.append(
            Item(indicator.code, indicator.kind, formula_elements=used, unit=indicator.unit)
        )
        labels[indicator.code] = indicator.content
    latest: dict[tuple[int, str], Value | None] = {}
    for stored in DataValue.objects.filter(
        unit__in=[s.predecessor for s in successions],
        criteria_set=criteria_set,
        period_end__lte=parsed.end,
    ).order_by("period_end", "period"):
        latest[(stored.unit_id, stored.code)] = (
            stored.flag if stored.flag is not None else stored.number
        )
    predecessors = [
        Predecessor(
            name=s.predecessor.name,
            values={code: v for (uid, code), v in latest.items() if uid == s.predecessor_id},
            partial=s.kind == Succession.Kind.SPLIT,
        )
        for s in successions
    ]
    if not dry_run:
        # Lock before reading what is stored: a person saving a value meanwhile waits, and the
        # derivation then sees it and keeps it, instead of writing over it.
        geo_services.units_lock([unit.pk])
    existing = {
        v.code: v
        for v in DataValue.objects.filter(unit=unit, criteria_set=criteria_set, period=parsed.code)
    }
    rows: list[DerivedRow] = []
    for found in derive(items, predecessors):
        current = existing.get(found.code)
        if found.value is None:
            status = "none"
        elif current is not None and current.source != ValueSource.DERIVED:
            status = "kept"
        else:
            status = "replaces" if current is not None else "new"
        rows.append(
            DerivedRow(
                found,
                status,
                current.text if current is not None else "",
                labels.get(found.code, ""),
            )
        )
    if dry_run:
        return rows
    note = _("Derived from the communes before the merger: %(rule)s.")
    changed = False
    for row in rows:
        if row.status in {"new", "replaces"} and row.derived.value is not None:
            _record, did = observation_services.value_set(
                user=user,
                unit=unit,
                criteria_set=criteria_set,
                code=row.derived.code,
                period=parsed.code,
                value=row.derived.value,
                note=note % {"rule": row.derived.rule},
                source=ValueSource.DERIVED,
            )
            changed = changed or did
    if changed:
        refresh(unit=unit, family=criteria_set)
    return rows


EDITS: dict[str, Callable[..., None]] = {
    "criterion_add": editor.criterion_add,
    "criterion_rename": editor.criterion_rename,
    "indicator_add": editor.indicator_add,
    "indicator_edit": editor.indicator_edit,
    "indicator_move": editor.indicator_move,
    "indicator_remove": editor.indicator_remove,
}


@transaction.atomic
def criteria_edit(*, user: Any, criteria_set: CriteriaSet, op: str, **fields: Any) -> LoadSummary:
    """An edit made in the app (``catalog.editor``) applied to the set's document, then loaded
    like a file: checked, versioned, recorded in the set's history and refreshed. An indicator
    with values is never deleted (its values and past results would lose their definition)."""
    if op not in EDITS:
        raise editor.EditorError(_("Unknown edit."))
    if op == "indicator_remove" and _with_values(
        criteria_set, list(criteria_set.indicators.filter(code=fields["code"]))
    ):
        raise editor.EditorError(
            _(
                "%(code)s has values: it cannot be deleted. Retire it from a date instead: its "
                "values and earlier results stay."
            )
            % {"code": fields["code"]}
        )
    # Two editors at once: the second waits for the first and edits its result, instead of
    # loading a document exported before it (which would undo the first edit).
    criteria_set = CriteriaSet.objects.select_for_update().get(pk=criteria_set.pk)
    document = yaml.safe_load(export_criteria(criteria_set, fmt="yaml").decode("utf-8"))
    EDITS[op](document, **fields)
    data = yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")
    return criteria_load(
        data,
        filename=f"{criteria_set.code}.yaml",
        user=user,
        via=_("in-app editor"),
    )


@transaction.atomic
def indicator_retire(
    *, user: Any, indicator: Indicator, day: dt.date | None, reason: str = ""
) -> Indicator:
    """An indicator no longer judged for periods ending on or after ``day`` (None: judged
    again); its values and earlier results stay. Recorded in the set's history; every result of
    the set is refreshed."""
    indicator = (
        Indicator.objects.select_for_update().select_related("criteria_set").get(pk=indicator.pk)
    )
    before = indicator.retired_from
    if before == day:
        return indicator
    indicator.retired_from = day
    indicator.save(update_fields=["retired_from"])
    criteria_set = indicator.criteria_set
    criteria_set.bump_version()
    _set_changed(criteria_set, "criteria")
    catalog_services.change_record(
        criteria_set=criteria_set,
        user=user,
        action="retired",
        via=reason or _("in-app editor"),
        lines=[
            _("indicator %(code)s: retired from %(before)s → %(after)s")
            % {
                "code": indicator.code,
                "before": before.strftime("%d/%m/%Y") if before else "—",
                "after": day.strftime("%d/%m/%Y") if day else "—",
            }
        ],
    )
    return indicator
