"""An audit event's changes as a person reads them: the field's label, not its name ("Importo a base d'asta",
not ``base_amount``); a choice's label, not its code ("Aggiudicata", not ``awarded``); yes or no, not True or
False; numbers and dates in the Italian format and the Rome time zone. The stored changes stay as recorded:
they are part of the hash chain."""

from functools import cache

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext

from casacomuni.lib.formats import number


def change_rows(object_type: str, changes) -> list[tuple[str, object, object]]:
    """(label, old, new) rows; a value not shaped [old, new] is the new value with no old one."""
    model = model_of(object_type)
    rows = []
    for name, values in (changes or {}).items():
        old, new = values if isinstance(values, list) and len(values) == 2 else (None, values)
        field = field_named(model, name)
        label = capfirst(str(field.verbose_name)) if field else name.replace("_", " ")
        rows.append((label, shown(field, old), shown(field, new)))
    return rows


def model_of(object_type: str):
    try:
        return apps.get_model(object_type) if object_type else None
    except (LookupError, ValueError):
        return None


def field_named(model, name: str):
    """The field ``name`` of ``model``, or else the first field of that name in the project's models (an
    event may record a lot's field on its procedure)."""
    own = {field.name: field for field in model._meta.concrete_fields} if model else {}
    return own.get(name) or project_fields().get(name)


@cache
def project_fields() -> dict[str, models.Field]:
    fields = {}
    for model in apps.get_models():
        if model.__module__.startswith("casacomuni."):
            for field in model._meta.concrete_fields:
                fields.setdefault(field.name, field)
    return fields


def shown(field, value):
    if value is None or field is None or isinstance(value, list | dict):
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(field, models.ForeignKey):
        return f"n. {value}"
    if isinstance(field, models.DecimalField):
        return number(value, 0, most=field.decimal_places)
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(str(value))
        return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else value
    if isinstance(field, models.DateField):
        day = parse_date(str(value))
        return date_format(day, "SHORT_DATE_FORMAT") if day else value
    return value
