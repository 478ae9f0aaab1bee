"""The calendar page's filter: the view (month or list), the month, the day, the kinds shown."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from casacomuni.agenda.sources import KINDS

MONTH = "mese"
LIST = "elenco"


class CalendarFilter(forms.Form):
    vista = forms.ChoiceField(
        label=_("View"), choices=((MONTH, _("Month")), (LIST, _("List"))), required=False
    )
    mese = forms.CharField(label=_("Month"), required=False)
    giorno = forms.DateField(label=_("Day"), required=False, input_formats=["%Y-%m-%d"])
    tipo = forms.MultipleChoiceField(
        label=_("Show"), choices=list(KINDS.items()), required=False, widget=forms.CheckboxSelectMultiple
    )

    def clean_mese(self) -> date | None:
        """A month written as YYYY-MM, as the page's links write it; its first day."""
        text = self.cleaned_data["mese"]
        if not text:
            return None
        try:
            year, month = (int(part) for part in text.split("-"))
            return date(year, month, 1)
        except ValueError:
            raise ValidationError(_("Write the month as year-month, for example 2026-12.")) from None
