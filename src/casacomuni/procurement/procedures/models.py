"""Procedures the SUA runs for the Comuni: from accepted requests to awarded contracts.

A ``Procedure`` belongs to the SUA of a Province and holds one ``Lot`` per accepted request (one Comune, the
lot's buyer, each). Lots carry their CIG, amounts, bids, evaluation, award and contract. Invitations (negotiated
procedures, art. 50 c.2 with rotation, art. 49) and clarifications (questions and answers, published
anonymised) hang off the procedure. Every transition is logged in ``ProcedureEvent`` (and in the audit trail).

Choices made here (names are a contract with the OCDS export and dashboards):
- the awarded operator and the bidders are Organizations of kind "operator" (``Lot.awarded_operator``,
  ``Bid.operator``): the same entity whatever the Province's albo; invitations also point at the albo entry
  (``Invitation.registration``) they were chosen from;
- ``Bid.source`` is "recorded_by_officer" now. Sealed online bids will come as a related model
  (e.g. ``SealedEnvelope(bid=OneToOneField(Bid))`` holding the encrypted content) with ``source="online"``:
  the discount, price and score of such a bid stay null until the envelope is opened, so existing rows need
  no migration;
- the OCID is ``<CASACOMUNI_OCDS_PREFIX>-<pk>``, assigned at publication. The prefix defaults to
  ``ocds-casadc`` (of the registered shape, checked at start-up, but not registered: the real prefix is
  assigned by the OCDS Data Support Team on registration,
  https://standard.open-contracting.org/latest/en/schema/identifiers/#contracting-process-identifier-ocid).

Tenancy (``Procedure.objects.for_user``):
- the Province's administrator and SUA officers see their Province's procedures;
- a Comune (Unione) sees the procedures with a lot of its own;
- an operator sees the procedures (after publication) it was invited to or bid in;
- nobody else (UPI: aggregates, elsewhere).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.lib.search import text_search
from casacomuni.lib.storage import private_upload_to
from casacomuni.procurement.register.models import RegisteredOperator
from casacomuni.procurement.requests.models import ContractKind, ProcurementRequest
from casacomuni.procurement.rules import anomaly, router
from casacomuni.procurement.rules import deadlines as procs
from casacomuni.procurement.rules import procedure_lifecycle as life


def ocds_prefix() -> str:
    return settings.CASACOMUNI_OCDS_PREFIX


class ProcedureType(models.TextChoices):
    """The procedures of the router (``rules.router``/``rules.deadlines`` constants)."""

    DIRECT_AWARD = procs.DIRECT_AWARD, _("Direct award")
    NEGOTIATED_BELOW_THRESHOLD = procs.NEGOTIATED_BELOW_THRESHOLD, _("Negotiated procedure without notice")
    OPEN = procs.OPEN, _("Open procedure")
    RESTRICTED = procs.RESTRICTED, _("Restricted procedure")
    COMPETITIVE_NEGOTIATION = procs.COMPETITIVE_NEGOTIATION, _("Competitive procedure with negotiation")
    COMPETITIVE_DIALOGUE = procs.COMPETITIVE_DIALOGUE, _("Competitive dialogue")
    INNOVATION_PARTNERSHIP = procs.INNOVATION_PARTNERSHIP, _("Innovation partnership")
    NEGOTIATED_WITHOUT_NOTICE = (
        procs.NEGOTIATED_WITHOUT_NOTICE,
        _("Negotiated procedure without notice (art. 76)"),
    )


# Procedures in which the SUA chooses and invites the operators (art. 50 c.1 lett. c-e, c.2; art. 76).
INVITATION_TYPES = (procs.NEGOTIATED_BELOW_THRESHOLD, procs.NEGOTIATED_WITHOUT_NOTICE, procs.DIRECT_AWARD)


class Criterion(models.TextChoices):
    LOWEST_PRICE = router.LOWEST_PRICE, _("Lowest price")
    OEPV = router.OEPV, _("Best quality/price ratio (OEPV)")


class ProcedureState(models.TextChoices):
    DRAFT = life.DRAFT, pgettext_lazy("procedure state", "Draft")
    PUBLISHED = life.PUBLISHED, pgettext_lazy("procedure state", "Published")
    BIDS_OPEN = life.BIDS_OPEN, pgettext_lazy("procedure state", "Bids open")
    BIDS_CLOSED = life.BIDS_CLOSED, pgettext_lazy("procedure state", "Bids closed")
    EVALUATION = life.EVALUATION, pgettext_lazy("procedure state", "Evaluation")
    PROPOSED_AWARD = life.PROPOSED_AWARD, pgettext_lazy("procedure state", "Proposed award")
    AWARDED = life.AWARDED, pgettext_lazy("procedure state", "Awarded")
    CONTRACT_SIGNED = life.CONTRACT_SIGNED, pgettext_lazy("procedure state", "Contract signed")
    DESERTED = life.DESERTED, pgettext_lazy("procedure state", "Deserted")
    CANCELLED = life.CANCELLED, pgettext_lazy("procedure state", "Cancelled")


class LotState(models.TextChoices):
    OPEN = "open", pgettext_lazy("lot state", "Open")
    AWARDED = "awarded", pgettext_lazy("lot state", "Awarded")
    DESERTED = "deserted", pgettext_lazy("lot state", "Deserted")
    CANCELLED = "cancelled", pgettext_lazy("lot state", "Cancelled")


class BidStatus(models.TextChoices):
    """A bid's outcome. ``EXCLUDED``: excluded by the officer, with reasons. ``ANOMALOUS``: excluded by the
    evaluation, its discount above the anomaly threshold (art. 54 c.1 D.Lgs. 36/2023), with the reason and the
    threshold written by ``procedures.services.evaluate_lot``; it goes back to admitted when the evaluation that
    excluded it is dropped, and re-enters the next evaluation (the threshold is computed on every admitted
    bid, the anomalous ones included)."""

    RECEIVED = "received", pgettext_lazy("bid status", "Received")
    ADMITTED = "admitted", pgettext_lazy("bid status", "Admitted")
    EXCLUDED = "excluded", pgettext_lazy("bid status", "Excluded")
    ANOMALOUS = "anomalous", pgettext_lazy("bid status", "Excluded as anomalous")


# The bids the evaluation reads: the admitted ones and those a previous evaluation found anomalous.
EVALUATED_STATUSES = (BidStatus.ADMITTED, BidStatus.ANOMALOUS)


class BidSource(models.TextChoices):
    RECORDED_BY_OFFICER = "recorded_by_officer", _("Recorded by the officer")
    ONLINE = "online", _("Submitted online")


class EvaluationMethod(models.TextChoices):
    ANOMALY_A = "anomaly_A", _("Anomaly threshold, method A")
    ANOMALY_B = "anomaly_B", _("Anomaly threshold, method B")
    ANOMALY_C = "anomaly_C", _("Anomaly threshold, method C")
    RANKING = "ranking", _("Ranking by discount (no automatic exclusion)")
    OEPV = "oepv", _("Best quality/price ratio (OEPV)")


def default_anomaly_parameters() -> dict:
    """The AnomalyParameters defaults as stored JSON (see ``rules.anomaly.AnomalyParameters``)."""
    params = anomaly.AnomalyParameters()
    return {
        "method": params.method,
        "wing_rule": params.wing_rule,
        "exclude_equal_to_threshold": params.exclude_equal_to_threshold,
        "decimals": params.decimals,
        "rounding": params.rounding,
        "round_intermediates": params.round_intermediates,
        # Method C: the percentile of the Allegato's table chosen in the documents; R_ref follows from each
        # lot's SOA category and amount band (``rules.reference_discounts``).
        "reference_percentile": None,
        "stated_in_documents": params.stated_in_documents,
        "method_drawn": params.method_drawn,
    }


# The fields free-text search reads, in the order of the GIN index of migration 0008 (keep them together).
PROCEDURE_SEARCH_FIELDS = ("title", "description")


class ProcedureQuerySet(models.QuerySet):
    def for_user(self, user):
        if sua := tenancy.as_sua(user):
            return self.filter(province=sua)
        if tenancy.as_local_party(user):
            return self.filter(pk__in=Lot.objects.for_user(user).values("procedure"))
        if operator := tenancy.as_operator(user):
            invited = Invitation.objects.filter(operator=operator).values("procedure")
            bid = Bid.objects.filter(operator=operator).values("lot__procedure")
            return self.filter(Q(pk__in=invited) | Q(pk__in=bid)).exclude(state=life.DRAFT)
        return self.none()

    def search(self, text: str):
        """Procedures whose object or description match ``text`` (``lib.search``), or with a lot whose CIG is
        ``text``."""
        return text_search(self, text, PROCEDURE_SEARCH_FIELDS, exact=("lots__cig",))

    def public(self):
        """Procedures shown on the public pages and in open data: published, in any later state."""
        return self.exclude(state=life.DRAFT)

    def run_by(self, user):
        """The procedures the user may change: their Province's, for its SUA roles."""
        sua = tenancy.as_sua(user)
        return self.none() if sua is None else self.filter(province=sua)


class Procedure(models.Model):
    province = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="procedures",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("SUA of the Province"),
    )
    title = models.CharField(_("object"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind of contract"), max_length=20, choices=ContractKind.choices)
    procedure_type = models.CharField(_("procedure"), max_length=40, choices=ProcedureType.choices)
    criterion = models.CharField(
        _("award criterion"), max_length=20, choices=Criterion.choices, default=Criterion.LOWEST_PRICE
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ProcedureState.choices, default=ProcedureState.DRAFT, db_index=True
    )
    state_reason = models.TextField(_("reasons"), blank=True)
    ocid = models.CharField(_("OCID"), max_length=100, unique=True, null=True, blank=True, editable=False)
    cpv = models.CharField(_("main CPV code"), max_length=8)
    cross_border_interest = models.BooleanField(_("certain cross-border interest"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    bid_deadline = models.DateTimeField(_("deadline for offers"), null=True, blank=True, db_index=True)
    deadline_reductions = models.JSONField(_("deadline reductions"), default=list, blank=True)
    anomaly_parameters = models.JSONField(_("anomaly parameters"), default=default_anomaly_parameters)
    oepv_settings = models.JSONField(_("OEPV settings"), default=dict, blank=True)
    awarded_at = models.DateTimeField(_("awarded at"), null=True, blank=True)
    contract_signed_at = models.DateTimeField(_("contract signed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    requests = models.ManyToManyField(
        ProcurementRequest,
        through="Lot",
        through_fields=("procedure", "request"),
        related_name="procedures",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        indexes = [
            models.Index(fields=["province", "state"]),
            models.Index(fields=["province", "-created_at"]),
            # The OCDS releases and the award figures are read by these dates.
            models.Index(fields=["published_at"]),
            models.Index(fields=["awarded_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.state == life.DRAFT

    @property
    def is_public(self) -> bool:
        return self.state != life.DRAFT

    @property
    def uses_invitations(self) -> bool:
        return self.procedure_type in INVITATION_TYPES

    def make_ocid(self) -> str:
        return f"{ocds_prefix()}-{self.pk}"


class LotQuerySet(models.QuerySet):
    def for_user(self, user):
        """The SUA reads every lot of its Province's procedures; a Comune (Unione) only its own lots, even in a
        joint procedure; an operator the lots of the procedures it may read (they are in the published
        notice)."""
        if sua := tenancy.as_sua(user):
            return self.filter(procedure__province=sua)
        if party := tenancy.as_local_party(user):
            return self.filter(municipality=party)
        if tenancy.as_operator(user):
            return self.filter(procedure__in=Procedure.objects.for_user(user))
        return self.none()

    def open_to(self, operator):
        """The lots of published procedures ``operator`` may bid on: every lot of a procedure open to any
        operator, and in a procedure by invitation only the lots it is invited to (art. 50 c.2 D.Lgs.
        36/2023). Whether a lot takes bids now is ``taking_bids``; each submission is decided again by
        ``bidding.services.bidding_problem``."""
        invited = Invitation.objects.filter(operator=operator).values("lot")
        return self.exclude(procedure__state=life.DRAFT).filter(
            ~Q(procedure__procedure_type__in=INVITATION_TYPES) | Q(pk__in=invited)
        )

    def taking_bids(self, now=None):
        """Open lots of procedures taking bids, whose deadline has not passed at ``now`` (server's clock)."""
        return self.filter(
            state=LotState.OPEN,
            procedure__state=life.BIDS_OPEN,
            procedure__bid_deadline__gt=now or timezone.now(),
        )


class Lot(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("object of the lot"), max_length=300)
    municipality = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="procedure_lots", verbose_name=_("buyer")
    )
    request = models.ForeignKey(
        ProcurementRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lots",
        verbose_name=_("request"),
    )
    cig = models.CharField(_("CIG"), max_length=10, blank=True)
    cup = models.CharField(_("CUP"), max_length=15, blank=True)
    cpv = models.CharField(_("CPV code"), max_length=8)
    # The register category invitations and rotation read: a SOA category for works, a CPV group (5 digits)
    # otherwise; and the SOA class the amount requires (works).
    category = models.CharField(_("register category"), max_length=8, blank=True)
    soa_class = models.CharField(_("SOA class"), max_length=8, blank=True)
    base_amount = models.DecimalField(
        _("base amount (subject to discount)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    safety_costs = models.DecimalField(
        _("safety costs (not subject to discount)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    options_amount = models.DecimalField(
        _("options and renewals"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    state = models.CharField(_("state"), max_length=20, choices=LotState.choices, default=LotState.OPEN)
    state_reason = models.TextField(_("reasons"), blank=True)
    awarded_operator = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awarded_lots",
        limit_choices_to={"kind": OrganizationKind.OPERATOR},
        verbose_name=_("awarded operator"),
    )
    awarded_bid = models.ForeignKey(
        "Bid",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("awarded bid"),
    )
    awarded_amount = models.DecimalField(
        _("awarded amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    award_date = models.DateField(_("award date"), null=True, blank=True)
    contract_date = models.DateField(_("contract date"), null=True, blank=True)
    contract_amount = models.DecimalField(
        _("contract amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # The winner's requirements as checked on the award day and on the contract day (rules.requirements:
    # kind, required, state, expiry), and the officer's reasoned decision when a required one was expired or
    # missing at the contract.
    award_requirements = models.JSONField(_("requirements checked at the award"), default=list, blank=True)
    contract_requirements = models.JSONField(
        _("requirements checked at the contract"), default=list, blank=True
    )
    contract_requirements_reason = models.TextField(_("reasoned decision on the requirements"), blank=True)

    objects = LotQuerySet.as_manager()

    class Meta:
        ordering = ["procedure", "number"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="one_lot_number_per_procedure"),
            models.UniqueConstraint(fields=["cig"], condition=~Q(cig=""), name="lot_cig_unique_when_set"),
            models.UniqueConstraint(
                fields=["request"], condition=Q(request__isnull=False), name="request_in_one_procedure"
            ),
            models.CheckConstraint(condition=Q(base_amount__gte=0), name="lot_base_not_negative"),
        ]
        indexes = [models.Index(fields=["award_date"])]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def total_amount(self) -> Decimal:
        """The value the thresholds are measured on (art. 14 c.4): base, safety costs, options."""
        return self.base_amount + self.safety_costs + self.options_amount

    @property
    def savings(self) -> Decimal | None:
        """Base amount minus awarded amount (the awarded amount net of safety costs is compared with the base)."""
        if self.awarded_amount is None:
            return None
        return self.base_amount - self.awarded_amount


class BidQuerySet(models.QuerySet):
    def for_user(self, user):
        """Bids are read by the SUA running the procedure and by the operator that made them."""
        if sua := tenancy.as_sua(user):
            return self.filter(lot__procedure__province=sua)
        if operator := tenancy.as_operator(user):
            return self.filter(operator=operator)
        return self.none()

    def admitted(self):
        """The valid bids: admitted and not excluded by the evaluation."""
        return self.filter(status=BidStatus.ADMITTED)

    def evaluated(self):
        """The bids an evaluation computes on (art. 54: every admitted bid, the anomalous ones included)."""
        return self.filter(status__in=EVALUATED_STATUSES)


class Bid(models.Model):
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="bids")
    operator = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="bids",
        limit_choices_to={"kind": OrganizationKind.OPERATOR},
        verbose_name=_("operator"),
    )
    # Always the recorded time of receipt, never a default: a bid after the deadline is refused (art. 71 ff.).
    received_at = models.DateTimeField(_("received at"))
    discount_percent = models.DecimalField(
        _("discount (%)"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("99.9999"))],
    )
    price = models.DecimalField(
        _("price"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    technical_score = models.DecimalField(
        _("technical score"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=BidStatus.choices, default=BidStatus.RECEIVED
    )
    exclusion_reason = models.TextField(_("reasons for exclusion"), blank=True)
    source = models.CharField(
        _("source"), max_length=30, choices=BidSource.choices, default=BidSource.RECORDED_BY_OFFICER
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = BidQuerySet.as_manager()

    class Meta:
        ordering = ["lot", "received_at", "pk"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            models.UniqueConstraint(fields=["lot", "operator"], name="one_bid_per_operator_and_lot"),
            models.CheckConstraint(
                condition=Q(discount_percent__isnull=True)
                | (Q(discount_percent__gte=0) & Q(discount_percent__lt=100)),
                name="bid_discount_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operator} — {self.lot}"


class InvitationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The SUA reads its procedures' invitations and a Comune those of its own lots (the page hides the
        operators' names until the law discloses them); an operator its own, once the procedure is published."""
        if operator := tenancy.as_operator(user):
            return self.filter(operator=operator).exclude(procedure__state=life.DRAFT)
        return self.filter(lot__in=Lot.objects.for_user(user))


class Invitation(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="invitations")
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="invitations")
    operator = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="invitations",
        limit_choices_to={"kind": OrganizationKind.OPERATOR},
        verbose_name=_("operator"),
    )
    registration = models.ForeignKey(
        RegisteredOperator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("register entry"),
    )
    reason = models.TextField(_("reasons for the choice"))
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rotation_exception = models.BooleanField(_("exception to rotation"), default=False)
    exception_reason = models.TextField(_("reasons for the exception"), blank=True)
    # The counters shown to the officer when the choice was made (for the record).
    invitations_before = models.PositiveIntegerField(_("previous invitations"), default=0)
    awards_before = models.PositiveIntegerField(_("previous awards"), default=0)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["lot", "invited_at", "pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [models.UniqueConstraint(fields=["lot", "operator"], name="one_invitation_per_lot")]

    def __str__(self) -> str:
        return f"{self.operator} — {self.lot}"


class ClarificationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The SUA reads every question of its procedures, as asked; whoever else reads the procedure only the
        published ones (art. 35 c.3: who asked is not to be known)."""
        readable = self.filter(procedure__in=Procedure.objects.for_user(user))
        return readable if tenancy.as_sua(user) else readable.published()

    def published(self):
        return self.filter(published=True).exclude(answer="").exclude(published_question="")


class Clarification(models.Model):
    """A question on a procedure and the SUA's answer. ``question`` is the text as asked, read by the SUA only;
    ``published_question`` the text the SUA edited to take out who asked (names, company, anything that tells
    them), the only one others read. Both stay in the audit trail (the ask and the answer events)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="clarifications")
    question = models.TextField(_("question"))
    published_question = models.TextField(_("question as published"), blank=True)
    answer = models.TextField(_("answer"), blank=True)
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    published = models.BooleanField(_("published"), default=False)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    asker_organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ClarificationQuerySet.as_manager()

    class Meta:
        ordering = ["asked_at", "pk"]
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")

    def __str__(self) -> str:
        return self.question[:60]


class EvaluationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The SUA and the lot's Comune (the minutes are theirs); nobody else."""
        if sua := tenancy.as_sua(user):
            return self.filter(lot__procedure__province=sua)
        if party := tenancy.as_local_party(user):
            return self.filter(lot__municipality=party)
        return self.none()


class Evaluation(models.Model):
    """The evaluation of a lot's admitted bids by the rules engine, with every computed value."""

    lot = models.OneToOneField(Lot, on_delete=models.CASCADE, related_name="evaluation")
    method = models.CharField(_("method"), max_length=20, choices=EvaluationMethod.choices)
    parameters = models.JSONField(_("parameters"), default=dict)
    result = models.JSONField(_("result"), default=dict)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    minutes_docx = models.FileField(
        _("minutes (DOCX)"), upload_to=private_upload_to("procurement/minutes"), blank=True
    )
    minutes_pdf = models.FileField(
        _("minutes (PDF)"), upload_to=private_upload_to("procurement/minutes"), blank=True
    )

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.lot} — {self.get_method_display()}"

    @property
    def winner_operator_id(self) -> int | None:
        winner = (self.result or {}).get("winner")
        return int(winner) if winner not in (None, "") else None


class ProcedureEvent(models.Model):
    """One step of a procedure's life (creation, transitions), for its timeline."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(pgettext_lazy("procedure event", "from state"), max_length=20, blank=True)
    to_state = models.CharField(pgettext_lazy("procedure event", "to state"), max_length=20, blank=True)
    reason = models.TextField(_("reasons"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("procedure event")
        verbose_name_plural = _("procedure events")

    def __str__(self) -> str:
        return f"{self.action} ({self.at:%Y-%m-%d})"
