"""Forms in the Bootstrap Italia look: one renderer and one base class for every form of the project."""

from collections.abc import Callable

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

from casacomuni.lib.bounds import MAX_INTEGER, max_decimal


class ItalianFormRenderer(DjangoTemplates):
    form_template_name = "lib/form.html"
    field_template_name = "lib/field.html"


# Bootstrap Italia draws a checkbox from its label (``.form-check``): the input itself takes no class.
WIDGET_CLASSES = {
    forms.CheckboxInput: "",
    forms.CheckboxSelectMultiple: "",
    forms.RadioSelect: "",
    forms.Select: "form-select",
    forms.SelectMultiple: "form-select",
}


# Django 6.1's own "- Select an option -" has no Italian translation yet: ours is in the project's catalogue.
EMPTY_CHOICE_LABEL = _("Choose…")


def bound_number(field: forms.Field) -> None:
    """Numbers within what the database holds (lib.bounds), for every form of the project."""
    if isinstance(field, forms.DecimalField):
        limit = max_decimal(field.decimal_places)
        if field.max_value is None or field.max_value > limit:
            field.max_value = limit
            field.validators.append(MaxValueValidator(limit))
        if field.min_value is None or field.min_value < -limit:
            field.min_value = -limit
            field.validators.append(MinValueValidator(-limit))
    elif isinstance(field, forms.IntegerField):
        if field.max_value is None or field.max_value > MAX_INTEGER:
            field.max_value = MAX_INTEGER
            field.validators.append(MaxValueValidator(MAX_INTEGER))
        if field.min_value is None or field.min_value < -MAX_INTEGER:
            field.min_value = -MAX_INTEGER
            field.validators.append(MinValueValidator(-MAX_INTEGER))


class StyledFormMixin:
    """Gives each widget its Bootstrap Italia class, marks invalid fields for assistive technology and
    bounds numbers to what the database holds."""

    # What the form class it is mixed into (forms.BaseForm) provides, declared for the type checker.
    fields: dict[str, forms.Field]
    errors: dict[str, list]
    add_prefix: Callable[[str], str]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            bound_number(field)
            if isinstance(field, forms.ModelChoiceField) and field.empty_label is not None:
                field.empty_label = EMPTY_CHOICE_LABEL
            css = WIDGET_CLASSES.get(type(field.widget), "form-control")
            if css:
                field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()  # type: ignore[misc]  # forms.BaseForm's, after this mixin in the MRO
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"{self.add_prefix(name)}-errors"


class StyledForm(StyledFormMixin, forms.Form):
    pass
