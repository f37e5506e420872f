"""Text helpers for Vietnamese unit names: accent-free search keys and kind prefixes."""

import re
import unicodedata

# Longest first so "Thành phố" wins over "Thị".
KIND_PREFIXES: list[tuple[str, str]] = [
    ("thanh pho", "city"),
    ("thu do", "city"),
    ("tinh", "province"),
    ("quan", "urban_district"),
    ("huyen", "district"),
    ("thi xa", "town"),
    ("thi tran", "township"),
    ("phuong", "ward"),
    ("xa", "commune"),
    ("dac khu", "special_zone"),
    ("thon", "village"),
    ("ban", "village"),
    ("ap", "village"),
    ("lang", "village"),
    ("xom", "village"),
    ("to dan pho", "residential_group"),
    ("khu pho", "residential_group"),
]

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced form used for search and name matching."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()


def split_kind(name: str) -> tuple[str | None, str]:
    """("Xã Dương Đức") -> ("commune", "Dương Đức"); unknown prefixes give (None, name)."""
    clean = _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip()
    folded = fold(clean)
    for prefix, kind in KIND_PREFIXES:
        if folded.startswith(prefix + " "):
            return kind, clean[len(prefix) + 1 :].strip()
    return None, clean
