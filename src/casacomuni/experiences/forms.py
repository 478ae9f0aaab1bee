"""Forms of the experiences: the filters of the list, the experience with its results, a document, the
reviewer's note and the message of a replication."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casacomuni.experiences.models import FIRST_YEAR, LAST_YEAR, ExperienceState, ServiceArea
from casacomuni.experiences.services import MAX_RESULTS, ExperienceData, ResultData
from casacomuni.lib.forms import StyledForm
from casacomuni.lib.money import parse_euro
from casacomuni.lib.search import MAX_LENGTH
from casacomuni.territory.models import Municipality, Region


class FilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), max_length=MAX_LENGTH, required=False)
    area = forms.ChoiceField(label=_("Service area"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    province = forms.CharField(required=False, max_length=2, widget=forms.HiddenInput)
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args, show_state: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["area"].choices = everything + list(ServiceArea.choices)
        self.fields["region"].choices = everything + [
            (code, name) for code, name in Region.objects.order_by("name").values_list("code", "name")
        ]
        if show_state:
            self.fields["state"].choices = everything + list(ExperienceState.choices)
        else:
            del self.fields["state"]

    def filter(self, experiences):
        data = self.cleaned_data
        experiences = experiences.search(data["q"])
        if data["area"]:
            experiences = experiences.filter(area=data["area"])
        if data["region"]:
            experiences = experiences.in_region(data["region"])
        if data["province"]:
            experiences = experiences.of_province(data["province"].upper())
        if data.get("state"):
            experiences = experiences.filter(state=data["state"])
        return experiences


class ExperienceForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    area = forms.ChoiceField(label=_("Service area"), choices=ServiceArea.choices)
    problem = forms.CharField(
        label=_("Problem"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What did not work, for whom, before the experience."),
    )
    solution = forms.CharField(
        label=_("Solution"), widget=forms.Textarea(attrs={"rows": 5}), help_text=_("What the Province did.")
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who does what: offices, roles, the Comuni's part."),
    )
    staff = forms.IntegerField(label=_("People at work on it"), min_value=0, max_value=10_000, required=False)
    cost_amount = forms.CharField(
        label=_("Cost (euro)"),
        required=False,
        max_length=20,
        help_text=_("Total cost in euro, for example 45.000,50."),
    )
    cost_notes = forms.CharField(
        label=_("Notes on the costs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How the cost is shared, what it includes, the sources of funding."),
    )
    start_year = forms.IntegerField(label=_("Start year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    comuni_count = forms.IntegerField(label=_("Comuni involved"), min_value=0, max_value=10_000, initial=0)
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Which Comuni (optional)"),
        queryset=Municipality.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_role = forms.CharField(label=_("Contact's role"), max_length=200)
    contact_email = forms.EmailField(label=_("Office e-mail"))

    def __init__(self, *args, province, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipalities"].queryset = (
            Municipality.objects.current().filter(province_id=province.province_id).order_by("name")
        )

    def clean_cost_amount(self):
        """Written the Italian way ("45.000,50") or the plain way ("45000.50")."""
        text = self.cleaned_data["cost_amount"].replace(" ", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        return parse_euro(text)

    def to_data(self, results) -> ExperienceData:
        data = dict(self.cleaned_data)
        data["municipalities"] = list(data["municipalities"])
        return ExperienceData(**data, results=result_data(results))


class ResultRowForm(StyledForm):
    """A result: the indicator, its figure and the unit ("Gare aggregate", 42, ""; "Risparmio medio", 8.3, "%")."""

    indicator = forms.CharField(label=_("Indicator"), max_length=200, required=False)
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)

    def clean(self):
        data = super().clean()
        indicator, value = data.get("indicator"), data.get("value")
        if indicator and value is None and "value" not in self.errors:
            self.add_error("value", _("Give the figure of this result."))
        if value is not None and not indicator:
            self.add_error("indicator", _("Say what this figure measures."))
        return data


ResultRows = forms.formset_factory(ResultRowForm, extra=3, max_num=MAX_RESULTS, validate_max=True)


def result_data(rows) -> list[ResultData]:
    return [
        ResultData(row.cleaned_data["indicator"], row.cleaned_data["value"], row.cleaned_data["unit"])
        for row in rows
        if row.cleaned_data.get("indicator")
    ]


def initial_results(experience) -> list[dict]:
    return [{"indicator": r.indicator, "value": r.value, "unit": r.unit} for r in experience.results.all()]


class DocumentForm(StyledForm):
    title = forms.CharField(label=_("Title of the document"), max_length=200)
    file = forms.FileField(
        label=_("File (PDF, ODT or DOCX, up to 20 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.odt,.docx"}),
    )


class ReturnForm(StyledForm):
    note = forms.CharField(
        label=_("What the Province should change"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class ReplicationForm(StyledForm):
    message = forms.CharField(
        label=_("Message for the other Province"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Why you want to replicate it and what you would like to know."),
    )
