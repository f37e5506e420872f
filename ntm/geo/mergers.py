"""Importer of a merger list: the old units each new unit was formed from.

The list (CSV or XLSX) has one row per new province (``parent_code`` 0) or new commune
(``parent_code`` = its new province) and a free-text ``formed_from`` as published with the 2025
reform: "Xã Xuân Hương, Xã Dương Đức, Xã Tân Thanh, Xã Mỹ Thái", "tỉnh Bắc Giang và tỉnh Bắc
Ninh", "một phần diện tích TN, quy mô dân số của các phường Cửa Nam, Điện Biên", "Phường 14
(Quận 10)", "Phường Ngọc Thụy (phần còn lại sau khi sáp nhập vào phường Hồng Hà)", "giữ nguyên".

Reading. Each new unit is the version in force on the effective date; each mention is resolved
to an old version in force the day before: provinces among the old provinces, communes among the
old communes of the old provinces that formed the new province (from the province rows; a
province "giữ nguyên" is the old one with its code). Names match without case, first with their
accents (so "Văn Tự" is not "Vân Từ"; "Hoà" is "Hòa"), then without them (also "Quí" = "Quý",
"Phường IV" = "Phường 4"), then without spaces ("Ea Bia" = "EaBia"); the full name first, then
a bare name with the kind of its list ("các phường A, B" → Phường A, Phường B), then the bare
name alone — "Xã Đắc Sơn" for the only Phường Đắc Sơn, noted as a problem. A "(quận …)",
"(huyện …[, tỉnh …])" hint picks among same-named communes by old district. A commune row may
name a whole old district ("Huyện Kiên Hải"): all its communes. "một phần"/"phần còn lại"
mentions are partial (``Succession.Kind.SPLIT``), the others whole (``MERGED``), "giữ nguyên" is
``UNCHANGED`` (the old commune with the code, else the name, of the new one).

Evidence. A name shared by several old communes is settled only by evidence from its row: the
old commune with the code of the new one, else the only one in the old districts of the row's
unambiguous mentions; otherwise it is reported with its candidates. Likewise a name matched in one
district while all the row's other old units lie in another, where exactly one unit has a like
name ("Xã Xuân Hòa" in a row of the wards of Long Khánh, which has a Phường Xuân Hoà), is read
as that one and noted. An old unit named for several new units was divided: every link of it is
recorded as ``SPLIT``, whatever its mention says, and noted when one said whole.

Policy. The list is free text and the published file has noise, so a mention that cannot be
resolved (an unknown name, or a name shared by several old units with no evidence to choose)
does not block the rest: it is never linked and is returned in the summary with its row and
column, like every other problem. A structural error refuses the whole file before anything is
written (``ImportRefused``): a missing column, a bad effective date, no unit taking effect on it
(the new list was not imported: codes are reused, so old units would pass for new ones), an empty
or repeated code, a new unit code not in force on the effective date or under another province
than its row says. One exception, reported as a problem: a code not in force whose row names
exactly one new unit of its province that no other row claims is read as a typo for that unit's
code (the 2025 file gives Phường Hiệp Hòa of Quảng Ninh as 00071, not 07147).

Writing. Successions are recorded in bulk with ``services.successions_record_bulk``; a pair
already stored as it is is not written again, so a second run changes nothing, not even history.
Villages of an ended old commune move to its successor (``services.villages_transfer``) only
when that commune has exactly one successor and it took the commune whole.
"""

import datetime as dt
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from ntm.core.tabular import CellError, ImportRefused, Table, read_table
from ntm.core.text import fold, split_kind
from ntm.geo.models import AdminUnit, Level, Succession
from ntm.geo.services import SuccessionSpec, successions_record_bulk, villages_transfer

MERGER_COLUMNS: dict[str, list[str]] = {
    "parent_code": ["Mã cha", "Mã tỉnh mới", "Mã tỉnh/TP mới", "Mã ĐVHC cha", "Thuộc tỉnh"],
    "code": ["Mã", "Mã mới", "Mã ĐVHC", "Mã ĐVHC mới", "Mã đơn vị", "Mã đơn vị mới"],
    "name": ["Tên", "Tên mới", "Tên ĐVHC", "Tên ĐVHC mới", "Tên đơn vị", "Tên đơn vị mới"],
    "formed_from": [
        "Hình thành từ",
        "Hình thành trên cơ sở",
        "Trên cơ sở",
        "Sắp xếp từ",
        "Sáp nhập từ",
        "ĐVHC cũ",
        "Đơn vị cũ",
        "ĐVHC trước sắp xếp",
    ],
}
REQUIRED = ["parent_code", "code", "name", "formed_from"]

WHOLE_KINDS = (Succession.Kind.MERGED, Succession.Kind.UNCHANGED)


# --- Reading the free text ------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """One old unit named in ``formed_from``.

    ``name`` is the unit's name without the surrounding phrase ("Điện Biên"), ``list_kind`` the
    kind word of its list when the name has none ("phường"), ``hint`` a district in brackets.
    """

    text: str
    name: str
    list_kind: str = ""
    hint: str = ""
    partial: bool = False


# Kind words as written (accents matter: "Phường" is a kind, "Phương" a name).
_KIND_WORDS = r"thành phố|thủ đô|tỉnh|quận|huyện|thị xã|thị trấn|phường|xã|đặc khu|tp\.?"
_KIND = re.compile(rf"(?:{_KIND_WORDS})(?=\s)")
_DISTRICT_HINT = re.compile(r"(?:quận|huyện|thị xã|thành phố|tp\.?)\s+\S")
# Where, after " và ", a new mention starts ("Xã Lao Và Chải" is one name).
_START = re.compile(
    rf"(?:{_KIND_WORDS}|các|một phần|phần còn|toàn b[ộố]|khu vực|quy mô|tphcm)(?=[\s.]|$)"
)
_PARTIAL = re.compile(r"một phần|phần còn l[ạa]i")
_END = r"(?=[\s,]|$)"
# The phrase before a name: (effect on the partial flag, pattern), tried in turn at the start.
_LEAD: list[tuple[str, re.Pattern[str]]] = [
    ("whole", re.compile(rf"toàn b[ộố]\s+diện tích(?:\s+(?:tn|tự nhiên))?{_END}")),
    ("partial", re.compile(rf"một phần(?:\s+diện tích(?:\s+(?:tn|tự nhiên))?)?{_END}")),
    ("partial", re.compile(rf"phần còn l[ạa]i(?:\s+(?:của|củ))?{_END}")),
    ("", re.compile(rf"(?:toàn b[ộố]|sắp xếp|và|quy mô dân số|diện tích|tn|tự nhiên|của){_END}")),
]
_LIST = re.compile(rf"các(?:\s+({_KIND_WORDS}))?{_END}")
_TAIL = re.compile(r"\s+sau khi s[ắa]p x[ếe]p\b.*$")
_SENTENCE_END = re.compile(r"\.\s+(?=\S)")
_ABBREVIATED = {"tp", "t.p", "tx", "tt", "n.t", "nt", "p", "q", "h", "x"}


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _split_top(text: str) -> list[str]:
    """Split at commas, semicolons and a list's " và " outside brackets."""
    lower = text.lower()
    parts: list[str] = []
    depth, start, i = 0, 0, 0
    while i < len(text):
        char = text[i]
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif depth == 0 and char in ",;":
            parts.append(text[start:i])
            start = i + 1
        elif depth == 0 and lower.startswith(" và ", i) and _START.match(lower, i + 4):
            parts.append(text[start:i])
            start = i + 4
            i += 3
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _brackets(segment: str) -> tuple[str, list[str]]:
    """("Phường 14 (Quận 10)") -> ("Phường 14", ["Quận 10"]); nested brackets stay inside."""
    outside: list[str] = []
    inside: list[str] = []
    depth = 0
    current: list[str] = []
    for char in segment:
        if char == "(":
            if depth:
                current.append(char)
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth:
                current.append(char)
            else:
                inside.append("".join(current).strip())
                current = []
        elif depth:
            current.append(char)
        else:
            outside.append(char)
    if current:
        inside.append("".join(current).strip())
    return " ".join("".join(outside).split()), inside


def _sentences(text: str) -> str:
    """Drop trailing notes (". Từ ngày 30/04/2026, …") outside brackets; "TP. Huế" stays."""
    depth = 0
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif depth == 0 and char == "." and _SENTENCE_END.match(text, i):
            words = text[:i].split()
            if not words or words[-1].lower() not in _ABBREVIATED:
                return text[:i]
    return text.rstrip(" .")


def is_unchanged(text: str) -> bool:
    return fold(text).strip(" .").startswith("giu nguyen")


def parse_formed_from(text: str) -> list[Mention]:
    """The old units named in a ``formed_from`` text, in order ("giữ nguyên" gives none).

    A partial phrase ("một phần diện tích …", "phần còn lại của …") makes the mentions after
    it partial until "toàn bộ diện tích" or the end of its clause ("… sau khi sắp xếp");
    "(phần còn lại …)" or "(một phần)" after a name makes that one partial.
    """
    text = _normal(text)
    if not text or is_unchanged(text):
        return []
    mentions: list[Mention] = []
    partial_mode = False
    list_kind = ""
    for segment in _split_top(_sentences(text)):
        outside, notes = _brackets(segment)
        rest = outside
        while True:
            lower = rest.lower()
            for effect, pattern in _LEAD:
                found = pattern.match(lower)
                if found:
                    partial_mode = {"whole": False, "partial": True}.get(effect, partial_mode)
                    rest = rest[found.end() :].lstrip(" ,")
                    break
            else:
                found = _LIST.match(lower)
                if not found:
                    break
                if found.group(1):
                    list_kind = rest[found.start(1) : found.end(1)].lower()
                rest = rest[found.end() :].lstrip(" ,")
        clause_ends = False
        tail = _TAIL.search(rest.lower())
        if tail:
            rest, clause_ends = rest[: tail.start()], True
        name = rest.strip(" .,;:-")
        if name:
            own_kind = _KIND.match(name.lower())
            if own_kind:
                list_kind = own_kind.group(0)
            hints = [n for n in notes if _DISTRICT_HINT.match(n.lower())]
            mentions.append(
                Mention(
                    text=segment,
                    name=name,
                    list_kind="" if own_kind else list_kind,
                    hint=hints[0] if hints else "",
                    partial=partial_mode or any(_PARTIAL.search(n.lower()) for n in notes),
                )
            )
        if clause_ends:
            partial_mode = False
    return mentions


# --- Matching names -------------------------------------------------------------------------

_APOSTROPHES = re.compile(r"\s*['’‘ʼ`´]\s*")
_ABBREVIATIONS = [
    (re.compile(r"^tp\.?\s*(?:hcm|hồ chí minh)$"), "thành phố hồ chí minh"),
    (re.compile(r"^tp\.?\s+"), "thành phố "),
    (re.compile(r"\bn\s*\.\s*t\b\.?|\bnt\b"), "nông trường"),
]
# Tone marks (not the ă/â/ê/ô/ơ/ư marks): "Hoà" and "Hòa" differ only in where the tone sits.
_TONES = {"\u0300": "`", "\u0301": "'", "\u0309": "?", "\u0303": "~", "\u0323": "."}
# "Quí"/"Quý", "Sĩ"/"Sỹ": a final i or y after a consonant is one sound.
_FINAL_Y = re.compile(r"\b(qu|[bcdghklmnprstvx]h?|ngh?|tr)y\b")
# "Phường IV" = "Phường 4", "Hòa Tú II" = "Hòa Tú 2": a last word in capitals ("Ô Long Vĩ" stays).
_ROMAN = {"I": "1", "II": "2", "III": "3", "IV": "4", "V": "5", "VI": "6", "VII": "7", "VIII": "8"}


def _clean(name: str) -> str:
    text = unicodedata.normalize("NFC", name).lower().replace("–", "-").replace("-", " ")
    text = " ".join(_APOSTROPHES.sub("'", text).split()).strip(" .,")
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    return text


def _syllable(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = [_TONES[c] for c in decomposed if c in _TONES]
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return base + (tones[0] if tones else "")


@lru_cache(maxsize=1 << 16)
def exact_key(name: str) -> str:
    """Case-insensitive, accents kept but not where the tone sits ("Hoà" = "Hòa" ≠ "Hóa")."""
    return " ".join(_syllable(word) for word in _clean(name).split())


@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """Accent- and case-insensitive: "Tỉnh Bà Rịa - Vũng Tàu" = "tinh ba ria vung tau";
    "Cư M’gar" = "Cư M'gar"; "Thị trấn NT Việt Lâm" = "… Nông trường …"; "Quí" = "Quý"."""
    words = name.split()
    if len(words) > 1 and words[-1] in _ROMAN:
        words[-1] = _ROMAN[words[-1]]
    return _FINAL_Y.sub(r"\1i", fold(_clean(" ".join(words))))


def bare_key(name: str) -> str:
    return name_key(split_kind(name)[1])


@lru_cache(maxsize=1 << 16)
def compact_key(name: str) -> str:
    """Loose, and blind to spaces and apostrophes: "Ea Bia" = "Eabia", "K'Dang" = "KDang"."""
    return re.sub(r"[\s']", "", name_key(name)).replace("y", "i")


_TIERS = (exact_key, name_key, compact_key)


def _without_kind(name: str) -> str:
    found = _KIND.match(name.lower())
    return name[found.end() :].strip() if found else name


def _variants(mention: Mention) -> tuple[list[str], list[str]]:
    """The full names, then the bare names, to try for a mention, in order."""
    name = mention.name
    if not _KIND.match(name.lower()):
        return ([f"{mention.list_kind} {name}"] if mention.list_kind else []) + [name], [name]
    full = [name]
    words = name.split()
    # "phường Phường Tây Tựu", "xã Yên Định Xã Yên Định": the kind or the name written twice.
    if len(words) > 2 and _KIND.match(" ".join(words[1:]).lower()):
        full.append(" ".join(words[1:]))
    half = len(words) // 2
    if len(words) % 2 == 0 and name_key(" ".join(words[:half])) == name_key(" ".join(words[half:])):
        full.append(" ".join(words[:half]))
    # Then bare names: "Xã Đắc Sơn" for Phường Đắc Sơn, "Phường Đúc" for Phường Phường Đúc.
    return full, [_without_kind(text) for text in full] + full


class _Index:
    """Old units by full and bare name: accents as written, folded, then blind to spaces."""

    def __init__(self, units: Iterable[AdminUnit]):
        self.units: dict[tuple[int, bool, str], list[AdminUnit]] = {}
        for unit in units:
            bare = split_kind(unit.name)[1]
            for tier, key in enumerate(_TIERS):
                self.units.setdefault((tier, False, key(unit.name)), []).append(unit)
                self.units.setdefault((tier, True, key(bare)), []).append(unit)

    def get(self, name: str) -> list[AdminUnit]:
        for tier, key in enumerate(_TIERS):
            found = self.units.get((tier, False, key(name)))
            if found:
                return list(found)
        return []

    def lookup(self, mention: Mention) -> list[AdminUnit]:
        """The best match: full names before bare ones, accents as written before folded ones
        ("Văn Tự" is not "Vân Từ"), spaces before none."""
        for bare, texts in enumerate(_variants(mention)):
            for tier, key in enumerate(_TIERS):
                for text in texts:
                    found = self.units.get((tier, bool(bare), key(text)))
                    if found:
                        return list(found)
        return []

    def everything(self, mention: Mention) -> list[AdminUnit]:
        """Every unit the mention could name, however loosely: what a hint or the other
        mentions of the row may choose from."""
        found: dict[int, AdminUnit] = {}
        for bare, texts in enumerate(_variants(mention)):
            for tier, key in enumerate(_TIERS):
                for text in texts:
                    for unit in self.units.get((tier, bool(bare), key(text)), []):
                        found.setdefault(unit.pk, unit)
        return list(found.values())


def _kind_differs(mention: Mention, unit: AdminUnit) -> bool:
    """ "Xã Đắc Sơn" written for Phường Đắc Sơn."""
    written = _KIND.match(mention.name.lower())
    if written is None:
        return False
    return split_kind(f"{written.group(0)} x")[0] != split_kind(unit.name)[0]


# --- The summary ----------------------------------------------------------------------------

# Problem kinds, most pressing first: the order in which they are listed.
PROBLEM_KINDS = [
    "ambiguous",
    "unknown",
    "code",
    "name",
    "spelling",
    "hint",
    "district",
    "kind",
    "divided",
]


@dataclass(frozen=True)
class MergerProblem:
    """A mention not linked (ambiguous, unknown), or a reading worth checking (the others)."""

    row: int | None
    column: str | None
    kind: str  # one of PROBLEM_KINDS
    unit: str  # the new unit of the row
    mention: str
    message: str
    candidates: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.unit}: {self.message}" if self.unit else self.message
        if self.candidates:
            text += " — " + "; ".join(self.candidates)
        return str(CellError(self.row, self.column, text))


@dataclass
class MergerSummary:
    """What an import did. Each mention ("giữ nguyên" is one) is resolved — counted under the
    kind recorded for it — or ambiguous or unknown; ``disambiguated`` of the resolved ones needed
    evidence from their row. Successions and villages count this run's writes only."""

    rows: int = 0
    mentions: int = 0
    merged: int = 0
    split: int = 0
    unchanged: int = 0
    disambiguated: int = 0  # resolved (and counted above) by evidence from their row
    by_code: int = 0  # resolved (and counted above) by the code the new unit continues
    ambiguous: int = 0
    unknown: int = 0
    successions_created: int = 0
    successions_updated: int = 0
    villages_transferred: int = 0
    problems: list[MergerProblem] = field(default_factory=list)

    @property
    def resolved(self) -> int:
        return self.merged + self.split + self.unchanged

    def as_text(self) -> str:
        notes = Counter(p.kind for p in self.problems if p.kind not in {"ambiguous", "unknown"})
        return _(
            "%(rows)d rows naming %(mentions)d old units: %(resolved)d resolved "
            "(%(merged)d merged, %(split)d split, %(unchanged)d unchanged; "
            "%(evidence)d of them chosen by evidence from their row), %(ambiguous)d ambiguous, "
            "%(unknown)d unknown. Successions: %(created)d new, %(updated)d updated. "
            "Villages transferred: %(villages)d. Other readings to check: %(notes)s."
        ) % {
            "rows": self.rows,
            "mentions": self.mentions,
            "resolved": self.resolved,
            "merged": self.merged,
            "split": self.split,
            "unchanged": self.unchanged,
            "evidence": self.disambiguated,
            "ambiguous": self.ambiguous,
            "unknown": self.unknown,
            "created": self.successions_created,
            "updated": self.successions_updated,
            "villages": self.villages_transferred,
            "notes": ", ".join(f"{n} {k}" for k, n in sorted(notes.items())) or "0",
        }


# --- The import -----------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    new: AdminUnit
    is_province: bool
    province_code: str  # the new province (its own code for a province row)
    formed_from: str


@dataclass
class _Link:
    row: int
    old: AdminUnit
    new: AdminUnit
    kind: str
    counted: bool = True  # False for the other communes of a district named whole


def _label(unit: AdminUnit, districts: dict[int, AdminUnit] | None = None) -> str:
    district = districts.get(unit.parent_id) if districts and unit.parent_id else None
    return f"{unit.name} ({unit.code}, {district.name})" if district else str(unit)


def _root_id(unit: AdminUnit) -> int:
    return int(unit.path.strip(".").split(".")[0] or 0)


def _read_rows(table: Table, day: dt.date, summary: MergerSummary) -> list[_Row]:
    """The new unit of every row, in force on ``day``; structural errors refuse the file."""
    by_code: dict[tuple[bool, str], AdminUnit] = {}
    by_id: dict[int, AdminUnit] = {}
    for unit in AdminUnit.objects.valid_on(day).filter(level__in=[Level.PROVINCE, Level.COMMUNE]):
        by_code[(unit.level == Level.PROVINCE, unit.code)] = unit
        by_id[unit.pk] = unit
    claimed = {(cells["parent_code"].strip("0") == "", cells["code"]) for _n, cells in table.rows}
    errors: list[CellError] = []
    rows: list[_Row] = []
    seen: dict[tuple[bool, str], int] = {}
    for number, cells in table.rows:
        code, parent_code, name = cells["code"], cells["parent_code"], cells["name"]
        is_province = parent_code.strip("0") == ""
        if not code:
            errors.append(CellError(number, "code", _("the code is empty")))
            continue
        if (is_province, code) in seen:
            errors.append(
                CellError(
                    number,
                    "code",
                    _("duplicate code %(code)s (already in row %(first)d)")
                    % {"code": code, "first": seen[(is_province, code)]},
                )
            )
            continue
        seen[(is_province, code)] = number
        new = by_code.get((is_province, code))
        if new is None and not is_province:
            # A typo in the code, when the name points at one unit of the province no row claims.
            matches = [
                u
                for (is_prov, other), u in by_code.items()
                if not is_prov
                and (False, other) not in claimed
                and name_key(u.name) == name_key(name)
                and by_id.get(_root_id(u)) is not None
                and by_id[_root_id(u)].code == parent_code
            ]
            if len(matches) == 1:
                new = matches[0]
                summary.problems.append(
                    MergerProblem(
                        number,
                        "code",
                        "code",
                        f"{name} ({code})",
                        "",
                        _(
                            "code %(code)s is not in force on %(day)s; the row is read as "
                            "%(unit)s, the only unit of that name in the province and in no "
                            "other row"
                        )
                        % {"code": code, "day": f"{day:%d/%m/%Y}", "unit": new},
                    )
                )
        if new is None:
            errors.append(
                CellError(
                    number,
                    "code",
                    _("%(code)s is not a %(level)s in force on %(day)s: import the new list first")
                    % {
                        "code": code,
                        "level": (Level.PROVINCE if is_province else Level.COMMUNE).label,
                        "day": f"{day:%d/%m/%Y}",
                    },
                )
            )
            continue
        province = new if is_province else by_id.get(_root_id(new))
        if province is None or (not is_province and province.code != parent_code):
            errors.append(
                CellError(
                    number,
                    "parent_code",
                    _("%(unit)s is under %(province)s, not %(code)s")
                    % {"unit": new, "province": province, "code": parent_code},
                )
            )
            continue
        if name and bare_key(name) != bare_key(new.name) and name_key(name) != name_key(new.name):
            summary.problems.append(
                MergerProblem(
                    number,
                    "name",
                    "name",
                    str(new),
                    name,
                    _("the list of units in force calls %(code)s “%(name)s”, not “%(here)s”")
                    % {"code": new.code, "name": new.name, "here": name},
                )
            )
        rows.append(_Row(number, new, is_province, province.code, cells["formed_from"]))
    if errors:
        raise ImportRefused(
            CellError(e.row, table.header(e.column) if e.column else None, e.message)
            for e in errors
        )
    return rows


class _Resolver:
    """Resolves the mentions of each row into links; counts mentions and collects problems."""

    def __init__(self, day_before: dt.date, summary: MergerSummary):
        self.summary = summary
        self.provinces: dict[str, AdminUnit] = {}
        self.districts: dict[int, AdminUnit] = {}
        self.districts_of: dict[int, list[AdminUnit]] = defaultdict(list)  # by province id
        self.communes_of: dict[int, list[AdminUnit]] = defaultdict(list)  # by province id
        self.communes_in: dict[int, list[AdminUnit]] = defaultdict(list)  # by district id
        self.communes_by_code: dict[str, AdminUnit] = {}
        old = AdminUnit.objects.valid_on(day_before).filter(level__lte=Level.COMMUNE)
        for unit in old.only("id", "code", "name", "kind", "level", "parent", "path", "valid_to"):
            if unit.level == Level.PROVINCE:
                self.provinces[unit.code] = unit
            elif unit.level == Level.DISTRICT:
                self.districts[unit.pk] = unit
                self.districts_of[_root_id(unit)].append(unit)
            else:
                self.communes_of[_root_id(unit)].append(unit)
                self.communes_in[unit.parent_id or 0].append(unit)
                self.communes_by_code[unit.code] = unit
        self.province_by_id = {p.pk: p for p in self.provinces.values()}
        self.province_index = _Index(self.provinces.values())
        self.commune_indexes: dict[frozenset[int], _Index] = {}
        self.district_indexes: dict[frozenset[int], _Index] = {}
        # New province code -> the old provinces it was formed from.
        self.formed_from: dict[str, set[int]] = defaultdict(set)
        self.links: list[_Link] = []

    def _problem(
        self, row: _Row, kind: str, mention: str, message: str, candidates: tuple[str, ...] = ()
    ) -> None:
        self.summary.problems.append(
            MergerProblem(
                row.number, "formed_from", kind, str(row.new), mention, message, candidates
            )
        )

    def _link(self, row: _Row, old: AdminUnit, kind: str, counted: bool = True) -> None:
        if row.is_province:
            self.formed_from[row.new.code].add(old.pk)
        self.links.append(_Link(row.number, old, row.new, kind, counted))

    def _old_provinces(self, row: _Row) -> frozenset[int]:
        province_ids = self.formed_from.get(row.province_code)
        if not province_ids:
            # No province row resolved: the old province with the same code, if any.
            same = self.provinces.get(row.province_code)
            province_ids = {same.pk} if same else set()
        return frozenset(province_ids)

    def _communes(self, row: _Row) -> _Index:
        key = self._old_provinces(row)
        if key not in self.commune_indexes:
            self.commune_indexes[key] = _Index(
                u for pid in key for u in self.communes_of.get(pid, [])
            )
        return self.commune_indexes[key]

    def _district(self, row: _Row, mention: Mention) -> AdminUnit | None:
        """An old district named whole in a commune row ("Huyện Kiên Hải" → Đặc khu Kiên Hải)."""
        if row.is_province or not _DISTRICT_HINT.match(mention.name.lower()):
            return None
        key = self._old_provinces(row)
        if key not in self.district_indexes:
            self.district_indexes[key] = _Index(
                d for pid in key for d in self.districts_of.get(pid, [])
            )
        found = self.district_indexes[key].get(mention.name)
        return found[0] if len(found) == 1 and self.communes_in.get(found[0].pk) else None

    def _in(self, unit: AdminUnit, hint: str) -> bool:
        """Whether the unit lies in the hint's old district ("huyện Châu Thành, tỉnh Bến Tre")."""
        district = self.districts.get(unit.parent_id or 0)
        if district is None:
            return False
        place, *province = (part.strip() for part in hint.split(","))
        if province:
            root = self.province_by_id.get(_root_id(unit))
            if root is None or bare_key(province[0]) != bare_key(root.name):
                return False
        return name_key(place) == name_key(district.name) or bare_key(place) == bare_key(
            district.name
        )

    def resolve(self, row: _Row) -> None:
        """Link each mention of the row: first those naming one old unit, then — with the old
        districts of those as evidence — those naming several."""
        if is_unchanged(row.formed_from):
            self._unchanged(row)
            return
        mentions = parse_formed_from(row.formed_from)
        if not mentions:
            self.summary.unknown += 1
            self._problem(row, "unknown", row.formed_from, _("no old unit is named"))
            return
        index = self.province_index if row.is_province else self._communes(row)
        unique: list[tuple[Mention, AdminUnit, bool]] = []  # (mention, unit, by its hint)
        pending: list[tuple[Mention, list[AdminUnit]]] = []
        for mention in mentions:
            self.summary.mentions += 1
            candidates = index.lookup(mention)
            by_hint = False
            if mention.hint:
                # The hint chooses among the best matches, else among every loose one.
                hinted = [c for c in candidates if self._in(c, mention.hint)] or [
                    c for c in index.everything(mention) if self._in(c, mention.hint)
                ]
                by_hint = bool(hinted)
                candidates = hinted or candidates
            if mention.hint and not by_hint and len(candidates) == 1:
                self._problem(
                    row,
                    "hint",
                    mention.text,
                    _(
                        "“%(name)s” is read as %(old)s, the only old unit of that name, not in %(hint)s"
                    )
                    % {
                        "name": mention.name,
                        "old": _label(candidates[0], self.districts),
                        "hint": mention.hint,
                    },
                )
            if len(candidates) == 1:
                unique.append((mention, candidates[0], by_hint))
            elif candidates:
                pending.append((mention, candidates))
            elif (same := self._same_code(row, mention)) is not None:
                # No old unit has the name, but the new unit continues an old one's code
                # whose name differs only in spelling ("Hua Bum" / "Hua Bun", both 03460).
                self.summary.by_code += 1
                self._problem(
                    row,
                    "spelling",
                    mention.text,
                    _("“%(name)s” is read as %(old)s, whose code the new unit continues")
                    % {"name": mention.name, "old": _label(same, self.districts)},
                )
                unique.append((mention, same, True))
            elif (district := self._district(row, mention)) is not None:
                kind = self._kind(mention)
                for number, commune in enumerate(self.communes_in[district.pk]):
                    self._link(row, commune, kind, counted=number == 0)
            else:
                self.summary.unknown += 1
                self._problem(row, "unknown", mention.text, self._unknown(row, mention))
        evidence = Counter(old.parent_id for _m, old, _h in unique if old.parent_id)
        districts: set[int | None] = set()  # old districts of the unambiguous mentions
        for mention, old, by_hint in unique:
            own = old
            if not by_hint and not row.is_province:
                old = self._recheck(index, mention, old, evidence)
            if old is not own:
                self.summary.disambiguated += 1
                self._problem(
                    row,
                    "district",
                    mention.text,
                    _(
                        "“%(name)s” is read as %(old)s, in the district of the row's other old "
                        "units, rather than %(other)s"
                    )
                    % {
                        "name": mention.name,
                        "old": _label(old, self.districts),
                        "other": _label(own, self.districts),
                    },
                )
            elif _kind_differs(mention, old):
                self._problem(
                    row,
                    "kind",
                    mention.text,
                    _("“%(name)s” is read as %(old)s, the only old unit of that name")
                    % {"name": mention.name, "old": _label(old, self.districts)},
                )
            self._link(row, old, self._kind(mention))
            districts.add(old.parent_id)
        for mention, candidates in pending:
            chosen = [c for c in candidates if c.code == row.new.code]
            if len(chosen) != 1:
                chosen = [c for c in candidates if c.parent_id and c.parent_id in districts]
            if len(chosen) == 1:
                self.summary.disambiguated += 1
                self._link(row, chosen[0], self._kind(mention))
                continue
            self.summary.ambiguous += 1
            self._problem(
                row,
                "ambiguous",
                mention.text,
                _("%(n)d old units are named “%(name)s”%(hint)s; none was linked")
                % {
                    "n": len(candidates),
                    "name": mention.name,
                    "hint": f" ({mention.hint})" if mention.hint else "",
                },
                candidates=tuple(_label(c, self.districts) for c in candidates),
            )

    def _same_code(self, row: _Row, mention: Mention) -> AdminUnit | None:
        """The old commune whose code the new one continues, when the mention names it with
        another spelling: accents, case and spaces folded, the names are alike (difflib ratio ≥ 0.8:
        "huabum"/"huabun" 0.83; "ducthang"/"duongduc" 0.5)."""
        if row.is_province:
            return None
        same = self.communes_by_code.get(row.new.code)
        if same is None or _root_id(same) not in self._old_provinces(row):
            return None
        said, known = (
            compact_key(_without_kind(mention.name)),
            compact_key(split_kind(same.name)[1]),
        )
        if not said or not known:
            return None
        return same if SequenceMatcher(None, said, known).ratio() >= 0.8 else None

    def _recheck(
        self, index: _Index, mention: Mention, old: AdminUnit, evidence: Counter[int]
    ) -> AdminUnit:
        """A name matched in one district while the row's other old units all lie elsewhere,
        where one unit has a like name ("Xã Xuân Hòa" for the Phường Xuân Hoà of their town):
        the row means that one."""
        others = evidence.copy()
        others[old.parent_id or 0] -= 1
        districts = {d for d, n in others.items() if n > 0}
        if not districts or old.parent_id in districts:
            return old
        near = [c for c in index.everything(mention) if c.parent_id in districts]
        return near[0] if len(near) == 1 else old

    def _unknown(self, row: _Row, mention: Mention) -> str:
        if row.is_province:
            return _("no old unit is named “%(name)s”") % {"name": mention.name}
        provinces = self._old_provinces(row)
        return _("no old unit of %(provinces)s is named “%(name)s”") % {
            "name": mention.name,
            "provinces": ", ".join(
                sorted(p.name for p in self.provinces.values() if p.pk in provinces)
            ),
        }

    @staticmethod
    def _kind(mention: Mention) -> str:
        return Succession.Kind.SPLIT if mention.partial else Succession.Kind.MERGED

    def _unchanged(self, row: _Row) -> None:
        """ "giữ nguyên": the old unit with the same code (or else the same name)."""
        self.summary.mentions += 1
        if row.is_province:
            same = self.provinces.get(row.new.code)
            candidates = [same] if same else self.province_index.get(row.new.name)
        else:
            same = self.communes_by_code.get(row.new.code)
            if same is not None and _root_id(same) in self._old_provinces(row):
                candidates = [same]
            else:
                candidates = self._communes(row).get(row.new.name)
        if len(candidates) == 1:
            self._link(row, candidates[0], Succession.Kind.UNCHANGED)
            return
        self.summary.unknown += 1
        self._problem(
            row,
            "unknown",
            row.formed_from,
            _("“giữ nguyên” but no single old unit has the code or the name of %(unit)s")
            % {"unit": row.new},
        )


def _settle(links: list[_Link], summary: MergerSummary) -> None:
    """An old unit named for several new units was divided: it went partly to each of them,
    whatever one mention says. Then count the mentions by the kind recorded."""
    by_old: dict[int, list[_Link]] = defaultdict(list)
    for link in links:
        by_old[link.old.pk].append(link)
    for group in by_old.values():
        if len({link.new.pk for link in group}) < 2:
            continue
        whole = [link for link in group if link.kind in WHOLE_KINDS]
        for link in whole:
            link.kind = Succession.Kind.SPLIT
        if whole:
            summary.problems.append(
                MergerProblem(
                    whole[0].row,
                    "formed_from",
                    "divided",
                    str(whole[0].new),
                    whole[0].old.name,
                    _("%(old)s is named whole here but also for %(others)s: recorded as split")
                    % {
                        "old": whole[0].old,
                        "others": ", ".join(
                            _("%(unit)s (row %(row)d)") % {"unit": link.new, "row": link.row}
                            for link in group
                            if link.new.pk != whole[0].new.pk
                        ),
                    },
                )
            )
    for link in links:
        if not link.counted:
            continue
        if link.kind == Succession.Kind.SPLIT:
            summary.split += 1
        elif link.kind == Succession.Kind.UNCHANGED:
            summary.unchanged += 1
        else:
            summary.merged += 1


def _record(
    links: list[_Link], effective_date: dt.date, legal_basis: str, summary: MergerSummary
) -> None:
    pairs: dict[tuple[int, int], _Link] = {}
    for link in links:
        if link.old.pk == link.new.pk:
            continue  # the unit continued as the same version: nothing to record
        key = (link.old.pk, link.new.pk)
        # The same old unit named twice for one new unit: partly wins over whole.
        if key not in pairs or link.kind == Succession.Kind.SPLIT:
            pairs[key] = link
    # A pair already stored as it is is not written: a second run writes nothing, not even history.
    created, updated = successions_record_bulk(
        pairs=[SuccessionSpec(link.old, link.new, link.kind) for link in pairs.values()],
        effective_date=effective_date,
        legal_basis=legal_basis,
    )
    summary.successions_created += created
    summary.successions_updated += updated


def _move_villages(
    links: list[_Link], effective_date: dt.date, legal_basis: str, summary: MergerSummary
) -> None:
    """Villages of each ended old commune with exactly one successor, that took it whole."""
    ended = {
        link.old.pk: link.old
        for link in links
        if link.old.level == Level.COMMUNE
        and link.old.valid_to is not None
        and link.old.valid_to < effective_date
    }
    with_villages = set(
        AdminUnit.objects.filter(level=Level.VILLAGE, parent_id__in=ended).values_list(
            "parent_id", flat=True
        )
    )
    successors: dict[int, list[Succession]] = defaultdict(list)
    for succession in Succession.objects.filter(predecessor_id__in=with_villages).select_related(
        "successor"
    ):
        successors[succession.predecessor_id].append(succession)
    for commune_id in sorted(with_villages):
        found = successors[commune_id]
        if len(found) == 1 and found[0].kind in WHOLE_KINDS:
            moved = villages_transfer(
                predecessor=ended[commune_id],
                successor=found[0].successor,
                effective_date=effective_date,
                legal_basis=legal_basis,
            )
            summary.villages_transferred += len(moved)


@transaction.atomic
def import_mergers(
    source: bytes | IO[bytes] | str | Path,
    *,
    effective_date: dt.date = dt.date(2025, 7, 1),
    legal_basis: str = "",
    filename: str = "",
) -> MergerSummary:
    """Record which old units each new unit of the list was formed from (see the module notes)."""
    if not isinstance(effective_date, dt.date):
        raise ImportRefused([CellError(None, None, _("“%s” is not a date") % (effective_date,))])
    if isinstance(effective_date, dt.datetime):
        effective_date = effective_date.date()
    table = read_table(source, aliases=MERGER_COLUMNS, required=REQUIRED, filename=filename)
    if not AdminUnit.objects.filter(valid_from=effective_date, level__lte=Level.COMMUNE).exists():
        # Codes are reused, so the old list alone would pass every code check.
        raise ImportRefused(
            [
                CellError(
                    None,
                    None,
                    _(
                        "No unit took effect on %(day)s: import the new list of units with "
                        "that date first, or give the date it took effect."
                    )
                    % {"day": f"{effective_date:%d/%m/%Y}"},
                )
            ]
        )
    summary = MergerSummary(rows=len(table.rows))
    rows = _read_rows(table, effective_date, summary)
    resolver = _Resolver(effective_date - dt.timedelta(days=1), summary)
    # Province rows first: they say which old provinces' communes a commune row may name.
    for row in sorted(rows, key=lambda r: not r.is_province):
        resolver.resolve(row)
    _settle(resolver.links, summary)
    _record(resolver.links, effective_date, legal_basis, summary)
    _move_villages(resolver.links, effective_date, legal_basis, summary)
    summary.problems = sorted(
        (replace(p, column=table.header(p.column)) if p.column else p for p in summary.problems),
        key=lambda p: (PROBLEM_KINDS.index(p.kind), p.row or 0),
    )
    return summary
