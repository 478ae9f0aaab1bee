"""Forms of the funded projects: they parse and render; the services validate again and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.forms import LocalPartyFilterForm
from casacomuni.documents.forms import KeepsUploadsMixin
from casacomuni.lib.forms import StyledForm, StyledFormMixin
from casacomuni.projects.funded import services as project_services
from casacomuni.projects.funded.models import FinancingSource, FundedProject, ProjectStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectFilterForm(LocalPartyFilterForm):
    state_choices = ProjectStatus.choices

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        if self.cleaned_data["state"]:
            queryset = queryset.filter(status=self.cleaned_data["state"])
        if self.cleaned_data["municipality"]:
            queryset = queryset.filter(beneficiary=self.cleaned_data["municipality"])
        return queryset


class ProjectForm(StyledFormMixin, forms.ModelForm):
    """The project's data; ``beneficiary`` only when the office enters a project directly."""

    beneficiary = forms.ModelChoiceField(label=_("Beneficiary Comune or Unione"), queryset=None)
    financing_source = forms.ChoiceField(
        label=_("Source of the granted amount"), choices=FinancingSource.choices, initial=FinancingSource.EU
    )

    class Meta:
        model = FundedProject
        fields = list(project_services.PROJECT_FIELDS)
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "start_date": DATE,
            "planned_end_date": DATE,
            "actual_end_date": DATE,
        }

    def __init__(self, *args, parties=None, from_application=False, **kwargs):
        super().__init__(*args, **kwargs)
        # The service checks the CUP (shape, uniqueness) with a message of its own.
        self.fields["cup"].validators = []
        if parties is None:
            del self.fields["beneficiary"]
        else:
            self.fields["beneficiary"].queryset = parties
        if not from_application:
            del self.fields["financing_source"]

    def validate_unique(self):
        pass  # the service says which CUP is taken

    def to_data(self) -> project_services.ProjectData:
        data = dict(self.cleaned_data)
        if "beneficiary" in data:
            data["beneficiary"] = data["beneficiary"].pk
        return project_services.ProjectData(**data)


def item_form(kind: str):
    """The ModelForm of a project's part (see ``funded.services.ITEMS``)."""
    model, fields, _sides, _pnrr = project_services.ITEMS[kind]
    widgets = {
        name: DATE for name in fields if model._meta.get_field(name).get_internal_type() == "DateField"
    }
    return forms.modelform_factory(
        model, form=type("ItemForm", (StyledFormMixin, forms.ModelForm), {}), fields=fields, widgets=widgets
    )


class ExpenseForm(KeepsUploadsMixin, StyledForm):
    """``periods``: the project's periods; only those whose statement is not submitted yet are offered."""

    uploads_form = "projects.expense"
    period = forms.ModelChoiceField(
        label=_("Reporting period"),
        queryset=None,
        error_messages={
            "invalid_choice": _(
                "Choose an open reporting period: the statement of this one was already submitted, or it is "
                "not a period of this project."
            )
        },
    )
    description = forms.CharField(label=_("Description"), max_length=300)
    amount = forms.DecimalField(label=_("Amount (€)"), max_digits=14, decimal_places=2, min_value=0)
    date = forms.DateField(label=_("Date"), widget=DATE)
    cig = forms.CharField(
        label=_("CIG"),
        max_length=10,
        required=False,
        help_text=_("When the expense comes from a procurement."),
    )
    file = forms.FileField(label=_("Document (PDF, DOCX, ODT or .p7m, up to 20 MB)"))

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = periods.filter(submitted_on__isnull=True)

    def to_data(self) -> project_services.ExpenseData:
        data = self.cleaned_data
        return project_services.ExpenseData(
            description=data["description"], amount=data["amount"], date=data["date"], cig=data["cig"]
        )


class StatementForm(StyledForm):
    submitted_on = forms.DateField(label=_("Statement submitted on"), widget=DATE)


class ProcurementForm(StyledForm):
    """What the project cannot tell the SUA: the rest comes from the project (title, CUP, PNRR, funding)."""

    contract_kind = forms.ChoiceField(label=_("Kind of contract"), choices=())
    cpv_code = forms.CharField(label=_("CPV code"), max_length=12)
    base_amount = forms.DecimalField(
        label=_("Estimated base amount (€)"), max_digits=14, decimal_places=2, min_value=0
    )
    rup_name = forms.CharField(label=_("RUP"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, **kwargs):
        from casacomuni.procurement.requests.models import ContractKind

        super().__init__(*args, **kwargs)
        self.fields["contract_kind"].choices = ContractKind.choices

    def to_data(self) -> project_services.ProcurementData:
        return project_services.ProcurementData(**self.cleaned_data)
