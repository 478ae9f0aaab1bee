"""Numbers, amounts and percentages as an Italian reader writes them: "1.234,50", "€ 275.520,00", "14,53 %";
moments as read on a clock in Italy: "10/12/2026 12:00".

Every page, e-mail and document formats numbers through these functions (in templates, through the
``formats`` filters), so that no page shows "14.527 %" or "€ 275520.00". Values are rounded half up first,
as the law's calculations and the CSV exports round: ``number_format`` alone would cut the extra decimals.

The sign and the number are joined by a non-breaking space, so that a line never ends on a lone "€".
"""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone
from django.utils.formats import date_format, number_format

NONE = "—"


def number(value, decimals: int = 0, most: int | None = None) -> str:
    """``value`` with the Italian thousands separator and ``decimals`` decimals; "—" for no value.

    With ``most``, up to ``most`` decimals are shown but the zeros past ``decimals`` are dropped: a rate
    stored with four decimals reads "0,15" and "0,1234" with ``(2, 4)``, a share "2" and "2,5" with ``(0, 2)``.
    """
    if int(decimals) < 0:
        # The old "-2 = up to two" convention would round to hundreds here: refuse it loudly.
        raise ValueError("decimals cannot be negative: give the range as (decimals, most)")
    if _missing(value):
        return NONE
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places = int(decimals) if most is None else max(int(most), int(decimals))
    amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if most is not None:
        places = max(-int(amount.normalize().as_tuple().exponent), int(decimals), 0)
    return number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)


def _missing(value) -> bool:
    """No value, or one that is no finite number: a failed computation (a float NaN, an infinity) is shown as
    missing, never as an error page."""
    if value is None or value == "":
        return True
    try:
        return not Decimal(str(value)).is_finite()
    except InvalidOperation:
        return False


def euro(value, decimals: int = 2, most: int | None = None) -> str:
    """An amount in euro: "€ 275.520,00"; "—" for no amount."""
    if _missing(value):
        return NONE
    return f"€\u00a0{number(value, decimals, most)}"


def percent(value, decimals: int = 2, most: int | None = None) -> str:
    """A percentage, with the space Italian style puts before the sign: "14,53 %"; "—" for none."""
    if _missing(value):
        return NONE
    return f"{number(value, decimals, most)}\u00a0%"


def share(value, decimals: int = 0, most: int | None = None) -> str:
    """A fraction (0..1) as a percentage: 0.6667 → "67 %"; "—" for none."""
    if _missing(value):
        return NONE
    return percent(Decimal(str(value)) * 100, decimals, most)


def places(spec) -> tuple[int, int | None]:
    """A filter's argument as (decimals, most): ``2`` is exactly two decimals, ``"2-4"`` two to four."""
    least, _, most = str(spec).partition("-")
    return int(least), int(most) if most else None


def moment(value) -> str:
    """A date and time in the Rome time zone (CET/CEST), whatever zone it is stored in: "10/12/2026 12:00" for
    11:00 UTC in winter; "—" for none. Python code that shows a moment to a person goes through here (templates
    convert by themselves)."""
    if value is None:
        return NONE
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def day(value) -> str:
    """The day of a moment (or a date) as in Rome: 23:30 UTC on 31 March is already 1 April; "—" for none."""
    if value is None:
        return NONE
    if isinstance(value, datetime):
        value = timezone.localdate(value)
    return date_format(value, "SHORT_DATE_FORMAT")
