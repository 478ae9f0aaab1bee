"""Forms in the Bootstrap Italia look: one renderer and one base class for every form of the project."""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _


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


class StyledFormMixin:
    """Gives each widget its Bootstrap Italia class and marks invalid fields for assistive technology."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.empty_label is not None:
                field.empty_label = EMPTY_CHOICE_LABEL
            css = WIDGET_CLASSES.get(type(field.widget), "form-control")
            if css:
                field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"{self.add_prefix(name)}-errors"


class StyledForm(StyledFormMixin, forms.Form):
    pass
