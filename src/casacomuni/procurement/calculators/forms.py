"""Forms of the public calculators (no login): the anomaly threshold and the procedure router."""

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from casacomuni.lib.bounds import MAX_AMOUNT
from casacomuni.lib.forms import StyledForm
from casacomuni.procurement.rules import anomaly, router

ROUNDING_CHOICES = [
    (ROUND_HALF_UP, _("Half up (5 rounds up)")),
    (ROUND_HALF_EVEN, _("Half even")),
    (ROUND_DOWN, _("Truncate")),
    (ROUND_UP, _("Always up")),
]
EQUAL_CHOICES = [
    ("", _("As the method provides (A: excluded; B and C: kept)")),
    ("exclude", _("Excluded")),
    ("keep", _("Kept")),
]
MAX_BIDS = 500


def parse_decimal(text: str) -> Decimal:
    """A number written the Italian way ("12,345" or "1.234,5") or with a decimal point ("12.345")."""
    cleaned = text.strip().replace(" ", "").rstrip("%")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(text) from error
    if not value.is_finite():
        raise ValueError(text)
    return value


class AnomalyForm(StyledForm):
    bids = forms.CharField(
        label=_("Admitted bids"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "One bid per line: the operator, a semicolon, the discount in percent (e.g. “Alfa S.r.l.; 12,345”)."
        ),
    )
    method = forms.ChoiceField(label=_("Method (Allegato II.2)"), choices=[(m, m) for m in anomaly.METHODS])
    reference_discount = forms.CharField(
        label=_("Reference discount (method C only)"),
        required=False,
        help_text=_("In percent, as fixed in the tender documents."),
    )
    wing_rule = forms.ChoiceField(
        label=_("Wings"),
        choices=[
            (anomaly.WINGS_ALLEGATO, _("Equal discounts counted one by one (Allegato II.2)")),
            (anomaly.WINGS_BLOCK, _("Equal discounts as one block (Ad. Plen. 5/2017)")),
        ],
    )
    equal_to_threshold = forms.ChoiceField(
        label=_("Bids equal to the threshold"), choices=EQUAL_CHOICES, required=False
    )
    decimals = forms.IntegerField(label=_("Decimals"), min_value=0, max_value=10, initial=3)
    rounding = forms.ChoiceField(label=_("Rounding"), choices=ROUNDING_CHOICES)
    round_intermediates = forms.BooleanField(label=_("Round the intermediate values too"), required=False)
    contract_kind = forms.ChoiceField(
        label=_("Object of the contract"),
        choices=[
            (anomaly.WORKS, _("Works")),
            (anomaly.SERVICES, _("Services")),
            (anomaly.SUPPLIES, _("Supplies")),
        ],
    )
    lowest_price = forms.BooleanField(label=_("Award at the lowest price"), required=False, initial=True)
    below_eu_threshold = forms.BooleanField(label=_("Below the EU threshold"), required=False, initial=True)
    cross_border = forms.BooleanField(label=_("Certain cross-border interest"), required=False)
    direct_award = forms.BooleanField(label=_("Direct award"), required=False)
    stated_in_documents = forms.BooleanField(
        label=_("Automatic exclusion stated in the tender documents"), required=False, initial=True
    )

    def clean_bids(self):
        bids, errors, seen = [], [], set()
        lines = [line for line in self.cleaned_data["bids"].splitlines() if line.strip()]
        if len(lines) > MAX_BIDS:
            raise ValidationError(_("At most %(count)d bids."), params={"count": MAX_BIDS})
        for number, line in enumerate(lines, start=1):
            operator, _separator, discount = line.rpartition(";")
            operator = operator.strip() or f"{_('Bid')} {number}"
            try:
                value = parse_decimal(discount)
                bids.append(anomaly.Bid(operator, value))
            except (ValueError, TypeError):
                errors.append(
                    _("Line %(number)d: “%(text)s” is not a discount between 0 and 100.")
                    % {"number": number, "text": discount.strip()}
                )
                continue
            if operator in seen:
                errors.append(
                    _("Line %(number)d: %(operator)s appears twice.")
                    % {"number": number, "operator": operator}
                )
            seen.add(operator)
        if errors:
            raise ValidationError(errors)
        if not bids:
            raise ValidationError(_("Enter at least one bid."))
        return bids

    def clean_reference_discount(self):
        text = self.cleaned_data["reference_discount"]
        if not text.strip():
            return None
        try:
            return parse_decimal(text)
        except ValueError as error:
            raise ValidationError(_("Enter a percentage, e.g. 12,5.")) from error

    def clean(self):
        data = super().clean()
        if data.get("method") == anomaly.METHOD_C and data.get("reference_discount") is None:
            self.add_error("reference_discount", _("Method C needs the reference discount."))
        if data.get("method") != anomaly.METHOD_C:
            data["reference_discount"] = None
        return data

    def parameters(self) -> anomaly.AnomalyParameters:
        data = self.cleaned_data
        equal = {"exclude": True, "keep": False}.get(data.get("equal_to_threshold") or "")
        return anomaly.AnomalyParameters(
            method=data["method"],
            wing_rule=data["wing_rule"],
            exclude_equal_to_threshold=equal,
            decimals=data["decimals"],
            rounding=data["rounding"],
            round_intermediates=data["round_intermediates"],
            reference_discount=data["reference_discount"],
            stated_in_documents=data["stated_in_documents"],
        )

    def facts(self) -> anomaly.ApplicabilityFacts:
        data = self.cleaned_data
        return anomaly.ApplicabilityFacts(
            criterion=anomaly.LOWEST_PRICE if data["lowest_price"] else anomaly.BEST_QUALITY_PRICE,
            contract_kind=data["contract_kind"],
            below_eu_threshold=data["below_eu_threshold"],
            certain_cross_border_interest=data["cross_border"],
            admitted_bids=len(data["bids"]),
            direct_award=data["direct_award"],
        )


QUALIFICATIONS = [
    (router.NONE, _("Not qualified")),
    (router.BASIC, _("Basic level")),
    (router.INTERMEDIATE, _("Intermediate level")),
    (router.ADVANCED, _("Advanced level")),
]


class RouteForm(StyledForm):
    object_kind = forms.ChoiceField(
        label=_("Object of the contract"),
        choices=[
            (router.OBJECT_WORKS, _("Works")),
            (router.OBJECT_SERVICES, _("Services")),
            (router.OBJECT_SUPPLIES, _("Supplies")),
            (router.OBJECT_SOCIAL_SERVICES, _("Social and other specific services")),
            (router.OBJECT_ENGINEERING, _("Engineering and architecture services")),
        ],
    )
    amount = forms.CharField(
        label=_("Estimated amount (euro, net of VAT)"),
        help_text=_("Options and renewals included (art. 14 c. 4), e.g. 215.000,00."),
    )
    day = forms.DateField(label=_("Start of the procedure"), widget=forms.DateInput(attrs={"type": "date"}))
    buyer_qualification = forms.ChoiceField(label=_("Qualification of the Comune"), choices=QUALIFICATIONS)
    sua_qualification = forms.ChoiceField(
        label=_("Qualification of the SUA"), choices=QUALIFICATIONS[1:], initial=router.ADVANCED
    )
    criterion = forms.ChoiceField(
        label=_("Award criterion"),
        choices=[
            ("", _("Not chosen yet")),
            (router.LOWEST_PRICE, _("Lowest price")),
            (router.OEPV, _("Best quality/price ratio")),
        ],
        required=False,
    )
    labour_intensive = forms.BooleanField(label=_("Labour-intensive services"), required=False)
    catering = forms.BooleanField(label=_("Hospital, care or school catering"), required=False)
    intellectual = forms.BooleanField(label=_("Engineering or intellectual services"), required=False)
    innovative = forms.BooleanField(label=_("Innovative supplies or services"), required=False)
    cross_border = forms.BooleanField(label=_("Certain cross-border interest"), required=False)

    def clean_amount(self):
        try:
            amount = parse_decimal(self.cleaned_data["amount"])
        except ValueError as error:
            raise ValidationError(_("Enter an amount in euro, e.g. 215.000,00.")) from error
        if amount <= 0:
            raise ValidationError(_("The amount must be greater than zero."))
        if amount > MAX_AMOUNT:
            raise ValidationError(
                _("The amount cannot exceed %(limit)s euro.")
                % {"limit": number_format(MAX_AMOUNT, 2, use_l10n=True, force_grouping=True)}
            )
        return amount

    def decide(self) -> router.RouteDecision:
        """The router's answers; raises router.RouteError / ThresholdError (e.g. a date with no known thresholds)."""
        data = self.cleaned_data
        flags = router.OepvFlags(
            catering=data["catering"],
            labour_intensive=data["labour_intensive"],
            intellectual=data["intellectual"],
            innovative=data["innovative"],
        )
        return router.route(
            data["object_kind"],
            data["amount"],
            data["day"],
            buyer_qualification=data["buyer_qualification"],
            sua_qualification=data["sua_qualification"],
            criterion=data["criterion"] or None,
            oepv_flags=flags,
            cross_border_interest=data["cross_border"],
        )
