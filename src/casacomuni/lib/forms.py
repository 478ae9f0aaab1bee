"""Forms in the Bootstrap Italia look: one renderer and one base class for every form of the project."""

from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

from casacomuni.lib.bounds import MAX_INTEGER, max_decimal


class ItalianFormRenderer(DjangoTemplates):
    form_template_name = "lib/form.html"
    field_template_name = "lib/field.html"


# Bootstrap Italia draws a checkbox from its label (``.form-check``): the input itself takes no class.
WIDGET_CLASSES: dict[type[forms.Widget], str] = {
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
        _bound(field, max_decimal(field.decimal_places))
    elif isinstance(field, forms.IntegerField):
        _bound(field, MAX_INTEGER)


def _bound(field: forms.IntegerField, limit: Decimal | int) -> None:
    # django-stubs types the bounds as an IntegerField's (int or a callable); a DecimalField's are Decimals,
    # and no form of the project gives a callable bound.
    maximum = cast("Decimal | int | None", field.max_value)
    minimum = cast("Decimal | int | None", field.min_value)
    if maximum is None or maximum > limit:
        field.max_value = limit  # type: ignore[assignment]  # a Decimal for a DecimalField (see above)
        field.validators.append(MaxValueValidator(limit))
    if minimum is None or minimum < -limit:
        field.min_value = -limit  # type: ignore[assignment]  # likewise
        field.validators.append(MinValueValidator(-limit))


# The type checker reads the mixin as the form class it is mixed into (forms.BaseForm), which provides
# fields, errors and add_prefix; at run time it is a plain class placed before that form class.
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class StyledFormMixin(_FormBase):
    """Gives each widget its Bootstrap Italia class, marks invalid fields for assistive technology and
    bounds numbers to what the database holds."""

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
        super().full_clean()  # forms.BaseForm's, after this mixin in the MRO
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"{self.add_prefix(name)}-errors"


class StyledForm(StyledFormMixin, forms.Form):
    pass


def refused(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal shown on the form: on each field it names that the form has, else on the whole form
    (the services raise ValidationError with Italian messages, per field where they can)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
