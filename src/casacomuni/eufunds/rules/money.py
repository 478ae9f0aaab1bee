"""Amounts as calls publish them, read into Decimal: "€ 2.066.866", "3.200.000,00", "70047.34",
"10 milioni di euro", "1,5 mln". Returns None when the text holds no amount we can read with confidence."""

import re
from decimal import Decimal, InvalidOperation

_MULTIPLIERS = (
    (re.compile(r"\b(miliard[io]|mld|mrd)\b"), Decimal("1000000000")),
    (re.compile(r"\b(milion[ei]|mln|mio|ml)\b"), Decimal("1000000")),
    (re.compile(r"\b(mila|migliaia)\b"), Decimal("1000")),
)
_NUMBER = re.compile(r"\d[\d.,' ]*\d|\d")
_MAX = Decimal("1e14")


def parse_number(token: str) -> Decimal | None:
    """One number written the Italian or the English way. A lone dot followed by exactly three digits is a
    thousands separator (Italian "2.066" = 2066); a lone comma followed by one or two digits is a decimal."""
    token = token.replace(" ", "").replace("'", "").strip(".,")
    if not token:
        return None
    if "." in token and "," in token:
        decimal_sep = "," if token.rfind(",") > token.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        token = token.replace(thousands, "").replace(decimal_sep, ".")
    elif "," in token:
        parts = token.split(",")
        if len(parts) == 2 and 1 <= len(parts[1]) <= 2:
            token = token.replace(",", ".")
        else:
            token = token.replace(",", "")
    elif token.count(".") > 1:
        token = token.replace(".", "")
    elif "." in token:
        whole, frac = token.split(".")
        if len(frac) == 3:
            token = whole + frac
    try:
        value = Decimal(token)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_amount(text) -> Decimal | None:
    """The first amount in ``text`` (a number or a string), multiplied by "milioni"/"mila" when they follow
    it; None when there is none, or it is negative or implausibly large."""
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (int, float, Decimal)):
        try:
            value = Decimal(str(text))
        except InvalidOperation:
            return None
        return _checked(value)
    text = str(text).lower()
    match = _NUMBER.search(text)
    if match is None:
        return None
    number = parse_number(match.group(0))
    if number is None:
        return None
    tail = text[match.end() : match.end() + 20]
    for pattern, factor in _MULTIPLIERS:
        if pattern.search(tail):
            number *= factor
            break
    return _checked(number)


def _checked(value: Decimal) -> Decimal | None:
    if not value.is_finite() or value < 0 or value >= _MAX:
        return None
    return value.quantize(Decimal("0.01"))
