"""Text widths and table column widths for the paper formats (DOCX and PDF).

Word and LibreOffice lay a table out in the widths the file gives them and wrap a cell's text
inside its margins (0.19 cm each side by default), breaking a word that does not fit: "16.1",
"STT", a date or "110.000.000" must therefore get a column at least as wide as the word plus the
margins. Widths are measured with Liberation Serif (metric-compatible with Times New Roman, the
font both formats print in) when it is installed, otherwise estimated per character on the wide
side.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from ntm.reports.document import Cell, CellValue, Column
from ntm.reports.render.text import cell_text

CM_PER_PT = 2.54 / 72
CELL_MARGIN_CM = 0.19  # Word's and LibreOffice's default left and right cell margin
# A word a little wider than measured: rounding to twips, the cell's border and a renderer's own
# hinting take a hair of the line. More would squeeze the text columns of a portrait page.
SLACK = 1.03
SLACK_CM = 0.06
_SCALE = 10  # fonts load at ten times the size for finer advance widths

_FILES = {
    (False, False): "LiberationSerif-Regular.ttf",
    (True, False): "LiberationSerif-Bold.ttf",
    (False, True): "LiberationSerif-Italic.ttf",
    (True, True): "LiberationSerif-BoldItalic.ttf",
}
# Liberation 2 first: Liberation 1 (Debian's fonts-liberation) has no Vietnamese letters with a
# horn ("ư", "ơ"), which LibreOffice then takes from Liberation 2, a third wider.
_FOLDERS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation", "")


@lru_cache(maxsize=16)
def _font(size: float, bold: bool, italic: bool) -> ImageFont.FreeTypeFont | None:
    name = _FILES[(bold, italic)]
    for folder in _FOLDERS:
        try:
            font = ImageFont.truetype(str(Path(folder) / name), round(size * _SCALE))
        except OSError:
            continue
        if font.getlength("ư") >= font.getlength("u"):  # a missing glyph is narrower
            return font
    return None  # not installed: fall back to the estimate


def _estimate_pt(text: str, size: float, bold: bool) -> float:
    """Advance width on the wide side of Times New Roman's (in em), without the font file."""
    em = 0.0
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            continue  # Vietnamese tone marks sit on their letter
        if char in " .,;:'!|()-/[]ijlft":
            em += 0.33
        elif char in "mwMW%@":
            em += 0.95
        elif char.isupper():
            em += 0.75 if bold else 0.72
        else:
            em += 0.55 if bold else 0.5  # digits are 0.5 em in Times New Roman
    return em * size


@lru_cache(maxsize=65536)
def text_pt(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """The printed width of one line of ``text`` in points."""
    font = _font(size, bold, italic)
    if font is None:
        return _estimate_pt(text, size, bold)
    return font.getlength(text) / _SCALE


def text_cm(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    return text_pt(text, size, bold, italic) * CM_PER_PT


def longest_word_cm(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """The widest word of ``text`` (lines wrap at spaces only), in centimetres."""
    words = [word for line in text.split("\n") for word in line.split(" ") if word]
    return max((text_cm(word, size, bold, italic) for word in words), default=0.0)


def column_widths(
    columns: list[Column],
    rows: list[list[CellValue | Cell]],
    total_cm: float,
    *,
    size: float,
    bold_last: bool = False,
) -> list[float]:
    """Column widths (cm) summing to ``total_cm``: the columns' relative widths, except that no
    column is narrower than its widest word (title in bold, cells in their own style) plus the
    cell margins; the room this takes comes from the columns with room to spare."""
    count = len(columns)
    if not count:
        return []
    need = [0.0] * count
    for index, column in enumerate(columns):
        need[index] = longest_word_cm(column.title, size, bold=True)
    last = len(rows) - 1
    for row_index, values in enumerate(rows):
        position = 0
        for value in values:
            if position >= count:
                break
            span = max(1, min(value.colspan if isinstance(value, Cell) else 1, count - position))
            if span == 1:  # a merged cell's words may use the room of all its columns
                bold = (bold_last and row_index == last) or (isinstance(value, Cell) and value.bold)
                italic = isinstance(value, Cell) and value.italic
                width = longest_word_cm(cell_text(value, columns[position]), size, bold, italic)
                need[position] = max(need[position], width)
            position += span
    need = [w * SLACK + SLACK_CM + 2 * CELL_MARGIN_CM for w in need]
    if sum(need) >= total_cm:
        # Not enough room for every word: share the page in proportion to the words.
        scale = total_cm / sum(need)
        return [w * scale for w in need]
    weights = [max(c.width, 0.1) for c in columns]
    fixed: dict[int, float] = {}
    while True:
        # Columns whose share is below their need take their need; the others share the rest.
        free = [i for i in range(count) if i not in fixed]
        room = total_cm - sum(fixed.values())
        scale = room / sum(weights[i] for i in free)
        short = [i for i in free if weights[i] * scale < need[i]]
        if not short:
            break
        for i in short:
            fixed[i] = need[i]
    return [fixed.get(i, weights[i] * scale) for i in range(count)]
