"""Forms of the training pages: the ledger's filters and the upload of hours done with other providers."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from casacomuni.lib.forms import StyledForm
from casacomuni.training import ledger
from casacomuni.training.rules import ledger as rules

STANDING_LABELS = {
    rules.REACHED: _("40 hours reached"),
    rules.ON_TRACK: _("On track"),
    rules.BEHIND: _("Behind"),
    rules.FAR_BEHIND: _("Far behind"),
    rules.MISSED: _("Year closed under 40 hours"),
}
SORTS = {
    "name": ("last_name", "first_name", "pk"),
    "hours": ("hours", "last_name", "pk"),
    "-hours": ("-hours", "last_name", "pk"),
}


def year_choices() -> list[tuple[int, int]]:
    return [(year, year) for year in range(date.today().year, rules.FIRST_YEAR - 1, -1)]


class LedgerFilterForm(StyledForm):
    """Year, organisation (the office's territory), standing and order of the ledger; bad values fall back
    to the defaults (the current year, everybody, by name)."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, choices=year_choices)
    organization = forms.TypedChoiceField(label=_("Organisation"), coerce=int, required=False)
    standing = forms.ChoiceField(label=_("Standing"), required=False)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("name", _("By name")),
            ("-hours", _("Most hours first")),
            ("hours", _("Fewest hours first")),
        ],
    )

    def __init__(self, data, organizations):
        super().__init__(data)
        self.fields["organization"].choices = [("", _("All"))] + [(o.pk, o.name) for o in organizations]
        self.fields["standing"].choices = [("", _("All"))] + list(STANDING_LABELS.items())

    def value(self, name, default):
        if not self.is_bound or not self.is_valid():
            return default
        return self.cleaned_data.get(name) or default

    def filter(self, people):
        organization = self.value("organization", None)
        if organization:
            people = people.filter(organization_id=organization)
        standing = self.value("standing", None)
        if standing:
            people = ledger.standing_filter(people, standing, self.value("year", date.today().year))
        return people.order_by(*SORTS[self.value("sort", "name")])


class ImportHoursForm(StyledForm):
    organization = forms.TypedChoiceField(label=_("Organisation of the staff"), coerce=int)
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Comma or semicolon separated, in UTF-8, with the columns listed above."),
    )

    def __init__(self, data, files, organizations):
        super().__init__(data, files)
        self.organizations = {o.pk: o for o in organizations}
        self.fields["organization"].choices = [(o.pk, o.name) for o in organizations]
