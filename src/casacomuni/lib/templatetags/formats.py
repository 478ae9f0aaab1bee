"""The template filters of casacomuni.lib.formats: ``{{ amount|euro }}``, ``{{ share|percent }}``,
``{{ count|number }}``, ``{{ score|number:2 }}``."""

from django import template

from casacomuni.lib import formats

register = template.Library()


@register.filter
def number(value, decimals=0):
    return formats.number(value, int(decimals))


@register.filter
def euro(value, decimals=2):
    return formats.euro(value, int(decimals))


@register.filter
def percent(value, decimals=2):
    return formats.percent(value, int(decimals))
