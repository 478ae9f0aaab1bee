"""The template filters of casacomuni.lib.formats: ``{{ amount|euro }}``, ``{{ share|percent }}``,
``{{ count|number }}``, ``{{ score|number:2 }}``, ``{{ fraction|share }}`` (0.5 → "50 %"), and a range of
decimals as ``{{ rate|euro:"2-4" }}`` (two decimals, up to four when the value has them)."""

from django import template

from casacomuni.lib import formats

register = template.Library()


@register.filter
def number(value, decimals=0):
    return formats.number(value, *formats.places(decimals))


@register.filter
def euro(value, decimals=2):
    return formats.euro(value, *formats.places(decimals))


@register.filter
def percent(value, decimals=2):
    return formats.percent(value, *formats.places(decimals))


@register.filter
def share(value, decimals=0):
    return formats.share(value, *formats.places(decimals))
