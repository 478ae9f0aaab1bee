"""Forms of the online bids. The services check everything again (the deadline, the files, the amounts): the
forms only shape the input."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from casacomuni.lib.forms import StyledForm
from casacomuni.procurement.bidding.models import (
    ENVELOPE_KINDS,
    CommissionRole,
    DocumentKind,
    Envelope,
    GroupingKind,
)
from casacomuni.procurement.bidding.services import EconomicOffer
from casacomuni.procurement.rules import integration

UPLOADABLE = [
    (f"{envelope}:{kind}", f"{Envelope(envelope).label} — {DocumentKind(kind).label}")
    for envelope, kinds in ENVELOPE_KINDS.items()
    for kind in kinds
    if kind != DocumentKind.ECONOMIC_OFFER
]


class DocumentForm(StyledForm):
    document = forms.ChoiceField(label=_("Envelope and document"), choices=UPLOADABLE)
    file = forms.FileField(
        label=_("File (PDF, signed .p7m, or the ESPD as XML; up to 25 MB)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.p7m,.xml,application/pdf,application/pkcs7-mime"}
        ),
    )

    def __init__(self, *args, oepv: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not oepv:
            self.fields["document"].choices = [
                c for c in UPLOADABLE if not c[0].startswith(Envelope.TECHNICAL)
            ]

    def envelope_and_kind(self) -> tuple[str, str]:
        envelope, kind = self.cleaned_data["document"].split(":")
        return envelope, kind


class EconomicOfferForm(StyledForm):
    discount_percent = forms.DecimalField(
        label=_("Discount on the base amount (%)"),
        required=False,
        min_value=0,
        max_value=Decimal("99.9999"),
        decimal_places=4,
        localize=True,
    )
    price = forms.DecimalField(
        label=_("Price offered (euro)"), required=False, min_value=0, decimal_places=2, localize=True
    )
    labour_costs = forms.DecimalField(
        label=_("Own labour costs (euro)"), min_value=0, decimal_places=2, localize=True
    )
    safety_costs = forms.DecimalField(
        label=_("Own costs for health and safety at work (euro)"),
        min_value=0,
        decimal_places=2,
        localize=True,
    )

    def offer(self) -> EconomicOffer:
        return EconomicOffer(**self.cleaned_data)


class GroupingForm(StyledForm):
    grouping = forms.ChoiceField(label=_("Form of participation"), choices=GroupingKind.choices)
    members = forms.CharField(
        label=_("Other members (one per line: name; tax code)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def members_list(self) -> list[dict]:
        rows = []
        for line in self.cleaned_data["members"].splitlines():
            name, _sep, code = line.partition(";")
            if line.strip():
                rows.append({"name": name.strip(), "fiscal_code": code.strip(), "role": "member"})
        return rows


class CommissionMemberForm(StyledForm):
    name = forms.CharField(label=_("Name and surname"), max_length=200)
    role = forms.ChoiceField(label=_("Role"), choices=CommissionRole.choices)


class IntegrationRequestForm(StyledForm):
    text = forms.CharField(
        label=_("What the operator must complete or correct"), widget=forms.Textarea(attrs={"rows": 3})
    )
    days = forms.IntegerField(
        label=_("Days to answer (5 to 10, art. 101)"),
        min_value=integration.MIN_DAYS,
        max_value=integration.MAX_DAYS,
        initial=integration.MAX_DAYS,
    )


class IntegrationAnswerForm(StyledForm):
    answer = forms.CharField(label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(
        label=_("Document (PDF or signed .p7m, up to 25 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.p7m,application/pdf,application/pkcs7-mime"}),
    )
