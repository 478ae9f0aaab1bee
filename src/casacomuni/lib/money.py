"""Amounts in euro as people type them and the API sends them: one parser, one set of messages."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from casacomuni.lib.bounds import MAX_AMOUNT

CENT = Decimal("0.01")


def parse_euro(value) -> Decimal | None:
    """``value`` (a string or a number) as an amount in euro with two decimal places; None when it is empty.

    Raises:
        ValidationError: with the message to show on the field, when it is not a number, is negative or
            beyond ``MAX_AMOUNT``, or has more than two decimal places (cents are the smallest unit).
    """
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(_("Enter a number."), code="invalid") from None
    if not number.is_finite() or number < 0 or number > MAX_AMOUNT:
        raise ValidationError(_("Enter an amount in euro, zero or more."), code="range")
    if number != number.quantize(CENT):
        raise ValidationError(_("Enter an amount with at most 2 decimal places."), code="places")
    return number.quantize(CENT)
