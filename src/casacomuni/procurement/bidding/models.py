"""Online bids (gare telematiche, D.Lgs. 36/2023 artt. 19-26): sealed envelopes, receipts, openings.

An operator prepares a bid per lot in envelopes (A administrative, B technical for OEPV, C economic). Every
document is sealed the moment it arrives (``lib.sealing``: a data key per document, wrapped with the
procedure's public key); the procedure's private key is stored only wrapped under a key-encryption key that is
not in the database (docs/sealing.md). Only the SHA-256 of each document, its size and its kind are in clear:
the receipt prints them, so the operator can check them against its own files.

A confirmed bid counts; a new confirmation replaces it, a withdrawal cancels it, and every version stays in the
trail. After the deadline the commission opens the envelopes, one kind at a time (``EnvelopeOpening``): only
then can a document of that kind be read, by the SUA, and the opened bids become the ``procedures.Bid`` rows
that the evaluation engine reads.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.lib.storage import private_upload_to
from casacomuni.procurement.procedures.models import Bid, Lot, Procedure


class Envelope(models.TextChoices):
    ADMINISTRATIVE = "A", _("Envelope A — administrative documents")
    TECHNICAL = "B", _("Envelope B — technical offer")
    ECONOMIC = "C", _("Envelope C — economic offer")


class DocumentKind(models.TextChoices):
    ESPD = "espd", _("ESPD (DGUE)")
    DECLARATION = "declaration", _("Declarations")
    GUARANTEE = "guarantee", _("Provisional guarantee")
    TECHNICAL_OFFER = "technical_offer", _("Technical offer")
    ECONOMIC_OFFER = "economic_offer", _("Economic offer")
    OTHER = "other", _("Other document")


# Which kinds go in which envelope; the economic offer is typed in a form, not uploaded.
ENVELOPE_KINDS: dict[str, tuple[str, ...]] = {
    Envelope.ADMINISTRATIVE: (
        DocumentKind.ESPD,
        DocumentKind.DECLARATION,
        DocumentKind.GUARANTEE,
        DocumentKind.OTHER,
    ),
    Envelope.TECHNICAL: (DocumentKind.TECHNICAL_OFFER, DocumentKind.OTHER),
    Envelope.ECONOMIC: (DocumentKind.ECONOMIC_OFFER, DocumentKind.OTHER),
}


class ProcedureKey(models.Model):
    """The procedure's key pair: the public key in clear, the private key wrapped under the KEK ``kek_id``."""

    procedure = models.OneToOneField(Procedure, on_delete=models.CASCADE, related_name="sealing_key")
    public_key = models.BinaryField(_("public key (PEM)"))
    wrapped_private_key = models.BinaryField(_("wrapped private key"))
    kek_id = models.CharField(_("key-encryption key"), max_length=32, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("procedure key")
        verbose_name_plural = _("procedure keys")

    def __str__(self) -> str:
        return f"{self.procedure_id} ({self.kek_id})"


class GroupingKind(models.TextChoices):
    SINGLE = "single", _("Single operator")
    RTI = "rti", _("Temporary grouping (RTI)")
    CONSORTIUM = "consortium", _("Consortium")


class OnlineBidState(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    CONFIRMED = "confirmed", _("Submitted")
    REPLACED = "replaced", _("Replaced by a later bid")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class OnlineBidQuerySet(models.QuerySet):
    def for_user(self, user):
        """An operator reads its own bids, in every state; the SUA reads the submitted ones of its procedures
        once their deadline has passed (before it, not even who bid is known: art. 35 c.2); nobody else any."""
        if operator := tenancy.as_operator(user):
            return self.filter(operator=operator)
        if sua := tenancy.as_sua(user):
            return self.filter(
                lot__procedure__province=sua, lot__procedure__bid_deadline__lte=timezone.now()
            ).exclude(state=OnlineBidState.DRAFT)
        return self.none()

    def submitted(self):
        """The bids that count: confirmed and neither replaced nor withdrawn."""
        return self.filter(state=OnlineBidState.CONFIRMED)


class OnlineBid(models.Model):
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="online_bids", verbose_name=_("lot"))
    operator = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="online_bids",
        limit_choices_to={"kind": OrganizationKind.OPERATOR},
        verbose_name=_("operator"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=OnlineBidState.choices, default=OnlineBidState.DRAFT
    )
    grouping = models.CharField(
        _("form of participation"), max_length=20, choices=GroupingKind.choices, default=GroupingKind.SINGLE
    )
    # For an RTI or consortium: [{"name", "fiscal_code", "role" ("lead"|"member"), "share" (percent)}].
    members = models.JSONField(_("members of the grouping"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("replaced or withdrawn at"), null=True, blank=True)
    receipt_code = models.CharField(_("receipt"), max_length=40, unique=True, null=True, blank=True)
    # The bid the evaluation reads, made when the commission opens envelope A.
    received_bid = models.OneToOneField(
        Bid, on_delete=models.SET_NULL, null=True, blank=True, related_name="online_bid"
    )

    objects = OnlineBidQuerySet.as_manager()

    class Meta:
        ordering = ["lot", "-created_at", "-pk"]
        verbose_name = _("online bid")
        verbose_name_plural = _("online bids")
        constraints = [
            # One bid in preparation and one submitted bid per operator and lot, at any moment.
            models.UniqueConstraint(
                fields=["lot", "operator"], condition=Q(state="draft"), name="one_online_draft_per_lot"
            ),
            models.UniqueConstraint(
                fields=["lot", "operator"],
                condition=Q(state="confirmed"),
                name="one_submitted_online_bid_per_lot",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_code or f"{self.operator} — {self.lot}"

    @property
    def procedure(self) -> Procedure:
        return self.lot.procedure

    @property
    def is_draft(self) -> bool:
        return self.state == OnlineBidState.DRAFT


class SealedDocument(models.Model):
    """One sealed document of an envelope. ``sealed_file`` holds ``lib.sealing``'s stored form of the file's
    name and content; only its SHA-256, size and kind are in clear."""

    bid = models.ForeignKey(OnlineBid, on_delete=models.CASCADE, related_name="documents")
    envelope = models.CharField(_("envelope"), max_length=1, choices=Envelope.choices)
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    sealed_file = models.FileField(_("sealed file"), upload_to=private_upload_to("sealed"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["envelope", "uploaded_at", "pk"]
        verbose_name = _("sealed document")
        verbose_name_plural = _("sealed documents")

    def __str__(self) -> str:
        return f"{self.get_envelope_display()}: {self.get_kind_display()} ({self.sha256[:12]}…)"

    def context(self) -> bytes:
        """What the document is sealed to: a copy moved anywhere else does not open (docs/sealing.md)."""
        return f"procedure:{self.bid.lot.procedure_id}/bid:{self.bid_id}/envelope:{self.envelope}/document:{self.pk}".encode()


class EnvelopeOpening(models.Model):
    """The commission opened the envelopes of one kind of a procedure, in its session after the deadline."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="envelope_openings")
    envelope = models.CharField(_("envelope"), max_length=1, choices=Envelope.choices)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the opening found: per online bid, its documents' integrity ({"bid id": {"intact": bool, ...}}).
    findings = models.JSONField(_("findings"), default=dict, blank=True)

    class Meta:
        ordering = ["procedure", "opened_at"]
        verbose_name = _("opening of envelopes")
        verbose_name_plural = _("openings of envelopes")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "envelope"], name="one_opening_per_envelope"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.envelope} {self.opened_at:%Y-%m-%d %H:%M}"


class CommissionRole(models.TextChoices):
    PRESIDENT = "president", _("President")
    MEMBER = "member", _("Member")
    SECRETARY = "secretary", _("Secretary (minutes)")


class CommissionMember(models.Model):
    """A member of the procedure's commission (or seggio di gara), with the declaration that opens the way to
    the session: no conflict of interest (art. 16 D.Lgs. 36/2023) and none of the causes of art. 93 c.5."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="commission")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=CommissionRole.choices)
    appointed_at = models.DateTimeField(_("appointed at"), default=timezone.now)
    declared_at = models.DateTimeField(_("declaration of no conflict of interest"), null=True, blank=True)

    class Meta:
        ordering = ["procedure", "role", "pk"]
        verbose_name = _("commission member")
        verbose_name_plural = _("commission members")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure"], condition=Q(role="president"), name="one_president_per_commission"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class IntegrationRequest(models.Model):
    """A soccorso istruttorio (art. 101 D.Lgs. 36/2023): the commission asks an operator to complete or correct
    its administrative documents by a deadline; the operator answers online."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="integration_requests")
    text = models.TextField(_("what is asked"))
    deadline = models.DateTimeField(_("answer by"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(_("answer"), blank=True)
    answer_file = models.FileField(
        _("document sent"), upload_to=private_upload_to("integrations"), max_length=200, blank=True
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["bid", "requested_at", "pk"]
        verbose_name = _("request to complete the documents")
        verbose_name_plural = _("requests to complete the documents")

    def __str__(self) -> str:
        return f"{self.bid} — {self.requested_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and timezone.now() <= self.deadline


class TechnicalCoefficient(models.Model):
    """One commissioner's coefficient (0 to 1) for one part (criterion or sub-criterion) of a bid's technical
    offer; the evaluation averages the commissioners' coefficients per part (``rules.oepv.score_oepv``)."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="technical_coefficients")
    member = models.ForeignKey(CommissionMember, on_delete=models.PROTECT, related_name="coefficients")
    part = models.CharField(_("criterion"), max_length=20)
    coefficient = models.DecimalField(_("coefficient"), max_digits=4, decimal_places=3)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["bid", "member", "part"]
        verbose_name = _("technical coefficient")
        verbose_name_plural = _("technical coefficients")
        constraints = [
            models.UniqueConstraint(
                fields=["bid", "member", "part"], name="one_coefficient_per_member_and_part"
            ),
            models.CheckConstraint(
                condition=Q(coefficient__gte=0) & Q(coefficient__lte=1), name="coefficient_from_zero_to_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bid_id} {self.member_id} {self.part}: {self.coefficient}"
