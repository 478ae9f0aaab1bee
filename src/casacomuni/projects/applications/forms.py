"""Forms of the applications: they parse and render; the services validate again and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.forms import LocalPartyFilterForm
from casacomuni.documents.forms import KeepsUploadsMixin
from casacomuni.lib.forms import StyledForm, StyledFormMixin
from casacomuni.projects.applications.models import Application, ApplicationStatus, PartnerRole
from casacomuni.projects.applications.services import (
    ActionData,
    ApplicationChanges,
    ApplicationData,
    PartnerData,
    TaskData,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ApplicationFilterForm(LocalPartyFilterForm):
    state_choices = ApplicationStatus.choices

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        if self.cleaned_data["state"]:
            queryset = queryset.filter(status=self.cleaned_data["state"])
        if self.cleaned_data["municipality"]:
            queryset = queryset.filter(lead=self.cleaned_data["municipality"])
        return queryset


class NewApplicationForm(StyledForm):
    """A Comune flags interest in a call; the office proposes a call to one of its adhering Comuni."""

    # The calls' titles are quoted as their source published them, often in English.
    call = forms.ModelChoiceField(
        label=_("Call"), queryset=None, widget=forms.Select(attrs={"translate": "no"})
    )
    lead = forms.ModelChoiceField(label=_("Comune or Unione"), queryset=None, required=False)
    title = forms.CharField(
        label=_("Title of the project idea"),
        max_length=300,
        required=False,
        help_text=_("The call's title when left empty."),
    )
    description = forms.CharField(
        label=_("Project idea"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, calls, parties=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = calls
        if parties is None:
            del self.fields["lead"]
        else:
            self.fields["lead"].queryset = parties
            self.fields["lead"].required = True

    def to_data(self) -> ApplicationData:
        return ApplicationData(title=self.cleaned_data["title"], description=self.cleaned_data["description"])


class ApplicationEditForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Application
        fields = ["title", "description", "requested_amount", "lead", "lead_time_days"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, parties=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parties is None:
            del self.fields["lead"]
            del self.fields["lead_time_days"]
        else:
            self.fields["lead"].queryset = parties

    def to_data(self) -> ApplicationChanges:
        data = self.cleaned_data
        lead = data.get("lead")
        return ApplicationChanges(
            title=data["title"],
            description=data["description"],
            requested_amount=data["requested_amount"],
            lead=lead.pk if lead else None,
            lead_time_days=data.get("lead_time_days"),
        )


class ActionForm(StyledForm):
    granted_amount = forms.DecimalField(
        label=_("Granted amount (€)"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    note = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )

    def to_data(self) -> ActionData:
        return ActionData(
            granted_amount=self.cleaned_data.get("granted_amount"), note=self.cleaned_data["note"]
        )


class PartnerForm(StyledForm):
    organization = forms.ModelChoiceField(
        label=_("Comune or Unione of the Province"), queryset=None, required=False
    )
    external_name = forms.CharField(label=_("or an external body"), max_length=300, required=False)
    external_fiscal_code = forms.CharField(
        label=_("External body's fiscal code"), max_length=16, required=False
    )
    role = forms.ChoiceField(label=_("Role"), choices=PartnerRole.choices)

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = parties

    def to_data(self) -> PartnerData:
        data = self.cleaned_data
        return PartnerData(
            organization=data["organization"].pk if data["organization"] else None,
            external_name=data["external_name"],
            external_fiscal_code=data["external_fiscal_code"],
            role=data["role"],
        )


class TaskForm(StyledForm):
    title = forms.CharField(label=_("Task"), max_length=300)
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None, required=False)
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=DATE, help_text=_("The internal deadline when left empty.")
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = users

    def to_data(self) -> TaskData:
        data = self.cleaned_data
        return TaskData(
            title=data["title"],
            assignee=data["assignee"].pk if data["assignee"] else None,
            due_on=data["due_on"],
        )


class DocumentForm(KeepsUploadsMixin, StyledForm):
    uploads_form = "projects.application_document"

    file = forms.FileField(label=_("Document (PDF, DOCX, ODT or .p7m, up to 20 MB)"))
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
