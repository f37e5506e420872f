"""Request and response shapes of the API (also the OpenAPI document's schemas)."""

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import Field, StringConstraints

# Text a script sends: bounded, and no control characters other than tab/newline (notes).
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Line = Annotated[str, StringConstraints(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")]
Note = Annotated[str, StringConstraints(max_length=4000, pattern=r"^[^\x00-\x08\x0b-\x1f\x7f]*$")]


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    level: int
    parent: str | None  # the parent's code
    valid_from: dt.date | None
    valid_to: dt.date | None
    region: str


class ChildOut(UnitOut):
    children: int


class UnitDetailOut(UnitOut):
    ancestors: list[UnitOut]


class UnitPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[UnitOut]


class SuccessionOut(Schema):
    predecessor: str
    predecessor_name: str
    successor: str
    successor_name: str
    kind: str
    effective_date: dt.date
    legal_basis: str


class UnitHistoryOut(Schema):
    versions: list[UnitOut]
    predecessors: list[SuccessionOut]
    successors: list[SuccessionOut]


class SetOut(Schema):
    code: str
    name_vi: str
    name_en: str
    level: str
    legal_basis: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    localises: str | None
    province: str | None
    illustrative: bool


class ThresholdOut(Schema):
    region: str
    commune_group: str
    year: int | None
    value: str
    verified: bool


class IndicatorOut(Schema):
    code: str
    content_vi: str
    content_en: str
    kind: str
    unit: str
    direction: str
    formula: str
    levels: list[str]
    thresholds: list[ThresholdOut]


class CriterionOut(Schema):
    number: int
    name_vi: str
    name_en: str
    field: str
    key: bool
    indicators: list[IndicatorOut]


class ElementOut(Schema):
    code: str
    name_vi: str
    name_en: str
    unit: str
    kind: str


class SetDetailOut(SetOut):
    criteria: list[CriterionOut]
    data_elements: list[ElementOut]


class ValueIn(Schema):
    unit: Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[\w.\-]+$")]
    set: Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=r"^[\w\-]+$")]
    code: Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[\w.\-]+$")]
    # "2024Q1", or as officials write it ("Quý I/2024"): checked by the importer.
    period: Annotated[
        str, StringConstraints(min_length=4, max_length=40, pattern=r"^[\w][\w /\-]*$")
    ]
    value: Line
    note: Note = ""
    # The value's ``updated_at`` as read (GET /values), or "" when there was none: a change by
    # someone else since then refuses the row (422) instead of being overwritten.
    based_on: (
        Annotated[str, StringConstraints(max_length=40, pattern=r"^[0-9A-Za-z:.+\- ]*$")] | None
    ) = None


class ValuesIn(Schema):
    values: list[ValueIn] = Field(min_length=1, max_length=5000)
    dry_run: bool = False


class ValueOut(Schema):
    unit: str
    set: str
    code: str
    period: str
    value: str
    note: str
    status: str
    updated_at: dt.datetime


class ValuePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ValueOut]


class ImportRowOut(Schema):
    row: int
    unit: str
    set: str
    code: str
    period: str
    old: str
    new: str
    action: str  # create | update | unchanged


class ImportOut(Schema):
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    results: int  # stored results recomputed
    rows: list[ImportRowOut]


class IndicatorResultOut(Schema):
    code: str
    status: str
    value: str | None = None
    threshold: str | None = None
    gap: str | None = None
    value_period: str | None = None


class CriterionResultOut(Schema):
    number: int | None
    status: str | None
    key: bool
    unverified: bool
    indicators: list[IndicatorResultOut]


class ResultOut(Schema):
    basis: str = Field(description="working (every value) or approved (approved values only)")
    unit: str
    unit_name: str
    set: str
    applied_set: str
    period: str
    as_of_period: str
    met: int
    total: int
    status: str
    prerequisite_met: bool | None
    unverified: bool
    revocation_risk: str
    computed_at: str | None
    criteria: list[CriterionResultOut]


class UnitResultOut(Schema):
    unit: str
    name: str
    as_of_period: str | None
    met: int | None
    total: int | None
    status: str | None


class CriterionRollupOut(Schema):
    number: int
    met: int
    not_met: int
    no_data: int
    no_threshold: int


class RollupOut(Schema):
    basis: str = Field(description="approved (approved values only) or working (every value)")
    unit: str
    set: str
    period: str | None
    level: int
    count: int = Field(description="Units of the level under the root in force for the period")
    reported: int = Field(description="Of these, units with a result up to the period")
    met_all: int = Field(description="Of these, units meeting the whole set")
    limit: int
    offset: int
    units: list[UnitResultOut] = Field(description="One page of the units, ordered by name")
    criteria: list[CriterionRollupOut] = Field(description="Counts over all the units")


class PlanOut(Schema):
    id: int
    unit: str
    year: int
    title: str
    number: str
    issued_on: dt.date | None
    status: str


class TargetOut(Schema):
    id: int
    kind: str
    title: str
    deadline: dt.date
    status: str  # achieved | on_track | at_risk | missed | no_data
    actual: str


class TaskOut(Schema):
    id: int
    description: str
    responsible_person: str
    deadline: dt.date
    status: str
    percent: int
    overdue: bool


class PlanDetailOut(PlanOut):
    targets: list[TargetOut]
    tasks: list[TaskOut]


class ProgressIn(Schema):
    date: dt.date
    percent: int = Field(ge=0, le=100)
    note: Annotated[str, StringConstraints(min_length=1, max_length=4000)]


class WorkOut(Schema):
    id: int
    unit: str
    year: int
    kind: str
    name: str
    status: str
    percent: int
    start: dt.date | None
    finish: dt.date | None
    criterion_number: int | None
    indicator_code: str
    planned: str  # VND, exact decimal text
    disbursed: str
    contributed: str


class MobilisationRowOut(Schema):
    source: str
    label: str
    cash: str
    quantity: str | None
    quantity_unit: str
    non_cash_value: str
    total: str
    share: str


class MobilisationOut(Schema):
    unit: str
    year: int
    rows: list[MobilisationRowOut]
    cash: str
    non_cash_value: str
    total: str
