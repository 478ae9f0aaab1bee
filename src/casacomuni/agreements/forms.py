"""Forms of the agreements pages: the catalogue, the new agreement, the acts of each transition."""

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.forms import LocalPartyFilterForm
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.agreements.models import (
    Agreement,
    AgreementState,
    CostModel,
    Service,
    ServiceKind,
    SuaFunction,
)
from casacomuni.agreements.rules import lifecycle
from casacomuni.agreements.services import ActData, ServiceData
from casacomuni.documents.forms import KeepsUploadsMixin
from casacomuni.lib.forms import StyledForm
from casacomuni.lib.uploads import is_p7m, is_pdf

MAX_UPLOAD_BYTES = 20 * 1024 * 1024

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE_WIDGET, **kwargs)


class ServiceForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind of service"), choices=ServiceKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    delegated_functions = forms.TypedMultipleChoiceField(
        label=_("Functions delegated to the SUA (ANAC codes)"),
        choices=SuaFunction.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only for a SUA: the functions the Comuni delegate, as ANAC's AUSA registry records them."
        ),
    )
    cost_model = forms.ChoiceField(label=_("Cost sharing"), choices=CostModel.choices)
    cost_amount = forms.DecimalField(
        label=_("Amount"),
        min_value=0,
        max_digits=12,
        decimal_places=4,
        initial=0,
        help_text=_(
            "Its meaning depends on the cost sharing: the yearly fee in euro (fixed yearly fee); euro per "
            "inhabitant per year (per inhabitant); euro for each procedure (per procedure); the percentage of "
            "each procedure's amount, from 0 to 100 (percentage). 0 for a free service."
        ),
    )
    cost_minimum = forms.DecimalField(
        label=_("Minimum per procedure (euro)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Only for the percentage: the least a procedure costs, whatever its amount."),
    )
    cost_maximum = forms.DecimalField(
        label=_("Maximum per procedure (euro)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Only for the percentage: the most a procedure costs, whatever its amount."),
    )
    standard_clauses = forms.CharField(
        label=_("Standard clauses"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    is_published = forms.BooleanField(
        label=_("Published: the Comuni of the province see it and may ask to join"), required=False
    )

    def __init__(self, *args, province, service=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.province = province
        self.service = service

    def to_data(self) -> ServiceData:
        return ServiceData(**self.cleaned_data)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = Service.objects.filter(province=self.province, name__iexact=name)
        if self.service is not None:
            others = others.exclude(pk=self.service.pk)
        if others.exists():
            raise ValidationError(_("Your catalogue already has a service with this name."))
        return name

    def clean(self):
        data = super().clean()
        kind, model = data.get("kind"), data.get("cost_model")
        if kind and data.get("delegated_functions") and kind != ServiceKind.SUA:
            self.add_error("delegated_functions", _("Delegated functions apply only to a SUA."))
        if kind == ServiceKind.SUA and not data.get("delegated_functions"):
            self.add_error("delegated_functions", _("Choose the functions the Comuni delegate to the SUA."))
        self.clean_cost(model, data)
        return data

    def clean_cost(self, model, data) -> None:
        amount, minimum, maximum = data.get("cost_amount"), data.get("cost_minimum"), data.get("cost_maximum")
        if model == CostModel.FREE and amount:
            self.add_error("cost_amount", _("A free service has no amount: leave 0."))
        if model == CostModel.PERCENTAGE and amount is not None and amount > 100:
            self.add_error("cost_amount", _("A percentage is between 0 and 100."))
        # The cost rules bound only each procedure's share of a percentage (rules/costs.py).
        if model != CostModel.PERCENTAGE:
            for name in ("cost_minimum", "cost_maximum"):
                if data.get(name) is not None:
                    self.add_error(name, _("A minimum and a maximum apply only to the percentage."))
        elif minimum is not None and maximum is not None and minimum > maximum:
            self.add_error("cost_maximum", _("The maximum cannot be less than the minimum."))


class JoinRequestForm(StyledForm):
    note = forms.CharField(
        label=_("Note for the Province"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class JoinAnswerForm(StyledForm):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("refuse", _("Refuse"))])
    answer = forms.CharField(label=_("Answer"), max_length=2000, required=False)


# The standard model's clauses: the text of a legal document, which is written in Italian whatever the
# interface language (art. 30 TUEL; L. 56/2014 art. 1 c. 88; art. 28 Reg. UE 2016/679).
STANDARD_CLAUSES = {
    "legal_basis": "art. 30 D.Lgs. 267/2000; art. 1, c. 88, L. 56/2014",
    "object": (
        "La Provincia svolge per conto del Comune, in forma associata, i servizi indicati nella presente "
        "convenzione, con le funzioni e alle condizioni economiche previste per ciascuno nel catalogo dei "
        "servizi della Provincia, che la convenzione richiama."
    ),
    "governance": (
        "L'attuazione della convenzione è indirizzata dalla conferenza dei sindaci dei Comuni aderenti, "
        "presieduta dal Presidente della Provincia o da un suo delegato, che si riunisce almeno una volta "
        "l'anno per verificare l'andamento dei servizi, i costi e i risultati; un comitato tecnico di "
        "referenti della Provincia e del Comune cura il coordinamento operativo."
    ),
    "data_protection": (
        "Per i trattamenti di dati personali connessi ai servizi, il Comune resta titolare del trattamento "
        "e nomina la Provincia responsabile del trattamento ai sensi dell'art. 28 del Regolamento (UE) "
        "2016/679; la Provincia tratta i dati solo su istruzione documentata del Comune, ne garantisce la "
        "riservatezza e la sicurezza con misure tecniche e organizzative adeguate, vincola alla riservatezza "
        "le persone autorizzate e li restituisce o cancella al termine della convenzione."
    ),
    "disputes": (
        "Le parti si impegnano a risolvere in via amichevole, in sede di conferenza dei sindaci, le "
        "controversie sull'interpretazione e sull'esecuzione della convenzione; in mancanza di accordo è "
        "competente il giudice amministrativo ai sensi dell'art. 133, c. 1, lett. a), n. 2, D.Lgs. 104/2010."
    ),
}
DEFAULT_YEARS = 3
DEFAULT_NOTICE_DAYS = 180


def years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


class AgreementForm(StyledForm):
    """The standard model: clauses, services of the catalogue, the parties (one agreement each), dates."""

    title = forms.CharField(label=_("Title"), max_length=300)
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Comuni and Unioni (one agreement each)"),
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services"), queryset=Service.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    legal_basis = forms.CharField(label=_("Legal basis"), widget=forms.Textarea(attrs={"rows": 2}))
    object = forms.CharField(label=_("Object"), widget=forms.Textarea(attrs={"rows": 4}))
    governance = forms.CharField(label=_("Governance"), widget=forms.Textarea(attrs={"rows": 4}))
    rup_keeper = forms.ChoiceField(label=_("RUP"), choices=Agreement.RupKeeper.choices)
    data_protection = forms.CharField(
        label=_("Data protection (art. 28 GDPR)"), widget=forms.Textarea(attrs={"rows": 4})
    )
    disputes = forms.CharField(label=_("Disputes"), widget=forms.Textarea(attrs={"rows": 3}))
    start_date = date_field(_("Start date"))
    end_date = date_field(_("End date"))
    max_renewals = forms.IntegerField(label=_("Renewals allowed"), min_value=0, max_value=10, initial=1)
    notice_days = forms.IntegerField(
        label=_("Notice for withdrawal (days)"),
        min_value=0,
        max_value=3650,
        initial=DEFAULT_NOTICE_DAYS,
        help_text=_(
            "Either party may withdraw with this notice; the same notice closes the time for announcing "
            "that it will not renew the agreement."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = Service.objects.for_user(user).order_by("kind", "name")
        self.fields["municipalities"].queryset = (
            Organization.objects.for_user(user)
            .active()
            .filter(kind__in=[OrganizationKind.MUNICIPALITY, OrganizationKind.UNION])
            .order_by("name")
        )

    @classmethod
    def initial_values(cls, today: date) -> dict:
        return {
            **STANDARD_CLAUSES,
            "title": str(_("Agreement for shared services")),
            "start_date": today,
            "end_date": years_later(today, DEFAULT_YEARS) - timedelta(days=1),
            "rup_keeper": Agreement.RupKeeper.MUNICIPALITY,
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot come before the start date."))
        return data


class FilterForm(LocalPartyFilterForm):
    state_choices = list(AgreementState.choices)


def check_act_file(upload, allow_p7m: bool) -> None:
    """Accept a PDF (``%PDF-`` and a structure that reads) or, when allowed, a CAdES-signed ``.p7m`` (DER), up to 20 MB.

    The content is checked, not the name alone: a renamed file of another kind is refused.
    """
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than 20 MB."))
    if allow_p7m and upload.name.lower().endswith(".p7m"):
        if not is_p7m(upload):
            raise ValidationError(_("The file is not a digitally signed .p7m envelope."))
        return
    if not is_pdf(upload):
        if allow_p7m:
            raise ValidationError(_("Upload the signed agreement as a PDF or a signed .p7m file."))
        raise ValidationError(_("Upload the resolution as a PDF file."))


class ActForm(KeepsUploadsMixin, StyledForm):
    """The data of one act; ``act()`` turns the cleaned data into the service's ActData. A file chosen with
    an act refused for another reason is kept for the next try."""

    def act(self) -> ActData:
        return ActData(**self.cleaned_data)


class ProvinceApprovalForm(ActForm):
    number = forms.CharField(label=_("Resolution number"), max_length=50)
    day = date_field(_("Resolution date"))


class MunicipalityApprovalForm(ActForm):
    number = forms.CharField(label=_("Council resolution number"), max_length=50)
    day = date_field(_("Council resolution date"))
    file = forms.FileField(
        label=_("Council resolution (PDF, up to 20 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def clean_file(self):
        check_act_file(self.cleaned_data["file"], allow_p7m=False)
        return self.cleaned_data["file"]


class SignatureForm(ActForm):
    day = date_field(_("Date of signature"))
    file = forms.FileField(
        label=_("Signed agreement (PDF or signed .p7m, up to 20 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.p7m,application/pdf,application/pkcs7-mime"}),
    )

    def clean_file(self):
        check_act_file(self.cleaned_data["file"], allow_p7m=True)
        return self.cleaned_data["file"]


class ActivationForm(ActForm):
    pass


class RenewalForm(ActForm):
    number = forms.CharField(label=_("Resolution number"), max_length=50)
    day = date_field(_("Resolution date"))
    new_end_date = date_field(_("New end date"))


class WithdrawalForm(ActForm):
    day = date_field(_("Date of the notice"))
    effective_date = date_field(_("Takes effect on"))


TRANSITION_FORMS = {
    lifecycle.APPROVE_PROVINCE: ProvinceApprovalForm,
    lifecycle.APPROVE_MUNICIPALITY: MunicipalityApprovalForm,
    lifecycle.SIGN: SignatureForm,
    lifecycle.ACTIVATE: ActivationForm,
    lifecycle.RENEW: RenewalForm,
    lifecycle.WITHDRAW: WithdrawalForm,
}


def transition_form(transition: str, data=None, files=None, owner=None) -> ActForm:
    """The form of ``transition``'s act, prefixed so that the forms of one page have distinct ids."""
    initial = {"day": timezone.localdate()} if transition != lifecycle.ACTIVATE else None
    return TRANSITION_FORMS[transition](data, files, prefix=transition, initial=initial, owner=owner)
