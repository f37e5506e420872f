"""Loading criteria-set files: YAML, or a spreadsheet (XLSX, CSV) of the same content
(formats: docs/criteria-format.md).

The whole file is validated first; any error refuses it and nothing is written. A file is
compared with the stored set by content: one that says what is stored changes nothing (whatever
its format); a changed threshold becomes a new version of it and the set's version is bumped.
"""

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml
from django.db import transaction
from django.utils import timezone

from ntm.catalog import sheets
from ntm.catalog.changes import Preview, compare, snapshot_parsed, snapshot_stored, stored_document
from ntm.catalog.document import FORMAT as FORMAT
from ntm.catalog.document import SAFE_LOADER as SAFE_LOADER
from ntm.catalog.document import CatalogError as CatalogError
from ntm.catalog.document import ThresholdSpec
from ntm.catalog.document import parse as parse
from ntm.catalog.models import CriteriaSet, Criterion, DataElement, Indicator, Threshold
from ntm.engine import formula as formulas
from ntm.geo.models import AdminUnit, Level

FORMATS = ("xlsx", "csv", "yaml")


@dataclass
class LoadSummary:
    code: str
    created: bool = False
    unchanged: bool = True
    dry_run: bool = False
    criteria: int = 0
    indicators: int = 0
    thresholds_added: int = 0
    thresholds_superseded: int = 0
    thresholds_kept: int = 0
    notes: list[str] = field(default_factory=list)
    preview: Preview | None = None
    # Indicators the file left out that have values: retired, not deleted.
    kept_retired: list[str] = field(default_factory=list)

    def as_text(self) -> str:
        state = "created" if self.created else ("unchanged" if self.unchanged else "updated")
        if self.dry_run and not self.unchanged:
            state = f"would be {state} (dry run, nothing written)"
        return (
            f"{self.code}: {state}; {self.criteria} criteria, {self.indicators} indicators; "
            f"thresholds {self.thresholds_added} new, {self.thresholds_superseded} superseded, "
            f"{self.thresholds_kept} unchanged"
        )


def _resolve_links(fields_: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    errors = []
    links: dict[str, Any] = {"prerequisite": None, "localises": None, "province": None}
    for key in ("prerequisite", "localises"):
        if fields_[key]:
            links[key] = CriteriaSet.objects.filter(code=fields_[key]).first()
            if links[key] is None:
                errors.append(f"set.{key}: unknown set {fields_[key]!r} (load it first)")
    if fields_["province"]:
        provinces = AdminUnit.objects.filter(code=fields_["province"], level=Level.PROVINCE)
        day = fields_["valid_from"]
        province = (provinces.valid_on(day) if day else provinces.current()).first()
        if province is None:
            errors.append(
                f"set.province: no province {fields_['province']!r} in force"
                f"{' on ' + day.isoformat() if day else ''}"
            )
        links["province"] = province
    if fields_["localises"] and not fields_["province"]:
        errors.append("set.province: a localised set names its province")
    return links, errors


def owner_of(fields_: dict[str, Any]) -> AdminUnit | None:
    """The province a file's set belongs to, as the loader resolves it (the province with the
    code in force on the set's first day); None for a national set or an unknown code."""
    links, _errors = _resolve_links(fields_)
    province: AdminUnit | None = links["province"]
    return province


def export_criteria(criteria_set: CriteriaSet, *, fmt: str) -> bytes:
    """The stored set (thresholds in force) as a file: loading it back changes nothing.
    ``CatalogError`` when a sheet cannot hold it (a threshold by region and group at once)."""
    document = stored_document(criteria_set)
    if fmt == "yaml":
        text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
        return f"# {criteria_set.code}, version {criteria_set.version}\n{text}".encode()
    return sheets.write_sheet(document, fmt)


def read_source(source: str | Path | bytes | IO[bytes], filename: str = "") -> tuple[bytes, str]:
    """The file's bytes and its name. A ``str`` is a file's path when it is one line ending
    in a known extension, else YAML text (tests, the demo)."""
    if isinstance(source, Path) or (
        isinstance(source, str)
        and "\n" not in source
        and source.lower().endswith((".yaml", ".yml", *sheets.EXTENSIONS))
    ):
        return Path(source).read_bytes(), filename or Path(source).name
    if isinstance(source, bytes):
        return source, filename
    if isinstance(source, str):
        return source.encode(), filename
    return source.read(), filename or Path(str(getattr(source, "name", "") or "")).name


def read_criteria(
    data: bytes, *, filename: str = ""
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Validate a file of any format (by its name's extension; an XLSX also by its content)."""
    if sheets.is_sheet(data, filename):
        return sheets.parse_sheet(data, filename=filename)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogError(["the file is not UTF-8 text"]) from exc
    return parse(text)


# Which of a stored set's indicator codes have values (the caller knows where values live:
# observations sits above catalog). Given the set and the codes a file drops.
InUse = Callable[[CriteriaSet, list[Indicator]], set[str]]


def _keep_in_use(
    stored: CriteriaSet,
    fields_: dict[str, Any],
    criteria: list[dict[str, Any]],
    in_use: InUse,
    day: dt.date,
) -> list[str]:
    """An indicator the file leaves out but that has values is retired from ``day`` (or keeps
    the day it was retired from), never deleted: it goes back into the parsed file with its
    stored content and current thresholds, with its criterion and the data elements its
    formula reads when the file drops those too. Returns the codes kept so."""
    listed = {ind["code"] for c in criteria for ind in c["indicators"]}
    dropped = [
        i
        for i in stored.indicators.select_related("criterion").order_by(
            "criterion__number", "position"
        )
        if i.code not in listed
    ]
    if not dropped:
        return []
    kept = [i for i in dropped if i.code in in_use(stored, dropped)]
    by_number = {c["number"]: c for c in criteria}
    elements = {e["code"] for e in fields_["data_elements"]}
    stored_elements = {e.code: e for e in stored.data_elements.all()}
    for ind in kept:
        criterion = by_number.get(ind.criterion.number)
        if criterion is None:
            c = ind.criterion
            criterion = {
                "number": c.number,
                "name_vi": c.name_vi,
                "name_en": c.name_en,
                "group_code": c.group_code,
                "group_name_vi": c.group_name_vi,
                "group_name_en": c.group_name_en,
                "field": c.field,
                "key": c.key,
                "verified": c.verified,
                "indicators": [],
            }
            by_number[c.number] = criterion
            criteria.append(criterion)
        criterion["indicators"].append(
            {
                "code": ind.code,
                "content_vi": ind.content_vi,
                "content_en": ind.content_en,
                "kind": ind.kind,
                "unit": ind.unit,
                "direction": ind.direction,
                "formula": ind.formula,
                "decimals": ind.decimals,
                "levels": list(ind.levels),
                "verified": ind.verified,
                "retired_from": ind.retired_from or day,
                "thresholds": [
                    ThresholdSpec(
                        t.region,
                        t.commune_group,
                        t.year,
                        t.value,
                        t.reference_set,
                        t.reference_indicator,
                        t.reference_factor,
                        t.source,
                        t.verified,
                    )
                    for t in ind.thresholds.filter(superseded_at__isnull=True)
                ],
            }
        )
        for name in formulas.names(ind.formula) if ind.formula else ():
            if name not in elements and name in stored_elements:
                e = stored_elements[name]
                fields_["data_elements"].append(
                    {
                        "code": e.code,
                        "name_vi": e.name_vi,
                        "name_en": e.name_en,
                        "unit": e.unit,
                        "kind": e.kind,
                    }
                )
                elements.add(name)
    criteria.sort(key=lambda c: c["number"])
    return [i.code for i in kept]


@transaction.atomic
def load_criteria(
    source: str | Path | bytes | IO[bytes],
    *,
    filename: str = "",
    dry_run: bool = False,
    in_use: InUse | None = None,
    day: dt.date | None = None,
) -> LoadSummary:
    """Load a file (all of it or nothing); ``summary.preview`` lists what it added, changed and
    retired. ``dry_run`` validates and previews without writing anything.

    ``in_use`` says which indicators the file leaves out have values: those are retired from
    ``day`` (default today) instead of deleted (without it, every one left out is deleted)."""
    data, filename = read_source(source, filename)
    fields_, criteria = read_criteria(data, filename=filename)
    links, errors = _resolve_links(fields_)
    if errors:
        raise CatalogError(errors)
    digest = hashlib.sha256(data).hexdigest()
    summary = LoadSummary(code=fields_["code"], dry_run=dry_run)
    stored = (
        CriteriaSet.objects.select_related("prerequisite", "localises", "province")
        .filter(code=fields_["code"])
        .first()
    )
    if stored is not None and in_use is not None:
        summary.kept_retired = _keep_in_use(
            stored, fields_, criteria, in_use, day or timezone.localdate()
        )
    counts = {
        "criteria": len(criteria),
        "indicators": sum(len(c["indicators"]) for c in criteria),
        "thresholds": sum(len(i["thresholds"]) for c in criteria for i in c["indicators"]),
    }
    if stored is not None and stored.file_sha256 == digest:
        # The very file loaded last: nothing to compare.
        summary.preview = Preview(code=stored.code)
    else:
        summary.preview = compare(
            snapshot_stored(stored) if stored is not None else None,
            snapshot_parsed(fields_, criteria),
            code=fields_["code"],
        )
    if summary.preview.unchanged:
        summary.criteria, summary.indicators = counts["criteria"], counts["indicators"]
        summary.thresholds_kept = counts["thresholds"]
        return summary
    summary.unchanged = False
    summary.created = stored is None
    if dry_run:
        preview = summary.preview
        added, changed, retired = (
            len(preview.of("threshold", action)) for action in ("added", "changed", "retired")
        )
        summary.criteria, summary.indicators = counts["criteria"], counts["indicators"]
        summary.thresholds_added = counts["thresholds"] if stored is None else added + changed
        summary.thresholds_superseded = changed + retired
        summary.thresholds_kept = counts["thresholds"] - summary.thresholds_added
        return summary
    set_values = {
        k: fields_[k]
        for k in (
            "name_vi",
            "name_en",
            "level",
            "threshold_axis",
            "legal_basis",
            "valid_from",
            "valid_to",
            "illustrative",
            "verified",
            "source",
            "note",
        )
    }
    set_values.update(links)
    if stored is None:
        criteria_set = CriteriaSet.objects.create(code=fields_["code"], **set_values)
    else:
        criteria_set = stored
        for key, value in set_values.items():
            setattr(criteria_set, key, value)
        criteria_set.version += 1
    criteria_set.file_sha256 = digest
    criteria_set.loaded_at = timezone.now()
    criteria_set.save()

    existing_elements = {e.code: e for e in criteria_set.data_elements.all()}
    for element in fields_["data_elements"]:
        DataElement.objects.update_or_create(
            criteria_set=criteria_set, code=element["code"], defaults=element
        )
    criteria_set.data_elements.exclude(
        code__in=[e["code"] for e in fields_["data_elements"]]
    ).delete()
    del existing_elements

    keep_criteria = []
    keep_indicators = []
    now = timezone.now()
    reason = f"{filename or 'file'} (sha256 {digest[:12]})"
    for raw in criteria:
        indicators = raw.pop("indicators")
        criterion, _ = Criterion.objects.update_or_create(
            criteria_set=criteria_set, number=raw["number"], defaults=raw
        )
        keep_criteria.append(criterion.pk)
        summary.criteria += 1
        for position, ind in enumerate(indicators):
            thresholds: list[ThresholdSpec] = ind.pop("thresholds")
            indicator, _ = Indicator.objects.update_or_create(
                criteria_set=criteria_set,
                code=ind["code"],
                defaults={**ind, "criterion": criterion, "position": position},
            )
            keep_indicators.append(indicator.pk)
            summary.indicators += 1
            current = {
                (t.region, t.commune_group, t.year): t
                for t in indicator.thresholds.filter(superseded_at__isnull=True)
            }
            for wanted in thresholds:
                old = current.pop(wanted.scope, None)
                if old is not None and _same(old, wanted):
                    summary.thresholds_kept += 1
                    continue
                if old is not None:
                    old.superseded_at = now
                    old.save(update_fields=["superseded_at"])
                    summary.thresholds_superseded += 1
                Threshold.objects.create(
                    indicator=indicator,
                    region=wanted.region,
                    commune_group=wanted.commune_group,
                    year=wanted.year,
                    value=wanted.value,
                    reference_set=wanted.reference_set,
                    reference_indicator=wanted.reference_indicator,
                    reference_factor=wanted.reference_factor,
                    source=wanted.source,
                    verified=wanted.verified,
                    change_reason=reason,
                )
                summary.thresholds_added += 1
            for gone in current.values():
                gone.superseded_at = now
                gone.save(update_fields=["superseded_at"])
                summary.thresholds_superseded += 1
    criteria_set.indicators.exclude(pk__in=keep_indicators).delete()
    criteria_set.criteria.exclude(pk__in=keep_criteria).delete()
    return summary


def _same(old: Threshold, new: ThresholdSpec) -> bool:
    return (old.value, old.reference_set, old.reference_indicator, old.source, old.verified) == (
        new.value,
        new.reference_set,
        new.reference_indicator,
        new.source,
        new.verified,
    ) and (old.reference_factor or None) == (new.reference_factor or None)
