"""Forms of the training pages: they read what a person types; the services validate and write."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from casacomuni.lib.forms import StyledForm
from casacomuni.training import ledger
from casacomuni.training.models import Area, Competence, Level, Mode
from casacomuni.training.rules import ledger as rules
from casacomuni.training.services import EditionData, ModuleData, PathData, StaffData

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CatalogueFilterForm(forms.Form):
    area = forms.ChoiceField(label=_("area"), choices=[("", _("All"))] + Area.choices, required=False)
    level = forms.ChoiceField(label=_("level"), choices=[("", _("All"))] + Level.choices, required=False)

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        for name in ("area", "level"):
            if self.cleaned_data[name]:
                queryset = queryset.filter(**{name: self.cleaned_data[name]})
        return queryset


class ModuleForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    area = forms.ChoiceField(label=_("area"), choices=Area.choices)
    level = forms.ChoiceField(label=_("level"), choices=Level.choices)
    mode = forms.ChoiceField(label=_("mode"), choices=Mode.choices)
    hours = forms.DecimalField(label=_("hours"), min_value=0.5, max_value=500, decimal_places=1)
    objectives = forms.CharField(label=_("objectives"), widget=forms.Textarea(attrs={"rows": 3}))
    contents = forms.CharField(label=_("contents"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    elearning_url = forms.URLField(label=_("e-learning link"), required=False, assume_scheme="https")


class CompetenceRowForm(forms.Form):
    competence = forms.ChoiceField(label=_("competence"), required=False)
    level = forms.ChoiceField(label=_("level"), choices=[("", "—")] + Level.choices, required=False)

    def __init__(self, *args, competence_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competence"].choices = [("", "—"), *competence_choices]


class MaterialRowForm(forms.Form):
    title = forms.CharField(label=_("title of the material"), max_length=200, required=False)
    url = forms.URLField(label=_("link"), required=False, assume_scheme="https")


CompetenceRows = forms.formset_factory(CompetenceRowForm, extra=3)
MaterialRows = forms.formset_factory(MaterialRowForm, extra=2)


def competence_choices() -> list[tuple[str, str]]:
    """The framework's competences, read once for every row of the form."""
    return [(code, f"{code} {name}") for code, name in Competence.objects.values_list("code", "name")]


def module_data(form: ModuleForm, competences, materials) -> ModuleData:
    rows = [row.cleaned_data for row in competences if row.cleaned_data.get("competence")]
    links = [
        row.cleaned_data for row in materials if row.cleaned_data.get("title") or row.cleaned_data.get("url")
    ]
    return ModuleData(
        **form.cleaned_data,
        competences=[(row["competence"], row["level"]) for row in rows],
        materials=[(row["title"], row["url"]) for row in links],
    )


class EditionForm(forms.Form):
    code = forms.CharField(label=_("code"), max_length=30, help_text=_("For example 2026/01"))
    seats = forms.IntegerField(label=_("seats"), min_value=1, max_value=1000)
    enrolment_deadline = forms.DateField(label=_("enrolment deadline"), required=False, widget=DATE)
    teachers = forms.CharField(label=_("teachers"), max_length=300, required=False)
    min_attendance_percent = forms.IntegerField(
        label=_("minimum attendance (%)"), min_value=1, max_value=100, initial=75
    )
    final_test = forms.BooleanField(label=_("final test"), required=False)
    pass_mark_percent = forms.IntegerField(
        label=_("pass mark of the test (%)"), min_value=1, max_value=100, initial=67
    )
    signatory = forms.CharField(
        label=_("signatory of the certificates"), max_length=200, help_text=_("Name and role, as printed")
    )

    def to_data(self) -> EditionData:
        return EditionData(**self.cleaned_data)


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("ends at"), widget=DATETIME)
    place = forms.CharField(label=_("place"), max_length=300, required=False)
    video_link = forms.URLField(label=_("video link"), required=False, assume_scheme="https")


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.last_name} {obj.first_name} ({obj.organization.name})"


class EnrolForm(forms.Form):
    people = StaffChoiceField(label=_("People to enrol"), queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = staff

    def show_only(self, people) -> None:
        """Offer ``people`` (a page of a search) as the boxes to tick: a Province's territory has thousands
        of people. The choice was validated against the whole staff the user may enrol."""
        self.fields["people"].queryset = people


class SignInForm(forms.Form):
    code = forms.CharField(label=_("Code shown by the teacher"), max_length=6)


class StaffForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("organisation"), queryset=None)
    fiscal_code = forms.CharField(label=_("fiscal code"), max_length=16)
    first_name = forms.CharField(label=_("first name"), max_length=100)
    last_name = forms.CharField(label=_("last name"), max_length=100)
    email = forms.EmailField(label=_("e-mail"), required=False)
    job_title = forms.CharField(label=_("role"), max_length=200, required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        # The referent adds people to its own Comune only: nothing to choose.
        self.only = organizations.first() if len(organizations) == 1 else None
        if self.only is not None:
            self.fields["organization"].required = False
            self.fields["organization"].widget = forms.HiddenInput()

    def clean_organization(self):
        return self.only or self.cleaned_data["organization"]

    def to_data(self) -> StaffData:
        data = dict(self.cleaned_data)
        data.pop("organization")
        return StaffData(**data)


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


class DashboardFilterForm(StyledForm):
    """The year of a training dashboard; a bad value falls back to the current year."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, choices=year_choices)

    def chosen_year(self) -> int:
        if self.is_bound and self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return date.today().year


# --- The final test, the satisfaction questionnaire and the revocation ---------------------------------------

OPTION_FIELDS = [f"option_{number}" for number in range(1, 7)]


class TestQuestionForm(forms.Form):
    """A question of the final test: up to six options (empty ones are left out), the correct one chosen by
    its number."""

    __test__ = False

    text = forms.CharField(label=_("Question"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    option_1 = forms.CharField(label=_("Option 1"), max_length=300, required=False)
    option_2 = forms.CharField(label=_("Option 2"), max_length=300, required=False)
    option_3 = forms.CharField(label=_("Option 3"), max_length=300, required=False)
    option_4 = forms.CharField(label=_("Option 4"), max_length=300, required=False)
    option_5 = forms.CharField(label=_("Option 5"), max_length=300, required=False)
    option_6 = forms.CharField(label=_("Option 6"), max_length=300, required=False)
    correct = forms.TypedChoiceField(
        label=_("The correct option"),
        coerce=int,
        choices=[(n, _("Option %(number)s") % {"number": n}) for n in range(1, 7)],
        widget=forms.RadioSelect,
    )

    @classmethod
    def initial_from(cls, question) -> dict:
        initial = {"text": question.text, "correct": question.correct + 1}
        initial |= dict(zip(OPTION_FIELDS, question.options, strict=False))
        return initial

    def to_args(self) -> tuple[str, list[str], int]:
        """The question, its non-empty options and the index of the correct one among them (-1 when the
        number chosen is an empty option: the service refuses it)."""
        data = self.cleaned_data
        filled = [name for name in OPTION_FIELDS if data[name].strip()]
        chosen = OPTION_FIELDS[data["correct"] - 1]
        return data["text"], [data[name] for name in filled], filled.index(chosen) if chosen in filled else -1


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the certificate is revoked"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm = forms.BooleanField(
        label=_("I confirm: the certificate no longer verifies and its hours leave the ledger")
    )


# --- Training paths -----------------------------------------------------------------------------------------


class PathForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    area = forms.ChoiceField(label=_("area"), choices=Area.choices)
    level = forms.ChoiceField(label=_("level"), choices=Level.choices)
    description = forms.CharField(label=_("objectives"), widget=forms.Textarea(attrs={"rows": 3}))

    def to_data(self) -> PathData:
        return PathData(**self.cleaned_data)


class PathModuleRowForm(forms.Form):
    """A module of the path and its place (1 the first)."""

    module = forms.TypedChoiceField(label=_("module"), coerce=int, required=False)
    position = forms.IntegerField(label=_("position"), min_value=1, max_value=100, required=False)

    def __init__(self, *args, module_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = [("", "—"), *module_choices]


PathModuleRows = forms.formset_factory(PathModuleRowForm, extra=3)


def module_choices(modules) -> list[tuple[int, str]]:
    """The office's modules as choices, read once for every row of the form; drafts say so."""
    draft = _("draft")
    return [
        (pk, title if published else f"{title} ({draft})")
        for pk, title, published in modules.order_by("title", "pk").values_list("pk", "title", "published")
    ]


def ordered_module_ids(rows) -> list[int]:
    """The modules chosen in the rows, by their position (rows without one after, in the rows' order)."""
    chosen = [
        (row.cleaned_data.get("position") or 1000, number, row.cleaned_data["module"])
        for number, row in enumerate(rows)
        if row.cleaned_data.get("module")
    ]
    return [module for _position, _number, module in sorted(chosen)]
