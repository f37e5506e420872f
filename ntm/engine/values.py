"""Reading the values officials type: "99,7", "99.7%", "1.234,5", "đạt", "không đạt", "có", "không".

Errors carry a code and parameters; the web layer turns them into translated messages.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from ntm.engine.model import NUMERIC_KINDS, Kind, Value

TRUE_WORDS = {"dat", "co", "yes", "true", "1", "x", "pass", "met"}
FALSE_WORDS = {"khong dat", "chua dat", "khong", "no", "false", "0", "fail", "not met"}
MAX_DIGITS = 15  # fits the database column (max_digits=20, 4 decimals) with room to spare


class ValueError_(ValueError):
    def __init__(self, code: str, **params: object):
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}")


def _fold(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return " ".join(text.lower().split())


def parse_number(text: str) -> Decimal:
    """Accept 99.7, 99,7, 1.234,5, 1,234.5, 1 234, trailing %; refuse anything else."""
    raw = text.strip().replace("\u00a0", " ").replace(" ", "").rstrip("%")
    if not raw or not re.fullmatch(r"[-+]?[\d.,]+", raw):
        raise ValueError_("not_a_number", value=text)
    if "," in raw and "." in raw:
        # The last separator is the decimal one.
        if raw.rfind(",") > raw.rfind("."):
            raw = raw.replace(".", "").replace(",", ".")
        else:
            raw = raw.replace(",", "")
    elif "," in raw:
        raw = raw.replace(",", ".") if raw.count(",") == 1 else raw.replace(",", "")
    elif raw.count(".") > 1:
        raw = raw.replace(".", "")  # 1.234.567 is grouping
    try:
        number = Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError_("not_a_number", value=text) from exc
    if (
        not number.is_finite()
        or len(number.as_tuple().digits) > MAX_DIGITS + 4
        or abs(number) >= Decimal(10) ** MAX_DIGITS
    ):
        raise ValueError_("too_large", value=text)
    return number


def parse_value(text: str, kind: Kind, levels: tuple[str, ...] = ()) -> Value:
    """Typed value of a cell, or ValueError_ with a code: not_a_number, too_large, out_of_range,
    negative, not_whole, not_pass_fail, unknown_level, empty."""
    if text is None or not str(text).strip():
        raise ValueError_("empty")
    text = str(text).strip()
    if kind is Kind.PASS_FAIL:
        folded = _fold(text)
        if folded in TRUE_WORDS:
            return True
        if folded in FALSE_WORDS:
            return False
        raise ValueError_("not_pass_fail", value=text)
    if kind is Kind.LEVEL:
        for level in levels:
            if _fold(level) == _fold(text):
                return level
        raise ValueError_("unknown_level", value=text, levels=", ".join(levels))
    number = parse_number(text)
    return check_number(number, kind)


def check_number(number: Decimal, kind: Kind) -> Decimal:
    if kind not in NUMERIC_KINDS:
        raise ValueError_("not_a_number", value=str(number))
    if kind is Kind.PERCENT and not (0 <= number <= 100):
        raise ValueError_("out_of_range", value=str(number), low=0, high=100)
    if kind in (Kind.COUNT, Kind.AMOUNT) and number < 0:
        raise ValueError_("negative", value=str(number))
    if kind is Kind.COUNT and number != number.to_integral_value():
        raise ValueError_("not_whole", value=str(number))
    return number


def format_value(value: Value | None) -> str:
    """The canonical text of a value, used by exports so a round trip is lossless."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "đạt" if value else "không đạt"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)
