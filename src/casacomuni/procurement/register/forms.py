"""Forms of the operators' register: the application (or the SUA's own entry), documents, decisions, filters.

Codes (partita IVA, codice fiscale, CPV, SOA) are checked by register.services, whose messages land on the
fields; files are checked here too, so that each error shows next to its file.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.documents.forms import KeepsUploadsMixin
from casacomuni.lib.forms import StyledForm
from casacomuni.procurement.register import services
from casacomuni.procurement.register.models import DocumentKind, RegistrationState

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FILE_ACCEPT = ".pdf,.p7m"
COMPANY_FIELDS = (
    "name",
    "fiscal_code",
    "pec",
    "legal_representative_name",
    "legal_representative_fiscal_code",
    "address",
)
# The documents asked for at once: form prefix -> kind.
DOCUMENT_FIELDS = {
    "durc": DocumentKind.DURC,
    "soa": DocumentKind.SOA_CERTIFICATE,
    "insurance": DocumentKind.INSURANCE,
}


def file_field(label) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        help_text=_("PDF or signed .p7m, up to 20 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}),
    )


def date_field(label) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DATE_WIDGET)


class EntryForm(KeepsUploadsMixin, StyledForm):
    """An operator's data, categories and documents: the application, or the SUA's own entry."""

    uploads_form = "procurement.register_entry"

    name = forms.CharField(label=_("Company name"), max_length=200)
    fiscal_code = forms.CharField(
        label=_("Partita IVA or codice fiscale"), max_length=20, help_text=_("11 digits, or 16 characters")
    )
    pec = forms.CharField(label=_("PEC address"), max_length=254)
    legal_representative_name = forms.CharField(label=_("Legal representative"), max_length=200)
    legal_representative_fiscal_code = forms.CharField(
        label=_("Legal representative's codice fiscale"), max_length=16
    )
    address = forms.CharField(label=_("Registered office (address)"), max_length=300)
    cpv_codes = forms.CharField(
        label=_("CPV groups or codes (services and supplies)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("5 digits for a group (e.g. 79341), 8 for a code; separated by commas or new lines"),
    )
    soa_categories = forms.CharField(
        label=_("SOA categories and classes (works)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A category and its class per line, e.g. OG1 III or OS3 II"),
    )
    durc_file = file_field(_("DURC"))
    durc_issued_on = date_field(_("DURC: issue date"))
    durc_expires_on = date_field(_("DURC: expiry date"))
    soa_file = file_field(_("SOA certificate"))
    soa_issued_on = date_field(_("SOA certificate: issue date"))
    soa_expires_on = date_field(_("SOA certificate: expiry date"))
    insurance_file = file_field(_("Insurance policy"))
    insurance_issued_on = date_field(_("Insurance policy: issue date"))
    insurance_expires_on = date_field(_("Insurance policy: expiry date"))

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["categories"] = services.parse_categories(
                cleaned.get("cpv_codes", ""), cleaned.get("soa_categories", "")
            )
        except forms.ValidationError as refused:
            for field, messages in refused.message_dict.items():
                self.add_error(field, messages)
        for prefix in DOCUMENT_FIELDS:
            upload = self.upload(prefix)
            if upload is None:
                continue
            try:
                services.check_document(upload)
            except forms.ValidationError as refused:
                for field, messages in refused.message_dict.items():
                    self.add_error(f"{prefix}_{'file' if field in ('file', 'kind') else field}", messages)
        return cleaned

    def upload(self, prefix: str):
        file = self.cleaned_data.get(f"{prefix}_file")
        if not file:
            return None
        return services.DocumentUpload(
            DOCUMENT_FIELDS[prefix],
            file,
            self.cleaned_data.get(f"{prefix}_issued_on"),
            self.cleaned_data.get(f"{prefix}_expires_on"),
        )

    def to_data(self) -> services.CompanyData:
        return services.CompanyData(**{name: self.cleaned_data[name] for name in COMPANY_FIELDS})

    def uploads(self) -> list:
        return [upload for prefix in DOCUMENT_FIELDS if (upload := self.upload(prefix)) is not None]


class ApplicationForm(EntryForm):
    province = forms.ModelChoiceField(
        label=_("Albo of the Province"),
        queryset=Organization.objects.filter(kind=OrganizationKind.PROVINCE, is_active=True).order_by("name"),
    )
    field_order = ["province"]

    @classmethod
    def initial_for(cls, operator, last=None) -> dict:
        initial = {"name": operator.name, "fiscal_code": operator.fiscal_code, "pec": operator.pec}
        if last is not None:
            initial |= {
                "legal_representative_name": last.legal_representative_name,
                "legal_representative_fiscal_code": last.legal_representative_fiscal_code,
                "address": last.address,
            }
        return initial


class DocumentForm(KeepsUploadsMixin, StyledForm):
    uploads_form = "procurement.register_document"

    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF or signed .p7m, up to 20 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}),
    )
    issued_on = date_field(_("Issue date"))
    expires_on = date_field(_("Expiry date"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("file") and cleaned.get("kind"):
            try:
                services.check_document(self.upload())
            except forms.ValidationError as refused:
                for field, messages in refused.message_dict.items():
                    self.add_error(field, messages)
        return cleaned

    def upload(self):
        data = self.cleaned_data
        return services.DocumentUpload(
            data["kind"], data["file"], data.get("issued_on"), data.get("expires_on")
        )


class DecisionForm(StyledForm):
    reason = forms.CharField(
        label=_("Reasons"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RegisterFilterForm(StyledForm):
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All"))] + list(RegistrationState.choices), required=False
    )
    category = forms.CharField(
        label=_("Category"), required=False, max_length=12, help_text=_("A SOA category (OG1) or a CPV code")
    )
    expiring = forms.BooleanField(label=_("Documents expired or expiring within 30 days"), required=False)

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["state"]:
            queryset = queryset.filter(state=data["state"])
        if data["category"].strip():
            queryset = queryset.in_category(data["category"])
        if data["expiring"]:
            queryset = queryset.filter(has_expiring_documents=True)
        return queryset
