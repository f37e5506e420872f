"""Checks of a printed report (a PDF: ours, or LibreOffice's of our DOCX/XLSX) against Decree 30.

Used by ``manage.py docs_check`` (``make docs-check``) and its tests. Each check reads the PDF
the way a reader sees it (pdfplumber's words, with their boxes, and its ruled tables) and returns
the problems it finds as sentences; an empty list is a pass:

- at least one page; the national motto on page 1;
- the signer's lines (on behalf, authority, position), name and "Nơi nhận:" on one page;
- every expected table row whole on one page, every word of it unbroken;
- the page number centred in the top margin on pages 2 onwards, 12.5-14.5 pt, and none on page 1
  nor in the bottom margin;
- no two words overlapping, and no ruled line through a word;
- a rule under the issuer's name (a third to a half as long, centred under it) and one under the
  motto (as long as it), below their letters: a line, a thin box or a thin picture (XLSX);
- no "###" (a number or a date too wide for its spreadsheet column).

pdfplumber is a development dependency: only the checking command and the tests import this
module.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import pdfplumber

from ntm.reports.document import Cell, Document, Table
from ntm.reports.render.text import MOTTO, RECIPIENTS_LABEL, cell_text

PT_PER_CM = 72 / 2.54
TOP_BAND_PT = 2.0 * PT_PER_CM  # the top margin of Decree 30 (2 cm)
BOTTOM_BAND_PT = 2.0 * PT_PER_CM
CENTRE_TOLERANCE_PT = 1.0 * PT_PER_CM  # "centred": within a centimetre of the page's middle
PAGE_NUMBER_PT = (12.5, 14.5)  # Decree 30 asks 13-14 pt
RULE_BELOW_PT = 10.0  # a heading's rule: within this of its letters' foot
RULE_CENTRE_PT = 0.5 * PT_PER_CM
MOTTO_RULE = (0.85, 1.15)  # the motto's rule, in the motto's printed width
ISSUER_RULE = (0.25, 0.65)  # the issuer's, in the issuer's (Decree 30: a third to a half)
OVERLAP_PT = 1.0  # word boxes may touch (line boxes are the font's height), not overlap more
LINE_TOLERANCE_PT = 1.5  # a rule may graze a word's box (a cell border under its last line)
# Times New Roman / Liberation Serif, in em: the glyphs' reach above and below the baseline.
ASCENT = 0.891
DESCENT = 0.216
RULE_CLEARANCE_PT = 1.0  # a rule under a heading line: clear of the descenders ("lập", "phúc")
CROSS_TOLERANCE_PT = 0.5  # text sits a cell's padding away from a column's border
MAX_REPORTED = 5  # overlapping glyphs named per page
GRID_PT = 20.0  # overlap search buckets, about a glyph's height
THIN_PT = 2.0  # a border or rule is thinner than this; a chart's bar is not


@dataclass
class Expected:
    """What a report's PDF must show, taken from its ``Document``."""

    motto: str = MOTTO
    signature: list[str] = field(default_factory=list)  # titles and name, as printed
    recipients: bool = False  # "Nơi nhận:" printed beside the signature
    rows: list[list[str]] = field(default_factory=list)  # each table row's non-empty cells
    issuer: str = ""  # the issuer's name as printed: its rule and the motto's are checked


def expected_for(document: Document, *, rows: bool = True) -> Expected:
    """The checks' expectations for ``document`` (already ``for_format``-ed)."""
    signature = document.signature
    lines: list[str] = []
    if signature is not None:
        lines = [
            line.upper()
            for line in (signature.on_behalf, signature.authority, signature.position)
            if line
        ]
        if signature.name:
            lines.append(signature.name)
    table_rows: list[list[str]] = []
    if rows:
        for block in [*document.blocks, *document.appendix]:
            if isinstance(block, Table):
                table_rows.extend(_row_texts(block))
    return Expected(
        signature=lines,
        recipients=bool(document.recipients),
        rows=table_rows,
        issuer=document.header.issuer.upper(),
    )


def _row_texts(table: Table) -> Iterable[list[str]]:
    yield [column.title for column in table.columns]
    for values in table.rows:
        texts = []
        position = 0
        for value in values:
            if position >= len(table.columns):
                break
            texts.append(cell_text(value, table.columns[position]))
            position += max(1, value.colspan) if isinstance(value, Cell) else 1
        yield texts


def normal(text: str) -> str:
    """Composed Unicode, one space between words."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _words(page: Any) -> list[dict[str, Any]]:
    """The page's words, each with its glyphs (``chars``), every box from its baseline by the
    font's ascent and descent: PDF writers differ in the descent they declare (LibreOffice's
    gives none, so a rule through the "p" of "lập" would pass unseen)."""
    words = page.extract_words(
        keep_blank_chars=False, use_text_flow=False, extra_attrs=["size"], return_chars=True
    )
    height = float(page.height)
    for word in words:
        word["text"] = unicodedata.normalize("NFC", word["text"])
        for box in [word, *word["chars"]]:
            char = box["chars"][0] if box is word else box
            if char.get("upright", True):
                baseline = height - float(char["matrix"][5])
                size = float(box["size"])
                box["top"], box["bottom"] = baseline - ASCENT * size, baseline + DESCENT * size
            box["word"] = word["text"]
    return list(words)


def _glyphs(page: Any, words: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each printed glyph, with its place in the page's content stream (the order it was
    drawn in: a word's letters one after the other, whatever pdfplumber groups)."""
    drawn = {id(char): index for index, char in enumerate(page.chars)}
    return [
        {**char, "drawn": drawn.get(id(char), -2)}
        for word in words
        for char in word["chars"]
        if char["text"].strip()
    ]


def _page_text(page: Any) -> str:
    return normal(page.extract_text() or "")


def check_pdf(path: Path, expected: Expected) -> list[str]:
    """Every check on the PDF at ``path``; the problems found, as sentences."""
    with pdfplumber.open(path) as pdf:
        pages = list(pdf.pages)
        if not pages:
            return ["no page"]
        texts = [_page_text(page) for page in pages]
        words = [_words(page) for page in pages]
        problems: list[str] = []
        problems += check_motto(texts, expected.motto)
        problems += check_signature(texts, expected)
        problems += check_page_numbers(pages, words)
        if expected.issuer:
            problems += check_header_rules(pages[0], words[0], expected)
        for number, (page, page_words) in enumerate(zip(pages, words, strict=True), start=1):
            glyphs = _glyphs(page, page_words)
            problems += [f"page {number}: {p}" for p in check_overlaps(glyphs)]
            problems += [f"page {number}: {p}" for p in check_rules(page, glyphs)]
        if expected.rows:
            problems += check_rows(pages, expected.rows)
        for number, page_words in enumerate(words, start=1):
            if any("###" in w["text"] for w in page_words):
                problems.append(f"page {number}: '###', a number too wide for its column")
        return problems


def check_motto(texts: Sequence[str], motto: str) -> list[str]:
    if normal(motto) not in texts[0]:
        return [f"the motto {motto!r} is not on page 1"]
    return []


def check_signature(texts: Sequence[str], expected: Expected) -> list[str]:
    """The signer's lines and name on one page, with "Nơi nhận:" when there are recipients."""
    needed = [normal(line) for line in expected.signature]
    if expected.recipients:
        needed.append(RECIPIENTS_LABEL)
    if not needed:
        return []
    # The last page holding the name: a name may also appear in the body (a task's owner).
    anchor = needed[-2] if expected.recipients and len(needed) > 1 else needed[-1]
    holding = [n for n, text in enumerate(texts) if anchor in text]
    if not holding:
        return [f"the signer {anchor!r} is not printed"]
    page = texts[holding[-1]]
    missing = [line for line in needed if line not in page]
    if missing:
        return [
            f"the signature block is split: {', '.join(map(repr, missing))} not on page "
            f"{holding[-1] + 1} with {anchor!r}"
        ]
    return []


def _is_page_number(word: dict[str, Any]) -> bool:
    return bool(re.fullmatch(r"\d{1,4}", word["text"]))


def check_page_numbers(pages: Sequence[Any], words: Sequence[list[dict[str, Any]]]) -> list[str]:
    """Decree 30: the number centred in the top margin, from page 2; nothing in the bottom
    margin that looks like a page number ("1", "1 / 8")."""
    problems = []
    for number, (page, page_words) in enumerate(zip(pages, words, strict=True), start=1):
        centre = float(page.width) / 2
        top = [
            w
            for w in page_words
            if w["bottom"] <= TOP_BAND_PT
            and _is_page_number(w)
            and abs((w["x0"] + w["x1"]) / 2 - centre) <= CENTRE_TOLERANCE_PT
        ]
        bottom = [
            w
            for w in page_words
            if w["top"] >= float(page.height) - BOTTOM_BAND_PT and _is_page_number(w)
        ]
        if bottom:
            problems.append(f"page {number}: a page number in the bottom margin")
        if number == 1:
            if top:
                problems.append("page 1: a page number in the top margin (none on page 1)")
            continue
        shown = [w for w in top if w["text"] == str(number)]
        if not shown:
            problems.append(f"page {number}: no page number {number} centred in the top margin")
        elif not PAGE_NUMBER_PT[0] <= float(shown[0]["size"]) <= PAGE_NUMBER_PT[1]:
            size = float(shown[0]["size"])
            problems.append(f"page {number}: the page number is {size:.1f} pt, not 13-14")
    return problems


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> tuple[float, float]:
    across = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
    down = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return across, down


def check_overlaps(glyphs: Sequence[dict[str, Any]]) -> list[str]:
    """Glyph boxes that intersect by more than ``OVERLAP_PT`` both ways: text printed over text
    (pdfplumber would merge such words into one, so glyphs are compared, not words)."""
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, glyph in enumerate(glyphs):  # buckets of the page: compare neighbours only
        for bx in range(int(glyph["x0"] // GRID_PT), int(glyph["x1"] // GRID_PT) + 1):
            for by in range(int(glyph["top"] // GRID_PT), int(glyph["bottom"] // GRID_PT) + 1):
                grid[(bx, by)].append(index)
    pairs: set[tuple[int, int]] = set()
    for bucket in grid.values():
        for first, second in combinations(bucket, 2):
            a, b = glyphs[first], glyphs[second]
            if abs(a["drawn"] - b["drawn"]) == 1:
                continue  # kerning pulls letters drawn one after the other together ("Tr")
            across, down = _overlap(a, b)
            if across > OVERLAP_PT and down > OVERLAP_PT:
                pairs.add((first, second))
    problems = []
    for first, second in sorted(pairs)[:MAX_REPORTED]:
        a, b = glyphs[first], glyphs[second]
        problems.append(
            f"text over text at ({a['x0']:.0f}, {a['top']:.0f}) pt: {a['text']!r} of "
            f"{a['word']!r} and {b['text']!r} of {b['word']!r}"
        )
    if len(pairs) > MAX_REPORTED:
        problems.append(f"… and {len(pairs) - MAX_REPORTED} more glyphs over others")
    return problems


def check_rules(page: Any, glyphs: Sequence[dict[str, Any]]) -> list[str]:
    """No line through a glyph. A table's border may touch the descenders of its cells' last
    lines (``LINE_TOLERANCE_PT``); a rule outside tables (under the issuer, under the motto)
    must clear the glyphs' boxes by ``RULE_CLEARANCE_PT``; no vertical border may cross a
    glyph (a word too wide for its column, printed over the border)."""
    ruled = _ruled(page)
    tables = [table.bbox for table in ruled.find_tables()]

    def in_table(edge: dict[str, Any]) -> bool:
        y, x0, x1 = float(edge["top"]), float(edge["x0"]), float(edge["x1"])
        return any(
            left - 1 <= x0 and x1 <= right + 1 and top - 1 <= y <= bottom + 1
            for left, top, right, bottom in tables
        )

    found: dict[str, None] = {}
    edges = list(ruled.horizontal_edges)
    for picture in _thin_pictures(page):  # both sides of a picture drawn as a rule
        edges += [{**picture, "top": picture["top"]}, {**picture, "top": picture["bottom"]}]
    for edge in edges:
        y = float(edge["top"])
        margin = -LINE_TOLERANCE_PT if in_table(edge) else RULE_CLEARANCE_PT
        for glyph in glyphs:
            if glyph["top"] - margin < y < glyph["bottom"] + margin:
                across = min(glyph["x1"], edge["x1"]) - max(glyph["x0"], edge["x0"])
                if across > 0:
                    found[f"a line at {y:.1f} pt touches {glyph['word']!r}"] = None
    for edge in ruled.vertical_edges:
        x = float(edge["x0"])
        for glyph in glyphs:
            if glyph["x0"] + CROSS_TOLERANCE_PT < x < glyph["x1"] - CROSS_TOLERANCE_PT:
                down = min(glyph["bottom"], edge["bottom"]) - max(glyph["top"], edge["top"])
                if down > LINE_TOLERANCE_PT:
                    found[f"a border at {x:.1f} pt crosses {glyph['word']!r}"] = None
    return list(found)


def _thin_pictures(page: Any) -> list[dict[str, Any]]:
    """Pictures drawn as horizontal rules (a workbook's rules are stretched one-pixel images)."""
    return [
        image
        for image in page.images
        if float(image["bottom"]) - float(image["top"]) <= THIN_PT
        and float(image["x1"]) - float(image["x0"]) > 10 * THIN_PT
    ]


def _horizontal_rules(page: Any) -> list[dict[str, Any]]:
    """The page's thin horizontal lines and pictures (a table's borders among them), each as
    ``top``, ``x0`` and ``x1``."""
    rules = [
        {"top": float(e["top"]), "x0": float(e["x0"]), "x1": float(e["x1"])}
        for e in _ruled(page).horizontal_edges
    ]
    rules += [
        {"top": float(i["top"]), "x0": float(i["x0"]), "x1": float(i["x1"])}
        for i in _thin_pictures(page)
    ]
    return rules


def _run_box(words: Sequence[dict[str, Any]], text: str) -> tuple[float, float, float] | None:
    """``x0``, ``x1`` and ``bottom`` of the first run of words reading ``text``."""
    tokens = normal(text).split(" ")
    texts = [w["text"] for w in words]
    for start in range(len(texts) - len(tokens) + 1):
        if texts[start : start + len(tokens)] == tokens:
            run = words[start : start + len(tokens)]
            return (
                min(float(w["x0"]) for w in run),
                max(float(w["x1"]) for w in run),
                max(float(w["bottom"]) for w in run),
            )
    return None


def check_header_rules(page: Any, words: Sequence[dict[str, Any]], expected: Expected) -> list[str]:
    """Decree 30 (Phụ lục I): a rule under the issuer's name, a third to a half as long and
    centred under it, and one under the motto as long as it; each below the letters (that it
    clears them is ``check_rules``'s), within ``RULE_BELOW_PT``."""
    rules = _horizontal_rules(page)
    problems = []
    for name, text, (low, high) in (
        ("issuer", expected.issuer, ISSUER_RULE),
        ("motto", expected.motto, MOTTO_RULE),
    ):
        box = _run_box(words, text)
        if box is None:
            if name == "motto":  # a long issuer's name may wrap: its rule is not looked for
                problems.append(f"page 1: the motto {text!r} is not printed on one line")
            continue
        x0, x1, bottom = box
        width = x1 - x0
        found = [
            rule
            for rule in rules
            if bottom <= rule["top"] <= bottom + RULE_BELOW_PT
            and abs((rule["x0"] + rule["x1"]) / 2 - (x0 + x1) / 2) <= RULE_CENTRE_PT
            and low * width <= rule["x1"] - rule["x0"] <= high * width
        ]
        if not found:
            problems.append(
                f"page 1: no rule under the {name}, centred, {low:.0%}-{high:.0%} of its width"
            )
    return problems


def _ruled(page: Any) -> Any:
    """The page's text and its thin lines (borders, rules): no chart bar or drawn glyph."""

    def keep(obj: dict[str, Any]) -> bool:
        kind = obj["object_type"]
        if kind == "char":
            return True
        if kind in ("line", "rect"):
            return min(float(obj["width"]), float(obj["height"])) <= THIN_PT
        return False

    return page.filter(keep)


def _cell_key(text: str) -> str:
    """A cell's words; a line may break after a slash or a dash ("IV/⏎2024") as in Word."""
    return re.sub(r"([/\-–]) ", r"\1", normal(text))


def check_rows(pages: Sequence[Any], rows: Sequence[Sequence[str]]) -> list[str]:
    """Each expected row found whole in one ruled table row of one page: a row split across
    pages, or a word broken inside a cell ("16.⏎1"), is found nowhere."""
    printed: set[tuple[str, ...]] = set()
    for page in pages:
        for table in _ruled(page).find_tables():
            for cells in table.extract():
                key = tuple(_cell_key(c) for c in cells if c)
                printed.add(tuple(c for c in key if c))
    problems = []
    for row in rows:
        key = tuple(c for c in (_cell_key(text) for text in row) if c)
        if key and key not in printed:
            problems.append(f"table row {' | '.join(key)!r} is not whole on one page")
    return problems
