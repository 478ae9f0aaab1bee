"""Numbers, amounts and percentages as an Italian reader writes them: "1.234,50", "€ 275.520,00", "14,53 %".

Every page, e-mail and document formats numbers through these functions (in templates, through the
``formats`` filters), so that no page shows "14.527 %" or "€ 275520.00". Values are rounded half up first,
as the law's calculations and the CSV exports round: ``number_format`` alone would cut the extra decimals.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.formats import number_format

NONE = "—"


def number(value, decimals: int = 0) -> str:
    """``value`` with the Italian thousands separator and ``decimals`` decimals; "—" for no value. A negative
    ``decimals`` shows up to that many, and none when the value is whole ("2" for 2.00, "2,5" for 2.50)."""
    if value is None or value == "":
        return NONE
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places = abs(int(decimals))
    amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if int(decimals) < 0:
        places = max(-amount.normalize().as_tuple().exponent, 0)
    return number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)


def euro(value, decimals: int = 2) -> str:
    """An amount in euro: "€ 275.520,00"; "—" for no amount."""
    if value is None or value == "":
        return NONE
    return f"€\u00a0{number(value, decimals)}"


def percent(value, decimals: int = 2) -> str:
    """A percentage, with the space Italian style puts before the sign: "14,53 %"; "—" for none."""
    if value is None or value == "":
        return NONE
    return f"{number(value, decimals)}\u00a0%"
