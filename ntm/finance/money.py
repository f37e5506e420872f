"""VND arithmetic without Django: whole dong, parsing as officials type amounts, valuation, and
shares that add up to exactly 100%."""

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MAX_VND = Decimal(10) ** 15  # a thousand trillion dong: far beyond any commune's programme
HUNDRED = Decimal(100)


class MoneyError(ValueError):
    pass


def parse_vnd(text: str | int | Decimal) -> Decimal:
    """ "1.250.000", "1 250 000", "1,250,000", "1250000" and "1250000 đ" are 1 250 000 dong.

    Dong have no fractional digits: "1250,5" or "12.5" are refused rather than guessed."""
    if isinstance(text, Decimal | int):
        return check_vnd(Decimal(text))
    cleaned = re.sub(r"(?i)\s|đ|vnd|vnđ|đồng", "", str(text)).strip()
    if not cleaned:
        raise MoneyError("empty")
    if re.fullmatch(r"-?\d+", cleaned):
        return check_vnd(Decimal(cleaned))
    for separator in (".", ","):
        if re.fullmatch(rf"-?\d{{1,3}}(\{separator}\d{{3}})+", cleaned):
            return check_vnd(Decimal(cleaned.replace(separator, "")))
    raise MoneyError("not whole dong")


def check_vnd(amount: Decimal) -> Decimal:
    if not amount.is_finite() or amount != amount.to_integral_value():
        raise MoneyError("not whole dong")
    if amount < 0:
        raise MoneyError("negative")
    if amount >= MAX_VND:
        raise MoneyError("too large")
    return amount.quantize(Decimal(1))


def parse_quantity(text: str | Decimal) -> Decimal:
    """A quantity in its own unit (labour days, m²): up to two decimals, "12,5" or "12.5"."""
    if isinstance(text, Decimal):
        amount = text
    else:
        cleaned = re.sub(r"\s", "", str(text)).replace(",", ".")
        try:
            amount = Decimal(cleaned)
        except InvalidOperation as exc:
            raise MoneyError("not a number") from exc
    if not amount.is_finite() or amount < 0 or amount >= Decimal(10) ** 12:
        raise MoneyError("out of range")
    if amount != amount.quantize(Decimal("0.01")):
        raise MoneyError("too many decimals")
    return amount.quantize(Decimal("0.01"))


def valued(quantity: Decimal, rate: Decimal) -> Decimal:
    """A non-cash quantity at a rate, to the nearest dong (half up, as accountants round)."""
    return (quantity * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def shares(amounts: Sequence[Decimal], places: int = 1) -> list[Decimal]:
    """Percentages of the total, rounded so that they add up to exactly 100 (largest remainder)."""
    total = sum(amounts, Decimal(0))
    if total <= 0:
        return [Decimal(0) for _ in amounts]
    step = Decimal(1).scaleb(-places)
    exact = [a * HUNDRED / total for a in amounts]
    floored = [e.quantize(step, rounding="ROUND_FLOOR") for e in exact]
    missing = int((HUNDRED - sum(floored, Decimal(0))) / step)
    order = sorted(range(len(amounts)), key=lambda i: (floored[i] - exact[i], i))
    for i in order[:missing]:
        floored[i] += step
    return floored
