"""Template filters of the agreements pages."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def amount(value, min_places=2):
    """A decimal amount in the Italian format with no trailing zeros past ``min_places`` decimals:
    0.1500 → "0,15", 1.5000 → "1,50" (or "1,5" with 0), 1200 → "1.200,00"."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    places = max(int(min_places), -value.normalize().as_tuple().exponent, 0)
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
