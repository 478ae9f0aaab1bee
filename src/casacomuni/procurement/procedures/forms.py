"""Forms of the SUA's procedures. Codes, amounts, deadlines and the law's conditions are checked by
procedures.services (its messages land on the fields); the forms only shape the input."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.forms import LocalPartyFilterForm
from casacomuni.lib.forms import StyledForm
from casacomuni.lib.search import MAX_LENGTH
from casacomuni.procurement.procedures import services as ps
from casacomuni.procurement.procedures.models import Criterion, Lot, ProcedureState, ProcedureType
from casacomuni.procurement.requests.models import ContractKind, ProcurementRequest, RequestState
from casacomuni.procurement.rules import anomaly, oepv, rotation
from casacomuni.procurement.rules import deadlines as procs

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
AMOUNT = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class ProcedureFilterForm(LocalPartyFilterForm):
    state_choices = list(ProcedureState.choices)

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_LENGTH,
        help_text=_("Words of the object or the description, or a lot's CIG."),
    )
    kind = forms.ChoiceField(label=_("Kind of contract"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *ContractKind.choices]

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        queryset = queryset.search(data["q"])
        if data["state"]:
            queryset = queryset.filter(state=data["state"])
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["municipality"]:
            queryset = queryset.filter(
                pk__in=Lot.objects.filter(municipality=data["municipality"]).values("procedure")
            )
        return queryset


class CreateProcedureForm(StyledForm):
    requests = forms.ModelMultipleChoiceField(
        label=_("Accepted requests"),
        queryset=ProcurementRequest.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One request makes one lot; requests of several Comuni make an aggregated procedure."),
    )
    title = forms.CharField(label=_("Object of the procedure"), max_length=300, required=False)

    def __init__(self, *args, province, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requests"].queryset = (
            ProcurementRequest.objects.filter(
                province=province, state=RequestState.ACCEPTED, lots__isnull=True
            )
            .select_related("municipality")
            .order_by("municipality__name", "pk")
        )
        self.fields["requests"].label_from_instance = lambda r: (
            f"#{r.pk} {r.municipality.name} — {r.title} (€ {r.total_amount})"
        )
        self.fields["requests"].widget.attrs.pop("class", None)


class ProcedureForm(StyledForm):
    title = forms.CharField(label=_("Object of the procedure"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    procedure_type = forms.ChoiceField(label=_("Procedure"), choices=ProcedureType.choices)
    criterion = forms.ChoiceField(label=_("Award criterion"), choices=Criterion.choices)
    cpv = forms.CharField(label=_("Main CPV code"), max_length=12)
    cross_border_interest = forms.BooleanField(label=_("Certain cross-border interest"), required=False)
    bid_deadline = forms.DateTimeField(label=_("Deadline for offers"), required=False, widget=DATETIME_WIDGET)
    deadline_reductions = forms.MultipleChoiceField(
        label=_("Reductions of the term"),
        required=False,
        choices=[
            (procs.URGENCY, _("Motivated urgency")),
            (procs.PRIOR_INFORMATION, _("Prior information notice")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    # Anomaly threshold (art. 54, Allegato II.2)
    anomaly_method = forms.ChoiceField(label=_("Anomaly method"), choices=[(m, m) for m in anomaly.METHODS])
    wing_rule = forms.ChoiceField(
        label=_("Wings"),
        choices=[
            (anomaly.WINGS_ALLEGATO, _("Equal discounts counted singly (Allegato II.2)")),
            (anomaly.WINGS_BLOCK, _("Equal discounts as one block")),
        ],
    )
    exclude_equal = forms.ChoiceField(
        label=_("Bids equal to the threshold"),
        choices=[("", _("Method's default")), ("yes", _("Excluded")), ("no", _("Kept"))],
        required=False,
    )
    decimals = forms.IntegerField(label=_("Decimals"), min_value=0, max_value=10)
    rounding = forms.ChoiceField(label=_("Rounding"), choices=[(m, m) for m in anomaly.ROUNDING_MODES])
    round_intermediates = forms.BooleanField(label=_("Round the intermediate values"), required=False)
    reference_percentile = forms.TypedChoiceField(
        label=_("Reference discount (method C): percentile of the Allegato's table"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("The SOA category and the amount band follow from each lot."),
    )
    method_drawn = forms.BooleanField(label=_("Method drawn at the evaluation"), required=False)
    # OEPV (art. 108)
    oepv_criteria = forms.CharField(
        label=_("Technical criteria"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: code; points (e.g. A; 40)."),
    )
    economic_max = forms.DecimalField(
        label=_("Economic points"), required=False, max_digits=6, decimal_places=2
    )
    formula = forms.ChoiceField(
        label=_("Economic formula"),
        required=False,
        choices=[
            (oepv.LINEAR, _("Linear")),
            (oepv.INVERSE, _("Inverse on price")),
            (oepv.BILINEAR, _("Bilinear")),
        ],
    )
    bilinear_x = forms.ChoiceField(
        label=_("X of the bilinear formula"),
        required=False,
        choices=[("", "—")] + [(str(x), str(x)) for x in oepv.BILINEAR_X],
    )
    rescale = forms.BooleanField(label=_("Re-scale the technical score"), required=False)
    minimum_technical = forms.DecimalField(
        label=_("Minimum technical score"), required=False, max_digits=6, decimal_places=2
    )
    cut = forms.ChoiceField(
        label=_("Minimum applied"),
        required=False,
        choices=[
            ("", "—"),
            (oepv.BEFORE_RESCALING, _("Before re-scaling")),
            (oepv.AFTER_RESCALING, _("After re-scaling")),
        ],
    )
    labour_intensive = forms.BooleanField(label=_("Labour-intensive (economic at most 30%)"), required=False)
    strategic_it = forms.BooleanField(label=_("Strategic IT (economic at most 10%)"), required=False)

    def __init__(self, *args, reference_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference_percentile"].choices = [("", "—"), *reference_choices]

    @classmethod
    def initial_from(cls, procedure) -> dict:
        params = procedure.anomaly_parameters or {}
        settings = procedure.oepv_settings or {}
        equal = params.get("exclude_equal_to_threshold")
        return {
            "title": procedure.title,
            "description": procedure.description,
            "procedure_type": procedure.procedure_type,
            "criterion": procedure.criterion,
            "cpv": procedure.cpv,
            "cross_border_interest": procedure.cross_border_interest,
            "bid_deadline": timezone.localtime(procedure.bid_deadline) if procedure.bid_deadline else None,
            "deadline_reductions": procedure.deadline_reductions,
            "anomaly_method": params.get("method", anomaly.METHOD_A),
            "wing_rule": params.get("wing_rule", anomaly.WINGS_ALLEGATO),
            "exclude_equal": "" if equal is None else ("yes" if equal else "no"),
            "decimals": params.get("decimals", 3),
            "rounding": params.get("rounding"),
            "round_intermediates": params.get("round_intermediates", False),
            "reference_percentile": params.get("reference_percentile"),
            "method_drawn": params.get("method_drawn", False),
            "oepv_criteria": "\n".join(
                f"{c['code']}; {c['max_points']}" for c in settings.get("criteria", [])
            ),
            "economic_max": settings.get("economic_max", "30"),
            "formula": settings.get("formula", oepv.LINEAR),
            "bilinear_x": settings.get("x") or "",
            "rescale": bool(settings.get("rescale")),
            "minimum_technical": settings.get("minimum_technical"),
            "cut": settings.get("cut") or "",
            "labour_intensive": settings.get("labour_intensive", False),
            "strategic_it": settings.get("strategic_it", False),
        }

    def clean_oepv_criteria(self):
        rows = []
        for number, line in enumerate(self.cleaned_data["oepv_criteria"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(";")]
            if len(parts) != 2 or not parts[0]:
                raise forms.ValidationError(_("Line %(number)d: write code; points.") % {"number": number})
            rows.append({"code": parts[0], "max_points": parts[1]})
        return rows

    def changes(self) -> ps.ProcedureChanges:
        data = self.cleaned_data
        equal = {"": None, "yes": True, "no": False}[data.get("exclude_equal") or ""]
        anomaly_parameters = {
            "method": data["anomaly_method"],
            "wing_rule": data["wing_rule"],
            "exclude_equal_to_threshold": equal,
            "decimals": data["decimals"],
            "rounding": data["rounding"],
            "round_intermediates": data["round_intermediates"],
            "reference_percentile": data.get("reference_percentile"),
            "stated_in_documents": True,
            "method_drawn": data["method_drawn"],
        }
        oepv_settings = None
        if data["criterion"] == Criterion.OEPV:
            oepv_settings = {
                "criteria": data["oepv_criteria"],
                "economic_max": str(data.get("economic_max") or "30"),
                "formula": data.get("formula") or oepv.LINEAR,
                "x": data.get("bilinear_x") or None,
                "rescale": [oepv.TOTAL] if data.get("rescale") else [],
                "minimum_technical": str(data["minimum_technical"])
                if data.get("minimum_technical") is not None
                else None,
                "cut": data.get("cut") or None,
                "labour_intensive": data["labour_intensive"],
                "strategic_it": data["strategic_it"],
                "decimals": 3,
            }
        return ps.ProcedureChanges(
            title=data["title"],
            description=data["description"],
            procedure_type=data["procedure_type"],
            criterion=data["criterion"],
            cpv=data["cpv"],
            cross_border_interest=data["cross_border_interest"],
            bid_deadline=data.get("bid_deadline"),
            deadline_reductions=list(data["deadline_reductions"]),
            anomaly_parameters=anomaly_parameters,
            oepv_settings=oepv_settings,
        )


class LotForm(StyledForm):
    title = forms.CharField(label=_("Object of the lot"), max_length=300)
    cig = forms.CharField(label=_("CIG"), max_length=10, required=False)
    cup = forms.CharField(label=_("CUP"), max_length=15, required=False)
    cpv = forms.CharField(label=_("CPV code"), max_length=12)
    category = forms.CharField(
        label=_("Register category"),
        max_length=8,
        required=False,
        help_text=_("SOA category for works (e.g. OG1), CPV group for services and supplies (5 digits)."),
    )
    soa_class = forms.ChoiceField(
        label=_("SOA class required"),
        required=False,
        choices=[("", "—")] + [(c, c) for c in rotation.SOA_CLASS_LIMITS],
    )
    base_amount = forms.DecimalField(label=_("Base amount (subject to discount)"), **AMOUNT)
    safety_costs = forms.DecimalField(
        label=_("Safety costs (not subject to discount)"), required=False, **AMOUNT
    )
    options_amount = forms.DecimalField(label=_("Options and renewals"), required=False, **AMOUNT)

    FIELDS = (
        "title",
        "cig",
        "cup",
        "cpv",
        "category",
        "soa_class",
        "base_amount",
        "safety_costs",
        "options_amount",
    )

    @classmethod
    def initial_from(cls, lot) -> dict:
        return {name: getattr(lot, name) for name in cls.FIELDS}

    def changes(self, only_cig=False) -> ps.LotChanges:
        data = self.cleaned_data
        if only_cig:
            return ps.LotChanges(cig=data.get("cig") or "")
        return ps.LotChanges(
            **{
                name: ("" if data.get(name) is None and name != "base_amount" else data.get(name))
                for name in self.FIELDS
            }
        )


class ReasonForm(StyledForm):
    reason = forms.CharField(
        label=_("Reasons"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ClarificationForm(StyledForm):
    question = forms.CharField(label=_("Question"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(StyledForm):
    published_question = forms.CharField(
        label=_("Question as published"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Edit the question so that it does not tell who asked (names, company, references): only this "
            "text is published. The original stays visible to the SUA only."
        ),
    )
    answer = forms.CharField(label=_("Answer"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))
    publish = forms.BooleanField(label=_("Publish (without the asker)"), required=False, initial=True)


class InvitationForm(StyledForm):
    operator = forms.ChoiceField(label=_("Operator"))
    reason = forms.CharField(
        label=_("Reasons for the choice"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Published with the list of consulted operators after the award."),
    )
    exception_reason = forms.CharField(
        label=_("Exception to rotation (outgoing contractor only)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Market structure, lack of alternatives, accurate execution of the previous contract (art. 49 c.4)."
        ),
    )
    unlimited_survey = forms.BooleanField(
        label=_("The market survey put no limit on the invitees (art. 49 c.5)"), required=False
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].choices = [
            (row["operator_id"], row["name"]) for row in candidates if not row["invited"]
        ]


class BidForm(StyledForm):
    operator = forms.ChoiceField(label=_("Operator"))
    discount_percent = forms.DecimalField(
        label=_("Discount (%)"), required=False, max_digits=7, decimal_places=4
    )
    price = forms.DecimalField(label=_("Price (euro)"), required=False, **AMOUNT)
    technical_score = forms.DecimalField(
        label=_("Technical score"), required=False, max_digits=7, decimal_places=3
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=DATETIME_WIDGET,
        help_text=_("As the platform or the protocol recorded it: a bid after the deadline is refused."),
    )

    def __init__(self, *args, operators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].choices = [("", "—")] + [(o.pk, o.name) for o in operators]

    def data_for_service(self) -> ps.BidData:
        data = self.cleaned_data
        return ps.BidData(
            operator_id=int(data["operator"]),
            received_at=data["received_at"],
            discount_percent=data.get("discount_percent"),
            price=data.get("price"),
            technical_score=data.get("technical_score"),
        )


class AwardForm(StyledForm):
    award_date = forms.DateField(label=_("Award date"), widget=DATE_WIDGET)
    operator = forms.ChoiceField(label=_("Operator drawn among the tied"), required=False)
    draw_reason = forms.CharField(
        label=_("Record of the fair draw"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, tied=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].choices = [("", "—")] + list(tied)
        if not tied:
            del self.fields["operator"]
            del self.fields["draw_reason"]


class ContractForm(StyledForm):
    contract_date = forms.DateField(label=_("Contract date"), widget=DATE_WIDGET)
    contract_amount = forms.DecimalField(label=_("Contract amount (euro)"), **AMOUNT)
    requirements_reason = forms.CharField(
        label=_("Reasoned decision on the requirements"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only when a required document of the winner is expired or missing on the contract day: why the "
            "contract is signed all the same. It is kept in the record of the procedure."
        ),
    )
