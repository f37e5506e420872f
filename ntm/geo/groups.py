"""Commune groups (1, 2, 3 — Decision 51/2025/QĐ-TTg): the province's table of its communes,
read from a file (``code,group,valid_from,basis``) and shown on a page.

Reading validates every row before anything is written: a refused file names each bad row and
column. Writing is ``evaluation.actions.commune_groups_set`` (thresholds depend on the group,
so the communes' results are refreshed in the same step).
"""

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.db.models import Q
from django.utils.translation import gettext as _

from ntm.core.csvout import write_csv
from ntm.core.tabular import CellError, ImportRefused, read_table
from ntm.core.text import fold
from ntm.geo.models import AdminUnit, Classification, Level

GROUP = Classification.Kind.COMMUNE_GROUP
COLUMNS = {
    "code": ["mã", "mã xã", "mã đơn vị", "commune code", "ma xa"],
    "name": ["tên", "tên xã", "name", "commune"],
    "group": ["nhóm", "nhóm xã", "commune group", "nhom xa"],
    "valid_from": ["từ ngày", "áp dụng từ", "hiệu lực từ", "valid from"],
    "basis": ["căn cứ", "căn cứ pháp lý", "legal basis", "quyết định"],
}
REQUIRED = ("code", "group", "valid_from")
_GROUP_TEXT = re.compile(r"^(?:nhom\s*)?([123])$")


@dataclass(frozen=True)
class GroupRow:
    row: int  # line of the file (header = 1)
    unit: AdminUnit
    group: str
    valid_from: dt.date
    basis: str
    before: str  # the group in force on valid_from before this file ("" when none)

    @property
    def changes(self) -> bool:
        return self.before != self.group


def parse_day(text: str) -> dt.date | None:
    """A day as officials write it (15/02/2026) or as a spreadsheet stores it (2026-02-15)."""
    text = text.strip().split(" ")[0]
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def group_in_force(unit_ids: list[int], day: dt.date) -> dict[int, Classification]:
    rows = Classification.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        unit__in=unit_ids,
        kind=GROUP,
        valid_from__lte=day,
    )
    return {c.unit_id: c for c in rows}


def read_groups(
    source: bytes | IO[bytes] | str | Path, *, province: AdminUnit, filename: str = ""
) -> list[GroupRow]:
    """Every row of the file checked against the province's communes on the row's date."""
    table = read_table(source, aliases=COLUMNS, required=REQUIRED, filename=filename)
    errors: list[CellError] = []
    parsed: list[tuple[int, str, str, dt.date, str]] = []
    for number, cells in table.rows:
        code = cells.get("code", "").strip()
        if not any(cells.values()):
            continue
        group_match = _GROUP_TEXT.match(fold(cells.get("group", "")).strip())
        day = parse_day(cells.get("valid_from", ""))
        if not code:
            errors.append(CellError(number, table.header("code"), _("The code is empty.")))
        if group_match is None:
            errors.append(
                CellError(
                    number,
                    table.header("group"),
                    _("“%(value)s” is not a commune group: write 1, 2 or 3.")
                    % {"value": cells.get("group", "")},
                )
            )
        if day is None:
            errors.append(
                CellError(
                    number,
                    table.header("valid_from"),
                    _("“%(value)s” is not a date: write it as 15/02/2026.")
                    % {"value": cells.get("valid_from", "")},
                )
            )
        if code and group_match and day:
            parsed.append((number, code, group_match.group(1), day, cells.get("basis", "")))
    communes = AdminUnit.objects.filter(
        path__startswith=province.path,
        level=Level.COMMUNE,
        code__in={code for _n, code, _g, _d, _b in parsed},
    )
    versions: dict[str, list[AdminUnit]] = {}
    for commune in communes:
        versions.setdefault(commune.code, []).append(commune)
    seen: dict[tuple[str, dt.date], int] = {}
    found: list[tuple[int, AdminUnit, str, dt.date, str]] = []
    for number, code, group, day, basis in parsed:
        unit = next((u for u in versions.get(code, []) if u.is_valid_on(day)), None)
        if unit is None:
            errors.append(
                CellError(
                    number,
                    table.header("code"),
                    _("No commune of %(province)s has the code %(code)s on %(day)s.")
                    % {"province": province.name, "code": code, "day": f"{day:%d/%m/%Y}"},
                )
            )
            continue
        if (code, day) in seen:
            errors.append(
                CellError(
                    number,
                    table.header("code"),
                    _("%(code)s is already given a group from this day on row %(row)s.")
                    % {"code": code, "row": seen[(code, day)]},
                )
            )
            continue
        seen[(code, day)] = number
        found.append((number, unit, group, day, basis[:300]))
    if errors:
        raise ImportRefused(errors)
    rows = []
    for number, unit, group, day, basis in found:
        current = group_in_force([unit.pk], day).get(unit.pk)
        rows.append(GroupRow(number, unit, group, day, basis, current.value if current else ""))
    return rows


@dataclass(frozen=True)
class CommuneGroup:
    unit: AdminUnit
    current: Classification | None
    set_by: str  # who recorded the group in force (from the classification's history)


def province_groups(*, province: AdminUnit, day: dt.date) -> list[CommuneGroup]:
    """The province's communes in force on ``day`` with the group then in force: three queries."""
    communes = list(
        AdminUnit.objects.filter(path__startswith=province.path, level=Level.COMMUNE)
        .in_force(day)
        .order_by("search_name", "pk")
    )
    current = group_in_force([u.pk for u in communes], day)
    authors: dict[int, str] = {}
    history = (
        Classification.history.filter(id__in=[c.pk for c in current.values()])
        .select_related("history_user")
        .order_by("id", "history_date")
    )
    for entry in history:
        user = entry.history_user
        authors[entry.id] = (user.get_full_name() or user.get_username()) if user else ""
    return [
        CommuneGroup(
            u,
            current.get(u.pk),
            authors.get(current[u.pk].pk, "") if u.pk in current else "",
        )
        for u in communes
    ]


def template_csv(rows: list[CommuneGroup]) -> bytes:
    """The province's table to fill in: one line per commune, with today's group if any."""
    return write_csv(
        ["Mã xã", "Tên xã", "Nhóm xã", "Từ ngày", "Căn cứ"],
        (
            [
                row.unit.code,
                row.unit.name,
                row.current.value if row.current else "",
                f"{row.current.valid_from:%d/%m/%Y}" if row.current else "",
                row.current.legal_basis if row.current else "",
            ]
            for row in rows
        ),
        lineterminator="\r\n",
    )
