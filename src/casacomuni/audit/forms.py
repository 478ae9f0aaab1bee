from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from casacomuni.lib.forms import StyledForm


class EventFilterForm(StyledForm):
    """Filters of the audit list: an action (or its prefix, such as "membership") and a date range."""

    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=100,
        help_text=_('For example "auth.login" or "membership".'),
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"}, "%Y-%m-%d")
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput({"type": "date"}, "%Y-%m-%d")
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError(_("The start date must not be after the end date."), code="date_range")
        return data
