from django import template

from casacomuni.indicators.dashboards import formatted

register = template.Library()


@register.filter
def number(value, decimals):
    """``value`` with Italian separators and ``decimals`` decimals; "—" for none."""
    return formatted(value, int(decimals))
