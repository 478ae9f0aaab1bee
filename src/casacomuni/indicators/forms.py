"""The dashboards' GET form: which indicator and which year."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casacomuni.lib.forms import StyledForm


class IndicatorYearForm(StyledForm):
    indicatore = forms.ChoiceField(label=_("Indicator"))
    anno = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, data, *, indicators, years):
        self.indicators = {indicator.code: indicator for indicator in indicators}
        initial = {
            "indicatore": next(iter(self.indicators), None),
            "anno": years[0] if years else None,
        }
        # Missing parameters take the first indicator and the latest year: the page opens on something.
        merged = {**initial, **{key: value for key, value in data.items() if key in initial and value}}
        super().__init__(merged)
        self.fields["indicatore"].choices = [(code, ind.name) for code, ind in self.indicators.items()]
        self.fields["anno"].choices = [(year, str(year)) for year in years]

    @property
    def has_data(self) -> bool:
        """Whether there is anything to choose: indicators and years with computed values."""
        return bool(self.indicators) and bool(self.fields["anno"].choices)

    @property
    def indicator(self):
        return self.indicators[self.cleaned_data["indicatore"]]

    @property
    def year(self) -> int:
        return self.cleaned_data["anno"]


class ComputeForm(StyledForm):
    """The year whose indicators a Province or UPI asks to recompute now."""

    anno = forms.IntegerField(label=_("Year"), min_value=2000)

    def clean_anno(self):
        year = self.cleaned_data["anno"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("The year cannot be in the future."))
        return year
