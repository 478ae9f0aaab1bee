"""Forms of the procurement requests: the Comune's request, the SUA's answer, the SUA's list filters.

The request's codes (CPV, CUP, codice fiscale) and amounts are checked by the service, whose messages the
view puts on the fields; the files are checked here too, so that each error shows next to its file.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.forms import LocalPartyFilterForm
from casacomuni.documents.forms import KeepsUploadsMixin
from casacomuni.lib.forms import StyledForm
from casacomuni.procurement.requests import services
from casacomuni.procurement.requests.models import AttachmentKind, ContractKind, FundingSource, RequestState

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FILE_ACCEPT = ".pdf,.docx,.odt,.p7m"
AMOUNT = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


def file_field(label) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        help_text=_("PDF, DOCX, ODT or signed .p7m, up to 20 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}),
    )


class RequestForm(KeepsUploadsMixin, StyledForm):
    uploads_form = "procurement.request"

    title = forms.CharField(label=_("Object of the contract"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    contract_kind = forms.ChoiceField(label=_("Kind of contract"), choices=ContractKind.choices)
    cpv_code = forms.CharField(
        label=_("CPV code"), max_length=12, help_text=_("8 digits, with or without the check digit")
    )
    base_amount = forms.DecimalField(label=_("Estimated base amount (euro, net of VAT)"), **AMOUNT)
    options_amount = forms.DecimalField(
        label=_("Options and renewals (euro)"), required=False, initial=0, **AMOUNT
    )
    cup = forms.CharField(
        label=_("CUP"), max_length=15, required=False, help_text=_("When the contract is funded by a project")
    )
    pnrr = forms.BooleanField(label=_("Funded by the PNRR"), required=False)
    funding_source = forms.ChoiceField(label=_("Funding source"), choices=FundingSource.choices)
    rup_name = forms.CharField(label=_("RUP (name and surname)"), max_length=200)
    rup_fiscal_code = forms.CharField(label=_("RUP's codice fiscale"), max_length=16, required=False)
    desired_award_date = forms.DateField(label=_("Desired award date"), required=False, widget=DATE_WIDGET)
    project = file_field(_("Project"))
    specifications = file_field(_("Specifications"))
    other = file_field(_("Other document"))

    FILE_FIELDS = {
        "project": AttachmentKind.PROJECT,
        "specifications": AttachmentKind.SPECIFICATIONS,
        "other": AttachmentKind.OTHER,
    }

    def clean(self):
        cleaned = super().clean()
        for name, kind in self.FILE_FIELDS.items():
            upload = cleaned.get(name)
            if upload:
                try:
                    services.check_upload(services.Upload(kind, upload))
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned

    def to_data(self) -> services.RequestData:
        return services.RequestData(**{name: self.cleaned_data.get(name) for name in services.REQUEST_FIELDS})

    def uploads(self) -> list[services.Upload]:
        return [
            services.Upload(kind, self.cleaned_data[name])
            for name, kind in self.FILE_FIELDS.items()
            if self.cleaned_data.get(name)
        ]

    @classmethod
    def initial_from(cls, request) -> dict:
        return {name: getattr(request, name) for name in services.REQUEST_FIELDS}


class DecisionForm(StyledForm):
    reason = forms.CharField(
        label=_("Reasons"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RequestFilterForm(LocalPartyFilterForm):
    state_choices = list(RequestState.choices)
